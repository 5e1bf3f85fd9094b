package kernel

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(X) is X or Xᵀ as tA and tB say; op(A) is m×k, op(B) is k×n and C is
// m×n, with leading dimensions (row strides) lda, ldb and ldc. As in BLAS,
// beta = 0 sets C without reading it, and alpha = 0 or k = 0 only scales
// C. A nil pool computes on the calling goroutine.
//
// Every element of C is one serial sum over k in a fixed order that does
// not depend on the pool's size, so the result is bit-for-bit the same
// for any number of workers. It panics, like a BLAS routine, when a
// dimension is negative, a leading dimension is too small or a slice too
// short for its matrix.
func (p *Pool) Gemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if trivialGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	if haveAVX2FMA {
		p.gemmBlocked(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	var job *portableGemmJob[float32]
	if p != nil {
		job = &p.gemm.portable
	}
	gemmPortable(p, job, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// trivialGemm validates the arguments of a product (Gemm or Dgemm) and
// carries out the products that need no kernel: an empty C, and alpha = 0
// or k = 0, which only scale C. It reports whether it did.
func trivialGemm[T float32 | float64](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) bool {
	checkGemm(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return true
	}
	if alpha == 0 || k == 0 {
		scaleRows(m, n, beta, c, ldc)
		return true
	}
	return false
}

// checkGemm validates the arguments of Gemm; the assembly kernels rely on
// it, since they index the slices without bounds checks.
func checkGemm[T float32 | float64](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernel: gemm: negative dimension %d×%d×%d", m, n, k))
	}
	check := checkOperand[T]
	if tA {
		check("A", k, m, a, lda)
	} else {
		check("A", m, k, a, lda)
	}
	if tB {
		check("B", n, k, b, ldb)
	} else {
		check("B", k, n, b, ldb)
	}
	check("C", m, n, c, ldc)
}

// checkOperand validates one rows×cols operand x of a product, with
// leading dimension ld.
func checkOperand[T float32 | float64](name string, rows, cols int, x []T, ld int) {
	if ld < max(cols, 1) {
		panic(fmt.Sprintf("kernel: gemm: leading dimension of %s is %d, less than its %d columns", name, ld, cols))
	}
	if rows > 0 && cols > 0 && len(x) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("kernel: gemm: %s has %d values, %d×%d with stride %d needs %d", name, len(x), rows, cols, ld, (rows-1)*ld+cols))
	}
}

// scaleRows sets C = beta·C, or C = 0 when beta is 0.
func scaleRows[T float32 | float64](m, n int, beta T, c []T, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// Accelerated reports whether the AVX2/FMA assembly kernels are in use.
// The portable kernels sum in another order, so trained models and other
// long computations agree with the assembly's only to rounding.
func Accelerated() bool { return haveAVX2FMA }
