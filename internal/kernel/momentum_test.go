package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMomentumStep checks both code paths against a float32 loop written
// out here, bit for bit, over lengths with and without a scalar tail.
func TestMomentumStep(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, n := range []int{0, 1, 7, 8, 9, 31, 500} {
			w, vel, grad := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
			const mom, rate, decay = 0.9, 0.013, 2e-4
			wantW, wantV := slices.Clone(w), slices.Clone(vel)
			for i := range wantW {
				a := float32(mom) * wantV[i]
				b := float32(rate) * grad[i]
				c := float32(decay) * wantW[i]
				wantV[i] = float32(a+b) - c
				wantW[i] += wantV[i]
			}
			MomentumStep(w, vel, grad, mom, rate, decay)
			for i := range w {
				if math.Float32bits(w[i]) != math.Float32bits(wantW[i]) || math.Float32bits(vel[i]) != math.Float32bits(wantV[i]) {
					t.Fatalf("n=%d: element %d: w=%v vel=%v, want %v %v", n, i, w[i], vel[i], wantW[i], wantV[i])
				}
			}
		}
	})
}
