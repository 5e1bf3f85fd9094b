package layer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync/atomic"
)

func init() {
	Register(Type{
		Name:    "gaussian",
		Summary: "real-valued units (normal given the other layer; σ fixed or learned)",
		Values:  Reals,
		New: func(n int, s Settings) (Layer, error) {
			return NewGaussian(make([]float64, n), make([]float64, n), s.LearnScale), nil
		},
	})
}

// Gaussian units take real values, with energy (xᵢ - bᵢ)²/(2σᵢ²) each.
// Given the input I they are independent normals,
//
//	p(xᵢ | I) = N(bᵢ + σᵢ²Iᵢ, σᵢ²),
//
// with Γ(I) = Σᵢ bᵢIᵢ + σᵢ²Iᵢ²/2 + log √(2πσᵢ²).
//
// The input enters as Iᵢxᵢ, so W multiplies x itself rather than x/σ. The
// model is the Gaussian-Bernoulli RBM of Cho, Raiko & Ilin (2011),
//
//	E = Σᵢ (vᵢ - bᵢ)²/(2σᵢ²) - Σᵢⱼ (vᵢ/σᵢ²)·W'ᵢⱼhⱼ - cᵀh,
//
// with W' = diag(σ²)·W: row i of their weights is σᵢ² times row i of W.
// The scale is learned as log σ, which keeps σ positive without a
// constraint.
type Gaussian struct {
	// Bias holds b, the mean of each unit at zero input.
	Bias []float64
	// LogSigma holds log σ, the log standard deviation of each unit.
	LogSigma []float64
	// LearnSigma trains LogSigma; otherwise it is a Fixed parameter.
	LearnSigma bool

	// scales caches the exponentials of LogSigma, which every method
	// needs per unit and per row: a training step calls them for every
	// row of a batch between two changes of σ.
	scales atomic.Pointer[gaussianScales]
}

// gaussianScales holds σ, 1/σ, σ² and 1/σ² of every unit, computed from
// logSigma, a copy of the LogSigma they were computed from. They are
// valid while LogSigma still equals it, which scale checks at each call
// (a comparison costs a small fraction of the exponentials it saves);
// LogSigma may change at any time, through Params or directly. The cache
// is replaced whole, never written in place, so concurrent readers of an
// unchanging layer are safe.
type gaussianScales struct {
	logSigma                        []float64
	sigma, inv, variance, precision []float64
}

// scale returns the scales of the current LogSigma.
func (l *Gaussian) scale() *gaussianScales {
	if c := l.scales.Load(); c != nil && slices.Equal(c.logSigma, l.LogSigma) {
		return c
	}
	n := len(l.LogSigma)
	c := &gaussianScales{logSigma: slices.Clone(l.LogSigma),
		sigma: make([]float64, n), inv: make([]float64, n), variance: make([]float64, n), precision: make([]float64, n)}
	for i, ls := range l.LogSigma {
		// The same expressions as before the cache, bit for bit.
		c.sigma[i] = math.Exp(ls)
		c.inv[i] = math.Exp(-ls)
		c.variance[i] = math.Exp(2 * ls)
		c.precision[i] = math.Exp(-2 * ls)
	}
	l.scales.Store(c)
	return c
}

// NewGaussian returns Gaussian units with the given means and log standard
// deviations (not copied), learning σ if learnSigma is set.
func NewGaussian(bias, logSigma []float64, learnSigma bool) *Gaussian {
	mustLen("gaussian", "log_sigma", logSigma, len(bias))
	return &Gaussian{Bias: bias, LogSigma: logSigma, LearnSigma: learnSigma}
}

// Sigma returns σᵢ, the standard deviation of unit i given its input.
func (l *Gaussian) Sigma(i int) float64 { return math.Exp(l.LogSigma[i]) }

func (l *Gaussian) Kind() string { return "gaussian" }
func (l *Gaussian) Units() int   { return len(l.Bias) }
func (l *Gaussian) Width() int   { return len(l.Bias) }
func (l *Gaussian) States() int  { return 0 }

func (l *Gaussian) Energy(x []float64) float64 {
	mustLen("gaussian", "x", x, len(l.Bias))
	var e float64
	inv := l.scale().inv
	for i, xi := range x {
		d := (xi - l.Bias[i]) * inv[i]
		e += d * d / 2
	}
	return e
}

func (l *Gaussian) LogPartition(input []float64) float64 {
	mustLen("gaussian", "input", input, len(l.Bias))
	const halfLog2Pi = 0.9189385332046727 // log √(2π)
	var g float64
	variance := l.scale().variance
	for i, in := range input {
		v := variance[i]
		g += l.Bias[i]*in + v*in*in/2 + halfLog2Pi + l.LogSigma[i]
	}
	return g
}

func (l *Gaussian) Mean(dst, input []float64) {
	mustLen("gaussian", "input", input, len(l.Bias))
	variance := l.scale().variance
	for i, in := range input {
		dst[i] = l.Bias[i] + variance[i]*in
	}
}

func (l *Gaussian) Sample(dst, input []float64, rng *rand.Rand) {
	mustLen("gaussian", "input", input, len(l.Bias))
	sigma := l.scale().sigma
	for i, in := range input {
		s := sigma[i]
		dst[i] = l.Bias[i] + s*s*in + s*rng.NormFloat64()
	}
}

// Params returns "bias" and "log_sigma", the latter Fixed unless σ is
// learned.
func (l *Gaussian) Params() []Param {
	return []Param{
		{Name: "bias", Values: l.Bias},
		{Name: "log_sigma", Values: l.LogSigma, Fixed: !l.LearnSigma},
	}
}

// EnergyGrad adds (x-b)/σ² for the bias and, if σ is learned, (x-b)²/σ²
// for log σ.
func (l *Gaussian) EnergyGrad(grad [][]float64, x []float64) {
	precision := l.scale().precision
	for i, xi := range x {
		p := precision[i] // 1/σ²
		d := xi - l.Bias[i]
		grad[0][i] += d * p
		if l.LearnSigma {
			grad[1][i] += d * d * p
		}
	}
}

// LogPartitionGrad adds I for the bias and, if σ is learned, σ²I² + 1 for
// log σ: the expectations of EnergyGrad's terms under N(b + σ²I, σ²).
func (l *Gaussian) LogPartitionGrad(grad [][]float64, input []float64) {
	variance := l.scale().variance
	for i, in := range input {
		grad[0][i] += in
		if l.LearnSigma {
			grad[1][i] += variance[i]*in*in + 1
		}
	}
}

// ShiftField moves the means by σ²δ, keeping σ: the field enters the
// energy (x-b)²/(2σ²) only through b, and (x-b-σ²δ)²/(2σ²) =
// (x-b)²/(2σ²) - δ(x-b) + σ²δ²/2 is E(x) - δx up to a constant.
func (l *Gaussian) ShiftField(delta []float64) {
	mustLen("gaussian", "delta", delta, len(l.Bias))
	for i, d := range delta {
		l.Bias[i] += math.Exp(2*l.LogSigma[i]) * d
	}
}

// Check accepts any finite values.
// Precondition scales the gradient of b by σ² and that of log σ by ½, the
// inverses of their Fisher information 1/σ² and 2.
func (l *Gaussian) Precondition(grad [][]float64) {
	for i := range l.Bias {
		s := l.Sigma(i)
		grad[0][i] *= s * s
		if len(grad) > 1 {
			grad[1][i] /= 2
		}
	}
}

// Fit sets b to the column means and, when σ is learned, σ to the
// columns' standard deviations (at least 1e-3, so that a constant column
// keeps a finite energy).
func (l *Gaussian) Fit(sum, sumSquares []float64, n int) {
	for i, s := range sum {
		mean := s / float64(max(n, 1))
		l.Bias[i] = mean
		if l.LearnSigma {
			variance := sumSquares[i]/float64(max(n, 1)) - mean*mean
			l.LogSigma[i] = math.Log(math.Max(math.Sqrt(math.Max(variance, 0)), 1e-3))
		}
	}
}

func (l *Gaussian) Check(x []float64) error {
	for i, xi := range x {
		if math.IsNaN(xi) || math.IsInf(xi, 0) {
			return fmt.Errorf("unit %d is %v, Gaussian units take finite values", i+1, xi)
		}
	}
	return nil
}

func (l *Gaussian) Clone() Layer {
	return NewGaussian(append([]float64(nil), l.Bias...), append([]float64(nil), l.LogSigma...), l.LearnSigma)
}
