package kernel

// GemmSparseA sets C = op(A)·B, like Gemm(tA, false, m, n, k, 1, a, lda,
// b, ldb, 0, c, ldc), for an A that is mostly zeros: binary data, sampled
// states. It gathers the nonzero entries of each row of op(A) in the order
// of k and adds only their rows of B in, so its work follows the number of
// nonzeros rather than m·k.
//
// The result is the same bits as Gemm's: each element of C is the chain of
// fused multiply-adds Gemm forms, over the same k blocks, with the steps
// that multiply by zero left out, and such a step leaves the sum as it
// was. (That holds when B is finite: Gemm would turn a 0·∞ into NaN.) So a
// caller may use either, and the choice between them, which GemmSparseA
// itself makes when A has too many nonzeros for skipping to pay, never
// changes a result.
func (p *Pool) GemmSparseA(tA bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkGemm(tA, false, m, n, k, a, lda, b, ldb, c, ldc)
	if !haveAVX2FMA || m == 0 || n == 0 || k == 0 {
		p.Gemm(tA, false, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
		return
	}
	// The nonzeros of op(A) are gathered rows at a time, so that their
	// lists need at most sparseScratch entries whatever m is.
	rows := max(1, min(m, sparseScratch/k))
	for r0 := 0; r0 < m; r0 += rows {
		r1 := min(m, r0+rows)
		at := r0 * lda // rows r0… of A
		if tA {
			at = r0 // columns r0… of A
		}
		p.gemmSparse(tA, r1-r0, n, k, a[at:], lda, b, ldb, c[r0*ldc:], ldc)
	}
}

const (
	// sparseScratch bounds the entries of the nonzero lists: 8 MiB.
	sparseScratch = 1 << 20
	// sparseStrip is the widest strip of C a sparse row kernel keeps in
	// registers, and the width of a column group of a task.
	sparseStrip = 96
	// sparseTasks is the number of tasks a product is cut into (at least).
	sparseTasks = 8
)

// sparseMaxDensity is the fraction of nonzeros in A above which
// GemmSparseA hands the product to the dense kernels: a nonzero costs the
// sparse kernel a load of B's row for each vector of C, which the dense
// kernel, with B packed in L1 and two FMAs a cycle, spends on two values
// of A. A variable so that tests can send every product either way.
var sparseMaxDensity = 0.4

type sparseGemmJob struct {
	tA bool
	operands

	kc, blocks int // k blocks, as kBlock cuts them
	gathering  bool
	rowGroup   int // rows of op(A) per task
	colGroups  int // column groups of sparseStrip columns

	// Row i of op(A) has its nonzeros at idx/vals[i·k : i·k+count[i]],
	// and its k block kb ends before position end[i·blocks+kb].
	idx   []int32
	vals  []float32
	count []int32
	end   []int32

	// at holds op(A) = Aᵀ row by row (tA only), so that its rows are
	// gathered as A's are.
	at []float32
}

func (p *Pool) gemmSparse(tA bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	var g *sparseGemmJob
	if p != nil {
		g = &p.gemm.sparse
	} else {
		g = new(sparseGemmJob)
	}
	kc := kBlock(k)
	blocks := (k + kc - 1) / kc
	colGroups := (n + sparseStrip - 1) / sparseStrip
	*g = sparseGemmJob{
		tA:       tA,
		operands: operands{m, n, k, a, lda, b, ldb, c, ldc},
		kc:       kc, blocks: blocks,
		rowGroup:  max(8, (m+sparseTasks-1)/sparseTasks),
		colGroups: colGroups,
		// The scratch space outlives the call.
		idx:   grow(g.idx, m*k),
		vals:  grow(g.vals, m*k),
		count: grow(g.count, m),
		end:   grow(g.end, m*blocks),
		at:    g.at,
	}
	if tA {
		g.at = grow(g.at, m*k)
	}
	gatherTasks := (m + g.rowGroup - 1) / g.rowGroup
	g.gathering = true
	p.runSized(g, gatherTasks, m*k)
	g.gathering = false

	var nnz int
	for _, c := range g.count {
		nnz += int(c)
	}
	if float64(nnz) > sparseMaxDensity*float64(m)*float64(k) {
		p.Gemm(tA, false, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
	} else {
		// Row groups so that there are at least sparseTasks tasks.
		rowGroups := min(m, (sparseTasks+colGroups-1)/colGroups)
		g.rowGroup = (m + rowGroups - 1) / rowGroups
		rowGroups = (m + g.rowGroup - 1) / g.rowGroup
		p.runSized(g, rowGroups*colGroups, nnz*n)
	}
	// Keep the scratch space, drop the caller's matrices.
	g.a, g.b, g.c = nil, nil, nil
}

func (g *sparseGemmJob) Do(task int) {
	if g.gathering {
		lo := task * g.rowGroup
		g.gather(lo, min(lo+g.rowGroup, g.m))
		return
	}
	cg := task % g.colGroups
	lo := task / g.colGroups * g.rowGroup
	hi := min(lo+g.rowGroup, g.m)
	j0 := cg * sparseStrip
	g.compute(lo, hi, j0, min(j0+sparseStrip, g.n))
}

// gather lists the nonzeros of rows [lo, hi) of op(A) and where their k
// blocks end.
func (g *sparseGemmJob) gather(lo, hi int) {
	k := g.k
	var rows []float32 // rows lo… of op(A), ld apart
	ld := k
	if g.tA {
		// Rows lo… of op(A) are columns lo… of A: transpose them first.
		rows = g.at[lo*k:]
		transpose(rows, k, g.a[lo:], g.lda, k, hi-lo)
	} else {
		rows, ld = g.a[lo*g.lda:], g.lda
	}
	for i := lo; i < hi; i++ {
		list := g.idx[i*k : (i+1)*k]
		count := nonzeros(list, g.vals[i*k:(i+1)*k], rows[(i-lo)*ld:(i-lo)*ld+k], 0)
		g.count[i] = int32(count)
		for kb := range g.blocks {
			g.end[i*g.blocks+kb] = int32(searchInt32(list[:count], int32((kb+1)*g.kc)))
		}
	}
}

// searchInt32 returns the number of entries of the sorted list below x.
func searchInt32(list []int32, x int32) int {
	lo, hi := 0, len(list)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if list[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// compute fills columns [j0, j1) of rows [lo, hi) of C, one k block after
// the other, the first stored and the later ones added, as the dense
// kernels do.
func (g *sparseGemmJob) compute(lo, hi, j0, j1 int) {
	k := g.k
	for i := lo; i < hi; i++ {
		start := i * k
		for kb := range g.blocks {
			end := i*k + int(g.end[i*g.blocks+kb])
			add := 0
			if kb > 0 {
				add = 1
			}
			g.strip(g.idx[start:end], g.vals[start:end], i, j0, j1, add)
			start = end
		}
	}
}

// strip runs the sparse row kernels over columns [j0, j1) of row i of C,
// widest first.
func (g *sparseGemmJob) strip(idx []int32, vals []float32, i, j0, j1, add int) {
	n := len(idx)
	var pi *int32
	var pv *float32
	if n > 0 {
		pi, pv = &idx[0], &vals[0]
	}
	b, ldb, c := g.b, g.ldb, g.c[i*g.ldc:]
	for j := j0; j < j1; {
		// Direct calls keep the noescape kernels' escape analysis.
		switch w := j1 - j; {
		case w >= 96:
			sparseRow96AVX2(n, pv, pi, &b[j], ldb, &c[j], add)
			j += 96
		case w >= 64:
			sparseRow64AVX2(n, pv, pi, &b[j], ldb, &c[j], add)
			j += 64
		case w >= 32:
			sparseRow32AVX2(n, pv, pi, &b[j], ldb, &c[j], add)
			j += 32
		case w >= 16:
			sparseRow16AVX2(n, pv, pi, &b[j], ldb, &c[j], add)
			j += 16
		case w >= 8:
			sparseRow8AVX2(n, pv, pi, &b[j], ldb, &c[j], add)
			j += 8
		default:
			sparseRowMaskedAVX2(n, pv, pi, &b[j], ldb, &c[j], add, &laneMask[8-w])
			j = j1
		}
	}
}

// laneMask[8-w:] is the mask of the first w of eight lanes.
var laneMask = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

// nonzeros writes the positions (plus first) and values of the nonzero
// entries of src to idx and vals, in order, and returns how many; NaNs
// count as nonzero, and both zeros as zero. idx and vals must have room
// for len(src) entries.
func nonzeros(idx []int32, vals []float32, src []float32, first int) int {
	n8, count := 0, 0
	if haveAVX2FMA && len(src) >= 8 {
		_, _ = idx[len(src)-1], vals[len(src)-1] // room for every entry
		n8 = len(src) &^ 7
		count = nonzerosAVX2(&idx[0], &vals[0], &src[0], n8, first, &packTable)
	}
	for i, x := range src[n8:] {
		if x != 0 {
			idx[count], vals[count] = int32(first+n8+i), x
			count++
		}
	}
	return count
}

// packTable[mask] lists the set bits of mask, lowest first: the
// permutation that packs the lanes mask selects to the front.
var packTable = func() (t [256][8]int32) {
	for mask := range t {
		n := 0
		for bit := range 8 {
			if mask>>bit&1 == 1 {
				t[mask][n] = int32(bit)
				n++
			}
		}
	}
	return t
}()

// transpose sets dst[c·ldd + q] = src[q·lds + c] for q < rows, c < cols.
func transpose(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	if rows == 0 || cols == 0 {
		return
	}
	_, _ = dst[(cols-1)*ldd+rows-1], src[(rows-1)*lds+cols-1]
	q8, c8 := 0, 0
	if haveAVX2FMA {
		q8, c8 = rows&^7, cols&^7
		for q := 0; q < q8 && c8 > 0; q += 8 {
			transposeAVX2(&dst[q], ldd, &src[q*lds], lds, c8)
		}
	}
	for q := range rows {
		c0 := c8
		if q >= q8 {
			c0 = 0
		}
		for c := c0; c < cols; c++ {
			dst[c*ldd+q] = src[q*lds+c]
		}
	}
}
