package kernel

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// refDgemm computes alpha·op(A)·op(B) + beta·C exactly (in math/big, where
// products and sums of float64 values lose nothing at this precision), and
// the bound on the rounding error of any float64 evaluation: (k+2)·u·
// (|alpha|·Σ|a||b| + |beta|·|c|) with u = 2⁻⁵³ (Higham, §3.1), plus the
// rounding of the result itself.
func refDgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) (want, bound []float64) {
	const u = 1.0 / (1 << 53)
	want, bound = make([]float64, m*n), make([]float64, m*n)
	exact := func() *big.Float { return new(big.Float).SetPrec(4096) }
	for i := range m {
		for j := range n {
			s, prod := exact(), exact()
			var abs float64
			for l := range k {
				var x, y float64
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
				s.Add(s, prod.Mul(big.NewFloat(x), big.NewFloat(y)))
				abs += math.Abs(x * y)
			}
			s.Mul(s, big.NewFloat(alpha))
			e := math.Abs(alpha) * abs
			if beta != 0 {
				s.Add(s, prod.Mul(big.NewFloat(beta), big.NewFloat(c[i*ldc+j])))
				e += math.Abs(beta * c[i*ldc+j])
			}
			w, _ := s.Float64()
			want[i*n+j] = w
			bound[i*n+j] = float64(k+2)*u*e + u*math.Abs(w)
		}
	}
	return want, bound
}

func randSlice64(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func TestDgemmAgainstExactSums(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		sizes := []int{1, 2, 5, 6, 7, 8, 9, 13, 16, 17, 31}
		pools := []*Pool{nil, NewPool(1), NewPool(3)}
		defer pools[2].Close()
		for trial := range 200 {
			m, n, k := sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))]
			if trial%25 == 0 {
				k = kcMax + 1 + rng.IntN(2*kcMax) // several k blocks
			}
			tA, tB := trial%2 == 1, trial/2%2 == 1
			alpha := []float64{1, -1, 0.5, 2.5}[rng.IntN(4)]
			beta := []float64{0, 1, -0.7}[rng.IntN(3)]
			ar, ac := m, k
			if tA {
				ar, ac = k, m
			}
			br, bc := k, n
			if tB {
				br, bc = n, k
			}
			lda, ldb, ldc := ac+rng.IntN(4), bc+rng.IntN(4), n+rng.IntN(4)
			a, b := randSlice64(rng, (ar-1)*lda+ac), randSlice64(rng, (br-1)*ldb+bc)
			c := randSlice64(rng, (m-1)*ldc+n)
			if beta == 0 {
				for i := range c {
					c[i] = math.NaN() // must not be read
				}
			}
			want, bound := refDgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			got := slices.Clone(c)
			pools[trial%3].Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
			name := fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d lda=%d ldb=%d ldc=%d alpha=%v beta=%v", tA, tB, m, n, k, lda, ldb, ldc, alpha, beta)
			for i := range m {
				for j := range ldc {
					idx := i*ldc + j
					if idx >= len(c) {
						break
					}
					if j >= n {
						if math.Float64bits(got[idx]) != math.Float64bits(c[idx]) {
							t.Fatalf("%s: C[%d][%d] beyond the width changed", name, i, j)
						}
						continue
					}
					if d := math.Abs(got[idx] - want[i*n+j]); !(d <= bound[i*n+j]) {
						t.Fatalf("%s: C[%d][%d] = %v, want %v ± %.3g", name, i, j, got[idx], want[i*n+j], bound[i*n+j])
					}
				}
			}
		}
	})
}

// dgemmCalls returns the products of rbmShapes (and a tiny one) in float64
// on p, each writing C = op(A)·op(B) - C into a fresh copy of one C0,
// and that copy.
func dgemmCalls(rng *rand.Rand, p *Pool) (calls []func(), outs [][]float64) {
	for _, s := range rbmShapes {
		lda, ldb := s.k, s.n
		if s.tA {
			lda = s.m
		}
		if s.tB {
			ldb = s.k
		}
		a, b, c := randSlice64(rng, s.m*s.k), randSlice64(rng, s.k*s.n), randSlice64(rng, s.m*s.n)
		out := slices.Clone(c)
		calls = append(calls, func() {
			copy(out, c)
			p.Dgemm(s.tA, s.tB, s.m, s.n, s.k, 0.5, a, lda, b, ldb, -1, out, s.n)
		})
		outs = append(outs, out)
	}
	return calls, outs
}

func TestDgemmSameForAnyWorkerCount(t *testing.T) {
	implementations(t, func(t *testing.T) {
		var first [][]float64
		for _, w := range []int{1, 2, 3} {
			p := NewPool(w)
			calls, outs := dgemmCalls(rand.New(rand.NewPCG(13, 14)), p)
			for _, call := range calls {
				call()
			}
			p.Close()
			if first == nil {
				first = outs
				continue
			}
			for s, out := range outs {
				for i := range out {
					if math.Float64bits(out[i]) != math.Float64bits(first[s][i]) {
						t.Fatalf("%s: %d workers give C[%d] = %v, 1 worker %v", rbmShapes[s].name, w, i, out[i], first[s][i])
					}
				}
			}
		}
	})
}

func TestDgemmAllocatesNothing(t *testing.T) {
	implementations(t, func(t *testing.T) {
		p := NewPool(2)
		defer p.Close()
		// The shapes alternate, as in a training step, so that one
		// product's scratch space must survive the next.
		calls, _ := dgemmCalls(rand.New(rand.NewPCG(15, 16)), p)
		if n := testing.AllocsPerRun(5, func() {
			for _, call := range calls {
				call()
			}
		}); n != 0 {
			t.Errorf("%v allocations per round of %d products", n, len(calls))
		}
	})
}

func TestDgemmPanicsOnBadArgumentsAndScalesOnly(t *testing.T) {
	a, b, c := make([]float64, 6), make([]float64, 6), make([]float64, 4)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"short A", func() { (*Pool)(nil).Dgemm(false, false, 2, 2, 4, 1, a, 4, b, 2, 0, c, 2) }},
		{"short C", func() { (*Pool)(nil).Dgemm(false, false, 3, 2, 2, 1, a, 2, b, 2, 0, c, 2) }},
		{"small ldb", func() { (*Pool)(nil).Dgemm(false, false, 2, 2, 3, 1, a, 3, b, 1, 0, c, 2) }},
		{"negative", func() { (*Pool)(nil).Dgemm(false, false, -1, 2, 3, 1, a, 3, b, 2, 0, c, 2) }},
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
	c = []float64{1, 2, 3, 4}
	nan := math.NaN()
	(*Pool)(nil).Dgemm(false, false, 2, 2, 1, 0, []float64{nan, nan}, 1, []float64{nan, nan}, 2, 2, c, 2)
	if !slices.Equal(c, []float64{2, 4, 6, 8}) {
		t.Errorf("alpha = 0: C = %v, want 2·C", c)
	}
}

// TestDgemmPackedSameAsDgemm checks that products from an operand packed
// once give Dgemm's bits: several products of different left factors
// from one packing, with either layout of B, edge panels and several k
// blocks, on any pool.
func TestDgemmPackedSameAsDgemm(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(17, 18))
		sizes := []int{1, 2, 5, 6, 7, 8, 9, 13, 16, 17, 31, 64}
		pools := []*Pool{nil, NewPool(1), NewPool(3)}
		defer pools[2].Close()
		var packed DPacked
		for trial := range 120 {
			n, k := sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))]
			if trial%10 == 0 {
				k = kcMax + 1 + rng.IntN(2*kcMax) // several k blocks
			}
			tB := trial%2 == 1
			br, bc := k, n
			if tB {
				br, bc = n, k
			}
			ldb := bc + rng.IntN(4)
			b := randSlice64(rng, (br-1)*ldb+bc)
			p := pools[trial%3]
			p.PackDgemmB(&packed, tB, k, n, b, ldb)
			for prod := range 3 {
				m := sizes[rng.IntN(len(sizes))]
				tA := (trial/2+prod)%2 == 1
				ar, ac := m, k
				if tA {
					ar, ac = k, m
				}
				lda, ldc := ac+rng.IntN(4), n+rng.IntN(4)
				a, c := randSlice64(rng, (ar-1)*lda+ac), randSlice64(rng, (m-1)*ldc+n)
				alpha := []float64{1, -1, 0.5}[rng.IntN(3)]
				beta := []float64{0, 1, -0.7}[rng.IntN(3)]
				want, got := slices.Clone(c), slices.Clone(c)
				p.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
				p.DgemmPacked(tA, m, alpha, a, lda, &packed, beta, got, ldc)
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("tA=%v tB=%v m=%d n=%d k=%d: packed C[%d] = %v, Dgemm %v", tA, tB, m, n, k, i, got[i], want[i])
					}
				}
			}
		}
	})
}

func TestDgemmPackedAllocatesNothing(t *testing.T) {
	implementations(t, func(t *testing.T) {
		p := NewPool(2)
		defer p.Close()
		rng := rand.New(rand.NewPCG(19, 20))
		w, x, y := randSlice64(rng, 784*64), randSlice64(rng, 100*784), make([]float64, 100*784)
		h := make([]float64, 100*64)
		var pw, pwt DPacked
		round := func() {
			p.PackDgemmB(&pw, false, 784, 64, w, 64)
			p.PackDgemmB(&pwt, true, 64, 784, w, 64)
			p.DgemmPacked(false, 100, 1, x, 784, &pw, 0, h, 64)
			p.DgemmPacked(false, 100, 1, h, 64, &pwt, 0, y, 784)
		}
		round()
		if n := testing.AllocsPerRun(5, round); n != 0 {
			t.Errorf("%v allocations per round", n)
		}
	})
}
