package gibbs

import (
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/discrete"
)

// replica is one state with its cache and its sampler's per-replica state
// (sampler.setup); tempering swaps replicas between ladder slots.
type replica struct {
	loc   discrete.Local
	state any
}

func newReplica(m discrete.Model, s *sampler, x []int8) *replica {
	r := &replica{loc: discrete.NewLocal(m, x)}
	if s.setup != nil {
		r.state = s.setup(m, r)
	}
	return r
}

// stepper is what a sampler's sweep draws from and counts in: the chain's
// source, the free units and the chain's counters, with the model's domain
// and scratch space for the moves of q-state units.
type stepper struct {
	rng  *rand.Rand
	free []int
	out  *chainOut
	dom  discrete.Domain
	// delta holds, during a heat-bath update of a q-state unit, the
	// energy change of each of its values.
	delta []float64
}

// expNeg returns e^-x for x ≥ 0.
func expNeg(x float64) float64 { return math.Exp(-x) }

// sweep applies one sweep of sampler smp, len(free) single-unit moves, at
// inverse temperature beta.
func (s *stepper) sweep(r *replica, smp *sampler, beta float64) {
	n := len(s.free)
	if n == 0 {
		return
	}
	s.out.proposals += int64(n)
	s.out.evals += int64(n)
	smp.sweep(s, r, beta)
}
