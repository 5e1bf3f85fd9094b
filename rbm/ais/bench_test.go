package ais

import (
	"context"
	"math/rand/v2"
	"testing"
)

// BenchmarkRun784x500 is AIS on a 784×500 RBM with the default schedule
// (14,500 steps) and 100 runs, the setting of Salakhutdinov & Murray.
func BenchmarkRun784x500(b *testing.B) {
	m := randomRBM(rand.New(rand.NewPCG(1, 2)), 784, 500, 0.05)
	for b.Loop() {
		if _, err := Run(context.Background(), m, Config{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
