package layer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/internal/kernel"
)

func init() {
	Register(Type{
		Name:    "binary",
		Summary: "units in {0, 1} (Bernoulli)",
		Values:  Bits,
		New:     func(n int, _ Settings) (Layer, error) { return NewBinary(make([]float64, n)), nil },
	})
}

// Binary units take the values 0 and 1, with energy -θᵢxᵢ each:
// p(xᵢ = 1 | I) = σ(θᵢ + Iᵢ).
type Binary struct {
	// Bias holds θ, one value per unit.
	Bias []float64
}

// NewBinary returns binary units with the given biases (not copied).
func NewBinary(bias []float64) *Binary { return &Binary{Bias: bias} }

func (l *Binary) Kind() string { return "binary" }
func (l *Binary) Units() int   { return len(l.Bias) }
func (l *Binary) Width() int   { return len(l.Bias) }
func (l *Binary) States() int  { return 2 }

func (l *Binary) Energy(x []float64) float64 {
	mustLen("binary", "x", x, len(l.Bias))
	var e float64
	for i, xi := range x {
		e -= l.Bias[i] * xi
	}
	return e
}

func (l *Binary) LogPartition(input []float64) float64 {
	mustLen("binary", "input", input, len(l.Bias))
	var g float64
	for i, in := range input {
		g += kernel.Softplus(l.Bias[i] + in)
	}
	return g
}

// means sets dst[i] = E[xᵢ | Iᵢ] = p(xᵢ = 1 | Iᵢ) = σ(θᵢ + Iᵢ) for the
// units from first on, one per value of input: the one formula of Mean,
// Sample, LogPartitionGrad and MeanLogPartitionGrad, vectorised
// (kernel.Sigmoids). dst may be input.
func (l *Binary) means(dst, input []float64, first int) {
	bias := l.Bias[first : first+len(input)]
	for i, in := range input {
		dst[i] = bias[i] + in
	}
	kernel.Sigmoids(dst, dst)
}

// meanChunk is how many units' means the gradient methods take at a time,
// in a buffer on the stack.
const meanChunk = 256

func (l *Binary) Mean(dst, input []float64) {
	mustLen("binary", "input", input, len(l.Bias))
	l.means(dst[:len(input)], input, 0)
}

// Draws is Units (layer.FixedDraws): Sample takes one uniform per unit
// (rng.Float64).
func (l *Binary) Draws() int { return l.Units() }

func (l *Binary) Sample(dst, input []float64, rng *rand.Rand) {
	l.Mean(dst, input)
	for i, p := range dst[:len(input)] {
		dst[i] = 0
		if rng.Float64() < p {
			dst[i] = 1
		}
	}
}

func (l *Binary) Params() []Param { return []Param{{Name: "bias", Values: l.Bias}} }

func (l *Binary) EnergyGrad(grad [][]float64, x []float64) {
	for i, xi := range x {
		grad[0][i] += xi
	}
}

func (l *Binary) LogPartitionGrad(grad [][]float64, input []float64) {
	var buf [meanChunk]float64
	for lo := 0; lo < len(input); lo += meanChunk {
		in := input[lo:min(len(input), lo+meanChunk)]
		p := buf[:len(in)]
		l.means(p, in, lo)
		g := grad[0][lo : lo+len(in)]
		for i, pi := range p {
			g[i] += pi
		}
	}
}

// MeanLogPartitionGrad (layer.MeanGrader): the bias's gradient term is
// the mean.
func (l *Binary) MeanLogPartitionGrad(dst []float64, grad [][]float64, input []float64) {
	l.Mean(dst, input)
	g := grad[0][:len(input)]
	for i, p := range dst[:len(input)] {
		g[i] += p
	}
}

// ShiftField adds δ to θ: the energy is -θᵀx, so it becomes -θᵀx - δᵀx.
func (l *Binary) ShiftField(delta []float64) {
	mustLen("binary", "delta", delta, len(l.Bias))
	for i, d := range delta {
		l.Bias[i] += d
	}
}

// Fit sets θᵢ to the log-odds of the column's mean, smoothed by one
// pseudo observation of 0 and one of 1: p = (Σx + 1)/(n + 2).
func (l *Binary) Fit(sum, _ []float64, n int) {
	for i, s := range sum {
		p := (s + 1) / (float64(n) + 2)
		l.Bias[i] = math.Log(p / (1 - p))
	}
}

// Check accepts values in [0, 1]: binary data may be given as
// probabilities (grey levels), which training uses as they are.
func (l *Binary) Check(x []float64) error {
	for i, xi := range x {
		if !(xi >= 0 && xi <= 1) {
			return fmt.Errorf("unit %d is %v, binary units take values in [0, 1]", i+1, xi)
		}
	}
	return nil
}

func (l *Binary) SetState(dst []float64, s []int) {
	for i, si := range s {
		dst[i] = float64(si)
	}
}

func (l *Binary) Clone() Layer { return NewBinary(append([]float64(nil), l.Bias...)) }
