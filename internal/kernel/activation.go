package kernel

import (
	"math"
	"math/rand/v2"
)

// Sigmoid returns the logistic function 1/(1+e^-x), the one definition of
// the conditional probability of a binary unit given its total input.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	// For negative x, e^-x overflows long before the result underflows.
	e := math.Exp(x)
	return e / (1 + e)
}

// Softplus returns log(1+e^x) without overflow for large x or loss of
// precision for very negative x.
func Softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// AddBiasSigmoid replaces each element x[r][j] of a rows×len(bias) row-major
// block with σ(x[r][j] + bias[j]).
func AddBiasSigmoid(x, bias []float32) {
	n := len(bias)
	for r := 0; r+n <= len(x); r += n {
		row := x[r : r+n : r+n]
		for j, b := range bias[:n] {
			row[j] = float32(Sigmoid(float64(row[j] + b)))
		}
	}
}

// uniform24 turns 24 random bits into a float32 uniform on [0, 1): every
// such value is exactly representable, so the comparison u < p is exact.
const uniform24 = 1.0 / (1 << 24)

// Bernoulli sets dst[i] to 1 with probability p[i] and to 0 otherwise,
// drawing from rng. It consumes one 64-bit output per two elements.
func Bernoulli(dst, p []float32, rng *rand.PCG) {
	p = p[:len(dst)]
	i := 0
	for ; i+1 < len(dst); i += 2 {
		x := rng.Uint64()
		dst[i] = bit(float32(x>>40)*uniform24 < p[i])
		dst[i+1] = bit(float32((x>>8)&(1<<24-1))*uniform24 < p[i+1])
	}
	if i < len(dst) {
		dst[i] = bit(float32(rng.Uint64()>>40)*uniform24 < p[i])
	}
}

func bit(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

// RowSeed returns the PCG seed pair of one row of one draw. Seeding each row
// from (seed, stream, row) makes a draw independent of how rows are split
// among workers, which keeps sampling bit-identical for any worker count.
func RowSeed(seed, stream uint64, row int) (uint64, uint64) {
	return splitmix(seed ^ splitmix(stream)), splitmix(uint64(row) + 0x9e3779b97f4a7c15*stream)
}

// splitmix is the SplitMix64 finaliser, used to decorrelate nearby seeds.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// SampleRows draws a Bernoulli sample of every element of the row-major
// matrix p (rows of length cols) into dst, seeding row r from
// RowSeed(seed, stream, r). Callers advance stream for every new draw.
func (pl *Pool) SampleRows(dst, p []float32, cols int, seed, stream uint64) {
	var job *sampleJob
	if pl != nil {
		job = &pl.sample
	} else {
		job = new(sampleJob)
	}
	*job = sampleJob{dst: dst, p: p, cols: cols, seed: seed, stream: stream}
	rows := len(dst) / cols
	pl.Run(job, min(rows, rowChunks))
	job.dst, job.p = nil, nil
}

// rowChunks bounds how many tasks an elementwise job is split into; each
// task takes a contiguous range of rows.
const rowChunks = 16

type sampleJob struct {
	dst, p       []float32
	cols         int
	seed, stream uint64
	rng          [rowChunks]rand.PCG
}

func (s *sampleJob) Do(task int) {
	rows := len(s.dst) / s.cols
	lo, hi := chunk(rows, task, min(rows, rowChunks))
	rng := &s.rng[task]
	for r := lo; r < hi; r++ {
		rng.Seed(RowSeed(s.seed, s.stream, r))
		off := r * s.cols
		Bernoulli(s.dst[off:off+s.cols], s.p[off:off+s.cols], rng)
	}
}

// SigmoidRows applies AddBiasSigmoid to the rows of x (row length len(bias))
// in parallel.
func (pl *Pool) SigmoidRows(x, bias []float32) {
	var job *sigmoidJob
	if pl != nil {
		job = &pl.sigmoid
	} else {
		job = new(sigmoidJob)
	}
	*job = sigmoidJob{x: x, bias: bias}
	rows := len(x) / len(bias)
	pl.Run(job, min(rows, rowChunks))
	job.x, job.bias = nil, nil
}

type sigmoidJob struct {
	x, bias []float32
}

func (s *sigmoidJob) Do(task int) {
	cols := len(s.bias)
	rows := len(s.x) / cols
	lo, hi := chunk(rows, task, min(rows, rowChunks))
	AddBiasSigmoid(s.x[lo*cols:hi*cols], s.bias)
}

// chunk returns the bounds of part t of n items split into parts nearly
// equal parts.
func chunk(n, t, parts int) (lo, hi int) {
	return n * t / parts, n * (t + 1) / parts
}
