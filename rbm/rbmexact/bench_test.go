package rbmexact

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
)

// mnistLike returns a 784×h RBM with the parameter scales of a model
// trained on MNIST: weights of a few tenths, strongly negative biases on the
// border pixels.
func mnistLike(h int) *rbm.RBM {
	rng := rand.New(rand.NewPCG(31, 32))
	m := randomRBM(rng, 784, h, 0.3)
	for i := range m.B {
		r, c := i/28, i%28
		if r < 4 || r > 23 || c < 4 || c > 23 {
			m.B[i] = -8
		}
	}
	return m
}

// BenchmarkRBMLogZ784x20 is the exact log Z of a 784×20 RBM: 2²⁰ hidden
// states, 784 softplus terms each.
func BenchmarkRBMLogZ784x20(b *testing.B) {
	m := mnistLike(20)
	for b.Loop() {
		if _, err := RBMLogZ(context.Background(), m, exact.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
