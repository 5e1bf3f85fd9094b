package rbm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rbmkit/rbm/internal/kernel"
)

// sameBits reports the first element where a and b differ in their bits.
func sameBits(a, b []float64) (int, bool) {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return i, false
		}
	}
	return -1, len(a) == len(b)
}

// TestTrainMachineWorkers trains machines whose layers sample in parallel
// (binary, spin, Potts) and serially (Gaussian, ReLU) on one, two and
// three workers, by CD, centered PCD and parallel tempering: the
// parameters must be the same bits whatever the number of workers, since
// the rows' draws come from the one stream at the positions the serial
// loop gives them.
func TestTrainMachineWorkers(t *testing.T) {
	pairs := [][2]string{{"binary", "binary"}, {"spin", "potts"}, {"potts", "spin"}, {"gaussian", "binary"}, {"binary", "relu"}}
	configs := map[string]Config{
		"cd":       {Epochs: 2, BatchSize: 16, LearningRate: 0.05, K: 2},
		"centered": {Epochs: 2, BatchSize: 16, LearningRate: 0.05, Persistent: true, Centered: true, Optimizer: Adam},
		"pt":       {Epochs: 2, BatchSize: 16, LearningRate: 0.05, Replicas: 3, Centered: true},
	}
	for _, pair := range pairs {
		for name, cfg := range configs {
			t.Run(fmt.Sprintf("%s×%s/%s", pair[0], pair[1], name), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(7, 8))
				teacher := randomMachine(t, rng, pair[0], 9, pair[1], 5, 0.5)
				states, _, err := teacher.Sample(context.Background(), 40, 20, 3, nil)
				if err != nil {
					t.Fatal(err)
				}
				r, c := states.Dims()
				data := NewMatrix(r, c)
				for i, x := range states.RawMatrix().Data {
					data.Data[i] = float32(x)
				}
				var first []float64
				for _, workers := range []int{1, 2, 3} {
					m := randomMachine(t, rand.New(rand.NewPCG(1, 2)), pair[0], 9, pair[1], 5, 0.1)
					cfg := cfg
					cfg.Workers, cfg.Seed = workers, 11
					tr := &Trainer{Config: cfg, MonitorRows: -1}
					if _, err := tr.TrainMachine(context.Background(), m, data); err != nil {
						t.Fatal(err)
					}
					var got []float64
					for _, p := range m.paramVectors() {
						got = append(got, p...)
					}
					if first == nil {
						first = got
					} else if i, ok := sameBits(first, got); !ok {
						t.Fatalf("%d workers: parameter %d is %v, %v on one worker", workers, i, got[i], first[i])
					}
				}
			})
		}
	}
}

// TestMachineTemperingWorkers checks that sweeps on a pool, whose rows
// sample in parallel when the layers draw a fixed number of values, give
// the serial sweeps' states and swap rates bit for bit.
func TestMachineTemperingWorkers(t *testing.T) {
	for _, pair := range [][2]string{{"binary", "binary"}, {"potts", "spin"}, {"gaussian", "binary"}, {"spin", "relu"}} {
		rng := rand.New(rand.NewPCG(3, 4))
		m := randomMachine(t, rng, pair[0], 8, pair[1], 6, 0.7)
		base := m.Visible.Clone()
		path, err := m.Path(base)
		if err != nil {
			t.Fatal(err)
		}
		var first []float64
		var firstRates []float64
		for _, workers := range []int{1, 2, 3} {
			pool := kernel.NewPool(workers)
			pt, err := newMachineTempering(path, pool, []float64{0, 0.4, 0.8, 1}, 7, 9)
			if err != nil {
				t.Fatal(err)
			}
			pt.SampleBase()
			for range 25 {
				pt.Sweep()
			}
			pool.Close()
			got := append([]float64(nil), pt.States().RawMatrix().Data...)
			if first == nil {
				first, firstRates = got, pt.SwapRates()
				continue
			}
			if i, ok := sameBits(first, got); !ok {
				t.Fatalf("%s×%s, %d workers: state value %d is %v, %v on one worker", pair[0], pair[1], workers, i, got[i], first[i])
			}
			if i, ok := sameBits(firstRates, pt.SwapRates()); !ok {
				t.Fatalf("%s×%s, %d workers: swap rate %d differs", pair[0], pair[1], workers, i)
			}
		}
	}
}

// TestAddRowsInOrder checks addRowsInOrder against the plain loop, bit for
// bit, for every number of rows up to 11 (whole passes of four and the
// rows left over) and several widths, on values of mixed signs and scales
// whose sums depend on the order of the additions.
func TestAddRowsInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, width := range []int{1, 3, 8, 257} {
		for n := range 12 {
			rows := make([][]float64, n)
			for r := range rows {
				rows[r] = make([]float64, width+2) // longer than sum: only its first width count
				for i := range rows[r] {
					rows[r][i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(17)-8))
				}
			}
			start := make([]float64, width)
			for i := range start {
				start[i] = rng.NormFloat64()
			}
			want, got := slices.Clone(start), slices.Clone(start)
			for r := range n {
				for i, x := range rows[r][:width] {
					want[i] += x
				}
			}
			addRowsInOrder(got, n, func(r int) []float64 { return rows[r] })
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("width %d, %d rows: sum[%d] = %v, want %v", width, n, i, got[i], want[i])
				}
			}
		}
	}
}
