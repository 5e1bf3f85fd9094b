package rbm

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
	// gl and gm hold ∇W·λ and ∇Wᵀ·μ.
	gl, gm []float64
}

// newCentering starts the visible offsets at the data's mean and the
// hidden offsets at ½, the mean of p(h|v) of a model with small weights
// and no hidden biases.
func newCentering(m *RBM, data *Matrix, rate float64) *centering {
	c := &centering{
		rate:   rate,
		mu:     make([]float64, m.Visible),
		lambda: make([]float64, m.Hidden),
		a:      make([]float32, 2*m.Visible),
		b:      make([]float32, 2*m.Hidden),
		gl:     make([]float64, m.Visible),
		gm:     make([]float64, m.Hidden),
	}
	for r := range data.Rows {
		for i, x := range data.Row(r) {
			c.mu[i] += float64(x)
		}
	}
	for i := range c.mu {
		c.mu[i] /= float64(data.Rows)
	}
	for j := range c.lambda {
		c.lambda[j] = 0.5
	}
	return c
}

// transform replaces the stepper's plain batch-sum gradient with the
// centered direction and then slides the offsets towards the batch's
// means of v and p(h|v).
func (c *centering) transform(s *stepper) {
	m, n := s.m, s.rows
	gb, gc := s.gradB, s.gradC
	// ∇W·λ and ∇Wᵀ·μ from the stacked phases rather than from ∇W itself:
	// Σ_r v_r (h_r·λ) and Σ_r h_r (v_r·μ) over the 2n rows (hStack holds
	// -p(h|vₖ) in the negative half), which costs O(n(V+H)) instead of
	// another pass over the weights, and the visible states are binary.
	clear(c.gl)
	clear(c.gm)
	for r := range 2 * n {
		v, h := s.vStack.Row(r), s.hStack.Row(r)
		var hl, vm float64
		for j, x := range h {
			hl += float64(x) * c.lambda[j]
		}
		for i, x := range v {
			if x != 0 {
				vm += float64(x) * c.mu[i]
				c.gl[i] += float64(x) * hl
			}
		}
		for j, x := range h {
			c.gm[j] += float64(x) * vm
		}
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
	// Gλ = ∇Wλ - μ(∇c·λ) - ∇b(λ·λ) and Gᵀμ = ∇Wᵀμ - ∇c(μ·μ) - λ(∇b·μ),
	// both computed before ∇b and ∇c are overwritten.
	for i, mu := range c.mu {
		c.gl[i] -= mu*gcl + float64(gb[i])*ll
	}
	for j, l := range c.lambda {
		c.gm[j] -= float64(gc[j])*mm + l*gbm
	}
	for i := range gb {
		gb[i] = float32(float64(gb[i]) - c.gl[i])
	}
	for j := range gc {
		gc[j] = float32(float64(gc[j]) - c.gm[j])
	}
	c.slide(s.vStack.Slice(0, n), s.hStack.Slice(0, n))
}

// slide moves the offsets towards the means of the data rows v0 and their
// hidden probabilities h0: μ ← (1-ν)μ + ν·mean(v0), likewise λ.
func (c *centering) slide(v0, h0 *Matrix) {
	nu, n := c.rate, float64(v0.Rows)
	for i := range c.mu {
		c.gl[i] = 0
	}
	for r := range v0.Rows {
		for i, x := range v0.Row(r) {
			c.gl[i] += float64(x)
		}
	}
	for i := range c.mu {
		c.mu[i] = (1-nu)*c.mu[i] + nu*c.gl[i]/n
	}
	clear(c.gm)
	for r := range h0.Rows {
		for j, x := range h0.Row(r) {
			c.gm[j] += float64(x)
		}
	}
	for j := range c.lambda {
		c.lambda[j] = (1-nu)*c.lambda[j] + nu*c.gm[j]/n
	}
}
