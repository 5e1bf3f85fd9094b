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
