package layer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/internal/kernel"
)

func init() {
	Register(Type{
		Name:    "spin",
		Summary: "units in {−1, +1} (Ising spins)",
		Values:  Bits,
		New:     func(n int, _ Settings) (Layer, error) { return NewSpin(make([]float64, n)), nil },
	})
}

// Spin units take the values -1 and +1, with energy -θᵢxᵢ each:
// p(xᵢ = +1 | I) = σ(2(θᵢ + Iᵢ)) and E[xᵢ | I] = tanh(θᵢ + Iᵢ).
//
// A spin is a binary unit b = (x+1)/2 with bias 2θ: the two layers give
// the same distributions, but the spin's symmetric values keep a zero
// field from favouring either state.
type Spin struct {
	// Bias holds θ, one value per unit.
	Bias []float64
}

// NewSpin returns spin units with the given biases (not copied).
func NewSpin(bias []float64) *Spin { return &Spin{Bias: bias} }

func (l *Spin) Kind() string { return "spin" }
func (l *Spin) Units() int   { return len(l.Bias) }
func (l *Spin) Width() int   { return len(l.Bias) }
func (l *Spin) States() int  { return 2 }

func (l *Spin) Energy(x []float64) float64 {
	mustLen("spin", "x", x, len(l.Bias))
	var e float64
	for i, xi := range x {
		e -= l.Bias[i] * xi
	}
	return e
}

func (l *Spin) LogPartition(input []float64) float64 {
	mustLen("spin", "input", input, len(l.Bias))
	var g float64
	for i, in := range input {
		g += logTwoCosh(l.Bias[i] + in)
	}
	return g
}

// mean returns E[xᵢ | Iᵢ = in] = tanh(θᵢ + in), the one formula of Mean,
// LogPartitionGrad and MeanLogPartitionGrad.
func (l *Spin) mean(i int, in float64) float64 { return math.Tanh(l.Bias[i] + in) }

func (l *Spin) Mean(dst, input []float64) {
	mustLen("spin", "input", input, len(l.Bias))
	for i, in := range input {
		dst[i] = l.mean(i, in)
	}
}

// Draws is Units (layer.FixedDraws): Sample takes one uniform per unit
// (rng.Float64).
func (l *Spin) Draws() int { return l.Units() }

func (l *Spin) Sample(dst, input []float64, rng *rand.Rand) {
	mustLen("spin", "input", input, len(l.Bias))
	for i, in := range input {
		dst[i] = -1
		// p(+1) = e^a / (e^a + e^-a) = σ(2a).
		if rng.Float64() < kernel.Sigmoid(2*(l.Bias[i]+in)) {
			dst[i] = 1
		}
	}
}

func (l *Spin) Params() []Param { return []Param{{Name: "bias", Values: l.Bias}} }

func (l *Spin) EnergyGrad(grad [][]float64, x []float64) {
	for i, xi := range x {
		grad[0][i] += xi
	}
}

func (l *Spin) LogPartitionGrad(grad [][]float64, input []float64) {
	for i, in := range input {
		grad[0][i] += l.mean(i, in)
	}
}

// MeanLogPartitionGrad (layer.MeanGrader): the bias's gradient term is
// the mean.
func (l *Spin) MeanLogPartitionGrad(dst []float64, grad [][]float64, input []float64) {
	mustLen("spin", "input", input, len(l.Bias))
	for i, in := range input {
		m := l.mean(i, in)
		dst[i] = m
		grad[0][i] += m
	}
}

// ShiftField adds δ to θ: the energy is -θᵀx, so it becomes -θᵀx - δᵀx.
func (l *Spin) ShiftField(delta []float64) {
	mustLen("spin", "delta", delta, len(l.Bias))
	for i, d := range delta {
		l.Bias[i] += d
	}
}

// Check accepts only -1 and +1: unlike binary units, whose values in
// between are read as probabilities, a spin value in between (0 in
// particular) more likely means data in the wrong encoding.
// Fit sets θᵢ = atanh(m) for the column's mean m of ±1 values, smoothed as
// Binary's is (one pseudo observation of each value).
func (l *Spin) Fit(sum, _ []float64, n int) {
	for i, s := range sum {
		p := ((s+float64(n))/2 + 1) / (float64(n) + 2) // the fraction of +1
		l.Bias[i] = math.Atanh(2*p - 1)
	}
}

func (l *Spin) Check(x []float64) error {
	for i, xi := range x {
		if xi != -1 && xi != 1 {
			return fmt.Errorf("unit %d is %v, spin units take the values -1 and +1", i+1, xi)
		}
	}
	return nil
}

// SetState maps state 0 to -1 and state 1 to +1.
func (l *Spin) SetState(dst []float64, s []int) {
	for i, si := range s {
		dst[i] = float64(2*si - 1)
	}
}

func (l *Spin) Clone() Layer { return NewSpin(append([]float64(nil), l.Bias...)) }

// logTwoCosh returns log(eᵃ + e⁻ᵃ) = |a| + log(1 + e^(-2|a|)), which
// neither overflows for large |a| nor loses the small term.
func logTwoCosh(a float64) float64 {
	a = math.Abs(a)
	return a + math.Log1p(math.Exp(-2*a))
}
