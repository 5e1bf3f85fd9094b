package loglik

import (
	"context"
	"fmt"
	"math"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
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
	// DefaultExactUnits.
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
	negF := -mean(f)
	if method == Exact {
		logZ, err := rbmexact.RBMLogZ(ctx, m, &exact.Options{Workers: opt.AIS.Workers, MaxUnits: max(opt.ExactUnits, exact.DefaultMaxUnits)})
		if err != nil {
			return nil, err
		}
		ll := negF - logZ
		return &rbm.LogLik{Method: Exact, Mean: ll, Lower: &ll, Upper: &ll, Rows: data.Rows}, nil
	}
	fwd, err := ais.Run(ctx, m, opt.AIS)
	if err != nil {
		return nil, err
	}
	upper := negF - fwd.LogZ
	ll := &rbm.LogLik{Method: AIS, Mean: upper, StdErr: fwd.StdErr, Upper: &upper, Rows: data.Rows}
	switch {
	case opt.Upper != nil:
		rev, _, err := ais.ReverseFromTempering(ctx, m, opt.AIS, *opt.Upper)
		if err != nil {
			return nil, err
		}
		lower := negF - rev.LogZ
		ll.Lower, ll.LowerStdErr = &lower, rev.StdErr
	case opt.Raise:
		cfg := opt.AIS
		cfg.Runs = data.Rows
		rev, err := ais.Reverse(ctx, m, data, cfg)
		if err != nil {
			return nil, err
		}
		// Reverse ran one chain per row, in order, so its mean implied
		// log Z pairs with the mean free energy of the same rows.
		lower := negF - rev.LogZ
		ll.Lower, ll.LowerStdErr = &lower, rev.StdErr
	}
	return ll, nil
}

func (o *Options) method(m *rbm.RBM) (string, error) {
	switch o.Method {
	case Exact, AIS:
		return o.Method, nil
	case "", Auto:
		units := o.ExactUnits
		if units <= 0 {
			units = DefaultExactUnits
		}
		if min(m.Visible, m.Hidden) <= units {
			return Exact, nil
		}
		return AIS, nil
	}
	return "", fmt.Errorf("loglik: unknown method %q (want auto, exact or ais)", o.Method)
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
