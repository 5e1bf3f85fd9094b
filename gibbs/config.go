package gibbs

import (
	"fmt"
	"math"
	"slices"

	"github.com/rbmkit/rbm/discrete"
)

// Config holds the settings of a sampling run. The zero value runs four
// random-scan Gibbs chains for 1000 sweeps at β = 1 from uniformly random
// states.
type Config struct {
	// Method is the registered sampler each chain (each replica, when
	// tempering) moves by; see Methods.
	Method Method
	// Beta is the inverse temperature: states are drawn from
	// p(x) ∝ exp(-Beta·E(x)). Zero means 1 (use a Ladder to include β = 0).
	Beta float64
	// Ladder, when it has two or more entries, turns every chain into a
	// parallel-tempering ensemble with one replica per inverse temperature.
	// The entries must increase and the last is the target (Beta, when
	// also set, must equal it). Each sweep moves every replica by one sweep
	// of Method, then proposes swaps between neighbours on the ladder,
	// alternating even and odd pairs.
	Ladder []float64

	Chains int // independent chains; 0 means 4
	Sweeps int // recorded sweeps per chain; 0 means 1000
	Burnin int // sweeps run and discarded before recording

	// Init is the starting state of every chain, in the model's domain;
	// nil starts each chain (and replica) at a uniformly random state.
	Init []int8
	// Starts, when set, gives each chain its own starting state (one per
	// chain, in the model's domain) and overrides Init for the free
	// units; persistent training resumes its chains this way.
	Starts [][]int8
	// Clamp, when set, holds unit i at Init[i] for every i with Clamp[i]:
	// the chains sample the other units conditionally on them. Init is
	// required.
	Clamp []bool

	// Stats, when set, is called after every recorded sweep of every chain
	// with the state (of the target replica) and out of length NumStats;
	// the values form Result.Trace.
	Stats    func(x []int8, out []float64)
	NumStats int

	// Seed seeds every random draw: the same Seed gives the same result,
	// bit for bit.
	Seed uint64
	// Workers is the number of goroutines running chains; 0 uses every
	// core. It never changes the result.
	Workers int
	// Progress, when set, is called by chain 0 after each of its sweeps
	// with the number of sweeps done and the total (burn-in included).
	Progress func(done, total int)
}

// A sweep is one update per free unit: a pass over the units for
// Systematic, and as many single-unit steps for the other methods (see
// sampler.sweep).

func (c Config) withDefaults(m discrete.Model) (Config, error) {
	n := m.Units()
	if c.Chains == 0 {
		c.Chains = 4
	}
	if c.Sweeps == 0 {
		c.Sweeps = 1000
	}
	if len(c.Ladder) == 1 {
		return c, fmt.Errorf("a tempering ladder needs at least two inverse temperatures")
	}
	if len(c.Ladder) > 1 {
		top := c.Ladder[len(c.Ladder)-1]
		if c.Beta != 0 && c.Beta != top {
			return c, fmt.Errorf("β = %v differs from the top of the ladder, %v", c.Beta, top)
		}
		c.Beta = top
		for i, b := range c.Ladder {
			if !(b >= 0) || math.IsInf(b, 0) || (i > 0 && b <= c.Ladder[i-1]) {
				return c, fmt.Errorf("ladder %v must be finite, non-negative and increasing", c.Ladder)
			}
		}
		c.Ladder = slices.Clone(c.Ladder)
	}
	if c.Beta == 0 {
		c.Beta = 1
	}
	switch {
	case !(c.Beta > 0) || math.IsInf(c.Beta, 0):
		return c, fmt.Errorf("β = %v must be a positive number", c.Beta)
	case c.Chains < 0 || c.Sweeps < 0 || c.Burnin < 0:
		return c, fmt.Errorf("chains, sweeps and burn-in must not be negative")
	case c.NumStats < 0 || (c.NumStats > 0 && c.Stats == nil):
		return c, fmt.Errorf("NumStats = %d without a Stats function", c.NumStats)
	}
	if _, err := samplerFor(c.Method, m); err != nil {
		return c, err
	}
	d := m.Domain()
	if c.Init != nil {
		if len(c.Init) != n {
			return c, fmt.Errorf("initial state has %d units, model has %d", len(c.Init), n)
		}
		for i, v := range c.Init {
			if !d.Valid(v) {
				return c, fmt.Errorf("initial state: unit %d is %d, not a %v value", i, v, d)
			}
		}
	}
	if c.Starts != nil {
		if len(c.Starts) != c.Chains {
			return c, fmt.Errorf("%d starting states for %d chains", len(c.Starts), c.Chains)
		}
		for k, x := range c.Starts {
			if len(x) != n {
				return c, fmt.Errorf("starting state %d has %d units, model has %d", k, len(x), n)
			}
			for i, v := range x {
				if !d.Valid(v) {
					return c, fmt.Errorf("starting state %d: unit %d is %d, not a %v value", k, i, v, d)
				}
			}
		}
	}
	if c.Clamp != nil {
		if c.Init == nil {
			return c, fmt.Errorf("clamped units need an initial state")
		}
		if len(c.Clamp) != n {
			return c, fmt.Errorf("clamp mask has %d units, model has %d", len(c.Clamp), n)
		}
	}
	return c, nil
}

// GeometricLadder returns k inverse temperatures from lo to hi (lo > 0) in
// geometric progression, the usual first choice for parallel tempering.
func GeometricLadder(lo, hi float64, k int) []float64 {
	if k < 2 {
		return []float64{hi}
	}
	b := make([]float64, k)
	r := math.Pow(hi/lo, 1/float64(k-1))
	b[0] = lo
	for i := 1; i < k; i++ {
		b[i] = b[i-1] * r
	}
	b[k-1] = hi
	return b
}
