package rbmexact

import (
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/rbm"
)

// naiveStates returns -β E(x) for every state s (bit i of s = unit i on),
// each energy computed from scratch.
func naiveStates(m discrete.Model, beta float64) []float64 {
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

// bigLogSumExp returns log Σ exp(xₛ) with the sum of the terms exp(xₛ - max)
// carried in 256-bit floats: an independent, plain two-pass computation.
func bigLogSumExp(xs []float64) float64 {
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

// joint is an RBM seen as a discrete model over its n = V + H units
// (v first), with the energy -vᵀWh - bᵀv - cᵀh written out independently.
type joint struct{ m *rbm.RBM }

func (j joint) Units() int              { return j.m.Visible + j.m.Hidden }
func (j joint) Domain() discrete.Domain { return discrete.Binary }
func (j joint) Energy(x []int8) float64 {
	m := j.m
	var e float64
	for i := range m.Visible {
		e -= float64(m.B[i]) * float64(x[i])
		for k := range m.Hidden {
			e -= float64(m.W[i*m.Hidden+k]) * float64(x[i]) * float64(x[m.Visible+k])
		}
	}
	for k := range m.Hidden {
		e -= float64(m.C[k]) * float64(x[m.Visible+k])
	}
	return e
}

func randomRBM(rng *rand.Rand, v, h int, scale float64) *rbm.RBM {
	return rbm.NewRandom(v, h, scale, rng)
}

func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}
