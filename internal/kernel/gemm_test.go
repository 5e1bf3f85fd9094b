package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// refGemm computes alpha·op(A)·op(B) + beta·C in float64, and the bound on
// the rounding error of any float32 evaluation: (k+2)·u·(|alpha|·Σ|a||b| +
// |beta|·|c|) with u = 2⁻²⁴ (Higham, Accuracy and Stability, §3.1; it holds
// for every order of summation and with or without fused multiply-adds),
// plus the rounding of the result itself.
func refGemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, bound []float64) {
	const u = 1.0 / (1 << 24)
	want, bound = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, abs float64
			for l := range k {
				var x, y float32
				if tA {
					x = a[l*lda+i]
				} else {
					x = a[i*lda+l]
				}
				if tB {
					y = b[j*ldb+l]
				} else {
					y = b[l*ldb+j]
				}
				s += float64(x) * float64(y)
				abs += math.Abs(float64(x) * float64(y))
			}
			w := float64(alpha) * s
			e := math.Abs(float64(alpha)) * abs
			if beta != 0 {
				w += float64(beta) * float64(c[i*ldc+j])
				e += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			want[i*n+j] = w
			bound[i*n+j] = float64(k+2)*u*e + u*math.Abs(w)
		}
	}
	return want, bound
}

func randSlice(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// withPortable runs f with the assembly kernels switched off.
func withPortable(t testing.TB, f func()) {
	saved := haveAVX2FMA
	haveAVX2FMA = false
	defer func() { haveAVX2FMA = saved }()
	f()
}

// implementations lists the code paths available on this machine.
func implementations(t *testing.T, f func(t *testing.T)) {
	if haveAVX2FMA {
		t.Run("avx2", f)
	}
	t.Run("portable", func(t *testing.T) { withPortable(t, func() { f(t) }) })
}

func TestGemmAgainstFloat64(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		sizes := []int{1, 2, 5, 6, 7, 13, 16, 17, 31, 33, 64, 100}
		pools := []*Pool{nil, NewPool(1), NewPool(3)}
		defer pools[2].Close()
		for trial := range 300 {
			m, n, k := sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))]
			if trial%25 == 0 {
				k = kcMax + 1 + rng.IntN(3*kcMax) // several k blocks
			}
			tA, tB := trial%2 == 1, trial/2%2 == 1
			alpha := []float32{1, -1, 0.5, 0, 2.5}[rng.IntN(5)]
			beta := []float32{0, 1, -0.7}[rng.IntN(3)]
			ar, ac := m, k
			if tA {
				ar, ac = k, m
			}
			br, bc := k, n
			if tB {
				br, bc = n, k
			}
			lda, ldb, ldc := ac+rng.IntN(4), bc+rng.IntN(4), n+rng.IntN(4)
			a, b := randSlice(rng, (ar-1)*lda+ac), randSlice(rng, (br-1)*ldb+bc)
			c := randSlice(rng, (m-1)*ldc+n)
			if beta == 0 {
				for i := range c {
					c[i] = float32(math.NaN()) // must not be read
				}
			}
			want, bound := refGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			got := slices.Clone(c)
			pools[trial%3].Gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
			name := fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d lda=%d ldb=%d ldc=%d alpha=%v beta=%v", tA, tB, m, n, k, lda, ldb, ldc, alpha, beta)
			for i := range m {
				for j := range ldc {
					idx := i*ldc + j
					if idx >= len(c) {
						break
					}
					if j >= n {
						if math.Float32bits(got[idx]) != math.Float32bits(c[idx]) {
							t.Fatalf("%s: C[%d][%d] beyond the width changed", name, i, j)
						}
						continue
					}
					if d := math.Abs(float64(got[idx]) - want[i*n+j]); !(d <= bound[i*n+j]) {
						t.Fatalf("%s: C[%d][%d] = %v, want %v ± %.3g", name, i, j, got[idx], want[i*n+j], bound[i*n+j])
					}
				}
			}
		}
	})
}

// rbmShapes are the products of a CD step at batch 100 with 784 visible
// and 64 hidden units, plus odd sizes that exercise every edge path.
var rbmShapes = []struct {
	name    string
	tA, tB  bool
	m, n, k int
}{
	{"hidden NN 100x64x784", false, false, 100, 64, 784},
	{"visible NT 100x784x64", false, true, 100, 784, 64},
	{"gradient TN 784x64x100", true, false, 784, 64, 100},
	{"odd NN 97x61x1100", false, false, 97, 61, 1100},
	{"odd NT 101x203x67", false, true, 101, 203, 67},
	{"odd TN 211x45x99", true, false, 211, 45, 99},
	{"odd TT 59x71x83", true, true, 59, 71, 83},
}

func TestGemmSameForAnyWorkerCount(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, s := range rbmShapes {
			lda, ldb := s.k, s.n
			if s.tA {
				lda = s.m
			}
			if s.tB {
				ldb = s.k
			}
			a, b := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n)
			c0 := randSlice(rng, s.m*s.n)
			var first []float32
			for _, w := range []int{1, 2, 3} {
				p := NewPool(w)
				c := slices.Clone(c0)
				p.Gemm(s.tA, s.tB, s.m, s.n, s.k, 0.5, a, lda, b, ldb, -1, c, s.n)
				p.Close()
				if first == nil {
					first = c
					continue
				}
				for i := range c {
					if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
						t.Fatalf("%s: %d workers give C[%d] = %v, 1 worker %v", s.name, w, i, c[i], first[i])
					}
				}
			}
		}
	})
}

func TestGemmAllocatesNothing(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		p := NewPool(2)
		defer p.Close()
		var calls []func()
		// Alternate the shapes, as a training step does, so that one
		// product's scratch space must survive the next.
		shapes := append(rbmShapes, struct {
			name    string
			tA, tB  bool
			m, n, k int
		}{"tiny TN 6x5x32", true, false, 6, 5, 32})
		for _, s := range shapes {
			lda, ldb := s.k, s.n
			if s.tA {
				lda = s.m
			}
			if s.tB {
				ldb = s.k
			}
			a, b, c := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n), make([]float32, s.m*s.n)
			calls = append(calls, func() { p.Gemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n) })
		}
		if n := testing.AllocsPerRun(5, func() {
			for _, call := range calls {
				call()
			}
		}); n != 0 {
			t.Errorf("%v allocations per round of %d products", n, len(calls))
		}
	})
}

func TestGemmPanicsOnBadArguments(t *testing.T) {
	a, b, c := make([]float32, 6), make([]float32, 6), make([]float32, 4)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"short A", func() { (*Pool)(nil).Gemm(false, false, 2, 2, 4, 1, a, 4, b, 2, 0, c, 2) }},
		{"short C", func() { (*Pool)(nil).Gemm(false, false, 3, 2, 2, 1, a, 2, b, 2, 0, c, 2) }},
		{"small lda", func() { (*Pool)(nil).Gemm(false, false, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2) }},
		{"negative", func() { (*Pool)(nil).Gemm(false, false, -1, 2, 3, 1, a, 3, b, 2, 0, c, 2) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

func TestGemmZeroAlphaOrK(t *testing.T) {
	c := []float32{1, 2, 3, 4}
	nan := float32(math.NaN())
	(*Pool)(nil).Gemm(false, false, 2, 2, 1, 0, []float32{nan, nan}, 1, []float32{nan, nan}, 2, 2, c, 2)
	if !slices.Equal(c, []float32{2, 4, 6, 8}) {
		t.Errorf("alpha = 0: C = %v, want 2·C", c)
	}
	(*Pool)(nil).Gemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 0, c, 2)
	if !slices.Equal(c, []float32{0, 0, 0, 0}) {
		t.Errorf("k = 0, beta = 0: C = %v, want 0", c)
	}
}
