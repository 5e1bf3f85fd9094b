package kernel

// The blocked product drives the AVX2/FMA micro-kernel gemmKernelT, which
// computes one mr×nr tile of C from a packed mr-row panel of op(A) (mr
// contiguous values per step of k) and a packed nr-column panel of op(B)
// (nr contiguous values per step), in the manner of BLIS:
//
//   - a first pass packs all of op(A) into row panels, in parallel; op(A)
//     is read once, whatever its layout (rows of A, or columns of A with
//     the stride of a whole row, which would otherwise cost a TLB miss per
//     step of k);
//   - each task then takes a block of row panels and a group of column
//     panels and, one k block at a time, packs the kc×nr block of each
//     column panel into its worker's scratch (16 KiB, which stays in L1)
//     and runs it against every row panel of the block (which stays in
//     L2).
//
// Determinism: the tile grid is anchored at (0, 0) and the k dimension is
// cut into blocks whose length depends on k alone, so every element of C
// is the same chain of FMAs, block after block, whichever task computes it
// and whichever tiles share that task. Edge tiles run the same kernel on
// zero-padded panels, so they too follow the same chain.
const (
	mr    = 6   // rows of a micro-tile
	nr    = 16  // columns of a micro-tile
	kcMax = 256 // longest k block: a 256×16 panel of op(B) is 16 KiB

	// taskFMAs is the least work handed out as one task.
	taskFMAs = 1 << 16
	// blockA is the most values of packed op(A) one task sweeps for each
	// column panel: 384 KiB, enough to stay in a 1 MiB L2 cache next to
	// the task's other data.
	blockA = 96 << 10
	// packValues is the least number of values of op(A) packed by one task
	// of the first pass.
	packValues = 1 << 14
)

type gemmJob struct {
	portable   portableGemmJob[float32]
	blocked    blockedGemmJob
	sparse     sparseGemmJob
	portable64 portableGemmJob[float64]
	blocked64  blockedDgemmJob
}

// operands are the matrices of a product C (m×n) = op(A) (m×k) · op(B)
// (k×n) with their leading dimensions.
type operands struct {
	m, n, k int
	a       []float32
	lda     int
	b       []float32
	ldb     int
	c       []float32
	ldc     int
}

// taskGrid is how a blocked product of an m×k by a k×n operand, on
// micro-tiles of tileRows×tileCols, splits into tasks. The first pass
// packs groups of packGroup row panels of op(A); then a task is row block
// task/colGroups (of rowBlock row panels) against column group
// task%colGroups (of colGroup column panels). Row blocks are of nearly
// equal size, with packed panels of at most blockValues values, so that
// they stay in L2.
type taskGrid struct {
	rowPanels, colPanels int
	kc                   int // length of a k block (the last may be shorter)
	packGroup            int
	rowBlock             int
	colGroup             int
	colGroups            int
}

func newTaskGrid(m, n, k, tileRows, tileCols, blockValues int) taskGrid {
	g := taskGrid{rowPanels: (m + tileRows - 1) / tileRows, colPanels: (n + tileCols - 1) / tileCols, kc: kBlock(k),
		packGroup: max(1, packValues/(tileRows*k))}
	rowBlocks := (g.rowPanels*tileRows*k + blockValues - 1) / blockValues
	g.rowBlock = (g.rowPanels + rowBlocks - 1) / rowBlocks
	g.colGroup = max(1, taskFMAs/(tileCols*g.rowBlock*tileRows*k))
	g.colGroups = (g.colPanels + g.colGroup - 1) / g.colGroup
	return g
}

// tasks returns the number of tasks of the second pass.
func (g *taskGrid) tasks() int {
	return ((g.rowPanels + g.rowBlock - 1) / g.rowBlock) * g.colGroups
}

type blockedGemmJob struct {
	tA, tB      bool
	alpha, beta float32
	operands
	taskGrid
	packing bool // the first pass

	packA []float32   // op(A) as rowPanels panels of k×mr values
	packB [][]float32 // per worker: one kc×nr block of a column panel
}

func (p *Pool) gemmBlocked(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	var g *blockedGemmJob
	if p != nil {
		g = &p.gemm.blocked
	} else {
		g = new(blockedGemmJob)
	}
	packA, packB := g.packA, g.packB
	grid := newTaskGrid(m, n, k, mr, nr, blockA)
	// Rows of A are read in place, all but the last partial panel.
	packedRows := mr
	if tA {
		packedRows = grid.rowPanels * mr
	}
	*g = blockedGemmJob{
		tA: tA, tB: tB, alpha: alpha, beta: beta,
		operands: operands{m, n, k, a, lda, b, ldb, c, ldc},
		taskGrid: grid,
		// The scratch space outlives the call.
		packA: grow(packA, packedRows*k),
		packB: packB,
	}
	for len(g.packB) < p.Workers() {
		g.packB = append(g.packB, make([]float32, kcMax*nr))
	}

	if tA {
		g.packing = true
		p.runSized(g, (g.rowPanels+g.packGroup-1)/g.packGroup, m*k)
		g.packing = false
	} else if m%mr != 0 {
		g.packRowPanel(g.rowPanels - 1)
	}
	p.runSized(g, g.tasks(), m*n*k)
	// Keep the scratch space, drop the caller's matrices.
	g.a, g.b, g.c = nil, nil, nil
}

// kBlock returns the length of the k blocks of a product over k: blocks of
// nearly equal length, a multiple of 8 (the packing of Bᵀ goes 8 steps at
// a time) but for the last. It depends on k alone, and GemmSparseA cuts
// its sums at the same places.
func kBlock(k int) int {
	blocks := (k + kcMax - 1) / kcMax
	return min(kcMax, ((k+blocks-1)/blocks+7)&^7)
}

// grow returns buf resized to n, reallocating only when it is too small.
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

func (g *blockedGemmJob) Do(task int) { g.doOn(0, task) }

func (g *blockedGemmJob) doOn(worker, task int) {
	if g.packing {
		lo := task * g.packGroup
		for i := lo; i < min(lo+g.packGroup, g.rowPanels); i++ {
			g.packRowPanel(i)
		}
		return
	}
	rb, cg := task/g.colGroups, task%g.colGroups
	p0, q0 := rb*g.rowBlock, cg*g.colGroup
	g.compute(p0, min(p0+g.rowBlock, g.rowPanels), q0, min(q0+g.colGroup, g.colPanels), g.packB[worker])
}

// packRowPanel copies row panel i of op(A) into packA as k steps of mr
// values, zero-padding the missing rows of the last panel.
func (g *blockedGemmJob) packRowPanel(i int) {
	i0 := i * mr
	rows := min(mr, g.m-i0)
	k, lda, a := g.k, g.lda, g.a
	dst := g.packA[g.packedPanel(i)*k*mr:][:k*mr]
	if rows < mr {
		clear(dst)
	}
	switch {
	case g.tA && rows == mr:
		// Column i0+r of A is at a[kk·lda+i0+r]: mr contiguous values a step.
		packColsAVX2(&dst[0], &a[i0], lda, k)
	case g.tA:
		for kk := range k {
			copy(dst[kk*mr:kk*mr+rows], a[kk*lda+i0:kk*lda+i0+rows])
		}
	default:
		for r := range rows {
			for kk, v := range a[(i0+r)*lda : (i0+r)*lda+k] {
				dst[kk*mr+r] = v
			}
		}
	}
}

// packedPanel returns the place in packA of row panel i: all of op(A) =
// Aᵀ is packed, while of A itself only the last partial panel is.
func (g *blockedGemmJob) packedPanel(i int) int {
	if g.tA {
		return i
	}
	return 0
}

// packColBlock copies k block [kb, kb+kl) of column panel q of op(B) into
// dst as kl rows of nr values, zero-padding the missing columns of the
// last panel.
func (g *blockedGemmJob) packColBlock(dst []float32, q, kb, kl int) {
	j0 := q * nr
	cols := min(nr, g.n-j0)
	b, ldb := g.b, g.ldb
	dst = dst[:kl*nr]
	switch {
	case g.tB && cols == nr:
		// Column j0+jj of op(B) is row j0+jj of B: transpose 16 rows.
		k8 := kl &^ 7
		if k8 > 0 {
			packTransposedAVX2(&dst[0], &b[j0*ldb+kb], ldb, k8)
		}
		for jj := range nr {
			for kk, v := range b[(j0+jj)*ldb+kb+k8 : (j0+jj)*ldb+kb+kl] {
				dst[(k8+kk)*nr+jj] = v
			}
		}
	case g.tB:
		clear(dst)
		for jj := range cols {
			for kk, v := range b[(j0+jj)*ldb+kb : (j0+jj)*ldb+kb+kl] {
				dst[kk*nr+jj] = v
			}
		}
	case cols == nr:
		packRowsAVX2(&dst[0], &b[kb*ldb+j0], ldb, kl)
	default:
		for kk := range kl {
			row := dst[kk*nr : kk*nr+nr]
			copy(row, b[(kb+kk)*ldb+j0:(kb+kk)*ldb+j0+cols])
			clear(row[cols:])
		}
	}
}

// compute fills the tiles of row panels [p0, p1) and column panels
// [q0, q1), one column panel and k block at a time, packing each block of
// op(B) into buf.
func (g *blockedGemmJob) compute(p0, p1, q0, q1 int, buf []float32) {
	for q := q0; q < q1; q++ {
		for kb := 0; kb < g.k; kb += g.kc {
			kl := min(g.kc, g.k-kb)
			beta := g.beta
			if kb > 0 {
				beta = 1 // later blocks add to the earlier ones
			}
			g.packColBlock(buf, q, kb, kl)
			for i := p0; i < p1; i++ {
				g.tile(i, q, kb, kl, &buf[0], beta)
			}
		}
	}
}

// tile computes k block kb (of length kl) of the tile at row panel i and
// column panel q, with the block of op(B) packed at bp.
func (g *blockedGemmJob) tile(i, q, kb, kl int, bp *float32, beta float32) {
	i0, j0 := i*mr, q*nr
	rows, cols := min(mr, g.m-i0), min(nr, g.n-j0)
	packed := g.tA || rows < mr
	var ap *float32
	if packed {
		ap = &g.packA[(g.packedPanel(i)*g.k+kb)*mr]
	} else {
		ap = &g.a[i0*g.lda+kb]
	}
	if rows == mr && cols == nr {
		// Direct calls (not through a function value) keep the compiler's
		// escape analysis of the noescape kernels.
		if packed {
			gemmKernelT(kl, ap, mr, bp, nr, &g.c[i0*g.ldc+j0], g.ldc, g.alpha, beta)
		} else {
			gemmKernelN(kl, ap, g.lda, bp, nr, &g.c[i0*g.ldc+j0], g.ldc, g.alpha, beta)
		}
		return
	}
	var t [mr * nr]float32
	if beta != 0 {
		for r := range rows {
			copy(t[r*nr:r*nr+cols], g.c[(i0+r)*g.ldc+j0:])
		}
	}
	if packed {
		gemmKernelT(kl, ap, mr, bp, nr, &t[0], nr, g.alpha, beta)
	} else {
		gemmKernelN(kl, ap, g.lda, bp, nr, &t[0], nr, g.alpha, beta)
	}
	for r := range rows {
		copy(g.c[(i0+r)*g.ldc+j0:(i0+r)*g.ldc+j0+cols], t[r*nr:r*nr+cols])
	}
}
