package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// stepLengths are the slice lengths of the steps' tests: empty, shorter
// than one vector of either type, and whole vectors with and without a
// scalar tail.
var stepLengths = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 31, 257, 1001}

// stepInputs returns n random values of F with zeros of both signs,
// subnormal, tiny and huge ones among them, and, if special, the odd
// infinity or NaN.
func stepInputs[F Float](rng *rand.Rand, n int, special bool) []F {
	x := make([]F, n)
	for i := range x {
		r := rng.NormFloat64()
		switch k := rng.IntN(40); {
		case k < 4:
			x[i] = F(math.Copysign(0, r))
		case k < 6:
			x[i] = F(r) * smallest[F]() // subnormal
		case k < 8:
			x[i] = F(r * 1e-20)
		case k < 10:
			x[i] = F(r * 1e15)
		case special && k == 10:
			x[i] = F(math.Copysign(math.Inf(1), r))
		case special && k == 11:
			x[i] = F(math.NaN())
		default:
			x[i] = F(r)
		}
	}
	return x
}

// smallest returns the smallest positive subnormal value of F.
func smallest[F Float]() F {
	var x F
	if _, ok := any(x).(float32); ok {
		return F(math.SmallestNonzeroFloat32)
	}
	return F(math.SmallestNonzeroFloat64)
}

// sameBits reports whether x and y are the same bits, every NaN counting
// as the same (the x86 operations and the Go loops may carry a NaN's
// payload differently; a NaN is a NaN to the trainers).
func sameBits[F Float](x, y F) bool {
	if x != x || y != y {
		return x != x && y != y
	}
	return math.Float64bits(float64(x)) == math.Float64bits(float64(y))
}

// sameSlices reports the first index where x and y differ in bits, or -1.
func sameSlices[F Float](x, y []F) int {
	for i := range x {
		if !sameBits(x[i], y[i]) {
			return i
		}
	}
	return -1
}

// wantMomentum is MomentumLoop's formula as its comment states it, each
// operation of F rounded on its own, written out independently of it.
func wantMomentum[F Float](w, vel, grad []F, p MomentumParams[F]) (newW, newVel []F, mx F) {
	newW, newVel = slices.Clone(w), slices.Clone(vel)
	for i := range w {
		a := F(p.Mom * vel[i])
		b := F(p.Rate * grad[i])
		c := F(p.Decay * w[i])
		newVel[i] = F(a+b) - c
		newW[i] = w[i] + newVel[i]
		mx = max(mx, F(math.Abs(float64(newW[i]))))
	}
	return newW, newVel, mx
}

// wantAdam is AdamLoop's formula as its comment states it, written out
// independently of it.
func wantAdam[F Float](w, m, v, grad []F, p AdamParams[F]) (newW, newM, newV []F, mx F) {
	newW, newM, newV = slices.Clone(w), slices.Clone(m), slices.Clone(v)
	for i := range w {
		g := F(p.Scale*grad[i]) - F(p.Decay*w[i])
		newM[i] = F(p.B1*m[i]) + F(p.C1*g)
		gg := F(g * g)
		newV[i] = F(p.B2*v[i]) + F(p.C2*gg)
		den := F(math.Sqrt(float64(newV[i]))) + p.Eps
		newW[i] = w[i] + F(p.Step*newM[i])/den
		mx = max(mx, F(math.Abs(float64(newW[i]))))
	}
	return newW, newM, newV, mx
}

func testMomentumLoop[F Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range stepLengths {
		for _, p := range []MomentumParams[F]{MomentumAt[F](0.05, 0.9, 2e-4, 100), MomentumAt[F](0.013, 0.5, 0, 7)} {
			w, vel, grad := stepInputs[F](rng, n, false), stepInputs[F](rng, n, false), stepInputs[F](rng, n, false)
			wantW, wantV, wantMax := wantMomentum(w, vel, grad, p)
			dst := make([]F, n)
			orig := slices.Clone(w)
			got := MomentumLoop(dst, w, vel, grad, p)
			if i := sameSlices(w, orig); i >= 0 {
				t.Fatalf("n=%d: w[%d] changed although dst is another buffer", n, i)
			}
			if i := max(sameSlices(dst, wantW), sameSlices(vel, wantV)); i >= 0 {
				t.Fatalf("n=%d: element %d: w=%v vel=%v, want %v %v", n, i, dst[i], vel[i], wantW[i], wantV[i])
			}
			if !sameBits(got, wantMax) {
				t.Fatalf("n=%d: max |w| = %v, want %v", n, got, wantMax)
			}
		}
	}
}

func testAdamLoop[F Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range stepLengths {
		for step := 1; step <= 3; step++ {
			p := AdamAt[F](0.001, 0.9, 0.999, 1e-8, []float64{0, 1e-4, 2e-4}[step-1], 100, step)
			w, m, v, grad := stepInputs[F](rng, n, false), stepInputs[F](rng, n, false), stepInputs[F](rng, n, false), stepInputs[F](rng, n, false)
			for i := range v {
				v[i] = F(math.Abs(float64(v[i]))) // a second moment
			}
			wantW, wantM, wantV, wantMax := wantAdam(w, m, v, grad, p)
			got := AdamLoop(w, w, m, v, grad, p) // in place
			if i := max(sameSlices(w, wantW), sameSlices(m, wantM), sameSlices(v, wantV)); i >= 0 {
				t.Fatalf("n=%d t=%d: element %d: w=%v m=%v v=%v, want %v %v %v", n, step, i, w[i], m[i], v[i], wantW[i], wantM[i], wantV[i])
			}
			if !sameBits(got, wantMax) {
				t.Fatalf("n=%d t=%d: max |w| = %v, want %v", n, step, got, wantMax)
			}
		}
	}
}

// TestMomentumLoop and TestAdamLoop check the definitions, in both types,
// against their formulas written out in the tests, bit for bit.
func TestMomentumLoop(t *testing.T) {
	t.Run("float32", testMomentumLoop[float32])
	t.Run("float64", testMomentumLoop[float64])
}

func TestAdamLoop(t *testing.T) {
	t.Run("float32", testAdamLoop[float32])
	t.Run("float64", testAdamLoop[float64])
}

// TestMomentumAt and TestAdamAt check the scalars in float32 against the
// expressions the binary trainer has always used (so that its models keep
// their bits), and in float64 against the documented values.
func TestMomentumAt(t *testing.T) {
	for _, c := range []struct {
		lr, mom, wd float64
		n           int
	}{{0.05, 0.9, 2e-4, 100}, {0.1, 0.5, 1e-3, 3}, {0.013, 0, 3e-4, 7}, {0.3, 0.9, 0.01, 11}} {
		want32 := MomentumParams[float32]{Mom: float32(c.mom), Rate: float32(c.lr) / float32(c.n), Decay: float32(c.lr) * float32(c.wd)}
		if got := MomentumAt[float32](c.lr, c.mom, c.wd, c.n); got != want32 {
			t.Errorf("float32 %+v: %+v, want %+v", c, got, want32)
		}
		want64 := MomentumParams[float64]{Mom: c.mom, Rate: c.lr / float64(c.n), Decay: c.lr * c.wd}
		if got := MomentumAt[float64](c.lr, c.mom, c.wd, c.n); got != want64 {
			t.Errorf("float64 %+v: %+v, want %+v", c, got, want64)
		}
	}
}

func TestAdamAt(t *testing.T) {
	lr, b1, b2, eps, wd, n := 0.001, 0.9, 0.999, 1e-8, 1e-4, 100
	for _, step := range []int{1, 2, 10, 1000} {
		tt := float64(step)
		c2 := math.Sqrt(1 - math.Pow(b2, tt))
		want32 := AdamParams[float32]{
			Scale: 1 / float32(n), Decay: float32(wd),
			B1: float32(b1), C1: float32(1 - b1), B2: float32(b2), C2: float32(1 - b2),
			Step: float32(lr * c2 / (1 - math.Pow(b1, tt))),
			Eps:  float32(eps * c2),
		}
		if got := AdamAt[float32](lr, b1, b2, eps, wd, n, step); got != want32 {
			t.Errorf("float32, t=%d: %+v, want %+v", step, got, want32)
		}
		want64 := AdamParams[float64]{
			Scale: 1 / float64(n), Decay: wd, B1: b1, C1: 1 - b1, B2: b2, C2: 1 - b2,
			Step: lr * math.Sqrt(1-math.Pow(b2, tt)) / (1 - math.Pow(b1, tt)),
			Eps:  eps * math.Sqrt(1-math.Pow(b2, tt)),
		}
		if got := AdamAt[float64](lr, b1, b2, eps, wd, n, step); got != want64 {
			t.Errorf("float64, t=%d: %+v, want %+v", step, got, want64)
		}
	}
}

// TestMomentumStep checks MomentumStep, assembly and portable, against
// MomentumLoop element by element, bit for bit, over lengths with and
// without a scalar tail, in place and into a second buffer, on inputs
// with infinities and NaNs among them.
func TestMomentumStep(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		for _, n := range stepLengths {
			for trial := range 4 {
				inPlace := trial%2 == 0
				p := MomentumAt[float32](0.05, []float64{0, 0.5, 0.9, 0.9}[trial], []float64{0, 2e-4}[trial/2], 64)
				w, vel, grad := stepInputs[float32](rng, n, true), stepInputs[float32](rng, n, true), stepInputs[float32](rng, n, true)
				wantW, wantV := make([]float32, n), slices.Clone(vel)
				wantMax := MomentumLoop(wantW, w, wantV, grad, p)
				orig := slices.Clone(w)
				dst := w
				if !inPlace {
					dst = make([]float32, n)
				}
				got := MomentumStep(dst, w, vel, grad, p)
				if i := sameSlices(w, orig); !inPlace && i >= 0 {
					t.Fatalf("n=%d: w[%d] changed although dst is another buffer", n, i)
				}
				if i := max(sameSlices(dst, wantW), sameSlices(vel, wantV)); i >= 0 {
					t.Fatalf("n=%d trial %d: element %d: w=%v vel=%v, want %v %v", n, trial, i, dst[i], vel[i], wantW[i], wantV[i])
				}
				if !sameBits(got, wantMax) {
					t.Fatalf("n=%d trial %d: max |w| = %v, want %v", n, trial, got, wantMax)
				}
			}
		}
	})
}

// TestAdamStep checks AdamStep against AdamLoop as TestMomentumStep checks
// MomentumStep.
func TestAdamStep(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		for _, n := range stepLengths {
			for trial := range 4 {
				inPlace := trial%2 == 0
				p := AdamAt[float32](0.001, 0.9, 0.999, 1e-8, []float64{0, 1e-4}[trial/2], 100, trial+1)
				w, m, v, grad := stepInputs[float32](rng, n, true), stepInputs[float32](rng, n, true), stepInputs[float32](rng, n, true), stepInputs[float32](rng, n, true)
				for i := range v {
					v[i] = float32(math.Abs(float64(v[i])))
				}
				wantW, wantM, wantV := make([]float32, n), slices.Clone(m), slices.Clone(v)
				wantMax := AdamLoop(wantW, w, wantM, wantV, grad, p)
				dst := w
				if !inPlace {
					dst = make([]float32, n)
				}
				got := AdamStep(dst, w, m, v, grad, p)
				if i := max(sameSlices(dst, wantW), sameSlices(m, wantM), sameSlices(v, wantV)); i >= 0 {
					t.Fatalf("n=%d trial %d: element %d: w=%v m=%v v=%v, want %v %v %v", n, trial, i, dst[i], m[i], v[i], wantW[i], wantM[i], wantV[i])
				}
				if !sameBits(got, wantMax) {
					t.Fatalf("n=%d trial %d: max |w| = %v, want %v", n, trial, got, wantMax)
				}
			}
		}
	})
}

// limits are the limits of the float64 steps' tests: none, one the huge
// inputs pass, and ones that many values fail.
var limits = []float64{math.Inf(1), 1e30, 5, 1}

// TestMomentumStep64 checks MomentumStep64, assembly and portable, against
// MomentumLoop in place, bit for bit, with its backup of w and its report
// of values past the limit or NaN wherever they fall.
func TestMomentumStep64(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(15, 16))
		for _, n := range stepLengths {
			for trial := range 4 {
				p := MomentumAt[float64](0.01, []float64{0, 0.5, 0.9, 0.9}[trial], []float64{0, 2e-4}[trial%2], 64)
				limit := limits[trial]
				special := trial >= 2
				w, vel, grad := stepInputs[float64](rng, n, special), stepInputs[float64](rng, n, special), stepInputs[float64](rng, n, special)
				wantW, wantV := slices.Clone(w), slices.Clone(vel)
				wantOK := MomentumLoop(wantW, wantW, wantV, grad, p) <= limit
				orig, old := slices.Clone(w), make([]float64, n)
				ok := MomentumStep64(w, old, vel, grad, p, limit)
				if i := sameSlices(old, orig); i >= 0 {
					t.Fatalf("n=%d trial %d: backup[%d] is not w before the step", n, trial, i)
				}
				if i := max(sameSlices(w, wantW), sameSlices(vel, wantV)); i >= 0 {
					t.Fatalf("n=%d trial %d: element %d: w=%v vel=%v, want %v %v", n, trial, i, w[i], vel[i], wantW[i], wantV[i])
				}
				if ok != wantOK {
					t.Fatalf("n=%d trial %d: within the limit %v, want %v", n, trial, ok, wantOK)
				}
			}
		}
	})
}

// TestAdamStep64 checks AdamStep64 against AdamLoop as TestMomentumStep64
// checks MomentumStep64.
func TestAdamStep64(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(17, 18))
		for _, n := range stepLengths {
			for trial := range 4 {
				p := AdamAt[float64](0.001, 0.9, 0.999, 1e-8, []float64{0, 2e-4}[trial%2], 100, trial+1)
				limit := limits[trial]
				special := trial >= 2
				w, m, v, grad := stepInputs[float64](rng, n, special), stepInputs[float64](rng, n, special), stepInputs[float64](rng, n, special), stepInputs[float64](rng, n, special)
				for i := range v {
					v[i] = math.Abs(v[i])
				}
				wantW, wantM, wantV := slices.Clone(w), slices.Clone(m), slices.Clone(v)
				wantOK := AdamLoop(wantW, wantW, wantM, wantV, grad, p) <= limit
				orig, old := slices.Clone(w), make([]float64, n)
				ok := AdamStep64(w, old, m, v, grad, p, limit)
				if i := sameSlices(old, orig); i >= 0 {
					t.Fatalf("n=%d trial %d: backup[%d] is not w before the step", n, trial, i)
				}
				if i := max(sameSlices(w, wantW), sameSlices(m, wantM), sameSlices(v, wantV)); i >= 0 {
					t.Fatalf("n=%d trial %d: element %d: w=%v m=%v v=%v, want %v %v %v", n, trial, i, w[i], m[i], v[i], wantW[i], wantM[i], wantV[i])
				}
				if ok != wantOK {
					t.Fatalf("n=%d trial %d: within the limit %v, want %v", n, trial, ok, wantOK)
				}
			}
		}
	})
}

// TestStepMagnitudeFlagsOverflowAndNaN checks that the returned magnitude
// of the float32 steps is +Inf after an overflow and NaN after a NaN,
// wherever in the slice (vector body or scalar tail) it happens.
func TestStepMagnitudeFlagsOverflowAndNaN(t *testing.T) {
	implementations(t, func(t *testing.T) {
		for _, n := range []int{9, 17} {
			for _, at := range []int{0, 3, n - 1} {
				w, vel, grad := make([]float32, n), make([]float32, n), make([]float32, n)
				grad[at] = math.MaxFloat32
				if got := MomentumStep(w, w, vel, grad, MomentumParams[float32]{Rate: 4}); !math.IsInf(float64(got), 1) {
					t.Errorf("n=%d overflow at %d: magnitude %v, want +Inf", n, at, got)
				}
				w, vel, grad = make([]float32, n), make([]float32, n), make([]float32, n)
				grad[at] = float32(math.NaN())
				grad[(at+1)%n] = float32(math.Inf(-1))
				if got := MomentumStep(w, w, vel, grad, MomentumParams[float32]{Rate: 1}); !math.IsNaN(float64(got)) {
					t.Errorf("n=%d NaN at %d: magnitude %v, want NaN", n, at, got)
				}
				m, v := make([]float32, n), make([]float32, n)
				grad = make([]float32, n)
				grad[at] = float32(math.NaN())
				if got := AdamStep(w, w, m, v, grad, AdamParams[float32]{Scale: 1, B1: 0.9, C1: 0.1, B2: 0.999, C2: 0.001, Step: 1, Eps: 1e-8}); !math.IsNaN(float64(got)) {
					t.Errorf("n=%d Adam NaN at %d: magnitude %v, want NaN", n, at, got)
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
				if AdamStep64(w, make([]float64, n), m, v, grad, AdamAt[float64](0.001, 0.9, 0.999, 1e-8, 0, 1, 1), math.Inf(1)) {
					t.Errorf("Adam, n=%d: a NaN at %d passed", n, at)
				}
				w, vel := make([]float64, n), make([]float64, n)
				if MomentumStep64(w, make([]float64, n), vel, grad, MomentumParams[float64]{Mom: 0.5, Rate: 0.1}, math.Inf(1)) {
					t.Errorf("momentum, n=%d: a NaN at %d passed", n, at)
				}
			}
		}
	})
}

// TestSeparateRounding checks that mulAdd is one of the two roundings it
// tells apart.
func TestSeparateRounding(t *testing.T) {
	if !separateRounding {
		t.Log("this build fuses multiply-adds")
	}
	if got := mulAdd(1+0x1p-30, 1+0x1p-30, -(1 + 0x1p-29)); got != 0 && got != 0x1p-60 {
		t.Errorf("mulAdd = %v, want 0 (rounded) or 2⁻⁶⁰ (fused)", got)
	}
}
