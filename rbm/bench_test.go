package rbm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkStep times one CD-1 update at the MNIST shape (784 visible,
// batch 100) on random binary data; 600 of them make an epoch over the
// 60,000 MNIST rows.
func BenchmarkStep(b *testing.B) {
	for _, hidden := range []int{64, 500} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("hidden=%d/workers=%d", hidden, workers), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				data := NewMatrix(100, 784)
				for i := range data.Data {
					data.Data[i] = float32(rng.IntN(2))
				}
				m := New(784, hidden)
				m.Init(data, 1)
				s := newStepper(m, Config{K: 1, Momentum: 0.5, Workers: workers}, 100)
				defer s.pool.Close()
				rows := make([]int32, 100)
				for i := range rows {
					rows[i] = int32(i)
				}
				s.load(data, rows)
				b.ResetTimer()
				for range b.N {
					s.step(0.01, 0.5)
				}
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*600, "s/epoch")
			})
		}
	}
}
