package gibbs

// Metropolis is Metropolis-Hastings with a uniformly chosen single bit-flip
// proposal.
const Metropolis Method = 2

func init() {
	register(Metropolis, sampler{
		name:    "mh",
		summary: "Metropolis-Hastings with single bit-flip proposals at uniformly random units",
		sweep: func(s *stepper, r *replica, beta float64) {
			n := len(s.free)
			for range n {
				i := s.free[s.rng.IntN(n)]
				d := beta * r.loc.FlipDelta(i)
				if d <= 0 || s.rng.Float64() < expNeg(d) {
					r.loc.Flip(i)
					s.out.accepted++
				}
			}
		},
	})
}
