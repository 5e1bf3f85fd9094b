package rbm

import (
	"context"
	"fmt"
	"math"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm/layer"
)

// LogZ returns the exact log partition function of m: it enumerates every
// state x of one discrete layer — the one with fewer states when both are
// — and sums (or, for continuous units, integrates) the other layer out
// analytically through its log-partition,
//
//	log Z = log Σₓ exp(-E_x(x) + Γ_y(field(x))).
//
// A Gaussian-visible machine with up to opt's MaxUnits binary hidden units
// therefore has an exact log Z. A machine with no discrete layer has none
// by enumeration, and LogZ says so.
func (m *Machine) LogZ(ctx context.Context, opt exact.Options) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	t := m.enumerationOrder()
	if t == nil {
		return 0, fmt.Errorf("rbm: exact log Z needs a discrete layer; a %s×%s machine has none (use AIS)", m.Visible.Kind(), m.Hidden.Kind())
	}
	x := t.Visible.(layer.Discrete)
	units, q := x.Units(), x.States()
	logZ, err := exact.LogSumStates(ctx, units, q, opt, func() exact.StateVisitor {
		return t.newStateVisitor(x)
	})
	if err != nil {
		return 0, fmt.Errorf("rbm: exact log Z of a %s×%s machine: %w", m.Visible.Kind(), m.Hidden.Kind(), err)
	}
	if math.IsNaN(logZ) || math.IsInf(logZ, 0) {
		return 0, fmt.Errorf("rbm: exact log Z of a %s×%s machine is %v: the model is not normalisable", m.Visible.Kind(), m.Hidden.Kind(), logZ)
	}
	return logZ, nil
}

// enumerationOrder returns m, or its transpose, with the layer to
// enumerate as the visible one; nil when neither layer is discrete.
func (m *Machine) enumerationOrder() *Machine {
	states := func(l layer.Layer) float64 {
		if _, ok := l.(layer.Discrete); !ok || l.States() < 2 {
			return math.Inf(1)
		}
		return float64(l.Units()) * math.Log(float64(l.States()))
	}
	sv, sh := states(m.Visible), states(m.Hidden)
	switch {
	case math.IsInf(sv, 1) && math.IsInf(sh, 1):
		return nil
	case sh < sv:
		return m.Transpose()
	}
	return m
}

// newStateVisitor returns a visitor giving -F(x) = -E_x(x) + Γ_y(Wᵀx) for
// the enumerated layer's states, updating Wᵀx for the units that changed
// only. Each unit of a discrete layer owns Width/Units consecutive columns.
func (m *Machine) newStateVisitor(x layer.Discrete) exact.StateVisitor {
	return m.newObservingVisitor(x, nil)
}

// newObservingVisitor is newStateVisitor calling observe, when not nil,
// with each state x, its field Wᵀx and -F(x); observe must not keep or
// modify the slices. It lets the exact gradient (ExactGradient) weigh the
// statistics of every state on the same enumeration as LogZ.
func (m *Machine) newObservingVisitor(x layer.Discrete, observe func(state, field []float64, negF float64)) exact.StateVisitor {
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	per := vw / x.Units()
	state, prev := make([]float64, vw), make([]float64, vw)
	field := make([]float64, hw)
	return func(s []int, changed int) float64 {
		x.SetState(state, s)
		if changed == len(s)-1 {
			m.HiddenInput(field, state)
		} else {
			for c := range (changed + 1) * per {
				d := state[c] - prev[c]
				if d == 0 {
					continue
				}
				row := m.W[c*hw : (c+1)*hw]
				for j, w := range row {
					field[j] += d * w
				}
			}
		}
		copy(prev, state)
		negF := -m.Visible.Energy(state) + m.Hidden.LogPartition(field)
		if observe != nil {
			observe(state, field, negF)
		}
		return negF
	}
}

// LogLikelihood returns the mean log-likelihood of the rows of data,
// -F(v) - log Z averaged, with log Z exact (see LogZ).
func (m *Machine) LogLikelihood(ctx context.Context, data [][]float64, opt exact.Options) (ll, logZ float64, err error) {
	if err := m.checkRows("log-likelihood", data); err != nil {
		return 0, 0, err
	}
	logZ, err = m.LogZ(ctx, opt)
	if err != nil {
		return 0, 0, err
	}
	var sum float64
	for _, v := range data {
		sum -= m.FreeEnergy(v)
	}
	return sum/float64(len(data)) - logZ, logZ, nil
}

// checkRows reports no rows, or a row the visible layer cannot take, for
// the computation named what.
func (m *Machine) checkRows(what string, data [][]float64) error {
	if len(data) == 0 {
		return fmt.Errorf("rbm: %s of no rows", what)
	}
	for r, v := range data {
		if len(v) != m.Visible.Width() {
			return fmt.Errorf("rbm: row %d has %d values, the %s layer takes %d", r, len(v), m.Visible.Kind(), m.Visible.Width())
		}
		if err := m.Visible.Check(v); err != nil {
			return fmt.Errorf("rbm: row %d: %v", r, err)
		}
	}
	return nil
}
