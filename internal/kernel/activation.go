package kernel

import "math"

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
// block with σ(x[r][j] + bias[j]), computed in float32 by Sigmoid32's
// formula (vectorised where the CPU allows): the absolute error is below
// 1.5e-7.
func AddBiasSigmoid(x, bias []float32) {
	n := len(bias)
	n8 := n &^ 7
	for r := 0; r+n <= len(x); r += n {
		row := x[r : r+n : r+n]
		j := 0
		if haveAVX2FMA && n8 > 0 {
			sigmoidBiasAVX2(&row[0], &bias[0], n8)
			j = n8
		}
		for ; j < n; j++ {
			row[j] = Sigmoid32(row[j] + bias[j])
		}
	}
}

// Coefficients and range of the float32 exponential of Cephes (expf.c),
// shared with the assembly generator (asmgen/main.go), which must evaluate
// the same formula: e^t = 2^n·e^r with n = round(t·log₂e), r = t - n·ln2 (ln2
// split in two so that n·ln2Hi is exact) and e^r = 1 + r + r²·P(r).
const (
	log2e  = 1.44269504088896341
	ln2Hi  = 0.693359375
	ln2Lo  = -2.12194440e-4
	expMin = -87.0 // e^-87 is still a normal float32
	expMax = 88.0  // 2^127·√2 is still finite

	expP0 = 1.9875691500e-4
	expP1 = 1.3981999507e-3
	expP2 = 8.3334519073e-3
	expP3 = 4.1665795894e-2
	expP4 = 1.6666665459e-1
	expP5 = 5.0000001201e-1
)

// Sigmoid32 returns σ(z) = 1/(1+e^-z) in float32 by the Cephes polynomial
// exponential, the portable twin of the vectorised kernel. Its absolute
// error is below 1.5e-7 (TestSigmoid32Accuracy); Sigmoid remains the
// reference definition.
func Sigmoid32(z float32) float32 {
	t := min(max(-z, expMin), expMax)
	n := float32(math.RoundToEven(float64(t * log2e)))
	r := t - n*ln2Hi
	r -= n * ln2Lo
	p := float32(expP0)
	p = p*r + expP1
	p = p*r + expP2
	p = p*r + expP3
	p = p*r + expP4
	p = p*r + expP5
	e := p*(r*r) + (r + 1)
	e *= math.Float32frombits(uint32(int32(n)+127) << 23)
	return 1 / (1 + e)
}

// SigmoidRows applies AddBiasSigmoid to the rows of x (row length len(bias))
// in parallel.
func (pl *Pool) SigmoidRows(x, bias []float32) {
	if len(bias) == 0 {
		return
	}
	var job *sigmoidJob
	if pl != nil {
		job = &pl.sigmoid
	} else {
		job = new(sigmoidJob)
	}
	*job = sigmoidJob{x: x, bias: bias}
	rows := len(x) / len(bias)
	pl.runSized(job, min(rows, rowChunks), len(x))
	job.x, job.bias = nil, nil
}

// rowChunks bounds how many tasks an elementwise job is split into; each
// task takes a contiguous range of rows.
const rowChunks = 16

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
