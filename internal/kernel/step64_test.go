package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// step64Inputs returns n random values with zeros of both signs, tiny and
// large ones among them, for the float64 steps' tests.
func step64Inputs(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch rng.IntN(10) {
		case 0:
			x[i] = math.Copysign(0, rng.NormFloat64())
		case 1:
			x[i] = rng.NormFloat64() * 1e-300
		case 2:
			x[i] = rng.NormFloat64() * 1e6
		default:
			x[i] = rng.NormFloat64()
		}
	}
	return x
}

func sameBits64(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

var step64Lengths = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 257, 1001}

// TestAdamStep64 checks AdamStep64, assembly and portable, against the
// machine trainer's update written out here, bit for bit, over lengths
// with and without a scalar tail; and its report of values past the
// limit or NaN wherever they fall.
func TestAdamStep64(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 22))
		for _, n := range step64Lengths {
			for trial := range 4 {
				w, m, v, grad := step64Inputs(rng, n), step64Inputs(rng, n), step64Inputs(rng, n), step64Inputs(rng, n)
				for i := range v {
					v[i] = math.Abs(v[i]) // a second moment
				}
				a := Adam64{Scale: 1.0 / 100, Decay: []float64{0, 2e-4}[trial%2], B1: 0.9, B2: 0.999,
					C1: 1 - math.Pow(0.9, float64(trial+1)), C2: 1 - math.Pow(0.999, float64(trial+1)), Rate: 0.001, Eps: 1e-8}
				limit := []float64{math.Inf(1), 1e6, 5, 1}[trial]
				wantW, wantM, wantV := slices.Clone(w), slices.Clone(m), slices.Clone(v)
				wantOK := true
				for i := range wantW {
					// The trainer's expression (rbm.machineOptimizerJob).
					gi := grad[i] * a.Scale
					gi -= a.Decay * wantW[i]
					b1, b2 := a.B1, a.B2
					wantM[i] = b1*wantM[i] + (1-b1)*gi
					wantV[i] = b2*wantV[i] + (1-b2)*gi*gi
					mHat := wantM[i] / a.C1
					vHat := wantV[i] / a.C2
					wantW[i] += a.Rate * mHat / (math.Sqrt(vHat) + a.Eps)
					if !(math.Abs(wantW[i]) <= limit) {
						wantOK = false
					}
				}
				orig, old := slices.Clone(w), make([]float64, n)
				ok := AdamStep64(w, old, m, v, grad, a, limit)
				if !slices.EqualFunc(old, orig, sameBits64) {
					t.Fatalf("n=%d trial %d: the backup is not w before the step", n, trial)
				}
				for i := range w {
					if math.Float64bits(w[i]) != math.Float64bits(wantW[i]) || math.Float64bits(m[i]) != math.Float64bits(wantM[i]) || math.Float64bits(v[i]) != math.Float64bits(wantV[i]) {
						t.Fatalf("n=%d trial %d: element %d: w=%v m=%v v=%v, want %v %v %v", n, trial, i, w[i], m[i], v[i], wantW[i], wantM[i], wantV[i])
					}
				}
				if ok != wantOK {
					t.Fatalf("n=%d trial %d: within the limit %v, want %v", n, trial, ok, wantOK)
				}
			}
		}
	})
}

// TestMomentumStep64 checks MomentumStep64 as TestAdamStep64 checks
// AdamStep64.
func TestMomentumStep64(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(23, 24))
		for _, n := range step64Lengths {
			for trial := range 4 {
				w, vel, grad := step64Inputs(rng, n), step64Inputs(rng, n), step64Inputs(rng, n)
				scale, decay, mom, rate := 1.0/64, []float64{0, 2e-4}[trial%2], []float64{0, 0.5, 0.9, 0.9}[trial], 0.01
				limit := []float64{math.Inf(1), 1e6, 5, 1}[trial]
				wantW, wantV := slices.Clone(w), slices.Clone(vel)
				wantOK := true
				for i := range wantW {
					gi := grad[i] * scale
					gi -= decay * wantW[i]
					wantV[i] = mom*wantV[i] + rate*gi
					wantW[i] += wantV[i]
					if !(math.Abs(wantW[i]) <= limit) {
						wantOK = false
					}
				}
				orig, old := slices.Clone(w), make([]float64, n)
				ok := MomentumStep64(w, old, vel, grad, scale, decay, mom, rate, limit)
				if !slices.EqualFunc(old, orig, sameBits64) {
					t.Fatalf("n=%d trial %d: the backup is not w before the step", n, trial)
				}
				for i := range w {
					if math.Float64bits(w[i]) != math.Float64bits(wantW[i]) || math.Float64bits(vel[i]) != math.Float64bits(wantV[i]) {
						t.Fatalf("n=%d trial %d: element %d: w=%v vel=%v, want %v %v", n, trial, i, w[i], vel[i], wantW[i], wantV[i])
					}
				}
				if ok != wantOK {
					t.Fatalf("n=%d trial %d: within the limit %v, want %v", n, trial, ok, wantOK)
				}
			}
		}
	})
}

// TestStep64FlagsNaN checks that a NaN anywhere, in the vector part or the
// tail, is reported as out of range, even with an infinite limit.
func TestStep64FlagsNaN(t *testing.T) {
	implementations(t, func(t *testing.T) {
		for _, n := range []int{4, 7, 9} {
			for at := range n {
				w, m, v, grad := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
				grad[at] = math.NaN()
				a := Adam64{Scale: 1, B1: 0.9, B2: 0.999, C1: 0.1, C2: 0.001, Rate: 0.001, Eps: 1e-8}
				if AdamStep64(w, make([]float64, n), m, v, grad, a, math.Inf(1)) {
					t.Errorf("Adam, n=%d: a NaN at %d passed", n, at)
				}
				w, vel := make([]float64, n), make([]float64, n)
				if MomentumStep64(w, make([]float64, n), vel, grad, 1, 0, 0.5, 0.1, math.Inf(1)) {
					t.Errorf("momentum, n=%d: a NaN at %d passed", n, at)
				}
			}
		}
	})
}

// TestSeparateRounding checks that the default amd64 build rounds each
// operation, so that the float64 steps' assembly is in use there.
func TestSeparateRounding(t *testing.T) {
	if haveAVX2FMA && !separateRounding {
		t.Log("this build fuses multiply-adds: the float64 steps run as Go loops")
	}
	if got := mulAdd(1+0x1p-30, 1+0x1p-30, -(1 + 0x1p-29)); got != 0 && got != 0x1p-60 {
		t.Errorf("mulAdd = %v, want 0 (rounded) or 2⁻⁶⁰ (fused)", got)
	}
}
