package kernel

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

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
		p.dgemmBlocked(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
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
	// packed is all of op(B) packed beforehand (DPacked.panels), or nil:
	// each task then packs the blocks it needs into packB.
	packed []float64
}

// dgemmBlocked computes the product on the blocked kernel, from op(B)
// packed beforehand when packed is not nil.
func (p *Pool) dgemmBlocked(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, packed []float64) {
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
		packA:  grow(packA, grid.rowPanels*dmr*k),
		packB:  packB,
		packed: packed,
	}
	for len(g.packB) < p.Workers() {
		g.packB = append(g.packB, make([]float64, kcMax*dnr))
	}
	g.packing = true
	p.runSized(g, (g.rowPanels+g.packGroup-1)/g.packGroup, m*k)
	g.packing = false
	p.runSized(g, g.tasks(), m*n*k)
	// Keep the scratch space, drop the caller's matrices.
	g.a, g.b, g.c, g.packed = nil, nil, nil, nil
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
			bp := buf
			if g.packed != nil {
				// The same values at the same places, packed once.
				bp = g.packed[(q*g.k+kb)*dnr:]
			} else {
				packColBlock64(buf, g.tB, g.b, g.ldb, q, g.n, kb, kl)
			}
			for i := p0; i < p1; i++ {
				g.tile(i, q, kb, kl, bp, beta)
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
	switch {
	case g.tA && rows == dmr:
		// Column i0+r of A is at a[kk·lda+i0+r]: dmr contiguous values a
		// step, assigned one by one rather than by a call of memmove.
		for kk := range k {
			d, r := dst[kk*dmr:][:dmr], a[kk*lda+i0:][:dmr]
			d[0], d[1], d[2], d[3], d[4], d[5] = r[0], r[1], r[2], r[3], r[4], r[5]
		}
	case g.tA:
		for kk := range k {
			copy(dst[kk*dmr:kk*dmr+rows], a[kk*lda+i0:kk*lda+i0+rows])
		}
	case rows == dmr:
		// Six rows read side by side, one packed step written at a time.
		r := a[i0*lda:]
		r0, r1, r2 := r[:k], r[lda:][:k], r[2*lda:][:k]
		r3, r4, r5 := r[3*lda:][:k], r[4*lda:][:k], r[5*lda:][:k]
		for kk := range k {
			d := dst[kk*dmr:][:dmr]
			d[0], d[1], d[2], d[3], d[4], d[5] = r0[kk], r1[kk], r2[kk], r3[kk], r4[kk], r5[kk]
		}
	default:
		for r := range rows {
			for kk, v := range a[(i0+r)*lda : (i0+r)*lda+k] {
				dst[kk*dmr+r] = v
			}
		}
	}
}

// packColBlock64 copies k block [kb, kb+kl) of column panel q of op(B)
// (k×n, B read as Bᵀ when tB is set) into dst as kl rows of dnr values,
// zero-padding the missing columns of the last panel. The blocked product
// packs one block at a time; PackDgemmB packs whole panels (kb 0, kl k),
// which lays out each block exactly as here.
func packColBlock64(dst []float64, tB bool, b []float64, ldb, q, n, kb, kl int) {
	j0 := q * dnr
	cols := min(dnr, n-j0)
	dst = dst[:kl*dnr]
	switch {
	case tB && cols == dnr:
		// Column j0+jj of op(B) is row j0+jj of B: eight rows read side
		// by side, one packed row of dnr values written at a time.
		r := b[j0*ldb+kb:]
		r0, r1, r2, r3 := r[:kl], r[ldb:][:kl], r[2*ldb:][:kl], r[3*ldb:][:kl]
		r4, r5, r6, r7 := r[4*ldb:][:kl], r[5*ldb:][:kl], r[6*ldb:][:kl], r[7*ldb:][:kl]
		for kk := range kl {
			d := dst[kk*dnr:][:dnr]
			d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = r0[kk], r1[kk], r2[kk], r3[kk], r4[kk], r5[kk], r6[kk], r7[kk]
		}
	case tB:
		clear(dst)
		for jj := range cols {
			for kk, v := range b[(j0+jj)*ldb+kb : (j0+jj)*ldb+kb+kl] {
				dst[kk*dnr+jj] = v
			}
		}
	case cols == dnr:
		// Eight assignments, not a call of memmove for each 64 bytes
		// (which copy and array copies of this size compile to).
		for kk := range kl {
			d, r := dst[kk*dnr:][:dnr], b[(kb+kk)*ldb+j0:][:dnr]
			d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
		}
	default:
		clear(dst)
		for kk := range kl {
			copy(dst[kk*dnr:kk*dnr+cols], b[(kb+kk)*ldb+j0:(kb+kk)*ldb+j0+cols])
		}
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

// DPacked is the right operand op(B) of float64 products packed once for
// several products that share it (PackDgemmB, DgemmPacked): the products
// of a training step all take the weights, and the blocked product
// otherwise packs each block of op(B) again in every task that reads it,
// in every product. Packing only moves values, and DgemmPacked runs the
// kernel on the same values in the same order as Dgemm, so its results
// are Dgemm's, bit for bit. A DPacked is reused from pack to pack, so
// that packing allocates nothing once its buffer has grown.
type DPacked struct {
	tB     bool
	k, n   int
	b      []float64 // B itself, which the portable product reads
	ldb    int
	panels []float64 // op(B) as ⌈n/dnr⌉ panels of k×dnr values
	group  int       // panels packed by one task
}

// PackDgemmB packs op(B) (k×n; B is read as Bᵀ when tB is set, with
// leading dimension ldb) into dst, in parallel on p, for DgemmPacked. B
// must not change while dst is in use, since the portable product reads
// it in place; pack it again when it has. It panics, as Dgemm does, when
// ldb is too small or b too short.
func (p *Pool) PackDgemmB(dst *DPacked, tB bool, k, n int, b []float64, ldb int) {
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	if k < 0 || n < 0 {
		panic(fmt.Sprintf("kernel: gemm: negative dimension %d×%d", k, n))
	}
	checkOperand("B", br, bc, b, ldb)
	panels := (n + dnr - 1) / dnr
	*dst = DPacked{tB: tB, k: k, n: n, b: b, ldb: ldb, panels: dst.panels,
		group: max(1, packValues/(dnr*max(k, 1)))}
	if !haveAVX2FMA || k == 0 || n == 0 {
		return
	}
	dst.panels = grow(dst.panels, panels*k*dnr)
	p.runSized(dst, (panels+dst.group-1)/dst.group, k*n)
}

// Do packs the task'th group of column panels.
func (d *DPacked) Do(task int) {
	panels := (d.n + dnr - 1) / dnr
	for q := task * d.group; q < min((task+1)*d.group, panels); q++ {
		packColBlock64(d.panels[q*d.k*dnr:], d.tB, d.b, d.ldb, q, d.n, 0, d.k)
	}
}

// DgemmPacked is Dgemm with op(B) packed by PackDgemmB: C = alpha·op(A)·
// op(B) + beta·C, op(A) m×k, with n and k those of the packed operand. It
// gives Dgemm's results bit for bit.
func (p *Pool) DgemmPacked(tA bool, m int, alpha float64, a []float64, lda int, b *DPacked, beta float64, c []float64, ldc int) {
	n, k := b.n, b.k
	if trivialGemm(tA, b.tB, m, n, k, alpha, a, lda, b.b, b.ldb, beta, c, ldc) {
		return
	}
	if !haveAVX2FMA {
		p.Dgemm(tA, b.tB, m, n, k, alpha, a, lda, b.b, b.ldb, beta, c, ldc)
		return
	}
	p.dgemmBlocked(tA, b.tB, m, n, k, alpha, a, lda, b.b, b.ldb, beta, c, ldc, b.panels)
}

// PackDense packs op(b) into dst, as PackDgemmB does, for MulDensePacked.
func (p *Pool) PackDense(dst *DPacked, b *mat.Dense, tB bool) {
	rb := b.RawMatrix()
	k, n := rb.Rows, rb.Cols
	if tB {
		k, n = n, k
	}
	p.PackDgemmB(dst, tB, k, n, rb.Data, rb.Stride)
}

// MulDensePacked is MulDense with op(b) packed by PackDense: it sets
// c = op(a)·op(b), bit for bit as MulDense does.
func (p *Pool) MulDensePacked(c, a *mat.Dense, tA bool, b *DPacked) {
	ra, rc := a.RawMatrix(), c.RawMatrix()
	m, k := ra.Rows, ra.Cols
	if tA {
		m, k = k, m
	}
	if k != b.k || rc.Rows != m || rc.Cols != b.n {
		panic(mat.ErrShape)
	}
	p.DgemmPacked(tA, m, 1, ra.Data, ra.Stride, b, 0, rc.Data, rc.Stride)
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
