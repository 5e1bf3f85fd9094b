// Package rbmtest holds test helpers that need an RBM: exact samples of
// models whose hidden layer is small enough to list, and random RBM
// marginals as discrete models.
package rbmtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/rbm"
)

// ExactSamples draws n exact samples of v from m, whose hidden layer must
// be small enough to list (2^Hidden states): h from p(h) ∝ exp(-F(h)) by
// inverse CDF over every state, then v ~ p(v|h).
func ExactSamples(m *rbm.RBM, n int, seed uint64) *rbm.Matrix {
	rng := rand.New(rand.NewPCG(seed, 99))
	t := m.Transpose()
	states := 1 << m.Hidden
	logp := make([]float64, states)
	h := make([]float32, m.Hidden)
	hi := math.Inf(-1)
	for s := range states {
		for j := range h {
			h[j] = float32(s >> j & 1)
		}
		logp[s] = -t.FreeEnergy(h)
		hi = max(hi, logp[s])
	}
	cdf := make([]float64, states)
	var sum float64
	for s, x := range logp {
		sum += math.Exp(x - hi)
		cdf[s] = sum
	}
	out := rbm.NewMatrix(n, m.Visible)
	act := make([]float64, m.Visible)
	for r := range n {
		u := rng.Float64() * sum
		s := 0
		for cdf[s] < u {
			s++
		}
		for j := range h {
			h[j] = float32(s >> j & 1)
		}
		t.HiddenInput(act, h)
		for i, a := range act {
			if rng.Float64() < kernel.Sigmoid(a) {
				out.Row(r)[i] = 1
			}
		}
	}
	return out
}

// Marginal returns the visible marginal of a random v×h binary RBM as a
// discrete model: weights N(0, 1), biases N(0, ½²), drawn from seed.
func Marginal(t testing.TB, v, h int, seed uint64) *rbm.Marginal {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 10))
	m := rbm.New(v, h)
	for i := range m.W {
		m.W[i] = float32(rng.NormFloat64())
	}
	for i := range m.B {
		m.B[i] = float32(0.5 * rng.NormFloat64())
	}
	for j := range m.C {
		m.C[j] = float32(0.5 * rng.NormFloat64())
	}
	r, err := rbm.NewMarginal(m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
