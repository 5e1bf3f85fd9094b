package rbm

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm/layer"
)

// The layers' conditionals of a training step run on the pool one row
// per task. Each row's results depend on that row alone, and what is
// summed over rows is summed afterwards in row order, so the results are
// those of the serial loops they replace, bit for bit, whatever the number
// of workers.

// rowSampleJob draws row r of dst from the layer's conditional at row r
// of in, from rng stream position r·draws onwards: the values the row
// would have drawn from the trainer's one stream with the rows before it
// drawing first (layer.FixedDraws).
type rowSampleJob struct {
	l       layer.Layer
	dst, in *mat.Dense
	draws   uint64
	hi, lo  uint64 // the stream's state before the batch
	src     []rand.PCG
	rng     []*rand.Rand
}

func (j *rowSampleJob) Do(r int) {
	j.src[r].Seed(seeds.Advance(j.hi, j.lo, uint64(r)*j.draws))
	j.l.Sample(j.dst.RawRowView(r), j.in.RawRowView(r), j.rng[r])
}

// sample draws every row of dst from l's conditional at the same row of
// in, as the loop
//
//	for r := range n { l.Sample(dst.RawRowView(r), in.RawRowView(r), s.rng) }
//
// would: in parallel when l takes a fixed number of values per row, on
// the calling goroutine otherwise. A Gaussian or ReLU layer draws by
// rejection, so where a row's values start in the stream is known only
// once the rows before it are drawn.
func (s *machineStepper) sample(l layer.Layer, dst, in *mat.Dense) {
	n, _ := dst.Dims()
	f, ok := l.(layer.FixedDraws)
	if !ok || s.pool.Workers() == 1 {
		for r := range n {
			l.Sample(dst.RawRowView(r), in.RawRowView(r), s.rng)
		}
		return
	}
	j := &s.sampleJob
	j.l, j.dst, j.in, j.draws = l, dst, in, uint64(f.Draws())
	j.hi, j.lo = seeds.State(s.src)
	s.pool.Run(j, n)
	s.src.Seed(seeds.Advance(j.hi, j.lo, uint64(n)*j.draws))
	j.l, j.dst, j.in = nil, nil, nil
}

// rowStatsJob computes, for row r, E[h|v] at the hidden input into mean
// and the row's terms of the layers' gradients into its own rows of vTerm
// and hTerm (cleared first): what accumulate's serial loop added to the
// sums directly; a hidden layer that is a layer.MeanGrader gives the mean
// and its gradient's terms in one pass (the binary layer's sigmoid once
// instead of twice). The layers leave the terms of fixed parameters alone, so
// those stay zero and are neither cleared nor summed: their gradients
// are never used.
type rowStatsJob struct {
	s              *machineStepper
	v, in, mean    *mat.Dense
	vTerm, hTerm   [][][]float64 // [row][parameter][value]
	vTrain, hTrain []int         // the parameters that are not fixed
}

func (j *rowStatsJob) Do(r int) {
	for _, k := range j.vTrain {
		clear(j.vTerm[r][k])
	}
	for _, k := range j.hTrain {
		clear(j.hTerm[r][k])
	}
	j.row(r, j.vTerm[r], j.hTerm[r])
}

// row computes row r's mean into j.mean and adds its terms to vg and hg.
func (j *rowStatsJob) row(r int, vg, hg [][]float64) {
	m := j.s.m
	if g, ok := m.Hidden.(layer.MeanGrader); ok {
		g.MeanLogPartitionGrad(j.mean.RawRowView(r), hg, j.in.RawRowView(r))
	} else {
		m.Hidden.Mean(j.mean.RawRowView(r), j.in.RawRowView(r))
		m.Hidden.LogPartitionGrad(hg, j.in.RawRowView(r))
	}
	m.Visible.EnergyGrad(vg, j.v.RawRowView(r))
}

// addRows does on the calling goroutine what Do on every row and then
// termSumJob's chunks of the layers' parameters do: each row's terms are
// added to the running sums directly, in row order, and the sums to the
// gradients.
func (j *rowStatsJob) addRows(n int) {
	s := j.s
	for _, k := range j.vTrain {
		clear(s.vRowGrad[k])
	}
	for _, k := range j.hTrain {
		clear(s.hRowGrad[k])
	}
	for r := range n {
		j.row(r, s.vRowGrad, s.hRowGrad)
	}
	for _, k := range j.vTrain {
		floatsAddScaled(s.vGrad[k], s.sums.sign, s.vRowGrad[k])
	}
	for _, k := range j.hTrain {
		floatsAddScaled(s.hGrad[k], s.sums.sign, s.hRowGrad[k])
	}
}

// termSumJob adds up the first n rows' gradient terms of rowStatsJob,
// one chunk of one parameter per task, and adds sign times the sums to
// the stepper's gradients. Each element is summed from zero in row order,
// as the serial loop summed it, so the sums are the same bits (a term the
// layer added, x, was stored as 0+x, which is x; one it subtracted as
// 0-x, and s+(0-x) is s-x).
//
// Its last chunks, run only when the step is centered, are columns of
// E[h|v] instead: it sets hSum (unless nil) to their sums over rows, in
// row order as the serial loop did, and then subtracts λ from them.
type termSumJob struct {
	s      *machineStepper
	n      int
	sign   float64
	chunks []termChunk
	// layerChunks counts the chunks of the layers' parameters, which
	// come first; task t is chunk first+t.
	layerChunks, first int
	mean               *mat.Dense
	hSum               []float64
}

// termChunk is values [lo, hi) of parameter k of the visible layer
// (hidden false) or the hidden layer, or columns [lo, hi) of E[h|v] (k
// is -1).
type termChunk struct {
	hidden    bool
	k, lo, hi int
}

func (j *termSumJob) Do(t int) {
	s, c := j.s, j.chunks[j.first+t]
	if c.k < 0 {
		j.centerMeans(c.lo, c.hi)
		return
	}
	terms, sums, grads := s.stats.vTerm, s.vRowGrad, s.vGrad
	if c.hidden {
		terms, sums, grads = s.stats.hTerm, s.hRowGrad, s.hGrad
	}
	sum, grad := sums[c.k], grads[c.k]
	sum = sum[c.lo:c.hi]
	clear(sum)
	addRowsInOrder(sum, j.n, func(r int) []float64 { return terms[r][c.k][c.lo:c.hi] })
	floatsAddScaled(grad[c.lo:c.hi], j.sign, sum)
}

// centerMeans sums columns [lo, hi) of the means into hSum, unless nil,
// and centers them on λ.
func (j *termSumJob) centerMeans(lo, hi int) {
	lambda := j.s.center.lambda[lo:hi]
	if j.hSum != nil {
		sum := j.hSum[lo:hi]
		clear(sum)
		addRowsInOrder(sum, j.n, func(r int) []float64 { return j.mean.RawRowView(r)[lo:hi] })
	}
	for r := range j.n {
		row := j.mean.RawRowView(r)[lo:hi]
		for i, h := range row {
			row[i] = h - lambda[i]
		}
	}
}

// addRowsInOrder adds rows 0 to n-1 (each as long as sum) to sum,
// element by element in row order, as the loop
//
//	for r := range n { for i, x := range row(r) { sum[i] += x } }
//
// does, bit for bit: four rows a pass, x + r0 + r1 + r2 + r3 evaluated
// left to right, so that each sum is loaded and stored once per four rows
// rather than once per row.
func addRowsInOrder(sum []float64, n int, row func(r int) []float64) {
	r := 0
	for ; r+4 <= n; r += 4 {
		r0, r1, r2, r3 := row(r)[:len(sum)], row(r + 1)[:len(sum)], row(r + 2)[:len(sum)], row(r + 3)[:len(sum)]
		for i, x := range sum {
			sum[i] = x + r0[i] + r1[i] + r2[i] + r3[i]
		}
	}
	for ; r < n; r++ {
		for i, x := range row(r)[:len(sum)] {
			sum[i] += x
		}
	}
}

// centerRowsJob sets row r of dst to row r of x minus off: the centered
// rows of a step.
type centerRowsJob struct {
	dst, x *mat.Dense
	off    []float64
}

func (j *centerRowsJob) Do(r int) {
	d, row := j.dst.RawRowView(r), j.x.RawRowView(r)
	for i, v := range row {
		d[i] = v - j.off[i]
	}
}

// termChunkLen is the length of termSumJob's chunks: long enough that a
// task outweighs its dispatch, short enough to share a layer of a few
// hundred units between two cores.
const termChunkLen = 256

// newRowStats allocates the per-row gradient terms of a stepper of batch
// rows and the chunks of their sums.
func (s *machineStepper) newRowStats(batch int) {
	terms := func(l layer.Layer) [][][]float64 {
		if s.pool.Workers() == 1 {
			return nil // accumulate adds the terms up directly
		}
		t := make([][][]float64, batch)
		for r := range t {
			t[r] = layer.NewGrad(l)
		}
		return t
	}
	s.stats = rowStatsJob{s: s, vTerm: terms(s.m.Visible), hTerm: terms(s.m.Hidden)}
	s.sums.s = s
	for _, lg := range []struct {
		hidden bool
		l      layer.Layer
		train  *[]int
	}{{false, s.m.Visible, &s.stats.vTrain}, {true, s.m.Hidden, &s.stats.hTrain}} {
		for k, p := range lg.l.Params() {
			if p.Fixed {
				continue
			}
			*lg.train = append(*lg.train, k)
			for lo := 0; lo < len(p.Values); lo += termChunkLen {
				s.sums.chunks = append(s.sums.chunks, termChunk{lg.hidden, k, lo, min(lo+termChunkLen, len(p.Values))})
			}
		}
	}
	s.sums.layerChunks = len(s.sums.chunks)
	hw := s.m.Hidden.Width()
	for lo := 0; lo < hw; lo += termChunkLen {
		s.sums.chunks = append(s.sums.chunks, termChunk{true, -1, lo, min(lo+termChunkLen, hw)})
	}
	s.hSum = make([]float64, hw)
}
