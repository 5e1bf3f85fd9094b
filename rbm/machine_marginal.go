package rbm

import (
	"fmt"
	"slices"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/rbm/layer"
)

// MachineMarginal is the marginal distribution of a Machine over its
// visible units as a discrete model, as Marginal is for the binary RBM:
// the visible layer must have two-state units (binary units give
// discrete.Binary states, spins discrete.Spin), the hidden layer may be of
// any type, and the energy is the machine's free energy
//
//	E(v) = F(v) = E_v(v) - Γ_h(Wᵀv)
//
// (Machine.FreeEnergy), so that p(v) ∝ exp(-F(v)) is the machine's
// marginal. It implements discrete.Flipper, discrete.Localizer and
// discrete.Differentiable, so the samplers of package gibbs, the
// enumerators of package exact and ais.RunDiscrete take it like any other
// discrete model. The machine must not change while the model is in use.
type MachineMarginal struct {
	m      *Machine
	domain discrete.Domain
	off    float64 // the off value of the domain, as the visible layer takes it
	// field[i] is E_v(v with unit i on) - E_v(v with unit i off): a layer's
	// energy is a sum of one term per unit, so the difference does not
	// depend on the other units. It is taken from the layer's own Energy.
	field []float64
}

// NewMachineMarginal returns the visible marginal of m, whose visible
// layer must be binary or spin units.
func NewMachineMarginal(m *Machine) (*MachineMarginal, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("rbm: visible marginal: %w", err)
	}
	var d discrete.Domain
	switch m.Visible.(type) {
	case *layer.Binary:
		d = discrete.Binary
	case *layer.Spin:
		d = discrete.Spin
	default:
		return nil, fmt.Errorf("rbm: visible marginal: the visible layer has %s units; a discrete model needs two-state visible units (binary or spin)", m.Visible.Kind())
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

// Machine returns the underlying machine.
func (r *MachineMarginal) Machine() *Machine { return r.m }

// Units returns the number of visible units.
func (r *MachineMarginal) Units() int { return r.m.Visible.Units() }

// Domain returns discrete.Binary for binary visible units and
// discrete.Spin for spins.
func (r *MachineMarginal) Domain() discrete.Domain { return r.domain }

// Energy returns the free energy F(v).
func (r *MachineMarginal) Energy(x []int8) float64 {
	return r.m.FreeEnergy(int8ToFloat64(x))
}

// FlipDelta returns F(v with unit i flipped) - F(v).
func (r *MachineMarginal) FlipDelta(x []int8, i int) float64 {
	return r.NewLocal(x).FlipDelta(i)
}

// Gradient sets grad[i] = ∂F/∂v_i = ∂E_v/∂v_i - Σ_j W_ij E[h_j | Wᵀv], the
// derivative of the free energy extended to real v (∂Γ_h/∂I is the hidden
// layer's mean, and a two-state unit's energy term extends linearly).
func (r *MachineMarginal) Gradient(x []int8, grad []float64) {
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

// NewLocal returns a discrete.Local that keeps the hidden input Wᵀv and
// its log-partition Γ_h(Wᵀv), so that a flip's free-energy change and the
// flip itself cost O(hidden width). As Marginal's, the input is updated
// by adding the flipped unit's row of W and recomputed only by Set.
func (r *MachineMarginal) NewLocal(x []int8) discrete.Local {
	hw := r.m.Hidden.Width()
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

// int8ToFloat64 returns a discrete state as a visible vector.
func int8ToFloat64(x []int8) []float64 {
	v := make([]float64, len(x))
	for i, b := range x {
		v[i] = float64(b)
	}
	return v
}
