package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sigmoidTolerance bounds the absolute error of the float32 sigmoid: the
// Cephes exponential is accurate to about 1 ulp (relative 1.2e-7), the
// additions and the division add a few half-ulps of a value below 1
// (3e-8 each), and rounding the exact result to float32 alone costs up to
// 3e-8.
const sigmoidTolerance = 1.5e-7

// sigmoidInputs covers the range where σ changes, densely, and the
// saturated tails, the clamping points and the non-finite values' neighbours.
func sigmoidInputs() []float32 {
	var zs []float32
	for z := -20.0; z <= 20; z += 1.0 / 1024 {
		zs = append(zs, float32(z))
	}
	for _, z := range []float64{-200, -100, -88, -87.5, -87, -86.9, -50, 50, 86.9, 87, 88, 88.5, 100, 200,
		math.MaxFloat32, -math.MaxFloat32, 1e-30, -1e-30, 0} {
		zs = append(zs, float32(z))
	}
	return zs
}

func TestSigmoid32Accuracy(t *testing.T) {
	implementations(t, func(t *testing.T) {
		zs := sigmoidInputs()
		// AddBiasSigmoid on one long row runs the vector kernel on all but
		// the last len%8 elements and Sigmoid32 on those.
		x := make([]float32, len(zs))
		bias := make([]float32, len(zs))
		copy(x, zs)
		AddBiasSigmoid(x, bias)
		var worst float64
		for i, z := range zs {
			want := Sigmoid(float64(z))
			for _, got := range []float32{x[i], Sigmoid32(z)} {
				d := math.Abs(float64(got) - want)
				if !(d <= sigmoidTolerance) || got < 0 || got > 1 {
					t.Fatalf("σ(%v) = %v, want %v (error %.3g)", z, got, want, d)
				}
				worst = max(worst, d)
			}
		}
		t.Logf("max error %.3g over %d inputs", worst, len(zs))
	})
}

func TestAddBiasSigmoidRows(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, cols := range []int{1, 7, 8, 9, 64, 100, 784} {
			rows := 3
			x, bias := randSlice(rng, rows*cols), randSlice(rng, cols)
			orig := append([]float32(nil), x...)
			NewPool(2).SigmoidRows(x, bias)
			for i, got := range x {
				want := Sigmoid(float64(orig[i] + bias[i%cols]))
				if d := math.Abs(float64(got) - want); !(d <= sigmoidTolerance) {
					t.Fatalf("cols %d: element %d: %v, want %v", cols, i, got, want)
				}
			}
		}
	})
}

func TestSoftplus(t *testing.T) {
	for _, x := range []float64{-800, -40, -1, 0, 1e-9, 1, 40, 800} {
		want := math.Log1p(math.Exp(x))
		if x > 30 {
			want = x // log(1+e^x) = x + log1p(e^-x) and e^-30 is below the ulp
		}
		if got := Softplus(x); math.Abs(got-want) > 1e-15*max(1, math.Abs(want)) {
			t.Errorf("Softplus(%v) = %v, want %v", x, got, want)
		}
	}
}
