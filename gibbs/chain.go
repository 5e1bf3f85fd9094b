package gibbs

import (
	"fmt"
	"math/rand/v2"

	"github.com/rbmkit/rbm/discrete"
)

// Chain is a single chain of one Method on a model, for callers that set
// the inverse temperature of every sweep themselves, as annealed importance
// sampling (package rbm/ais) does. Its sweeps are those of Run: the same
// moves on the same draws from its source.
type Chain struct {
	rep *replica
	st  *stepper
	smp *sampler
}

// NewChain returns a chain of method on m started at x, drawing from rng.
// The chain may keep x and update it in place.
func NewChain(m discrete.Model, method Method, x []int8, rng *rand.Rand) (*Chain, error) {
	switch {
	case len(x) != m.Units():
		return nil, fmt.Errorf("gibbs: state of %d units for a model of %d", len(x), m.Units())
	case rng == nil:
		return nil, fmt.Errorf("gibbs: a chain needs a random source")
	}
	smp, err := samplerFor(method, m)
	if err != nil {
		return nil, fmt.Errorf("gibbs: %w", err)
	}
	return &Chain{
		rep: newReplica(m, smp, x),
		st:  &stepper{rng: rng, free: freeUnits(m.Units(), nil), out: &chainOut{}, dom: m.Domain()},
		smp: smp,
	}, nil
}

// Sweep moves the chain by one sweep of its method at inverse temperature
// beta: one single-unit move per unit.
func (c *Chain) Sweep(beta float64) { c.st.sweep(c.rep, c.smp, beta) }

// State returns the chain's current state, valid until the next Sweep.
func (c *Chain) State() []int8 { return c.rep.loc.State() }
