package rbm

import (
	"errors"
	"fmt"
	"math"

	"github.com/rbmkit/rbm/internal/kernel"
)

// RBM is a binary restricted Boltzmann machine.
type RBM struct {
	Visible, Hidden int

	// W holds the weights, Visible×Hidden row-major: W[i*Hidden+j] couples
	// visible unit i with hidden unit j.
	W []float32
	// B holds the visible biases and C the hidden biases.
	B, C []float32
}

// New returns an RBM with all parameters zero.
func New(visible, hidden int) *RBM {
	if visible <= 0 || hidden <= 0 {
		panic(fmt.Sprintf("rbm: New(%d, %d): sizes must be positive", visible, hidden))
	}
	return &RBM{
		Visible: visible,
		Hidden:  hidden,
		W:       make([]float32, visible*hidden),
		B:       make([]float32, visible),
		C:       make([]float32, hidden),
	}
}

// ErrInvalid is wrapped by every error Validate returns.
var ErrInvalid = errors.New("invalid model")

// Validate reports whether the slices match the declared sizes and every
// parameter is finite.
func (m *RBM) Validate() error {
	switch {
	case m.Visible <= 0 || m.Hidden <= 0:
		return fmt.Errorf("%w: sizes %d×%d must be positive", ErrInvalid, m.Visible, m.Hidden)
	case len(m.W) != m.Visible*m.Hidden:
		return fmt.Errorf("%w: W has %d values, want %d×%d", ErrInvalid, len(m.W), m.Visible, m.Hidden)
	case len(m.B) != m.Visible:
		return fmt.Errorf("%w: b has %d values, want %d", ErrInvalid, len(m.B), m.Visible)
	case len(m.C) != m.Hidden:
		return fmt.Errorf("%w: c has %d values, want %d", ErrInvalid, len(m.C), m.Hidden)
	}
	for _, p := range []struct {
		name string
		v    []float32
	}{{"W", m.W}, {"b", m.B}, {"c", m.C}} {
		for i, x := range p.v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("%w: %s[%d] is %v", ErrInvalid, p.name, i, x)
			}
		}
	}
	return nil
}

// Clone returns a deep copy of m.
func (m *RBM) Clone() *RBM {
	c := &RBM{Visible: m.Visible, Hidden: m.Hidden}
	c.W = append([]float32(nil), m.W...)
	c.B = append([]float32(nil), m.B...)
	c.C = append([]float32(nil), m.C...)
	return c
}

// Transpose returns the RBM with the roles of the layers swapped: its
// visible layer is m's hidden layer. The energy is symmetric in the two
// layers, so m.Transpose().FreeEnergy(h) is the free energy of a hidden
// vector h under m, -cᵀh - Σᵢ softplus(bᵢ + (Wh)ᵢ).
func (m *RBM) Transpose() *RBM {
	t := &RBM{Visible: m.Hidden, Hidden: m.Visible, W: make([]float32, len(m.W))}
	for i := range m.Visible {
		for j := range m.Hidden {
			t.W[j*m.Visible+i] = m.W[i*m.Hidden+j]
		}
	}
	t.B = append([]float32(nil), m.C...)
	t.C = append([]float32(nil), m.B...)
	return t
}

// Energy returns E(v, h) = -vᵀWh - bᵀv - cᵀh.
func (m *RBM) Energy(v, h []float32) float64 {
	m.checkLen("v", v, m.Visible)
	m.checkLen("h", h, m.Hidden)
	var e float64
	for i, vi := range v {
		if vi == 0 {
			continue
		}
		row := m.W[i*m.Hidden : (i+1)*m.Hidden]
		var s float64
		for j, hj := range h {
			s += float64(row[j]) * float64(hj)
		}
		e -= float64(vi) * (s + float64(m.B[i]))
	}
	for j, hj := range h {
		e -= float64(m.C[j]) * float64(hj)
	}
	return e
}

// FreeEnergy returns F(v) = -bᵀv - Σⱼ softplus(cⱼ + (vᵀW)ⱼ), computed in
// float64 throughout.
func (m *RBM) FreeEnergy(v []float32) float64 {
	m.checkLen("v", v, m.Visible)
	act := make([]float64, m.Hidden)
	m.HiddenInput(act, v)
	return FreeEnergyFromInput(m.B, v, act)
}

// HiddenInput sets act[j] = cⱼ + (vᵀW)ⱼ, the total input of each hidden
// unit, accumulated in float64.
func (m *RBM) HiddenInput(act []float64, v []float32) {
	for j, c := range m.C {
		act[j] = float64(c)
	}
	for i, vi := range v {
		if vi == 0 {
			continue
		}
		row := m.W[i*m.Hidden : (i+1)*m.Hidden]
		for j, w := range row {
			act[j] += float64(vi) * float64(w)
		}
	}
}

// FreeEnergyFromInput returns -biasᵀx - Σⱼ softplus(act[j]): the free energy
// of a layer state x whose own biases are bias, given the total inputs act
// it sends to the other layer. It is the single definition of the free
// energy; FreeEnergy, the batched FreeEnergies and the exact enumerators
// (which update act incrementally) all end here.
func FreeEnergyFromInput(bias, x []float32, act []float64) float64 {
	var f float64
	for i, xi := range x {
		f -= float64(bias[i]) * float64(xi)
	}
	for _, a := range act {
		f -= kernel.Softplus(a)
	}
	return f
}

func (m *RBM) checkLen(name string, x []float32, want int) {
	if len(x) != want {
		panic(fmt.Sprintf("rbm: %s has length %d, model %d×%d wants %d", name, len(x), m.Visible, m.Hidden, want))
	}
}
