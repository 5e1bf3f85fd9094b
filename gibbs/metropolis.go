package gibbs

// Metropolis is Metropolis-Hastings with a uniformly chosen single bit-flip
// proposal; on q-state units the proposal sets a uniformly chosen unit to
// a uniformly chosen other value, a symmetric proposal like the flip.
const Metropolis Method = 2

func init() {
	register(Metropolis, sampler{
		name:    "mh",
		summary: "Metropolis-Hastings with single bit-flip (q states: uniform other value) proposals at uniformly random units",
		sweep: func(s *stepper, r *replica, beta float64) {
			n := len(s.free)
			if q := s.dom.States(); q > 2 {
				for range n {
					s.metropolisStates(r, s.free[s.rng.IntN(n)], q, beta)
				}
				return
			}
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

// metropolisStates proposes to set q-state unit i to one of its q-1 other
// values, uniformly, and accepts with probability min(1, exp(-βΔE)).
func (s *stepper) metropolisStates(r *replica, i, q int, beta float64) {
	cur := s.dom.Index(r.loc.State()[i])
	a := s.rng.IntN(q - 1)
	if a >= cur {
		a++ // skip the current value
	}
	v := s.dom.Value(uint(a))
	d := beta * r.loc.ChangeDelta(i, v)
	if d <= 0 || s.rng.Float64() < expNeg(d) {
		r.loc.Change(i, v)
		s.out.accepted++
	}
}
