// Package enumtest holds test helpers that several packages' tests share
// to check discrete models against brute force: small models with rugged
// energies, and every state's weight summed independently of the
// enumerators under test. It imports only package discrete, so that the
// tests of package exact can use it too.
package enumtest

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/discrete"
)

// BetaC is the critical inverse temperature of the square-lattice Ising
// model with J = 1, ½ ln(1 + √2).
var BetaC = 0.5 * math.Log(1+math.Sqrt2)

// Frustrated returns a binary pairwise model of n units with random fields
// and couplings of both signs on every pair, drawn from seed.
func Frustrated(t testing.TB, n int, seed uint64) *discrete.Pairwise {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 9))
	h := make([]float64, n)
	w := make([]float64, n*n)
	for i := range n {
		h[i] = 0.5 * rng.NormFloat64()
		for j := i + 1; j < n; j++ {
			w[i*n+j] = 0.7 * rng.NormFloat64()
			w[j*n+i] = w[i*n+j]
		}
	}
	p, err := discrete.FullyConnected(discrete.Binary, h, w)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// NaiveStates returns -β E(x) for every state s (bit i of s = unit i on),
// each energy computed from scratch.
func NaiveStates(m discrete.Model, beta float64) []float64 {
	n := m.Units()
	out := make([]float64, 1<<n)
	x := make([]int8, n)
	for s := range out {
		for i := range x {
			x[i] = m.Domain().Value(uint(s >> i))
		}
		out[s] = -beta * m.Energy(x)
	}
	return out
}

// BigLogSumExp returns log Σ exp(xₛ) with the sum of the terms
// exp(xₛ - max) carried in 256-bit floats: an independent, plain two-pass
// computation.
func BigLogSumExp(xs []float64) float64 {
	hi := math.Inf(-1)
	for _, x := range xs {
		hi = max(hi, x)
	}
	sum := new(big.Float).SetPrec(256)
	for _, x := range xs {
		sum.Add(sum, new(big.Float).SetPrec(256).SetFloat64(math.Exp(x-hi)))
	}
	f, _ := sum.Float64()
	return hi + math.Log(f)
}

// Potts returns a Potts model of n units with q states on a ring with one
// chord (0, 2), fields and couplings drawn from N(0, scale²) with seed.
func Potts(t testing.TB, n, q int, scale float64, seed uint64) *discrete.Potts {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	h := make([]float64, n*q)
	for k := range h {
		h[k] = scale * rng.NormFloat64()
	}
	edges := [][2]int{{0, 2}}
	for i := range n {
		edges = append(edges, [2]int{i, (i + 1) % n})
	}
	var cs []discrete.PottsCoupling
	for _, e := range edges {
		w := make([]float64, q*q)
		for k := range w {
			w[k] = scale * rng.NormFloat64()
		}
		cs = append(cs, discrete.PottsCoupling{I: e[0], J: e[1], Value: w})
	}
	p, err := discrete.NewPotts(q, h, cs)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
