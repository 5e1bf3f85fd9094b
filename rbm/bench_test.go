package rbm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkStep times one update of each training method at the MNIST
// shape (784 visible, batch 100) on the 2,000 MNIST training digits in
// testdata, binarised at one half as the command does by default, a
// mini-batch after another; 600 of them make an epoch over the 60,000
// MNIST rows.
func BenchmarkStep(b *testing.B) {
	data := mnistDigits(b)
	const batch = 100
	methods := []struct {
		name string
		cfg  Config
	}{
		{"cd", Config{Momentum: 0.5}},
		{"pcd", Config{Persistent: true}},
		{"pcd-centered", Config{Persistent: true, Centered: true}},
		{"pcd-centered-adam", Config{Persistent: true, Centered: true, Optimizer: Adam}},
		{"pt10-centered", Config{Replicas: 10, Centered: true}},
	}
	for _, method := range methods {
		for _, hidden := range []int{64, 500} {
			for _, workers := range []int{1, 2} {
				if method.name != "cd" && workers == 1 {
					continue
				}
				b.Run(fmt.Sprintf("%s/hidden=%d/workers=%d", method.name, hidden, workers), func(b *testing.B) {
					m := New(784, hidden)
					m.Init(data, 1)
					cfg := method.cfg
					cfg.Workers = workers
					cfg, err := cfg.withDefaults()
					if err != nil {
						b.Fatal(err)
					}
					s := newStepper(m, cfg, batch)
					defer s.pool.Close()
					s.start(data, rand.New(rand.NewPCG(1, 1)))
					rows := make([]int32, batch)
					b.ResetTimer()
					for i := range b.N {
						first := i * batch % (data.Rows - batch + 1)
						for r := range rows {
							rows[r] = int32(first + r)
						}
						s.load(data, rows)
						s.step(0.01, 0.5)
					}
					b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*600, "s/epoch")
				})
			}
		}
	}
}

// BenchmarkStepAsMachine times BenchmarkStep's CD-1 step (momentum 0.5,
// 784×64 and 784×500, batch 100 of the MNIST digits) through the generic
// trainer of TrainMachine on the same model taken as a machine of two
// binary layers (AsMachine): float64 layers and products in place of the
// binary RBM's float32 kernels. The ratio of the two is what the binary
// RBM's own trainer buys.
func BenchmarkStepAsMachine(b *testing.B) {
	data := mnistDigits(b)
	const batch = 100
	for _, hidden := range []int{64, 500} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("cd/hidden=%d/workers=%d", hidden, workers), func(b *testing.B) {
				r := New(784, hidden)
				r.Init(data, 1)
				cfg, err := Config{Momentum: 0.5, Workers: workers}.withDefaults()
				if err != nil {
					b.Fatal(err)
				}
				s := newMachineStepper(AsMachine(r), cfg, batch)
				defer s.pool.Close()
				rows := make([]int32, batch)
				b.ResetTimer()
				for i := range b.N {
					first := i * batch % (data.Rows - batch + 1)
					for r := range rows {
						rows[r] = int32(first + r)
					}
					s.step(data, rows, 0.01, 0.5)
				}
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*600, "s/epoch")
			})
		}
	}
}
