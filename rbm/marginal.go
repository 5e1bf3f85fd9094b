package rbm

import (
	"fmt"
	"slices"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/internal/kernel"
)

// Marginal is the marginal distribution of an RBM over its visible units
// as a discrete model: binary units and energy the free energy,
//
//	E(v) = F(v) = -bᵀv - Σ_j softplus(c_j + (vᵀW)_j),
//
// so that p(v) ∝ exp(-F(v)) is the RBM's marginal. It implements
// discrete.Flipper, discrete.Localizer and discrete.Differentiable, so the
// samplers of package gibbs and the enumerators of package exact take it
// like any other discrete model. The RBM must not change while the model is
// in use.
type Marginal struct {
	rbm *RBM
}

// NewMarginal returns the visible marginal of m.
func NewMarginal(m *RBM) (*Marginal, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("rbm: visible marginal: %w", err)
	}
	return &Marginal{rbm: m}, nil
}

// RBM returns the underlying machine.
func (r *Marginal) RBM() *RBM { return r.rbm }

// Units returns the number of visible units.
func (r *Marginal) Units() int { return r.rbm.Visible }

// Domain returns discrete.Binary.
func (r *Marginal) Domain() discrete.Domain { return discrete.Binary }

// Energy returns the free energy F(v).
func (r *Marginal) Energy(x []int8) float64 {
	return r.rbm.FreeEnergy(toFloat32(x))
}

// FlipDelta returns F(v with unit i flipped) - F(v).
func (r *Marginal) FlipDelta(x []int8, i int) float64 {
	l := r.NewLocal(x).(*marginalLocal)
	return l.FlipDelta(i)
}

// Gradient sets grad[i] = ∂F/∂v_i = -b_i - Σ_j σ(c_j + (vᵀW)_j) W_ij, the
// derivative of the free energy extended to real v.
func (r *Marginal) Gradient(x []int8, grad []float64) {
	m := r.rbm
	act := make([]float64, m.Hidden)
	m.HiddenInput(act, toFloat32(x))
	for j, a := range act {
		act[j] = kernel.Sigmoid(a)
	}
	for i := range m.Visible {
		g := -float64(m.B[i])
		for j, w := range m.W[i*m.Hidden : (i+1)*m.Hidden] {
			g -= act[j] * float64(w)
		}
		grad[i] = g
	}
}

// NewLocal returns a discrete.Local that keeps the hidden inputs c + vᵀW,
// so that a flip's free-energy change and the flip itself cost O(Hidden).
func (r *Marginal) NewLocal(x []int8) discrete.Local {
	l := &marginalLocal{m: r.rbm, x: slices.Clone(x), act: make([]float64, r.rbm.Hidden), sp: make([]float64, r.rbm.Hidden)}
	l.Set(x)
	return l
}

type marginalLocal struct {
	m       *RBM
	x       []int8
	act, sp []float64 // hidden inputs and their softplus
}

func (l *marginalLocal) State() []int8 { return l.x }

func (l *marginalLocal) Set(x []int8) {
	copy(l.x, x)
	l.m.HiddenInput(l.act, toFloat32(l.x))
	for j, a := range l.act {
		l.sp[j] = kernel.Softplus(a)
	}
}

// FlipDelta uses the same decomposition as PseudoLogLikelihood: with
// d = v'_i - v_i, F(v') - F(v) = -b_i·d - Σ_j [softplus(act_j + d·W_ij) -
// softplus(act_j)].
func (l *marginalLocal) FlipDelta(i int) float64 {
	m := l.m
	d := 1 - 2*float64(l.x[i])
	delta := -float64(m.B[i]) * d
	for j, w := range m.W[i*m.Hidden : (i+1)*m.Hidden] {
		delta -= kernel.Softplus(l.act[j]+d*float64(w)) - l.sp[j]
	}
	return delta
}

func (l *marginalLocal) Flip(i int) {
	m := l.m
	d := 1 - 2*float64(l.x[i])
	l.x[i] = 1 - l.x[i]
	for j, w := range m.W[i*m.Hidden : (i+1)*m.Hidden] {
		l.act[j] += d * float64(w)
		l.sp[j] = kernel.Softplus(l.act[j])
	}
}

// ChangeDelta and Change set a binary unit by flipping it when needed.
func (l *marginalLocal) ChangeDelta(i int, v int8) float64 {
	return discrete.ChangeDeltaByFlip(l, i, v)
}
func (l *marginalLocal) Change(i int, v int8) { discrete.ChangeByFlip(l, i, v) }

// toFloat32 returns a discrete state as a visible vector.
func toFloat32(x []int8) []float32 {
	v := make([]float32, len(x))
	for i, b := range x {
		v[i] = float32(b)
	}
	return v
}
