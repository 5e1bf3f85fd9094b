package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sparseSlice returns n values of which about density are nonzero: ones
// (binary data) or, when binary is false, values of either sign; some of
// the zeros are negative zeros.
func sparseSlice(rng *rand.Rand, n int, density float64, binary bool) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch {
		case rng.Float64() >= density:
			if rng.IntN(4) == 0 {
				x[i] = float32(math.Copysign(0, -1))
			}
		case binary:
			x[i] = 1
		default:
			x[i] = float32(rng.NormFloat64())
		}
	}
	return x
}

// TestGemmSparseAMatchesGemm checks that skipping the zeros of A gives
// Gemm's bits exactly, over shapes with partial strips and several k
// blocks, both layouts of A, padded leading dimensions and the pool sizes
// that split the work differently, on both sides of the density at which
// GemmSparseA hands the product to Gemm.
func TestGemmSparseAMatchesGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pools := []*Pool{nil, NewPool(1), NewPool(3)}
	defer pools[2].Close()
	sizes := []int{1, 3, 7, 8, 9, 17, 64, 95, 96, 97, 100, 200, 500}
	for trial := range 200 {
		m, n, k := sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))]
		if trial%10 == 0 {
			k = kcMax + 1 + rng.IntN(3*kcMax) // several k blocks
		}
		tA := trial%2 == 1
		density := []float64{0, 0.02, 0.2, 0.5, 1}[rng.IntN(5)]
		binary := trial%3 != 0
		pad := rng.IntN(3)
		rowsA, colsA := m, k
		if tA {
			rowsA, colsA = k, m
		}
		lda, ldb, ldc := colsA+pad, n+pad, n+pad
		a := sparseSlice(rng, (rowsA-1)*lda+colsA, density, binary)
		b := randSlice(rng, (k-1)*ldb+n)
		want := randSlice(rng, (m-1)*ldc+n)
		got := append([]float32(nil), want...) // the padding must survive
		pools[1].Gemm(tA, false, m, n, k, 1, a, lda, b, ldb, 0, want, ldc)
		for _, sparse := range []bool{false, true} {
			name := fmt.Sprintf("trial %d: %d×%d×%d tA=%v density %.2f binary=%v sparse=%v", trial, m, n, k, tA, density, binary, sparse)
			forceSparse(t, sparse, func() {
				p := pools[trial%3]
				p.GemmSparseA(tA, m, n, k, a, lda, b, ldb, got, ldc)
			})
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s: element %d (row %d, column %d) = %v, Gemm gives %v", name, i, i/ldc, i%ldc, got[i], want[i])
				}
			}
		}
	}
}

// forceSparse runs f with GemmSparseA taking the sparse path for any
// density (sparse) or never.
func forceSparse(t testing.TB, sparse bool, f func()) {
	saved := sparseMaxDensity
	defer func() { sparseMaxDensity = saved }()
	sparseMaxDensity = -1
	if sparse {
		sparseMaxDensity = 2
	}
	f()
}

// TestGemmSparseAChunks covers an op(A) with more rows than one gathering
// of nonzeros holds.
func TestGemmSparseAChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	k, n := 300, 20
	m := sparseScratch/k + 37
	for _, tA := range []bool{false, true} {
		a := sparseSlice(rng, m*k, 0.1, true)
		lda := k
		if tA {
			lda = m
		}
		b := randSlice(rng, k*n)
		want, got := make([]float32, m*n), make([]float32, m*n)
		p := NewPool(2)
		p.Gemm(tA, false, m, n, k, 1, a, lda, b, n, 0, want, n)
		forceSparse(t, true, func() { p.GemmSparseA(tA, m, n, k, a, lda, b, n, got, n) })
		p.Close()
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("tA=%v: element %d = %v, Gemm gives %v", tA, i, got[i], want[i])
			}
		}
	}
}

func TestNonzeros(t *testing.T) {
	implementations(t, testNonzeros)
}

func testNonzeros(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 7, 8, 9, 31, 64, 100} {
		src := sparseSlice(rng, n, 0.3, false)
		if n > 2 {
			src[n-1] = float32(math.NaN())
		}
		idx, vals := make([]int32, n), make([]float32, n)
		count := nonzeros(idx, vals, src, 5)
		var want []int
		for i, x := range src {
			if x != 0 {
				want = append(want, i)
			}
		}
		if count != len(want) {
			t.Fatalf("n=%d: %d nonzeros, want %d", n, count, len(want))
		}
		for c, i := range want {
			if idx[c] != int32(i+5) || math.Float32bits(vals[c]) != math.Float32bits(src[i]) {
				t.Fatalf("n=%d: entry %d = (%d, %v), want (%d, %v)", n, c, idx[c], vals[c], i+5, src[i])
			}
		}
	}
}

func TestGemmSparseAAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	m, n, k := 100, 500, 784
	a, b, c := sparseSlice(rng, m*k, 0.2, true), randSlice(rng, k*n), make([]float32, m*n)
	p := NewPool(2)
	defer p.Close()
	for _, tA := range []bool{false, true} {
		lda := k
		if tA {
			lda = m
		}
		p.GemmSparseA(tA, m, n, k, a, lda, b, n, c, n) // sizes the scratch space
		if allocs := testing.AllocsPerRun(10, func() { p.GemmSparseA(tA, m, n, k, a, lda, b, n, c, n) }); allocs != 0 {
			t.Errorf("tA=%v: %v allocations per call", tA, allocs)
		}
	}
}

func TestTranspose(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		for _, rows := range []int{1, 7, 8, 9, 17, 200} {
			for _, cols := range []int{1, 5, 8, 15, 16, 100} {
				lds, ldd := cols+rng.IntN(3), rows+rng.IntN(3)
				src := randSlice(rng, (rows-1)*lds+cols)
				dst := make([]float32, (cols-1)*ldd+rows)
				transpose(dst, ldd, src, lds, rows, cols)
				for q := range rows {
					for c := range cols {
						if dst[c*ldd+q] != src[q*lds+c] {
							t.Fatalf("%d×%d: dst[%d][%d] = %v, want %v", rows, cols, c, q, dst[c*ldd+q], src[q*lds+c])
						}
					}
				}
			}
		}
	})
}
