package kernel

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// tile is the side of the square blocks of C that form one task of the
// portable product. Each element of C is computed entirely within one
// tile, by one serial call, so the split never changes a result.
const tile = 64

// gemmPortable is the product without assembly: gonum's pure-Go Sgemm or
// Dgemm on fixed 64×64 tiles of C, one tile per task; job is the pool's
// long-lived job of the element type, or nil.
func gemmPortable[T float32 | float64](p *Pool, job *portableGemmJob[T], tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if job == nil {
		job = new(portableGemmJob[T])
	}
	*job = portableGemmJob[T]{tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, (n + tile - 1) / tile}
	p.runSized(job, ((m+tile-1)/tile)*job.colTiles, m*n*k)
	job.a, job.b, job.c = nil, nil, nil
}

type portableGemmJob[T float32 | float64] struct {
	tA, tB   bool
	m, n, k  int
	alpha    T
	a        []T
	lda      int
	b        []T
	ldb      int
	beta     T
	c        []T
	ldc      int
	colTiles int
}

func (g *portableGemmJob[T]) Do(task int) {
	i0 := (task / g.colTiles) * tile
	j0 := (task % g.colTiles) * tile
	mt := min(tile, g.m-i0)
	nt := min(tile, g.n-j0)
	aOff, bOff := i0*g.lda, j0
	tA, tB := blas.NoTrans, blas.NoTrans
	if g.tA {
		aOff, tA = i0, blas.Trans
	}
	if g.tB {
		bOff, tB = j0*g.ldb, blas.Trans
	}
	cOff := i0*g.ldc + j0
	// A tile never exceeds gonum's block size, so gonum takes its serial
	// path: no goroutines, no allocation, a fixed order of summation. The
	// switch is on the job's pointer, which converts to an interface
	// without allocating.
	switch g := any(g).(type) {
	case *portableGemmJob[float32]:
		gonum.Implementation{}.Sgemm(tA, tB, mt, nt, g.k, g.alpha, g.a[aOff:], g.lda, g.b[bOff:], g.ldb, g.beta, g.c[cOff:], g.ldc)
	case *portableGemmJob[float64]:
		gonum.Implementation{}.Dgemm(tA, tB, mt, nt, g.k, g.alpha, g.a[aOff:], g.lda, g.b[bOff:], g.ldb, g.beta, g.c[cOff:], g.ldc)
	}
}
