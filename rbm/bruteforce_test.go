package rbm

import (
	"math"
	"math/rand/v2"
)

// This file computes the quantities of tiny RBMs by brute force, straight
// from the energy E(v,h) = -vᵀWh - bᵀv - cᵀh summed over every joint
// state, independently of the package's formulas.

func randomRBM(v, h int, scale float64, seed uint64) *RBM {
	return NewRandom(v, h, scale, rand.New(rand.NewPCG(seed, 1)))
}

// bits returns the n-bit binary vector of state s.
func bits(s, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(s >> i & 1)
	}
	return x
}

// energy is E(v,h), written out element by element.
func energy(m *RBM, v, h []float32) float64 {
	var e float64
	for i := range v {
		for j := range h {
			e -= float64(v[i]) * float64(m.W[i*m.Hidden+j]) * float64(h[j])
		}
		e -= float64(m.B[i]) * float64(v[i])
	}
	for j := range h {
		e -= float64(m.C[j]) * float64(h[j])
	}
	return e
}

// logSumExp is a plain, max-shifted log Σ exp(x).
func logSumExp(x []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	var s float64
	for _, v := range x {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s)
}

// bruteFreeEnergy is -log Σ_h exp(-E(v,h)).
func bruteFreeEnergy(m *RBM, v []float32) float64 {
	terms := make([]float64, 1<<m.Hidden)
	for s := range terms {
		terms[s] = -energy(m, v, bits(s, m.Hidden))
	}
	return -logSumExp(terms)
}

// bruteLogZ is log Σ_{v,h} exp(-E(v,h)).
func bruteLogZ(m *RBM) float64 {
	var terms []float64
	for sv := range 1 << m.Visible {
		for sh := range 1 << m.Hidden {
			terms = append(terms, -energy(m, bits(sv, m.Visible), bits(sh, m.Hidden)))
		}
	}
	return logSumExp(terms)
}

// bruteLogLik is the mean of log p(v) over the rows of data.
func bruteLogLik(m *RBM, data *Matrix) float64 {
	logZ := bruteLogZ(m)
	var ll float64
	for r := range data.Rows {
		ll += -bruteFreeEnergy(m, data.Row(r)) - logZ
	}
	return ll / float64(data.Rows)
}

// bruteGradient is the exact gradient of the mean log-likelihood: the data
// expectation of v hᵀ under p(h|v) minus the model expectation under
// p(v,h), both by summing over joint states.
func bruteGradient(m *RBM, data *Matrix) *Gradient {
	return bruteGradientWeighted(m, data, nil)
}

// bruteGradientWeighted is bruteGradient with row r of data counted
// weight[r] times over (a nil weight counts every row once): a data set
// with repeated rows is its distinct rows with their counts.
func bruteGradientWeighted(m *RBM, data *Matrix, weight []float64) *Gradient {
	g := NewGradient(m)
	total := float64(data.Rows)
	if weight != nil {
		total = 0
		for _, w := range weight {
			total += w
		}
	}
	add := func(v, h []float32, w float64) {
		for i := range v {
			for j := range h {
				g.W[i*m.Hidden+j] += w * float64(v[i]) * float64(h[j])
			}
			g.B[i] += w * float64(v[i])
		}
		for j := range h {
			g.C[j] += w * float64(h[j])
		}
	}
	for r := range data.Rows {
		v := data.Row(r)
		f := bruteFreeEnergy(m, v)
		w := 1.0
		if weight != nil {
			w = weight[r]
		}
		for sh := range 1 << m.Hidden {
			h := bits(sh, m.Hidden)
			add(v, h, w*math.Exp(-energy(m, v, h)+f)/total)
		}
	}
	logZ := bruteLogZ(m)
	for sv := range 1 << m.Visible {
		for sh := range 1 << m.Hidden {
			v, h := bits(sv, m.Visible), bits(sh, m.Hidden)
			add(v, h, -math.Exp(-energy(m, v, h)-logZ))
		}
	}
	return g
}
