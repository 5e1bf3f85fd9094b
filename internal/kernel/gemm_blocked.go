package kernel

// The blocked product drives the AVX2/FMA micro-kernels gemmKernelN and
// gemmKernelT, which compute one mr×nr tile of C from an mr-row panel of
// op(A) and an nr-column panel of op(B). The panels are read in place
// wherever their layout allows it (rows of A with stride lda, or columns
// of A as mr contiguous values per step; rows of B as nr contiguous values
// per step); only op(B) = Bᵀ, the last partial panel of each and the
// edge tiles of C are copied, into zero-padded scratch space.
//
// Determinism: the tile grid is anchored at (0, 0) and the k dimension is
// cut into fixed blocks of kc, so every element of C is the same chain of
// FMAs, block after block, whichever task computes it and whichever tiles
// share that task. Edge tiles run the same kernel on padded copies, so
// they too follow the same chain.
const (
	mr = 6   // rows of a micro-tile
	nr = 16  // columns of a micro-tile
	kc = 512 // length of a k block: a 512×16 panel of B is 32 KiB

	// taskFMAs is the least work handed out as one task.
	taskFMAs = 1 << 16
	// largeB is the size of op(B), in values, above which tasks are
	// groups of column panels: 256 KiB, half a Zen 3 L2 cache.
	largeB = 1 << 16
)

type gemmJob struct {
	portable portableGemmJob
	blocked  blockedGemmJob
}

type blockedGemmJob struct {
	tA, tB      bool
	m, n, k     int
	alpha, beta float32
	a           []float32
	lda         int
	b           []float32
	ldb         int
	c           []float32
	ldc         int

	rowPanels, colPanels int
	// byCols makes each task a group of column panels against every row
	// panel, packing its panels itself when op(B) = Bᵀ; otherwise a task
	// is a group of row panels against every column panel.
	byCols bool
	group  int

	packA []float32 // the last partial row panel of op(A), k×mr
	packB []float32 // every panel of Bᵀ, k×nr each, or B's last partial panel
}

func (p *Pool) gemmBlocked(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	var g *blockedGemmJob
	if p != nil {
		g = &p.gemm.blocked
	} else {
		g = new(blockedGemmJob)
	}
	packA, packB := g.packA, g.packB
	*g = blockedGemmJob{
		tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
		rowPanels: (m + mr - 1) / mr, colPanels: (n + nr - 1) / nr,
		// A large op(B) is better swept once, each panel against every
		// row panel while it is in cache, than once per row panel.
		byCols: tB || k*n > largeB,
		// The scratch space outlives the call, whether or not it needs it.
		packA: packA, packB: packB,
	}
	if m%mr != 0 {
		g.packA = grow(packA, k*mr)
		g.packRowEdge()
	}
	switch {
	case tB:
		g.packB = grow(packB, g.colPanels*k*nr)
	case n%nr != 0:
		g.packB = grow(packB, k*nr)
		g.packColEdge()
	}
	var tasks int
	if g.byCols {
		g.group = max(1, taskFMAs/(nr*m*k))
		tasks = (g.colPanels + g.group - 1) / g.group
	} else {
		g.group = max(1, taskFMAs/(mr*n*k))
		tasks = (g.rowPanels + g.group - 1) / g.group
	}
	p.runSized(g, tasks, m*n*k)
	// Keep the scratch space, drop the caller's matrices.
	g.a, g.b, g.c = nil, nil, nil
}

// grow returns buf resized to n, reallocating only when it is too small.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// packRowEdge copies the last, partial row panel of op(A) into packA as k
// steps of mr values, zero-padding the missing rows.
func (g *blockedGemmJob) packRowEdge() {
	i0 := (g.rowPanels - 1) * mr
	rows := g.m - i0
	dst := g.packA
	clear(dst)
	for r := range rows {
		if g.tA {
			for kk := range g.k {
				dst[kk*mr+r] = g.a[kk*g.lda+i0+r]
			}
		} else {
			for kk, v := range g.a[(i0+r)*g.lda : (i0+r)*g.lda+g.k] {
				dst[kk*mr+r] = v
			}
		}
	}
}

// packColEdge copies the last, partial column panel of B (not transposed)
// into packB as k rows of nr values, zero-padding the missing columns.
func (g *blockedGemmJob) packColEdge() {
	j0 := (g.colPanels - 1) * nr
	cols := g.n - j0
	for kk := range g.k {
		row := g.packB[kk*nr : kk*nr+nr]
		copy(row, g.b[kk*g.ldb+j0:kk*g.ldb+j0+cols])
		clear(row[cols:])
	}
}

// packTransposed copies column panel q of op(B) = Bᵀ into its place in
// packB as k rows of nr values, zero-padding the missing columns.
func (g *blockedGemmJob) packTransposed(q int) {
	j0 := q * nr
	cols := min(nr, g.n-j0)
	dst := g.packB[q*g.k*nr : (q+1)*g.k*nr]
	if cols == nr && g.k >= 8 && haveAVX2FMA {
		k8 := g.k &^ 7
		packTransposedAVX2(&dst[0], &g.b[j0*g.ldb], g.ldb, k8)
		for jj := range nr {
			src := g.b[(j0+jj)*g.ldb+k8 : (j0+jj)*g.ldb+g.k]
			for kk, v := range src {
				dst[(k8+kk)*nr+jj] = v
			}
		}
		return
	}
	if cols < nr {
		clear(dst)
	}
	for jj := range cols {
		src := g.b[(j0+jj)*g.ldb : (j0+jj)*g.ldb+g.k]
		for kk, v := range src {
			dst[kk*nr+jj] = v
		}
	}
}

func (g *blockedGemmJob) Do(task int) {
	lo := task * g.group
	if g.byCols {
		hi := min(lo+g.group, g.colPanels)
		if g.tB {
			for q := lo; q < hi; q++ {
				g.packTransposed(q)
			}
		}
		g.compute(0, g.rowPanels, lo, hi)
		return
	}
	g.compute(lo, min(lo+g.group, g.rowPanels), 0, g.colPanels)
}

// compute fills the tiles of row panels [p0, p1) and column panels
// [q0, q1), one k block at a time.
func (g *blockedGemmJob) compute(p0, p1, q0, q1 int) {
	for kb := 0; kb < g.k; kb += kc {
		kl := min(kc, g.k-kb)
		beta := g.beta
		if kb > 0 {
			beta = 1 // later blocks add to the earlier ones
		}
		for q := q0; q < q1; q++ {
			bp, ldb := g.panelB(q, kb)
			for i := p0; i < p1; i++ {
				g.tile(i, q, kb, kl, bp, ldb, beta)
			}
		}
	}
}

// panelB returns the first element of k block kb of column panel q of
// op(B) and its row stride.
func (g *blockedGemmJob) panelB(q, kb int) (*float32, int) {
	j0 := q * nr
	switch {
	case g.tB:
		return &g.packB[q*g.k*nr+kb*nr], nr
	case j0+nr <= g.n:
		return &g.b[kb*g.ldb+j0], g.ldb
	default:
		return &g.packB[kb*nr], nr
	}
}

// tile computes k block kb (of length kl) of the tile at row panel i and
// column panel q.
func (g *blockedGemmJob) tile(i, q, kb, kl int, bp *float32, ldb int, beta float32) {
	i0, j0 := i*mr, q*nr
	rows, cols := min(mr, g.m-i0), min(nr, g.n-j0)
	var ap *float32
	lda, trans := g.lda, g.tA
	switch {
	case rows < mr:
		ap, lda, trans = &g.packA[kb*mr], mr, true
	case g.tA:
		ap = &g.a[kb*g.lda+i0]
	default:
		ap = &g.a[i0*g.lda+kb]
	}
	if rows == mr && cols == nr {
		cp := &g.c[i0*g.ldc+j0]
		// Direct calls (not through a function value) keep the compiler's
		// escape analysis of the noescape kernels.
		if trans {
			gemmKernelT(kl, ap, lda, bp, ldb, cp, g.ldc, g.alpha, beta)
		} else {
			gemmKernelN(kl, ap, lda, bp, ldb, cp, g.ldc, g.alpha, beta)
		}
		return
	}
	var t [mr * nr]float32
	if beta != 0 {
		for r := range rows {
			copy(t[r*nr:r*nr+cols], g.c[(i0+r)*g.ldc+j0:])
		}
	}
	if trans {
		gemmKernelT(kl, ap, lda, bp, ldb, &t[0], nr, g.alpha, beta)
	} else {
		gemmKernelN(kl, ap, lda, bp, ldb, &t[0], nr, g.alpha, beta)
	}
	for r := range rows {
		copy(g.c[(i0+r)*g.ldc+j0:(i0+r)*g.ldc+j0+cols], t[r*nr:r*nr+cols])
	}
}
