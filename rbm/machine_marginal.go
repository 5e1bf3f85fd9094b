package rbm

import (
	"fmt"
	"slices"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/rbm/layer"
)

// MachineMarginal is the marginal distribution of a Machine over its
// visible units as a discrete model, as Marginal is for the binary RBM:
// the visible layer must have discrete units — binary units give
// discrete.Binary states, spins discrete.Spin, Potts units of q states
// discrete.Categorical(q) states whose values are the units' states
// 0 … q-1 (Binary for q = 2) — the hidden layer may be of any type, and
// the energy is the machine's free energy
//
//	E(v) = F(v) = E_v(v) - Γ_h(Wᵀv)
//
// (Machine.FreeEnergy), so that p(v) ∝ exp(-F(v)) is the machine's
// marginal. It implements discrete.Flipper, discrete.Changer,
// discrete.Localizer, discrete.Differentiable for two-state visible units
// and discrete.OneHotDifferentiable for Potts units, so the samplers of package gibbs, the
// enumerators of package exact and ais.RunDiscrete take it like any other
// discrete model. The machine must not change while the model is in use.
type MachineMarginal struct {
	m      *Machine
	domain discrete.Domain
	off    float64 // the off value of the domain, as the visible layer takes it
	// For two-state units, field[i] is E_v(v with unit i on) - E_v(v with
	// unit i off); for Potts units of q states, field[i*q+a] is E_v(v with
	// unit i in state a) - E_v(v with unit i in state 0). A layer's energy
	// is a sum of one term per unit, so the differences do not depend on
	// the other units. They are taken from the layer's own Energy.
	field []float64
	// potts is the visible layer when its units are Potts units, whose
	// states are one-hot: unit i in state a sets column i*q+a of v, so
	// changing its state moves the hidden input by the difference of two
	// rows of W.
	potts *layer.Potts
}

// NewMachineMarginal returns the visible marginal of m, whose visible
// layer must be binary, spin or Potts units (of at most
// discrete.MaxStates states).
func NewMachineMarginal(m *Machine) (*MachineMarginal, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("rbm: visible marginal: %w", err)
	}
	var d discrete.Domain
	switch l := m.Visible.(type) {
	case *layer.Binary:
		d = discrete.Binary
	case *layer.Spin:
		d = discrete.Spin
	case *layer.Potts:
		return newPottsMarginal(m, l)
	default:
		return nil, fmt.Errorf("rbm: visible marginal: the visible layer has %s units; a discrete model needs discrete visible units (binary, spin or potts)", m.Visible.Kind())
	}
	off, on := d.Values()
	n := m.Visible.Units()
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(off)
	}
	e0 := m.Visible.Energy(v)
	field := make([]float64, n)
	for i := range v {
		v[i] = float64(on)
		field[i] = m.Visible.Energy(v) - e0
		v[i] = float64(off)
	}
	return &MachineMarginal{m: m, domain: d, off: float64(off), field: field}, nil
}

// newPottsMarginal returns the visible marginal of m, whose visible layer
// l has Potts units.
func newPottsMarginal(m *Machine, l *layer.Potts) (*MachineMarginal, error) {
	q := l.Q()
	d, err := discrete.Categorical(q)
	if err != nil {
		return nil, fmt.Errorf("rbm: visible marginal of potts units: %w", err)
	}
	n := l.Units()
	s := make([]int, n)
	v := make([]float64, l.Width())
	l.SetState(v, s)
	e0 := l.Energy(v)
	field := make([]float64, n*q)
	for i := range n {
		for a := 1; a < q; a++ {
			s[i] = a
			l.SetState(v, s)
			field[i*q+a] = l.Energy(v) - e0
		}
		s[i] = 0
		l.SetState(v, s)
	}
	return &MachineMarginal{m: m, domain: d, field: field, potts: l}, nil
}

// Machine returns the underlying machine.
func (r *MachineMarginal) Machine() *Machine { return r.m }

// Units returns the number of visible units.
func (r *MachineMarginal) Units() int { return r.m.Visible.Units() }

// Domain returns discrete.Binary for binary visible units,
// discrete.Spin for spins and discrete.Categorical(q) for Potts units of
// q states.
func (r *MachineMarginal) Domain() discrete.Domain { return r.domain }

// Energy returns the free energy F(v).
func (r *MachineMarginal) Energy(x []int8) float64 {
	return r.m.FreeEnergy(r.visible(x))
}

// visible returns the visible vector of state x: x itself for two-state
// units, one-hot columns for Potts units.
func (r *MachineMarginal) visible(x []int8) []float64 {
	if r.potts == nil {
		return int8ToFloat64(x)
	}
	s := make([]int, len(x))
	for i, a := range x {
		s[i] = int(a)
	}
	v := make([]float64, r.potts.Width())
	r.potts.SetState(v, s)
	return v
}

// FlipDelta returns F(v with unit i flipped) - F(v); for Potts units the
// flip is the domain's, to the next state cyclically.
func (r *MachineMarginal) FlipDelta(x []int8, i int) float64 {
	return r.NewLocal(x).FlipDelta(i)
}

// ChangeDelta returns F(v with unit i set to v) - F(v).
func (r *MachineMarginal) ChangeDelta(x []int8, i int, v int8) float64 {
	return r.NewLocal(x).ChangeDelta(i, v)
}

// Differentiable reports whether Gradient can be used: for two-state
// visible units, binary, spin or Potts units of two states. The free
// energy of Potts units of more states has no derivative along a unit's
// state; OneHotGradient gives the one along its one-hot columns.
func (r *MachineMarginal) Differentiable() bool { return r.potts == nil || r.potts.Q() == 2 }

// Gradient sets grad[i] = ∂F/∂v_i = ∂E_v/∂v_i - Σ_j W_ij E[h_j | Wᵀv], the
// derivative of the free energy extended to real v (∂Γ_h/∂I is the hidden
// layer's mean, and a two-state unit's energy term extends linearly).
// Potts units of two states are the one-hot columns (1 - x_i, x_i), whose
// derivative along x_i is the difference of the two columns' one-hot
// gradients. It panics for Potts units of more states (see
// Differentiable).
func (r *MachineMarginal) Gradient(x []int8, grad []float64) {
	if r.potts != nil {
		if r.potts.Q() != 2 {
			panic("rbm: visible marginal: potts visible units of more than two states have no gradient")
		}
		g := make([]float64, 2*len(x))
		r.OneHotGradient(x, g)
		for i := range x {
			grad[i] = g[2*i+1] - g[2*i]
		}
		return
	}
	m := r.m
	hw := m.Hidden.Width()
	in, mean := make([]float64, hw), make([]float64, hw)
	m.HiddenInput(in, int8ToFloat64(x))
	m.Hidden.Mean(mean, in)
	_, on := r.domain.Values()
	span := float64(on) - r.off
	for i := range r.field {
		g := r.field[i] / span
		for j, w := range m.W[i*hw : (i+1)*hw] {
			g -= w * mean[j]
		}
		grad[i] = g
	}
}

// OneHotDifferentiable reports whether OneHotGradient can be used: for
// Potts visible units (gibbs.GWG uses it for units of three states or
// more, Gradient for two).
func (r *MachineMarginal) OneHotDifferentiable() bool { return r.potts != nil }

// OneHotGradient sets grad[i*q+a] to the derivative of the free energy,
// extended to real one-hot columns, along column i*q+a:
//
//	∂F/∂v_c = ∂E_v/∂v_c - Σ_j W_cj E[h_j | Wᵀv]
//
// less the per-unit constant ∂E_v/∂v_(i*q) (the visible energy is linear
// in the columns, so its derivative along column i*q+a less that of column
// i*q is the energy change of moving unit i from state 0 to a), which
// discrete.OneHotDifferentiable allows. It panics unless the visible
// units are Potts units (see OneHotDifferentiable).
func (r *MachineMarginal) OneHotGradient(x []int8, grad []float64) {
	if r.potts == nil {
		panic("rbm: visible marginal: only potts visible units have a one-hot gradient")
	}
	m := r.m
	hw := m.Hidden.Width()
	in, mean := make([]float64, hw), make([]float64, hw)
	m.HiddenInput(in, r.visible(x))
	m.Hidden.Mean(mean, in)
	for c := range r.field {
		g := r.field[c]
		for j, w := range m.W[c*hw : (c+1)*hw] {
			g -= w * mean[j]
		}
		grad[c] = g
	}
}

// NewLocal returns a discrete.Local that keeps the hidden input Wᵀv and
// its log-partition Γ_h(Wᵀv), so that a flip's free-energy change and the
// flip itself cost O(hidden width). As Marginal's, the input is updated
// by adding the flipped unit's row of W and recomputed only by Set.
func (r *MachineMarginal) NewLocal(x []int8) discrete.Local {
	hw := r.m.Hidden.Width()
	if r.potts != nil {
		l := &pottsLocal{r: r, x: slices.Clone(x), in: make([]float64, hw), try: make([]float64, hw), tried: -1}
		l.Set(x)
		return l
	}
	l := &machineLocal{r: r, x: slices.Clone(x), in: make([]float64, hw), try: make([]float64, hw), tried: -1}
	l.Set(x)
	return l
}

type machineLocal struct {
	r     *MachineMarginal
	x     []int8
	in    []float64 // Wᵀv
	gamma float64   // Γ_h(in)
	// try holds the input after flipping unit tried (-1: none) and tryGamma
	// its log-partition, so that the Flip that follows a FlipDelta of the
	// same unit costs nothing more.
	try      []float64
	tryGamma float64
	tried    int
}

func (l *machineLocal) State() []int8 { return l.x }

func (l *machineLocal) Set(x []int8) {
	copy(l.x, x)
	l.r.m.HiddenInput(l.in, int8ToFloat64(l.x))
	l.gamma = l.r.m.Hidden.LogPartition(l.in)
	l.tried = -1
}

// trial fills try and tryGamma for a flip of unit i and returns the
// change of the visible energy term.
func (l *machineLocal) trial(i int) float64 {
	m := l.r.m
	hw := m.Hidden.Width()
	d := float64(l.r.domain.Flip(l.x[i]) - l.x[i])
	for j, w := range m.W[i*hw : (i+1)*hw] {
		l.try[j] = l.in[j] + d*w
	}
	l.tryGamma = m.Hidden.LogPartition(l.try)
	l.tried = i
	if float64(l.x[i]) == l.r.off {
		return l.r.field[i]
	}
	return -l.r.field[i]
}

// FlipDelta returns F(v') - F(v) = ΔE_v - [Γ_h(Wᵀv') - Γ_h(Wᵀv)].
func (l *machineLocal) FlipDelta(i int) float64 {
	dE := l.trial(i)
	return dE - (l.tryGamma - l.gamma)
}

func (l *machineLocal) Flip(i int) {
	if l.tried != i {
		l.trial(i)
	}
	l.in, l.try = l.try, l.in
	l.gamma = l.tryGamma
	l.x[i] = l.r.domain.Flip(l.x[i])
	l.tried = -1
}

// ChangeDelta and Change set a two-state unit by flipping it when needed.
func (l *machineLocal) ChangeDelta(i int, v int8) float64 { return discrete.ChangeDeltaByFlip(l, i, v) }
func (l *machineLocal) Change(i int, v int8)              { discrete.ChangeByFlip(l, i, v) }

// pottsLocal is the Local of a marginal over Potts units: as machineLocal,
// it keeps the hidden input Wᵀv and Γ_h(Wᵀv), and a change of unit i from
// state a to b adds row i*q+b of W and subtracts row i*q+a.
type pottsLocal struct {
	r     *MachineMarginal
	x     []int8
	in    []float64 // Wᵀv
	gamma float64   // Γ_h(in)
	// try holds the input after setting unit tried (-1: none) to triedTo
	// and tryGamma its log-partition, so that the Change that follows a
	// ChangeDelta of the same move costs nothing more.
	try      []float64
	tryGamma float64
	tried    int
	triedTo  int8
}

func (l *pottsLocal) State() []int8 { return l.x }

func (l *pottsLocal) Set(x []int8) {
	copy(l.x, x)
	l.r.m.HiddenInput(l.in, l.r.visible(l.x))
	l.gamma = l.r.m.Hidden.LogPartition(l.in)
	l.tried = -1
}

// trial fills try and tryGamma for setting unit i to v ≠ x_i and returns
// the change of the visible energy term.
func (l *pottsLocal) trial(i int, v int8) float64 {
	m, q := l.r.m, l.r.potts.Q()
	hw := m.Hidden.Width()
	a, b := i*q+int(l.x[i]), i*q+int(v)
	from, to := m.W[a*hw:(a+1)*hw], m.W[b*hw:(b+1)*hw]
	for j := range l.try {
		l.try[j] = l.in[j] + (to[j] - from[j])
	}
	l.tryGamma = m.Hidden.LogPartition(l.try)
	l.tried, l.triedTo = i, v
	return l.r.field[b] - l.r.field[a]
}

// ChangeDelta returns F(v') - F(v) = ΔE_v - [Γ_h(Wᵀv') - Γ_h(Wᵀv)].
func (l *pottsLocal) ChangeDelta(i int, v int8) float64 {
	if v == l.x[i] {
		return 0
	}
	dE := l.trial(i, v)
	return dE - (l.tryGamma - l.gamma)
}

func (l *pottsLocal) Change(i int, v int8) {
	if v == l.x[i] {
		return
	}
	if l.tried != i || l.triedTo != v {
		l.trial(i, v)
	}
	l.in, l.try = l.try, l.in
	l.gamma = l.tryGamma
	l.x[i] = v
	l.tried = -1
}

func (l *pottsLocal) FlipDelta(i int) float64 {
	return l.ChangeDelta(i, l.r.domain.Flip(l.x[i]))
}

func (l *pottsLocal) Flip(i int) { l.Change(i, l.r.domain.Flip(l.x[i])) }

// int8ToFloat64 returns a discrete state as a visible vector.
func int8ToFloat64(x []int8) []float64 {
	v := make([]float64, len(x))
	for i, b := range x {
		v[i] = float64(b)
	}
	return v
}
