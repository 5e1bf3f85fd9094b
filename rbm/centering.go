package rbm

import "github.com/rbmkit/rbm/internal/kernel"

// centering holds the offsets of the centered gradient (Melchior, Fischer
// and Wiskott, JMLR 17, 2016) and turns the plain gradient of a batch into
// the centered update direction for the uncentered parameters.
//
// With offsets μ (visible) and λ (hidden) the centered energy
// -(v-μ)ᵀW(h-λ) - b̃ᵀ(v-μ) - c̃ᵀ(h-λ) is the RBM's with b = b̃ - Wλ and
// c = c̃ - Wᵀμ (up to a constant). Gradient steps on (W, b̃, c̃) move the
// uncentered parameters by
//
//	ΔW = G = ∇W - μ∇cᵀ - ∇b λᵀ,  Δb = ∇b - Gλ,  Δc = ∇c - Gᵀμ,
//
// where ∇ is the plain gradient: ⟨(v-μ)(h-λ)ᵀ⟩_data - ⟨(v-μ)(h-λ)ᵀ⟩_model
// expands to G because both phases hold the same number of rows. The map
// is linear, so it commutes with the expectation: a centered estimate is
// unbiased for the centered transform of the exact gradient whenever the
// plain estimate is unbiased for the exact gradient.
type centering struct {
	rate       float64
	mu, lambda []float64
	// a is the V×2 matrix [μ ∇b] and b the 2×H matrix [∇c; λ], so that
	// G = ∇W - a·b is one product.
	a, b []float32
	// mu32 and lambda32 are the offsets in float32 for the products;
	// hl and vm hold h·λ and v·μ for each stacked row, gl and gm the
	// products ∇W·λ and ∇Wᵀ·μ, and sumV, sumH column sums.
	mu32, lambda32 []float32
	hl, vm         []float32
	gl, gm         []float32
	sumV, sumH     []float32
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
		mu32:   make([]float32, m.Visible), lambda32: make([]float32, m.Hidden),
		gl: make([]float32, m.Visible), gm: make([]float32, m.Hidden),
		sumV: make([]float32, m.Visible), sumH: make([]float32, m.Hidden),
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

// transform replaces the stepper's plain batch-sum gradient with the
// centered one: G for the weights and, when biases is true, the steps of
// the uncentered biases that gradient steps on the centered ones make,
// Δb = ∇b - Gλ and Δc = ∇c - Gᵀμ. With biases false the bias gradients
// stay those of the centered biases, ∇b and ∇c, for an optimiser that
// steps the centered parameters itself.
func (c *centering) transform(s *stepper, biases bool) {
	m, n := s.m, s.rows
	gb, gc := s.gradB, s.gradC
	if len(c.hl) < 2*n {
		c.hl, c.vm = make([]float32, 2*n), make([]float32, 2*n)
	}
	hl, vm := c.hl[:2*n], c.vm[:2*n]
	for i, x := range c.mu {
		c.mu32[i] = float32(x)
	}
	for j, x := range c.lambda {
		c.lambda32[j] = float32(x)
	}
	var gcl, ll, gbm, mm float64
	for j, l := range c.lambda {
		gcl += float64(gc[j]) * l
		ll += l * l
	}
	for i, mu := range c.mu {
		gbm += float64(gb[i]) * mu
		mm += mu * mu
	}
	for i, mu := range c.mu {
		c.a[2*i], c.a[2*i+1] = float32(mu), gb[i]
	}
	for j, l := range c.lambda {
		c.b[j], c.b[m.Hidden+j] = gc[j], float32(l)
	}
	// G = ∇W - [μ ∇b]·[∇c; λ]
	s.pool.Gemm(false, false, m.Visible, m.Hidden, 2, -1, c.a, 2, c.b, m.Hidden, 1, s.gradW, m.Hidden)
	if !biases {
		return
	}
	// ∇W·λ and ∇Wᵀ·μ from the stacked phases rather than from ∇W itself:
	// vStackᵀ(hStack·λ) and hStackᵀ(vStack·μ) over the 2n rows (hStack
	// holds -p(h|vₖ) in the negative half), four thin products that cost
	// O(n(V+H)) instead of passes over the weights.
	vs, hs := s.vStack.Data[:2*n*m.Visible], s.hStack.Data[:2*n*m.Hidden]
	s.pool.Gemm(false, false, 2*n, 1, m.Hidden, 1, hs, m.Hidden, c.lambda32, 1, 0, hl, 1)
	s.pool.GemmSparseA(false, 2*n, 1, m.Visible, vs, m.Visible, c.mu32, 1, vm, 1)
	s.pool.GemmSparseA(true, m.Visible, 1, 2*n, vs, m.Visible, hl, 1, c.gl, 1)
	s.pool.Gemm(true, false, m.Hidden, 1, 2*n, 1, hs, m.Hidden, vm, 1, 0, c.gm, 1)

	// Δb = ∇b - Gλ with Gλ = ∇Wλ - μ(∇c·λ) - ∇b(λ·λ), and Δc = ∇c - Gᵀμ
	// with Gᵀμ = ∇Wᵀμ - ∇c(μ·μ) - λ(∇b·μ).
	for i, mu := range c.mu {
		g := float64(gb[i])
		gb[i] = float32(g - (float64(c.gl[i]) - mu*gcl - g*ll))
	}
	for j, l := range c.lambda {
		g := float64(gc[j])
		gc[j] = float32(g - (float64(c.gm[j]) - g*mm - l*gbm))
	}
}

// slide moves the offsets towards the means of the data rows v0 and their
// hidden probabilities h0: μ ← (1-ν)μ + ν·mean(v0), likewise λ.
func (c *centering) slide(v0, h0 *Matrix) {
	nu, n := c.rate, float64(v0.Rows)
	clear(c.sumV)
	clear(c.sumH)
	kernel.SumRows(c.sumV, v0.Data, v0.Cols, v0.Rows, 1)
	kernel.SumRows(c.sumH, h0.Data, h0.Cols, h0.Rows, 1)
	for i, x := range c.sumV {
		c.mu[i] = (1-nu)*c.mu[i] + nu*float64(x)/n
	}
	for j, x := range c.sumH {
		c.lambda[j] = (1-nu)*c.lambda[j] + nu*float64(x)/n
	}
}
