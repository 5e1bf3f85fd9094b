package kernel

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// tile is the side of the square blocks of C that form one task of the
// portable product. Each element of C is computed entirely within one
// tile, by one serial call, so the split never changes a result.
const tile = 64

// gemmPortable is the product without assembly: gonum's pure-Go Sgemm on
// fixed 64×64 tiles of C, one tile per task.
func (p *Pool) gemmPortable(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	var job *portableGemmJob
	if p != nil {
		job = &p.gemm.portable
	} else {
		job = new(portableGemmJob)
	}
	*job = portableGemmJob{tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, (n + tile - 1) / tile}
	p.runSized(job, ((m+tile-1)/tile)*job.colTiles, m*n*k)
	job.a, job.b, job.c = nil, nil, nil
}

type portableGemmJob struct {
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

func (g *portableGemmJob) Do(task int) {
	i0 := (task / g.colTiles) * tile
	j0 := (task % g.colTiles) * tile
	mt := min(tile, g.m-i0)
	nt := min(tile, g.n-j0)
	var a, b []float32
	tA, tB := blas.NoTrans, blas.NoTrans
	if g.tA {
		a, tA = g.a[i0:], blas.Trans
	} else {
		a = g.a[i0*g.lda:]
	}
	if g.tB {
		b, tB = g.b[j0*g.ldb:], blas.Trans
	} else {
		b = g.b[j0:]
	}
	// A tile never exceeds gonum's block size, so gonum takes its serial
	// path: no goroutines, no allocation, a fixed order of summation.
	gonum.Implementation{}.Sgemm(tA, tB, mt, nt, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, g.c[i0*g.ldc+j0:], g.ldc)
}
