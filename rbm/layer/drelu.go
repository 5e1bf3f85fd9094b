package layer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/internal/kernel"
)

func init() {
	Register(Type{
		Name:    "drelu",
		Summary: "real units with two ReLU halves (double ReLU; protein RBMs)",
		Values:  Reals,
		New: func(n int, s Settings) (Layer, error) {
			return NewDReLU(make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), s.LearnScale), nil
		},
	})
}

// DReLU units ("double ReLU", Tubiana, Cocco and Monasson, eLife 2019, the
// hidden units of their protein RBMs) take any real value x, with energy
//
//	Eᵢ(x) = γᵢ⁺(x⁺)²/2 + γᵢ⁻(x⁻)²/2 - θᵢx + Δᵢ|x|,   x⁺ = max(x, 0), x⁻ = min(x, 0):
//
// a Gaussian whose two halves have their own precisions γ⁺ and γ⁻, and
// whose slope jumps by 2Δ at zero. Δ > 0 pulls the unit to exactly zero
// (a sparse, thresholded response), Δ < 0 pushes it away (a bimodal one);
// with Δ = 0 and γ⁺ = γ⁻ the units are Gaussian. In the thresholds of the
// paper, θ⁺ = θ - Δ and θ⁻ = θ + Δ. Given the input I each half is the
// truncated normal of a ReLU unit, so the log-partition is
//
//	Γᵢ = log(Z⁺ + Z⁻),  Z⁺ = ∫₀^∞ exp(-γ⁺x²/2 + (θ-Δ+I)x) dx,
//	                    Z⁻ = ∫₀^∞ exp(-γ⁻y²/2 - (θ+Δ+I)y) dy,
//
// and a sample is the positive half with probability Z⁺/(Z⁺+Z⁻), then a
// draw from that half: the truncated-normal numerics of the ReLU layer
// serve both. θ is the linear coefficient, so that shifting the field
// (ShiftField) moves θ alone. The precisions are learned as log γ±, which
// keeps them positive.
type DReLU struct {
	// Bias holds θ, the linear coefficient of the energy, and Kink Δ, the
	// coefficient of |x|.
	Bias, Kink []float64
	// LogPrecisionPos and LogPrecisionNeg hold log γ⁺ and log γ⁻.
	LogPrecisionPos, LogPrecisionNeg []float64
	// LearnPrecision trains the log precisions; otherwise they are Fixed
	// parameters.
	LearnPrecision bool
}

// NewDReLU returns dReLU units with the given θ, Δ, log γ⁺ and log γ⁻
// (not copied), learning the precisions if learnPrecision is set.
func NewDReLU(bias, kink, logPrecisionPos, logPrecisionNeg []float64, learnPrecision bool) *DReLU {
	mustLen("drelu", "kink", kink, len(bias))
	mustLen("drelu", "log_precision_pos", logPrecisionPos, len(bias))
	mustLen("drelu", "log_precision_neg", logPrecisionNeg, len(bias))
	return &DReLU{Bias: bias, Kink: kink, LogPrecisionPos: logPrecisionPos, LogPrecisionNeg: logPrecisionNeg, LearnPrecision: learnPrecision}
}

func (l *DReLU) Kind() string { return "drelu" }
func (l *DReLU) Units() int   { return len(l.Bias) }
func (l *DReLU) Width() int   { return len(l.Bias) }
func (l *DReLU) States() int  { return 0 }

func (l *DReLU) Energy(x []float64) float64 {
	mustLen("drelu", "x", x, len(l.Bias))
	var e float64
	for i, xi := range x {
		logGamma := l.LogPrecisionPos[i]
		if xi < 0 {
			logGamma = l.LogPrecisionNeg[i]
		}
		e += math.Exp(logGamma)*xi*xi/2 - l.Bias[i]*xi + l.Kink[i]*math.Abs(xi)
	}
	return e
}

// dreluHalves is unit i of a dReLU layer at one input: its two halves in
// the standardized variable of each, u = √γ±·|x|, a normal N(m±, 1)
// truncated to [0, ∞).
type dreluHalves struct {
	mPos, mNeg float64 // the standardized means m± = ±(θ ∓ Δ + I)/√γ±
	sPos, sNeg float64 // 1/√γ±, which converts u back to |x|
	logZ       float64 // Γᵢ
	// pPos is P(x ≥ 0) = Z⁺/(Z⁺ + Z⁻) and pNeg P(x < 0), each computed
	// on its own so that the smaller keeps its relative accuracy.
	pPos, pNeg float64
	// meanPos and meanNeg are E[u] and secondPos, secondNeg E[u²] of the
	// halves.
	meanPos, meanNeg, secondPos, secondNeg float64
}

// halves returns unit i's halves at input in.
func (l *DReLU) halves(i int, in float64) dreluHalves {
	var h dreluHalves
	h.sPos = math.Exp(-l.LogPrecisionPos[i] / 2)
	h.sNeg = math.Exp(-l.LogPrecisionNeg[i] / 2)
	h.mPos = (l.Bias[i] - l.Kink[i] + in) * h.sPos
	h.mNeg = -(l.Bias[i] + l.Kink[i] + in) * h.sNeg
	zPos, meanPos, secondPos := truncNormal(h.mPos)
	zNeg, meanNeg, secondNeg := truncNormal(h.mNeg)
	// dx = du/√γ on each half.
	zPos -= l.LogPrecisionPos[i] / 2
	zNeg -= l.LogPrecisionNeg[i] / 2
	h.logZ = math.Max(zPos, zNeg) + math.Log1p(math.Exp(-math.Abs(zPos-zNeg)))
	h.pPos, h.pNeg = kernel.Sigmoid(zPos-zNeg), kernel.Sigmoid(zNeg-zPos)
	h.meanPos, h.meanNeg, h.secondPos, h.secondNeg = meanPos, meanNeg, secondPos, secondNeg
	return h
}

// positive returns E[x⁺] and negative E[x⁻] (≤ 0) of the unit.
func (h *dreluHalves) positive() float64 { return h.pPos * h.meanPos * h.sPos }
func (h *dreluHalves) negative() float64 { return -h.pNeg * h.meanNeg * h.sNeg }

func (l *DReLU) LogPartition(input []float64) float64 {
	mustLen("drelu", "input", input, len(l.Bias))
	var g float64
	for i, in := range input {
		h := l.halves(i, in)
		g += h.logZ
	}
	return g
}

func (l *DReLU) Mean(dst, input []float64) {
	mustLen("drelu", "input", input, len(l.Bias))
	for i, in := range input {
		h := l.halves(i, in)
		dst[i] = h.positive() + h.negative()
	}
}

// Sample picks each unit's half with one uniform and then draws from it
// exactly, by the ReLU layer's rejection sampler.
func (l *DReLU) Sample(dst, input []float64, rng *rand.Rand) {
	mustLen("drelu", "input", input, len(l.Bias))
	for i, in := range input {
		h := l.halves(i, in)
		if rng.Float64() < h.pPos {
			dst[i] = sampleTruncNormal(h.mPos, rng) * h.sPos
		} else {
			dst[i] = -sampleTruncNormal(h.mNeg, rng) * h.sNeg
		}
	}
}

// Params returns "bias" (θ), "kink" (Δ), "log_precision_pos" and
// "log_precision_neg", the last two Fixed unless the precisions are
// learned.
func (l *DReLU) Params() []Param {
	return []Param{
		{Name: "bias", Values: l.Bias},
		{Name: "kink", Values: l.Kink},
		{Name: "log_precision_pos", Values: l.LogPrecisionPos, Fixed: !l.LearnPrecision},
		{Name: "log_precision_neg", Values: l.LogPrecisionNeg, Fixed: !l.LearnPrecision},
	}
}

// EnergyGrad adds x for θ, -|x| for Δ and, if the precisions are learned,
// -γ±(x±)²/2 for log γ± (the half x is on).
func (l *DReLU) EnergyGrad(grad [][]float64, x []float64) {
	for i, xi := range x {
		grad[0][i] += xi
		grad[1][i] -= math.Abs(xi)
		if !l.LearnPrecision {
			continue
		}
		if xi >= 0 {
			grad[2][i] -= math.Exp(l.LogPrecisionPos[i]) * xi * xi / 2
		} else {
			grad[3][i] -= math.Exp(l.LogPrecisionNeg[i]) * xi * xi / 2
		}
	}
}

// LogPartitionGrad adds E[x] for θ, -E|x| for Δ and, if the precisions
// are learned, -γ±E[(x±)²]/2 for log γ±, which is -P(half)·E[u²]/2 in
// the half's standardized variable.
func (l *DReLU) LogPartitionGrad(grad [][]float64, input []float64) {
	mustLen("drelu", "input", input, len(l.Bias))
	for i, in := range input {
		h := l.halves(i, in)
		l.addGrad(grad, i, &h)
	}
}

// MeanLogPartitionGrad (layer.MeanGrader): the mean and every gradient
// term come from one evaluation of the two halves.
func (l *DReLU) MeanLogPartitionGrad(dst []float64, grad [][]float64, input []float64) {
	mustLen("drelu", "input", input, len(l.Bias))
	for i, in := range input {
		h := l.halves(i, in)
		dst[i] = h.positive() + h.negative()
		l.addGrad(grad, i, &h)
	}
}

// addGrad adds unit i's terms of ∂Γ/∂θ at the halves h.
func (l *DReLU) addGrad(grad [][]float64, i int, h *dreluHalves) {
	pos, neg := h.positive(), h.negative()
	grad[0][i] += pos + neg
	grad[1][i] -= pos - neg
	if l.LearnPrecision {
		grad[2][i] -= h.pPos * h.secondPos / 2
		grad[3][i] -= h.pNeg * h.secondNeg / 2
	}
}

// ShiftField adds δ to θ, the linear coefficient.
func (l *DReLU) ShiftField(delta []float64) {
	mustLen("drelu", "delta", delta, len(l.Bias))
	for i, d := range delta {
		l.Bias[i] += d
	}
}

// Fit sets θ so that each unit's mean at zero input is its column's mean,
// keeping Δ and the precisions: the mean rises with θ (its derivative is
// the variance), so bisection finds it, between bounds widened until they
// hold it.
func (l *DReLU) Fit(sum, _ []float64, n int) {
	for i, s := range sum {
		target := s / float64(max(n, 1))
		mean := func(theta float64) float64 {
			l.Bias[i] = theta
			h := l.halves(i, 0)
			return h.positive() + h.negative()
		}
		lo, hi := -1.0, 1.0
		for mean(lo) > target && lo > -1e300 {
			lo *= 2
		}
		for mean(hi) < target && hi < 1e300 {
			hi *= 2
		}
		for range 200 {
			mid := (lo + hi) / 2
			if mean(mid) < target {
				lo = mid
			} else {
				hi = mid
			}
		}
		l.Bias[i] = (lo + hi) / 2
	}
}

// Check accepts finite values.
func (l *DReLU) Check(x []float64) error {
	for i, xi := range x {
		if math.IsNaN(xi) || math.IsInf(xi, 0) {
			return fmt.Errorf("unit %d is %v, dReLU units take finite values", i+1, xi)
		}
	}
	return nil
}

func (l *DReLU) Clone() Layer {
	c := func(x []float64) []float64 { return append([]float64(nil), x...) }
	return NewDReLU(c(l.Bias), c(l.Kink), c(l.LogPrecisionPos), c(l.LogPrecisionNeg), l.LearnPrecision)
}
