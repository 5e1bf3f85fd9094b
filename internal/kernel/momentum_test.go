package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var stepLengths = []int{0, 1, 7, 8, 9, 31, 500}

// TestMomentumStep checks both code paths against a float32 loop written
// out here, bit for bit, over lengths with and without a scalar tail, in
// place and into a second buffer.
func TestMomentumStep(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, n := range stepLengths {
			for _, inPlace := range []bool{true, false} {
				w, vel, grad := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
				const mom, rate, decay = 0.9, 0.013, 2e-4
				wantW, wantV := slices.Clone(w), slices.Clone(vel)
				var wantMax float32
				for i := range wantW {
					a := float32(mom) * wantV[i]
					b := float32(rate) * grad[i]
					c := float32(decay) * wantW[i]
					wantV[i] = float32(a+b) - c
					wantW[i] += wantV[i]
					wantMax = max(wantMax, float32(math.Abs(float64(wantW[i]))))
				}
				orig := slices.Clone(w)
				dst := w
				if !inPlace {
					dst = make([]float32, n)
				}
				got := MomentumStep(dst, w, vel, grad, mom, rate, decay)
				if !inPlace && !slices.Equal(w, orig) {
					t.Fatalf("n=%d: w changed although dst is another buffer", n)
				}
				for i := range dst {
					if math.Float32bits(dst[i]) != math.Float32bits(wantW[i]) || math.Float32bits(vel[i]) != math.Float32bits(wantV[i]) {
						t.Fatalf("n=%d: element %d: w=%v vel=%v, want %v %v", n, i, dst[i], vel[i], wantW[i], wantV[i])
					}
				}
				if got != wantMax {
					t.Fatalf("n=%d: max |w| = %v, want %v", n, got, wantMax)
				}
			}
		}
	})
}

// TestAdamStep checks both code paths against Kingma and Ba's update
// written out here in float32, bit for bit.
func TestAdamStep(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 10))
		for _, n := range stepLengths {
			w, grad := randSlice(rng, n), randSlice(rng, n)
			m, v := randSlice(rng, n), randSlice(rng, n)
			for i := range v {
				v[i] *= v[i] // second moments are not negative
			}
			p := AdamParams{Scale: 0.01, Decay: 1e-4, B1: 0.9, C1: 0.1, B2: 0.999, C2: 1 - float32(0.999), Step: 0.003, Eps: 1e-8}
			wantW, wantM, wantV := slices.Clone(w), slices.Clone(m), slices.Clone(v)
			var wantMax float32
			for i := range wantW {
				g := float32(p.Scale*grad[i]) - float32(p.Decay*wantW[i])
				wantM[i] = float32(p.B1*wantM[i]) + float32(p.C1*g)
				wantV[i] = float32(p.B2*wantV[i]) + float32(p.C2*float32(g*g))
				den := float32(math.Sqrt(float64(wantV[i]))) + p.Eps
				wantW[i] += float32(p.Step*wantM[i]) / den
				wantMax = max(wantMax, float32(math.Abs(float64(wantW[i]))))
			}
			dst := make([]float32, n)
			got := AdamStep(dst, w, m, v, grad, p)
			for i := range dst {
				if math.Float32bits(dst[i]) != math.Float32bits(wantW[i]) || math.Float32bits(m[i]) != math.Float32bits(wantM[i]) || math.Float32bits(v[i]) != math.Float32bits(wantV[i]) {
					t.Fatalf("n=%d: element %d: w=%v m=%v v=%v, want %v %v %v", n, i, dst[i], m[i], v[i], wantW[i], wantM[i], wantV[i])
				}
			}
			if got != wantMax {
				t.Fatalf("n=%d: max |w| = %v, want %v", n, got, wantMax)
			}
		}
	})
}

// TestStepMagnitudeFlagsOverflowAndNaN checks that the returned magnitude
// is +Inf after an overflow and NaN after a NaN, wherever in the slice
// (vector body or scalar tail) it happens.
func TestStepMagnitudeFlagsOverflowAndNaN(t *testing.T) {
	implementations(t, func(t *testing.T) {
		for _, n := range []int{9, 17} {
			for _, at := range []int{0, 3, n - 1} {
				w, vel, grad := make([]float32, n), make([]float32, n), make([]float32, n)
				grad[at] = math.MaxFloat32
				if got := MomentumStep(w, w, vel, grad, 0, 4, 0); !math.IsInf(float64(got), 1) {
					t.Errorf("n=%d overflow at %d: magnitude %v, want +Inf", n, at, got)
				}
				w, vel, grad = make([]float32, n), make([]float32, n), make([]float32, n)
				grad[at] = float32(math.NaN())
				grad[(at+1)%n] = float32(math.Inf(-1))
				if got := MomentumStep(w, w, vel, grad, 0, 1, 0); !math.IsNaN(float64(got)) {
					t.Errorf("n=%d NaN at %d: magnitude %v, want NaN", n, at, got)
				}
				m, v := make([]float32, n), make([]float32, n)
				grad = make([]float32, n)
				grad[at] = float32(math.NaN())
				if got := AdamStep(w, w, m, v, grad, AdamParams{Scale: 1, B1: 0.9, C1: 0.1, B2: 0.999, C2: 0.001, Step: 1, Eps: 1e-8}); !math.IsNaN(float64(got)) {
					t.Errorf("n=%d Adam NaN at %d: magnitude %v, want NaN", n, at, got)
				}
			}
		}
	})
}
