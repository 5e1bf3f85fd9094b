package gibbs

import "github.com/rbmkit/rbm/internal/kernel"

const (
	// RandomScan is single-site Gibbs sampling at uniformly random units.
	RandomScan Method = 0
	// Systematic is single-site Gibbs sampling visiting the units in order.
	Systematic Method = 1
)

func init() {
	register(RandomScan, sampler{
		name:    "gibbs-random",
		summary: "single-site Gibbs sampling at uniformly random units",
		sweep: func(s *stepper, r *replica, beta float64) {
			n := len(s.free)
			for range n {
				s.gibbs(r, s.free[s.rng.IntN(n)], beta)
			}
		},
	})
	register(Systematic, sampler{
		name:    "gibbs",
		summary: "single-site Gibbs sampling, systematic scan over the units in order",
		sweep: func(s *stepper, r *replica, beta float64) {
			for _, i := range s.free {
				s.gibbs(r, i, beta)
			}
		},
	})
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
