package layer

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSpin(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, scale := range []float64{0.5, 3, 20} {
		l := NewSpin(randomValues(rng, 4, scale))
		checkDiscrete(t, l, randomInput(l, rng, scale), scale)
	}
}

// TestSpinIsBinary compares the spin layer with the binary layer it maps
// to: x = 2b-1 turns θx + Ix into 2(θ+I)b - (θ+I), so
// Γ_spin(θ, I) = Γ_bin(2θ, 2I) - Σᵢ(θᵢ+Iᵢ) and tanh(θ+I) = 2σ(2(θ+I)) - 1.
// At the largest scale 2cosh(θ+I) overflows, so it also checks the stable
// form.
func TestSpinIsBinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, scale := range []float64{0.5, 3, 20, 2000} {
		theta := randomValues(rng, 5, scale)
		in := randomValues(rng, 5, scale)
		s := NewSpin(theta)
		b := NewBinary(make([]float64, len(theta)))
		in2 := make([]float64, len(in))
		var shift, largest float64
		for i := range theta {
			b.Bias[i] = 2 * theta[i]
			in2[i] = 2 * in[i]
			shift += theta[i] + in[i]
			largest = math.Max(largest, math.Abs(theta[i]+in[i]))
		}
		if scale == 2000 && !math.IsInf(2*math.Cosh(largest), 1) {
			t.Fatalf("largest |θ+I| %v does not overflow 2cosh", largest)
		}
		got, want := s.LogPartition(in), b.LogPartition(in2)-shift
		if math.IsInf(got, 0) || math.IsNaN(got) || !close(got, want, 1e-12) {
			t.Errorf("scale %v: spin LogPartition = %.15g, binary at the mapped parameters %.15g", scale, got, want)
		}
		ms, mb := make([]float64, len(in)), make([]float64, len(in))
		s.Mean(ms, in)
		b.Mean(mb, in2)
		for i := range ms {
			if !close(ms[i], 2*mb[i]-1, 1e-12) {
				t.Errorf("scale %v: spin Mean[%d] = %.15g, binary 2σ-1 = %.15g", scale, i, ms[i], 2*mb[i]-1)
			}
		}
	}
}

func TestSpinCheck(t *testing.T) {
	l := NewSpin(make([]float64, 2))
	if err := l.Check([]float64{-1, 1}); err != nil {
		t.Errorf("Check(-1, 1): %v", err)
	}
	for _, bad := range [][]float64{{-1, 0}, {0.5, 1}, {1, 2}, {-1, math.NaN()}, {math.Inf(1), 1}} {
		if l.Check(bad) == nil {
			t.Errorf("Check(%v) accepted", bad)
		}
	}
	x := make([]float64, 2)
	l.SetState(x, []int{0, 1})
	if x[0] != -1 || x[1] != 1 {
		t.Errorf("SetState(0, 1) = %v, want [-1 1]", x)
	}
}
