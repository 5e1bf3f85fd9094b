package rbm

import "github.com/rbmkit/rbm/internal/kernel"

// centering holds the offsets of the centered gradient (Melchior, Fischer
// and Wiskott, JMLR 17, 2016).
//
// With offsets μ (visible) and λ (hidden) the centered energy
// -(v-μ)ᵀW(h-λ) - b̃ᵀ(v-μ) - c̃ᵀ(h-λ) is the RBM's with b = b̃ - Wλ and
// c = c̃ - Wᵀμ (up to a constant). The trainer steps the centered
// parameters (W, b̃, c̃) with their gradients
//
//	G = ∇W - μ∇cᵀ - ∇b λᵀ,  ∇b̃ = ∇b,  ∇c̃ = ∇c,
//
// ∇ being the plain gradient (⟨(v-μ)(h-λ)ᵀ⟩_data - ⟨(v-μ)(h-λ)ᵀ⟩_model
// expands to G because both phases hold the same number of rows), and
// then shifts the stored, uncentered biases by -ΔWλ and -ΔWᵀμ for the
// step ΔW the weights took, so every optimiser, momentum or Adam, runs in
// the centered parameterisation while the model stays uncentered. For
// plain SGD the step is ΔW = ηG, Δb = η(∇b - Gλ), Δc = η(∇c - Gᵀμ): a map
// linear in the gradient, which therefore commutes with the expectation,
// so a centered estimate is unbiased for the centered transform of the
// exact gradient whenever the plain one is unbiased for the exact
// gradient.
type centering struct {
	rate       float64
	mu, lambda []float64
	// a is the V×2 matrix [μ ∇b] and b the 2×H matrix [∇c; λ], so that
	// G = ∇W - a·b is one product; sumV and sumH are column sums.
	a, b       []float32
	sumV, sumH []float32
}

// newCentering starts the visible offsets at the data's mean and the
// hidden offsets at ½, the mean of p(h|v) of a model with small weights
// and no hidden biases.
func newCentering(m *RBM, data Data, rate float64) *centering {
	c := &centering{
		rate:   rate,
		mu:     make([]float64, m.Visible),
		lambda: make([]float64, m.Hidden),
		a:      make([]float32, 2*m.Visible),
		b:      make([]float32, 2*m.Hidden),
		sumV:   make([]float32, m.Visible),
		sumH:   make([]float32, m.Hidden),
	}
	data.ColumnSums(c.mu)
	rows, _ := data.Dims()
	for i := range c.mu {
		c.mu[i] /= float64(rows)
	}
	for j := range c.lambda {
		c.lambda[j] = 0.5
	}
	return c
}

// transform replaces the stepper's plain weight gradient (a batch sum)
// with the centered one, G = ∇W - μ∇cᵀ - ∇b λᵀ, by one rank-2 product;
// the bias gradients are those of the centered biases already.
func (c *centering) transform(s *stepper) {
	m := s.m
	for i, mu := range c.mu {
		c.a[2*i], c.a[2*i+1] = float32(mu), s.gradB[i]
	}
	for j, l := range c.lambda {
		c.b[j], c.b[m.Hidden+j] = s.gradC[j], float32(l)
	}
	s.pool.Gemm(false, false, m.Visible, m.Hidden, 2, -1, c.a, 2, c.b, m.Hidden, 1, s.gradW, m.Hidden)
}

// slide moves the offsets towards the means of the data rows v0 and their
// hidden probabilities h0: μ ← (1-ν)μ + ν·mean(v0), likewise λ
// (slideOffset).
func (c *centering) slide(v0, h0 *Matrix) {
	nu, n := c.rate, float64(v0.Rows)
	clear(c.sumV)
	clear(c.sumH)
	kernel.SumRows(c.sumV, v0.Data, v0.Cols, v0.Rows, 1)
	kernel.SumRows(c.sumH, h0.Data, h0.Cols, h0.Rows, 1)
	for i, x := range c.sumV {
		c.mu[i] = slideOffset(c.mu[i], nu, float64(x), n)
	}
	for j, x := range c.sumH {
		c.lambda[j] = slideOffset(c.lambda[j], nu, float64(x), n)
	}
}

// slideOffset returns the offset o moved at rate ν towards a batch's mean,
// its sum over n rows divided by n:
//
//	(1-ν)·o + (ν·sum)/n
//
// rounded in that order. Both trainers' offsets slide by it (centering
// and machineCentering).
func slideOffset(o, nu, sum, n float64) float64 { return (1-nu)*o + nu*sum/n }
