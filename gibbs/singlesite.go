package gibbs

import (
	"math"

	"github.com/rbmkit/rbm/internal/kernel"
)

// The single-site Gibbs samplers draw a unit's value from its conditional
// given the others: on two-state units a flip with probability σ(-βΔE),
// on q-state units a heat-bath draw over the q values.
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
	if s.dom.States() > 2 {
		s.heatBath(r, i, beta)
		return
	}
	d := beta * r.loc.FlipDelta(i)
	if s.rng.Float64() < kernel.Sigmoid(-d) {
		r.loc.Flip(i)
		s.out.accepted++
	}
}

// heatBath resamples q-state unit i from its conditional
// p(xᵢ = v | rest) ∝ exp(-β ΔE(v)), ΔE(v) the energy change of setting it
// to v (0 for its value), with one uniform draw.
func (s *stepper) heatBath(r *replica, i int, beta float64) {
	q := s.dom.States()
	if len(s.delta) < q {
		s.delta = make([]float64, q)
	}
	d := s.delta[:q]
	lo := math.Inf(1)
	for a := range d {
		d[a] = beta * r.loc.ChangeDelta(i, s.dom.Value(uint(a)))
		lo = min(lo, d[a])
	}
	// Weights relative to the most probable value: the largest is 1, so
	// the sum neither overflows nor vanishes.
	var sum float64
	for a, v := range d {
		d[a] = math.Exp(lo - v)
		sum += d[a]
	}
	u := s.rng.Float64() * sum
	a := q - 1
	var cum float64
	for k, w := range d {
		cum += w
		if u < cum {
			a = k
			break
		}
	}
	if v := s.dom.Value(uint(a)); v != r.loc.State()[i] {
		r.loc.Change(i, v)
		s.out.accepted++
	}
}
