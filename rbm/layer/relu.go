package layer

import (
	"fmt"
	"math"
	"math/rand/v2"
)

func init() {
	Register(Type{
		Name:    "relu",
		Summary: "non-negative real units (truncated normal; rectified linear)",
		Values:  Reals,
		New: func(n int, s Settings) (Layer, error) {
			return NewReLU(make([]float64, n), make([]float64, n), s.LearnScale), nil
		},
	})
}

// ReLU units take values x ≥ 0, with energy γᵢxᵢ²/2 - θᵢxᵢ each (the ReLU
// layer of RestrictedBoltzmannMachines.jl). Given the input I, unit i is
// the normal N(μᵢ, 1/γᵢ) with μᵢ = (θᵢ + Iᵢ)/γᵢ truncated to [0, ∞): a
// noisy rectified linear unit whose mean approaches max(0, μᵢ) as the
// field grows. Its log-partition is
//
//	Γᵢ = log ∫₀^∞ exp(-γᵢx²/2 + (θᵢ+Iᵢ)x) dx
//	   = log √(π/(2γᵢ)) + γᵢμᵢ²/2 + log erfc(-μᵢ√(γᵢ/2)),
//
// evaluated without overflow or underflow for fields of any size: for
// θ+I ≪ 0 it tends to -log(-(θ+I)), where erfc itself underflows. The
// precision is learned as log γ, which keeps γ positive.
type ReLU struct {
	// Bias holds θ, the linear coefficient of the energy.
	Bias []float64
	// LogPrecision holds log γ, the log precision of each unit.
	LogPrecision []float64
	// LearnPrecision trains LogPrecision; otherwise it is a Fixed
	// parameter.
	LearnPrecision bool
}

// NewReLU returns ReLU units with the given biases and log precisions (not
// copied), learning the precision if learnPrecision is set.
func NewReLU(bias, logPrecision []float64, learnPrecision bool) *ReLU {
	mustLen("relu", "log_precision", logPrecision, len(bias))
	return &ReLU{Bias: bias, LogPrecision: logPrecision, LearnPrecision: learnPrecision}
}

func (l *ReLU) Kind() string { return "relu" }
func (l *ReLU) Units() int   { return len(l.Bias) }
func (l *ReLU) Width() int   { return len(l.Bias) }
func (l *ReLU) States() int  { return 0 }

func (l *ReLU) Energy(x []float64) float64 {
	mustLen("relu", "x", x, len(l.Bias))
	var e float64
	for i, xi := range x {
		e += math.Exp(l.LogPrecision[i])*xi*xi/2 - l.Bias[i]*xi
	}
	return e
}

// standardize returns the truncated normal of unit i at input in in the
// units of its standard deviation: u = √γ·x is N(m, 1) truncated to
// [0, ∞), with m = (θ+I)/√γ, and s = 1/√γ converts back.
func (l *ReLU) standardize(i int, in float64) (m, s float64) {
	s = math.Exp(-l.LogPrecision[i] / 2)
	return (l.Bias[i] + in) * s, s
}

func (l *ReLU) LogPartition(input []float64) float64 {
	mustLen("relu", "input", input, len(l.Bias))
	var g float64
	for i, in := range input {
		m, _ := l.standardize(i, in)
		logZ, _, _ := truncNormal(m)
		// dx = du/√γ.
		g += logZ - l.LogPrecision[i]/2
	}
	return g
}

func (l *ReLU) Mean(dst, input []float64) {
	mustLen("relu", "input", input, len(l.Bias))
	for i, in := range input {
		m, s := l.standardize(i, in)
		_, mean, _ := truncNormal(m)
		dst[i] = mean * s
	}
}

func (l *ReLU) Sample(dst, input []float64, rng *rand.Rand) {
	mustLen("relu", "input", input, len(l.Bias))
	for i, in := range input {
		m, s := l.standardize(i, in)
		dst[i] = sampleTruncNormal(m, rng) * s
	}
}

// sampleTruncNormal draws u ~ N(m, 1) truncated to [0, ∞) exactly, by
// rejection in both regimes; the acceptance rate is at least 1/2 for
// every m, so the expected number of tries is at most 2.
func sampleTruncNormal(m float64, rng *rand.Rand) float64 {
	if m > 0 {
		// The bound is below the mean: draws from the whole normal land
		// in [0, ∞) with probability Φ(m) > 1/2.
		for {
			if u := m + rng.NormFloat64(); u >= 0 {
				return u
			}
		}
	}
	// The bound a = -m ≥ 0 is in the tail, where naive rejection would
	// almost never accept. Robert (1995): propose z = a + Exp(λ) and
	// accept with probability exp(-(z-λ)²/2), λ = (a + √(a²+4))/2 being
	// the rate that maximizes the acceptance (≥ 0.76 for a ≥ 0, → 1 as a
	// grows). Work with u = z - a ≥ 0 directly and λ - a = 2/(√(a²+4) + a)
	// so that nothing cancels in the far tail; hypot keeps a² from
	// overflowing.
	a := -m
	h := math.Hypot(a, 2)
	lambda := (a + h) / 2
	d := 2 / (h + a)
	for {
		u := rng.ExpFloat64() / lambda
		e := u - d // z - λ
		if rng.Float64() < math.Exp(-e*e/2) {
			return u
		}
	}
}

// Params returns "bias" and "log_precision", the latter Fixed unless the
// precision is learned.
func (l *ReLU) Params() []Param {
	return []Param{
		{Name: "bias", Values: l.Bias},
		{Name: "log_precision", Values: l.LogPrecision, Fixed: !l.LearnPrecision},
	}
}

// EnergyGrad adds x for the bias and, if the precision is learned, -γx²/2
// for log γ.
func (l *ReLU) EnergyGrad(grad [][]float64, x []float64) {
	for i, xi := range x {
		grad[0][i] += xi
		if l.LearnPrecision {
			grad[1][i] -= math.Exp(l.LogPrecision[i]) * xi * xi / 2
		}
	}
}

// LogPartitionGrad adds E[x] for the bias and, if the precision is
// learned, -γE[x²]/2 for log γ, which is -E[u²]/2 in the standardized
// variable u = √γ·x.
func (l *ReLU) LogPartitionGrad(grad [][]float64, input []float64) {
	for i, in := range input {
		m, s := l.standardize(i, in)
		_, mean, second := truncNormal(m)
		grad[0][i] += mean * s
		if l.LearnPrecision {
			grad[1][i] -= second / 2
		}
	}
}

// MeanLogPartitionGrad (layer.MeanGrader): the mean and both gradient
// terms come from one evaluation of the truncated normal's moments.
func (l *ReLU) MeanLogPartitionGrad(dst []float64, grad [][]float64, input []float64) {
	mustLen("relu", "input", input, len(l.Bias))
	for i, in := range input {
		m, s := l.standardize(i, in)
		_, mean, second := truncNormal(m)
		dst[i] = mean * s
		grad[0][i] += dst[i]
		if l.LearnPrecision {
			grad[1][i] -= second / 2
		}
	}
}

// ShiftField adds δ to θ, the linear coefficient, keeping the precision:
// γx²/2 - θx becomes γx²/2 - θx - δx.
func (l *ReLU) ShiftField(delta []float64) {
	mustLen("relu", "delta", delta, len(l.Bias))
	for i, d := range delta {
		l.Bias[i] += d
	}
}

// Check accepts finite values ≥ 0.
// Fit sets θ so that each unit's mean at zero input is its column's mean
// (at least 1e-3 of the unit's scale, so that θ stays finite), keeping the
// precision: the mean rises with θ, so bisection finds it.
func (l *ReLU) Fit(sum, _ []float64, n int) {
	for i, s := range sum {
		scale := math.Exp(-l.LogPrecision[i] / 2)
		target := math.Max(s/float64(max(n, 1)), 1e-3*scale)
		lo, hi := -1e3/scale, 1e3/scale
		for range 200 {
			l.Bias[i] = (lo + hi) / 2
			m, sd := l.standardize(i, 0)
			if _, mean, _ := truncNormal(m); mean*sd < target {
				lo = l.Bias[i]
			} else {
				hi = l.Bias[i]
			}
		}
	}
}

func (l *ReLU) Check(x []float64) error {
	for i, xi := range x {
		if !(xi >= 0 && xi <= math.MaxFloat64) {
			return fmt.Errorf("unit %d is %v, ReLU units take finite values ≥ 0", i+1, xi)
		}
	}
	return nil
}

func (l *ReLU) Clone() Layer {
	return NewReLU(append([]float64(nil), l.Bias...), append([]float64(nil), l.LogPrecision...), l.LearnPrecision)
}
