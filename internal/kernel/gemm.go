package kernel

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// tile is the side of the square blocks of C that form one task. Each
// element of C is computed entirely within one tile, by one serial call,
// so the split never changes a result.
const tile = 64

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(X) is X or Xᵀ as tA and tB say; op(A) is m×k, op(B) is k×n and C is
// m×n, with leading dimensions (row strides) lda, ldb and ldc. A nil pool
// computes on the calling goroutine.
func (p *Pool) Gemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	var job *gemmJob
	if p != nil {
		job = &p.gemm
	} else {
		job = new(gemmJob)
	}
	*job = gemmJob{tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, (n + tile - 1) / tile}
	p.Run(job, ((m+tile-1)/tile)*job.colTiles)
	job.a, job.b, job.c = nil, nil, nil
}

type gemmJob struct {
	tA, tB   bool
	m, n, k  int
	alpha    float32
	a        []float32
	lda      int
	b        []float32
	ldb      int
	beta     float32
	c        []float32
	ldc      int
	colTiles int
}

func (g *gemmJob) Do(task int) {
	i0 := (task / g.colTiles) * tile
	j0 := (task % g.colTiles) * tile
	mt := min(tile, g.m-i0)
	nt := min(tile, g.n-j0)
	a, tA := g.a[i0*g.lda:], blas.NoTrans
	if g.tA {
		a, tA = g.a[i0:], blas.Trans
	}
	b, tB := g.b[j0:], blas.NoTrans
	if g.tB {
		b, tB = g.b[j0*g.ldb:], blas.Trans
	}
	// A tile never exceeds gonum's block size, so gonum takes its serial
	// path: no goroutines, no allocation, a fixed order of summation.
	gonum.Implementation{}.Sgemm(tA, tB, mt, nt, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, g.c[i0*g.ldc+j0:], g.ldc)
}
