package discrete

import (
	"fmt"
	"math"
)

// FlipNoise returns the likelihood expert of an observation y made through
// a channel that flips each unit independently with probability rate:
// its energy is -log p(y | x) up to a constant, λ·#{i : x_i ≠ y_i} with
// λ = log((1-rate)/rate), written as fields in y's domain (binary:
// h_i = λ(2y_i - 1); spin: h_i = λy_i/2). Sampling the product of a prior
// and this expert samples the posterior p(x | y), which is how denoising
// works.
func FlipNoise(d Domain, y []int8, rate float64) (*Pairwise, error) {
	if !(rate > 0 && rate < 0.5) {
		return nil, fmt.Errorf("discrete: flip noise: rate %v must lie in (0, 0.5)", rate)
	}
	lambda := math.Log((1 - rate) / rate)
	h := make([]float64, len(y))
	for i, v := range y {
		if !d.Valid(v) {
			return nil, fmt.Errorf("discrete: flip noise: unit %d is %d, not a %v value", i, v, d)
		}
		if d == Spin {
			h[i] = lambda * float64(v) / 2
		} else {
			h[i] = lambda * float64(2*v-1)
		}
	}
	return NewPairwise(d, h, nil)
}

// SymmetricNoise returns the likelihood expert of an observation y of
// q-state units (d = Categorical(q), q ≥ 3) made through the symmetric
// channel that replaces each unit's value, with probability rate, by one
// of the other q-1 values drawn uniformly: p(y_i | x_i) is 1-rate when
// x_i = y_i and rate/(q-1) otherwise. Its energy is -log p(y | x) up to a
// constant, -λ·#{i : x_i = y_i} with λ = log((1-rate)(q-1)/rate), written
// as the fields of a Potts model without couplings (h_i(y_i) = λ, the
// other values 0). It is FlipNoise's channel for q states: rate must lie
// in (0, (q-1)/q), where an observed value is more likely correct than
// any one other value.
func SymmetricNoise(d Domain, y []int8, rate float64) (*Potts, error) {
	q := d.States()
	if q < 3 {
		return nil, fmt.Errorf("discrete: symmetric noise: %v units have two values (use FlipNoise)", d)
	}
	if limit := float64(q-1) / float64(q); !(rate > 0 && rate < limit) {
		return nil, fmt.Errorf("discrete: symmetric noise: rate %v must lie in (0, %.4g) for %d-state units", rate, limit, q)
	}
	lambda := math.Log((1 - rate) * float64(q-1) / rate)
	h := make([]float64, len(y)*q)
	for i, v := range y {
		if !d.Valid(v) {
			return nil, fmt.Errorf("discrete: symmetric noise: unit %d is %d, not a %v value", i, v, d)
		}
		h[i*q+int(v)] = lambda
	}
	return NewPotts(q, h, nil)
}
