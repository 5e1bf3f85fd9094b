package gibbs

import (
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/internal/kernel"
	"gonum.org/v1/gonum/floats"
)

// replica is one state with its cache and, for GWG, the gradient at it;
// tempering swaps replicas between ladder slots.
type replica struct {
	loc discrete.Local
	// GWG: the model's gradient, the gradient at the current state and
	// scratch space for the proposed state.
	grad         discrete.Differentiable
	g, gNew, lgt []float64
	lgtNew       []float64
	scratch      []int8
	// GWG on a pairwise model: the incremental proposal (gwg.go).
	pair *pairwiseGWG
}

func newReplica(m discrete.Model, method Method, x []int8) *replica {
	r := &replica{loc: discrete.NewLocal(m, x)}
	if method == GWG {
		r.grad, _ = discrete.GradientOf(m)
		n := len(x)
		r.g, r.gNew = make([]float64, n), make([]float64, n)
		r.lgt, r.lgtNew = make([]float64, n), make([]float64, n)
		r.scratch = make([]int8, n)
		r.grad.Gradient(r.loc.State(), r.g)
		if p, ok := m.(*discrete.Pairwise); ok && incrementalGWG {
			r.pair = &pairwiseGWG{p: p}
		}
	}
	return r
}

type stepper struct {
	rng  *rand.Rand
	free []int
	out  *chainOut
}

// expNeg returns e^-x for x ≥ 0.
func expNeg(x float64) float64 { return math.Exp(-x) }

// sweep applies len(free) single-unit moves of the method at inverse
// temperature beta.
func (s *stepper) sweep(r *replica, method Method, beta float64) {
	n := len(s.free)
	if n == 0 {
		return
	}
	s.out.proposals += int64(n)
	s.out.evals += int64(n)
	switch method {
	case Systematic:
		for _, i := range s.free {
			s.gibbs(r, i, beta)
		}
	case RandomScan:
		for range n {
			s.gibbs(r, s.free[s.rng.IntN(n)], beta)
		}
	case Metropolis:
		for range n {
			i := s.free[s.rng.IntN(n)]
			d := beta * r.loc.FlipDelta(i)
			if d <= 0 || s.rng.Float64() < expNeg(d) {
				r.loc.Flip(i)
				s.out.accepted++
			}
		}
	case GWG:
		for range n {
			if r.pair != nil {
				s.gwgPairwise(r, beta)
			} else {
				s.gwg(r, beta)
			}
		}
	}
}

// gibbs resamples unit i from its conditional: it takes the flipped value
// with probability σ(-βΔE).
func (s *stepper) gibbs(r *replica, i int, beta float64) {
	d := beta * r.loc.FlipDelta(i)
	if s.rng.Float64() < kernel.Sigmoid(-d) {
		r.loc.Flip(i)
		s.out.accepted++
	}
}

// logit is the proposal logit of flipping a unit of value x whose energy
// gradient is g: -β/2·(x' - x)·g, which favours flips the gradient
// predicts to lower the energy.
func logit(d discrete.Domain, x int8, g, beta float64) float64 {
	return -beta / 2 * float64(d.Flip(x)-x) * g
}

// logits sets lgt[k] to the logit of flipping the free unit i = free[k]
// and returns their log-sum-exp: the proposal is q(i|x) ∝ exp(lgt).
func (s *stepper) logits(lgt, g []float64, x []int8, d discrete.Domain, beta float64) float64 {
	lgt = lgt[:len(s.free)]
	for k, i := range s.free {
		lgt[k] = logit(d, x[i], g[i], beta)
	}
	return floats.LogSumExp(lgt)
}

// gwg makes one Gibbs-with-Gradients step: propose i ~ q(·|x), accept
// x' = flip_i(x) with probability
// min(1, exp(-β(E(x') - E(x))) q(i|x') / q(i|x)).
func (s *stepper) gwg(r *replica, beta float64) {
	x := r.loc.State()
	dom := r.grad.Domain()
	lse := s.logits(r.lgt, r.g, x, dom, beta)
	u := s.rng.Float64()
	k := len(s.free) - 1
	var cum float64
	for j, l := range r.lgt[:len(s.free)] {
		cum += math.Exp(l - lse)
		if u < cum {
			k = j
			break
		}
	}
	i := s.free[k]
	logFwd := r.lgt[k] - lse
	dE := r.loc.FlipDelta(i)
	copy(r.scratch, x)
	r.scratch[i] = dom.Flip(x[i])
	r.grad.Gradient(r.scratch, r.gNew)
	lseNew := s.logits(r.lgtNew, r.gNew, r.scratch, dom, beta)
	logRev := r.lgtNew[k] - lseNew
	logA := -beta*dE + logRev - logFwd
	// The uniform is drawn even when logA ≥ 0, so that the incremental
	// proposal, whose logA may differ in the last bit (and cross zero),
	// stays on the same random numbers.
	if u := s.rng.Float64(); logA >= 0 || u < math.Exp(logA) {
		r.loc.Flip(i)
		r.g, r.gNew = r.gNew, r.g
		s.out.accepted++
	}
}
