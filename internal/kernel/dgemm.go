package kernel

import "gonum.org/v1/gonum/mat"

// Dgemm is Gemm in float64: C = alpha·op(A)·op(B) + beta·C for row-major
// matrices, with the same arguments, the same checks and the same
// guarantee that every element of C is one serial sum over k in a fixed
// order, so that the result does not depend on the pool's size. The models
// whose layers are not binary keep their weights in float64 and take
// their products here.
func (p *Pool) Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if trivialGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	if haveAVX2FMA {
		p.dgemmBlocked(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	var job *portableGemmJob[float64]
	if p != nil {
		job = &p.gemm.portable64
	}
	gemmPortable(p, job, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// The float64 product drives dgemmKernel, which computes one dmr×dnr tile
// of C from packed panels, in the manner of the float32 product
// (gemm_blocked.go) but simpler, since its operands are smaller and its
// packing is a smaller share of the work: a first pass packs all of
// op(A) into row panels of dmr values per step of k, in parallel; each
// task then takes a block of row panels and a group of column panels and,
// one k block at a time, packs the block of each column panel into its
// worker's scratch and runs it against every row panel of the block.
// The k blocks are those of the float32 product (kBlock), so each element
// of C is the same chain of FMAs whichever task computes it.
const (
	dmr = 6 // rows of a float64 micro-tile
	dnr = 8 // columns of a float64 micro-tile
	// dBlockA is the most values of packed op(A) one task sweeps for
	// each column panel: 384 KiB, as for the float32 product.
	dBlockA = 48 << 10
)

type blockedDgemmJob struct {
	tA, tB      bool
	alpha, beta float64
	m, n, k     int
	a           []float64
	lda         int
	b           []float64
	ldb         int
	c           []float64
	ldc         int

	taskGrid
	packing bool // the first pass

	packA []float64   // op(A) as rowPanels panels of k×dmr values
	packB [][]float64 // per worker: one kc×dnr block of a column panel
}

func (p *Pool) dgemmBlocked(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	var g *blockedDgemmJob
	if p != nil {
		g = &p.gemm.blocked64
	} else {
		g = new(blockedDgemmJob)
	}
	packA, packB := g.packA, g.packB
	grid := newTaskGrid(m, n, k, dmr, dnr, dBlockA)
	*g = blockedDgemmJob{
		tA: tA, tB: tB, alpha: alpha, beta: beta,
		m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
		taskGrid: grid,
		// The scratch space outlives the call.
		packA: grow(packA, grid.rowPanels*dmr*k),
		packB: packB,
	}
	for len(g.packB) < p.Workers() {
		g.packB = append(g.packB, make([]float64, kcMax*dnr))
	}
	g.packing = true
	p.runSized(g, (g.rowPanels+g.packGroup-1)/g.packGroup, m*k)
	g.packing = false
	p.runSized(g, g.tasks(), m*n*k)
	// Keep the scratch space, drop the caller's matrices.
	g.a, g.b, g.c = nil, nil, nil
}

func (g *blockedDgemmJob) Do(task int) { g.doOn(0, task) }

func (g *blockedDgemmJob) doOn(worker, task int) {
	if g.packing {
		lo := task * g.packGroup
		for i := lo; i < min(lo+g.packGroup, g.rowPanels); i++ {
			g.packRowPanel(i)
		}
		return
	}
	rb, cg := task/g.colGroups, task%g.colGroups
	p0, q0 := rb*g.rowBlock, cg*g.colGroup
	p1, q1 := min(p0+g.rowBlock, g.rowPanels), min(q0+g.colGroup, g.colPanels)
	buf := g.packB[worker]
	for q := q0; q < q1; q++ {
		for kb := 0; kb < g.k; kb += g.kc {
			kl := min(g.kc, g.k-kb)
			beta := g.beta
			if kb > 0 {
				beta = 1 // later blocks add to the earlier ones
			}
			g.packColBlock(buf, q, kb, kl)
			for i := p0; i < p1; i++ {
				g.tile(i, q, kb, kl, buf, beta)
			}
		}
	}
}

// packRowPanel copies row panel i of op(A) into packA as k steps of dmr
// values, zero-padding the missing rows of the last panel.
func (g *blockedDgemmJob) packRowPanel(i int) {
	i0 := i * dmr
	rows := min(dmr, g.m-i0)
	k, lda, a := g.k, g.lda, g.a
	dst := g.packA[i*k*dmr:][:k*dmr]
	if rows < dmr {
		clear(dst)
	}
	if g.tA {
		// Column i0+r of A is at a[kk·lda+i0+r]: rows contiguous values a step.
		for kk := range k {
			copy(dst[kk*dmr:kk*dmr+rows], a[kk*lda+i0:kk*lda+i0+rows])
		}
		return
	}
	for r := range rows {
		for kk, v := range a[(i0+r)*lda : (i0+r)*lda+k] {
			dst[kk*dmr+r] = v
		}
	}
}

// packColBlock copies k block [kb, kb+kl) of column panel q of op(B) into
// dst as kl rows of dnr values, zero-padding the missing columns of the
// last panel.
func (g *blockedDgemmJob) packColBlock(dst []float64, q, kb, kl int) {
	j0 := q * dnr
	cols := min(dnr, g.n-j0)
	b, ldb := g.b, g.ldb
	dst = dst[:kl*dnr]
	if cols < dnr {
		clear(dst)
	}
	if g.tB {
		// Column j0+jj of op(B) is row j0+jj of B.
		for jj := range cols {
			for kk, v := range b[(j0+jj)*ldb+kb : (j0+jj)*ldb+kb+kl] {
				dst[kk*dnr+jj] = v
			}
		}
		return
	}
	for kk := range kl {
		copy(dst[kk*dnr:kk*dnr+cols], b[(kb+kk)*ldb+j0:(kb+kk)*ldb+j0+cols])
	}
}

// tile computes k block kb (of length kl) of the tile at row panel i and
// column panel q, with the block of op(B) packed in bp.
func (g *blockedDgemmJob) tile(i, q, kb, kl int, bp []float64, beta float64) {
	i0, j0 := i*dmr, q*dnr
	rows, cols := min(dmr, g.m-i0), min(dnr, g.n-j0)
	ap := &g.packA[(i*g.k+kb)*dmr]
	if rows == dmr && cols == dnr {
		dgemmKernel(kl, ap, &bp[0], &g.c[i0*g.ldc+j0], g.ldc, g.alpha, beta)
		return
	}
	var t [dmr * dnr]float64
	if beta != 0 {
		for r := range rows {
			copy(t[r*dnr:r*dnr+cols], g.c[(i0+r)*g.ldc+j0:])
		}
	}
	dgemmKernel(kl, ap, &bp[0], &t[0], dnr, g.alpha, beta)
	for r := range rows {
		copy(g.c[(i0+r)*g.ldc+j0:(i0+r)*g.ldc+j0+cols], t[r*dnr:r*dnr+cols])
	}
}

// MulDense sets c = op(a)·op(b), where op(x) is xᵀ when its flag is set,
// through Dgemm on p: the float64 product of the models whose layers are
// not binary, on gonum's matrices (views included). c must already have
// the product's shape and must not share storage with a or b; it panics
// with mat.ErrShape otherwise, as mat.Dense.Mul does.
func (p *Pool) MulDense(c, a *mat.Dense, tA bool, b *mat.Dense, tB bool) {
	ra, rb, rc := a.RawMatrix(), b.RawMatrix(), c.RawMatrix()
	m, k := ra.Rows, ra.Cols
	if tA {
		m, k = k, m
	}
	kb, n := rb.Rows, rb.Cols
	if tB {
		kb, n = n, kb
	}
	if kb != k || rc.Rows != m || rc.Cols != n {
		panic(mat.ErrShape)
	}
	p.Dgemm(tA, tB, m, n, k, 1, ra.Data, ra.Stride, rb.Data, rb.Stride, 0, rc.Data, rc.Stride)
}
