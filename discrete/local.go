package discrete

import "slices"

// Local is one chain's current state together with whatever auxiliary
// quantities make single-unit moves cheap (for an RBM, the inputs of the
// hidden units). Samplers keep one Local per chain. A Local is not safe for
// concurrent use.
//
// The moves are flips, Domain's Flip of one unit, and changes, setting one
// unit to a given value; on a two-state model a change is a flip or
// nothing, and samplers of two-state models use flips only.
type Local interface {
	// State returns the current state; callers must not modify it.
	State() []int8
	// Set replaces the state with a copy of x and recomputes the cache.
	Set(x []int8)
	// FlipDelta returns the energy change of flipping unit i.
	FlipDelta(i int) float64
	// Flip flips unit i, updating the cache.
	Flip(i int)
	// ChangeDelta returns the energy change of setting unit i to the
	// value v (0 when it has that value).
	ChangeDelta(i int, v int8) float64
	// Change sets unit i to the value v, updating the cache.
	Change(i int, v int8)
}

// Localizer is a Model that provides its own Local.
type Localizer interface {
	Model
	NewLocal(x []int8) Local
}

// NewLocal returns a Local for m starting at a copy of x: the model's own
// when it is a Localizer, otherwise one that calls FlipDelta(m, ...) and
// ChangeDelta(m, ...).
func NewLocal(m Model, x []int8) Local {
	if l, ok := m.(Localizer); ok {
		return l.NewLocal(x)
	}
	return &plainLocal{m: m, x: slices.Clone(x)}
}

type plainLocal struct {
	m Model
	x []int8
}

func (l *plainLocal) State() []int8           { return l.x }
func (l *plainLocal) Set(x []int8)            { copy(l.x, x) }
func (l *plainLocal) FlipDelta(i int) float64 { return FlipDelta(l.m, l.x, i) }
func (l *plainLocal) Flip(i int)              { l.x[i] = l.m.Domain().Flip(l.x[i]) }
func (l *plainLocal) Change(i int, v int8)    { l.x[i] = v }

func (l *plainLocal) ChangeDelta(i int, v int8) float64 { return ChangeDelta(l.m, l.x, i, v) }

// ChangeDeltaByFlip implements a two-state Local's ChangeDelta through
// its flips, setting unit i to v being flipping it unless it is v
// already: it returns l.FlipDelta(i), or 0 when unit i has value v.
func ChangeDeltaByFlip(l Local, i int, v int8) float64 {
	if l.State()[i] == v {
		return 0
	}
	return l.FlipDelta(i)
}

// ChangeByFlip implements a two-state Local's Change through its flips:
// it flips unit i of l unless it has value v already.
func ChangeByFlip(l Local, i int, v int8) {
	if l.State()[i] != v {
		l.Flip(i)
	}
}

// Differentiable is a Model whose energy extends to a differentiable
// function of real-valued units, as Gibbs-with-Gradients needs: Gradient
// sets grad[i] = ∂E/∂x_i at the (discrete) state x, so that
// (x'_i - x_i)·grad[i] approximates the energy change of flipping unit i
// to first order.
type Differentiable interface {
	Model
	Gradient(x []int8, grad []float64)
}

// GradientOf returns m as a Differentiable when its energy has a gradient:
// m implements Differentiable and, if it reports the property itself (as a
// Product does, depending on its experts), reports true.
func GradientOf(m Model) (Differentiable, bool) {
	d, ok := m.(Differentiable)
	if !ok {
		return nil, false
	}
	if r, ok := m.(interface{ Differentiable() bool }); ok && !r.Differentiable() {
		return nil, false
	}
	return d, true
}

// OneHotDifferentiable is a model of q-state units whose energy extends to
// a differentiable function of the units' one-hot encodings, o_ia = [x_i =
// a], as Gibbs-with-Gradients needs for categorical units (Grathwohl et al.
// 2021, section 5): OneHotGradient sets grad[i*q+a] = ∂E/∂o_ia at the
// one-hot encoding of x, so that grad[i*q+a] - grad[i*q+x_i] approximates
// the energy change of setting unit i to a, to first order (exactly, for
// an energy linear in each unit's encoding, as a Potts model's is).
//
// Only those differences are meaningful: moving along the simplex of a
// unit's encodings, the derivative is determined up to a constant per
// unit, which an implementation may choose.
type OneHotDifferentiable interface {
	Model
	OneHotGradient(x []int8, grad []float64)
}

// OneHotGradientOf returns m as a OneHotDifferentiable when its energy has
// a one-hot gradient: m implements OneHotDifferentiable and, if it reports
// the property itself (as a Product does, depending on its experts),
// reports true.
func OneHotGradientOf(m Model) (OneHotDifferentiable, bool) {
	d, ok := m.(OneHotDifferentiable)
	if !ok {
		return nil, false
	}
	if r, ok := m.(interface{ OneHotDifferentiable() bool }); ok && !r.OneHotDifferentiable() {
		return nil, false
	}
	return d, true
}
