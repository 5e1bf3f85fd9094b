package loglik

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
	"github.com/rbmkit/rbm/rbm/layer"
	"github.com/rbmkit/rbm/rbm/rbmexact"
)

// Methods.
const (
	Auto  = "auto"
	Exact = "exact"
	AIS   = "ais"
)

// DefaultExactUnits is the largest smaller layer that Auto enumerates: 2²⁵
// states of a 784-unit layer take about a minute on two cores.
const DefaultExactUnits = 25

// Options holds the settings of Estimate. The zero value chooses the
// method automatically and runs AIS with its defaults.
type Options struct {
	// Method is Auto (""), Exact or AIS.
	Method string
	// ExactUnits is the largest smaller layer Auto enumerates; 0 means
	// DefaultExactUnits. For a machine it counts bits: a discrete layer of
	// at most 2^ExactUnits states.
	ExactUnits int
	// AIS holds the settings of the forward and RAISE runs (schedule,
	// runs, base rates, seed, workers). Its Workers also serves exact
	// enumeration.
	AIS ais.Config
	// Upper, when set, draws samples of the model by parallel tempering
	// and anneals in reverse from them (ais.ReverseFromTempering): an upper
	// bound on log Z when the tempering mixes, hence the conservative side
	// of the log-likelihood (LogLik.Lower).
	Upper *ais.Tempered
	// Raise runs RAISE from every row of the data instead, one annealing
	// chain per row, for the conservative side: a bound for the annealing
	// model, which can favour the data over the RBM. Upper takes precedence.
	Raise bool
	// MachineBase is the base visible layer of a machine's annealing path
	// (EstimateMachine; see ais.RunMachine), of the machine's visible type:
	// best the layer fitted to the training data, as Machine.Init fits it.
	// Nil uses the machine's own visible layer. AIS.Base, the binary
	// RBM's base rates, plays no part for a machine.
	MachineBase layer.Layer
}

// Estimate returns the mean log-likelihood per row of data under m.
func Estimate(ctx context.Context, m *rbm.RBM, data *rbm.Matrix, opt Options) (*rbm.LogLik, error) {
	if data.Rows == 0 || data.Cols != m.Visible || len(data.Data) != data.Rows*data.Cols {
		return nil, fmt.Errorf("loglik: data is %d×%d, model has %d visible units", data.Rows, data.Cols, m.Visible)
	}
	method, err := opt.method(m)
	if err != nil {
		return nil, err
	}
	f := make([]float64, data.Rows)
	m.FreeEnergies(f, data)
	cfg := opt.AIS
	cfg.Runs = data.Rows
	return opt.estimate(method, -mean(f), data.Rows, logZEstimators{
		exact: func() (float64, error) {
			return rbmexact.RBMLogZ(ctx, m, exact.Options{Workers: opt.AIS.Workers, MaxUnits: max(opt.ExactUnits, exact.DefaultMaxUnits)})
		},
		forward: func() (*ais.Estimate, error) { return ais.Run(ctx, m, opt.AIS) },
		tempering: func(t ais.Tempered) (*ais.Estimate, error) {
			rev, _, err := ais.ReverseFromTempering(ctx, m, opt.AIS, t)
			return rev, err
		},
		raise: func() (*ais.Estimate, error) { return ais.Reverse(ctx, m, data, cfg) },
	})
}

// logZEstimators are one model type's ways to its log Z: exactly, by
// forward AIS, and the upper side by reverse AIS from tempering samples
// or from the evaluated rows (RAISE, one chain per row, in order).
type logZEstimators struct {
	exact     func() (float64, error)
	forward   func() (*ais.Estimate, error)
	tempering func(ais.Tempered) (*ais.Estimate, error)
	raise     func() (*ais.Estimate, error)
}

// estimate turns the estimates of log Z that method and o ask for into
// the log-likelihood of rows rows whose mean negative free energy is negF:
// exact, or forward AIS's (optimistic) with, when asked, the conservative
// side from the upper side of log Z.
func (o *Options) estimate(method string, negF float64, rows int, e logZEstimators) (*rbm.LogLik, error) {
	if method == Exact {
		logZ, err := e.exact()
		if err != nil {
			return nil, err
		}
		ll := negF - logZ
		return &rbm.LogLik{Method: Exact, Mean: ll, Lower: &ll, Upper: &ll, Rows: rows}, nil
	}
	fwd, err := e.forward()
	if err != nil {
		return nil, err
	}
	upper := negF - fwd.LogZ
	ll := &rbm.LogLik{Method: AIS, Mean: upper, StdErr: fwd.StdErr, Upper: &upper, Rows: rows}
	var rev *ais.Estimate
	switch {
	case o.Upper != nil:
		rev, err = e.tempering(*o.Upper)
	case o.Raise:
		// One chain per row, in order: the mean implied log Z pairs
		// with the mean free energy of the same rows.
		rev, err = e.raise()
	default:
		return ll, nil
	}
	if err != nil {
		return nil, err
	}
	lower := negF - rev.LogZ
	ll.Lower, ll.LowerStdErr = &lower, rev.StdErr
	return ll, nil
}

func (o *Options) method(m *rbm.RBM) (string, error) {
	return o.pick(float64(min(m.Visible, m.Hidden)))
}

// pick resolves the method for a model whose smallest enumeration has
// 2^bits states (+Inf: none).
func (o *Options) pick(bits float64) (string, error) {
	switch o.Method {
	case Exact, AIS:
		return o.Method, nil
	case "", Auto:
		units := o.ExactUnits
		if units <= 0 {
			units = DefaultExactUnits
		}
		if bits <= float64(units)+1e-9 {
			return Exact, nil
		}
		return AIS, nil
	}
	return "", fmt.Errorf("loglik: unknown method %q (want auto, exact or ais)", o.Method)
}

// EstimateMachine returns the mean log-likelihood per row of data under a
// machine of any unit types, as Estimate does for a binary RBM: Auto
// enumerates exactly (Machine.LogZ) when a discrete layer has at most
// 2^ExactUnits states — for binary units, the binary RBM's limit on the
// smaller layer — and otherwise anneals forward (ais.RunMachine) from
// opt.MachineBase, with the conservative side from reverse AIS from
// tempering samples (Upper, ais.ReverseMachineFromTempering) or RAISE
// from every row (Raise, ais.ReverseMachine). data's rows must be in the
// visible layer's encoding (one-hot for Potts units, standardised as
// training was). The AIS runs draw from sources seeded by opt.AIS.Seed
// only; the machine is not modified.
func EstimateMachine(ctx context.Context, m *rbm.Machine, data *mat.Dense, opt Options) (*rbm.LogLik, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("loglik: %w", err)
	}
	if data == nil {
		return nil, fmt.Errorf("loglik: no data")
	}
	rows, cols := data.Dims()
	if cols != m.Visible.Width() {
		return nil, fmt.Errorf("loglik: data is %d×%d, the %s visible layer takes %d values per row", rows, cols, m.Visible.Kind(), m.Visible.Width())
	}
	f := make([]float64, rows)
	for r := range rows {
		v := data.RawRowView(r)
		if err := m.Visible.Check(v); err != nil {
			return nil, fmt.Errorf("loglik: row %d: %v", r+1, err)
		}
		f[r] = m.FreeEnergy(v)
	}
	method, err := opt.pick(enumerationBits(m))
	if err != nil {
		return nil, err
	}
	cfg := opt.AIS
	cfg.Runs = rows
	return opt.estimate(method, -mean(f), rows, logZEstimators{
		exact: func() (float64, error) {
			return m.LogZ(ctx, exact.Options{Workers: opt.AIS.Workers, MaxUnits: max(opt.ExactUnits, exact.DefaultMaxUnits)})
		},
		forward: func() (*ais.Estimate, error) { return ais.RunMachine(ctx, m, opt.MachineBase, opt.AIS) },
		tempering: func(t ais.Tempered) (*ais.Estimate, error) {
			rev, _, err := ais.ReverseMachineFromTempering(ctx, m, opt.MachineBase, opt.AIS, t)
			return rev, err
		},
		raise: func() (*ais.Estimate, error) { return ais.ReverseMachine(ctx, m, opt.MachineBase, data, cfg) },
	})
}

// enumerationBits returns log₂ of the states of m's smaller discrete
// layer, the one Machine.LogZ enumerates; +Inf when neither is discrete.
func enumerationBits(m *rbm.Machine) float64 {
	bits := math.Inf(1)
	for _, l := range []layer.Layer{m.Visible, m.Hidden} {
		if _, ok := l.(layer.Discrete); ok && l.States() >= 2 {
			bits = math.Min(bits, float64(l.Units())*math.Log2(float64(l.States())))
		}
	}
	return bits
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	if len(x) == 0 {
		return math.NaN()
	}
	return s / float64(len(x))
}
