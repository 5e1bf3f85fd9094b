package rbm

import (
	"fmt"

	"github.com/rbmkit/rbm/internal/kernel"
)

// Sampler runs block Gibbs sampling on a batch of chains, one chain per row,
// with preallocated buffers and its own workers. Each draw is seeded from
// (seed, draw number, row), so a run is reproducible bit for bit and does
// not depend on the number of workers.
//
// A Sampler is not safe for concurrent use; Close releases its workers.
type Sampler struct {
	m      *RBM
	pool   *kernel.Pool
	seed   uint64
	stream uint64

	// Hidden and HiddenProbs hold the hidden states and their
	// probabilities after the last Step; VisibleProbs holds p(v|h) from
	// which the visible states were drawn.
	Hidden, HiddenProbs, VisibleProbs *Matrix

	// VisibleField, when not nil, is added row by row to the input of the
	// visible units, so that chain r samples p(v, h) · exp(v·field_r)
	// instead of p(v, h). That is how an observation enters: seen through
	// a channel that flips each unit with probability ε, y gives the
	// posterior p(v, h | y) with field (2y - 1)·log((1 - ε)/ε). It must
	// have as many rows as the batches passed to Step and Visible columns.
	VisibleField *Matrix
}

// NewSampler returns a sampler for batches of up to rows chains. workers ≤ 0
// uses every core.
func NewSampler(m *RBM, rows int, seed uint64, workers int) *Sampler {
	return &Sampler{
		m:            m,
		pool:         kernel.NewPool(workers),
		seed:         seed,
		Hidden:       NewMatrix(rows, m.Hidden),
		HiddenProbs:  NewMatrix(rows, m.Hidden),
		VisibleProbs: NewMatrix(rows, m.Visible),
	}
}

// Close stops the sampler's workers.
func (s *Sampler) Close() { s.pool.Close() }

// Bernoulli sets each element of dst to 1 with the probability in the same
// element of p, and to 0 otherwise. Every call is a fresh draw.
func (s *Sampler) Bernoulli(dst, p *Matrix) {
	mustShape("sample", dst, p.Rows, p.Cols)
	s.stream++
	s.pool.SampleRows(dst.Data, p.Data, p.Cols, s.seed, s.stream)
}

// SampleHidden draws h ~ p(h|v) for each row of v into s.Hidden, leaving
// the probabilities in s.HiddenProbs.
func (s *Sampler) SampleHidden(v *Matrix) {
	hp, h := s.HiddenProbs.Slice(0, v.Rows), s.Hidden.Slice(0, v.Rows)
	hiddenProbs(s.pool, s.m, hp, v)
	s.Bernoulli(h, hp)
}

// SampleVisible draws v ~ p(v|h) for each row of h into dst, leaving the
// probabilities in s.VisibleProbs.
func (s *Sampler) SampleVisible(dst, h *Matrix) {
	vp := s.VisibleProbs.Slice(0, h.Rows)
	var field *Matrix
	if f := s.VisibleField; f != nil {
		if f.Rows < h.Rows || f.Cols != s.m.Visible {
			panic(fmt.Sprintf("rbm: sampler: visible field is %d×%d for %d chains of %d visible units", f.Rows, f.Cols, h.Rows, s.m.Visible))
		}
		field = f.Slice(0, h.Rows)
	}
	visibleProbs(s.pool, s.m, vp, h, field)
	s.Bernoulli(dst, vp)
}

// Step advances every chain by one block Gibbs step, v → h ~ p(h|v) →
// v ~ p(v|h), replacing v with the new visible states.
func (s *Sampler) Step(v *Matrix) {
	s.SampleHidden(v)
	s.SampleVisible(v, s.Hidden.Slice(0, v.Rows))
}

// Run advances every chain by k block Gibbs steps.
func (s *Sampler) Run(v *Matrix, k int) {
	for range k {
		s.Step(v)
	}
}
