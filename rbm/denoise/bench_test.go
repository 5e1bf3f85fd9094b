package denoise

import (
	"context"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
	"github.com/rbmkit/rbm/rbm/layer"
)

// benchDigits returns the 500 shipped test digits as rows of off/on
// values, each pixel on when its byte is at least 128.
func benchDigits(tb testing.TB, off, on int8) [][]int8 {
	tb.Helper()
	a, err := idx.ReadFile("../../testdata/mnist-test-500-images-idx3-ubyte.gz")
	if err != nil {
		tb.Fatal(err)
	}
	px := a.Float32s()
	const width = 28 * 28
	rows := make([][]int8, len(px)/width)
	for r := range rows {
		rows[r] = make([]int8, width)
		for i, x := range px[r*width : (r+1)*width] {
			rows[r][i] = off
			if x >= 128 {
				rows[r][i] = on
			}
		}
	}
	return rows
}

// benchMachines are 784×64 machines with small random weights, the
// visible units spins or bits: the speed of a restoration depends on the
// shapes and unit types, not on the values.
var benchMachines = []struct {
	name        string
	off, on     int8
	new, hidden func() layer.Layer
}{
	{"spin×relu", -1, 1,
		func() layer.Layer { return layer.NewSpin(make([]float64, 784)) },
		func() layer.Layer { return layer.NewReLU(make([]float64, 64), make([]float64, 64), false) }},
	{"binary×binary", 0, 1,
		func() layer.Layer { return layer.NewBinary(make([]float64, 784)) },
		func() layer.Layer { return layer.NewBinary(make([]float64, 64)) }},
}

func benchMachine(v, h layer.Layer) *rbm.Machine {
	m := rbm.NewMachine(v, h)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range m.W {
		m.W[i] = 0.05 * rng.NormFloat64()
	}
	return m
}

// BenchmarkMachineDenoise denoises the 500 test digits with 784×64
// machines, 10 sweeps per row on every core.
func BenchmarkMachineDenoise(b *testing.B) {
	for _, c := range benchMachines {
		b.Run(c.name, func(b *testing.B) {
			rows, m := benchDigits(b, c.off, c.on), benchMachine(c.new(), c.hidden())
			s := Settings{Noise: 0.1, Sweeps: 10, Seed: 1}
			for b.Loop() {
				if _, err := Machine(context.Background(), m, rows, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMachineInpaint inpaints the bottom half of the 500 test digits
// with the machines and sweeps of BenchmarkMachineDenoise.
func BenchmarkMachineInpaint(b *testing.B) {
	for _, c := range benchMachines {
		b.Run(c.name, func(b *testing.B) {
			rows, m := benchDigits(b, c.off, c.on), benchMachine(c.new(), c.hidden())
			x := mat.NewDense(len(rows), 784, nil)
			for r, y := range rows {
				for i, v := range y {
					x.Set(r, i, float64(v))
				}
			}
			missing := make([]bool, 784)
			for i := 392; i < 784; i++ {
				missing[i] = true
			}
			s := Settings{Sweeps: 10, Seed: 1}
			for b.Loop() {
				if _, err := Inpaint(context.Background(), m, x, missing, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
