package layer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/internal/kernel"
)

func init() {
	Register(Type{
		Name:    "potts",
		Summary: "categorical units with q states (one-hot)",
		Values:  Categories,
		New: func(n int, s Settings) (Layer, error) {
			if s.States < 2 {
				return nil, fmt.Errorf("layer: potts units need at least 2 states, got %d", s.States)
			}
			return NewPotts(s.States, make([]float64, n*s.States))
		},
	})
}

// Potts units each take one of q states, encoded one-hot: a layer of n
// units has states of n·q values, unit i in state a being a 1 in column
// i·q+a and 0 in the unit's other columns. Model files store the bias in
// that column order. The energy is -Σₐ θᵢₐxᵢₐ per unit, so that
// p(unit i in state a | I) is the softmax over a of θᵢₐ + Iᵢₐ.
//
// Make Potts layers with NewPotts, which sets the number of states.
type Potts struct {
	// Bias holds θ, q values per unit, in the column order of the states.
	Bias []float64
	q    int
}

// NewPotts returns units of q states with the given biases (not copied),
// q per unit: the number of units is len(bias)/q.
func NewPotts(q int, bias []float64) (*Potts, error) {
	if q < 2 {
		return nil, fmt.Errorf("layer: potts units need at least 2 states, got %d", q)
	}
	if len(bias) == 0 || len(bias)%q != 0 {
		return nil, fmt.Errorf("layer: potts layer: %d biases are not a positive multiple of %d states", len(bias), q)
	}
	return &Potts{Bias: bias, q: q}, nil
}

// Q returns the number of states of each unit.
func (l *Potts) Q() int { return l.q }

func (l *Potts) Kind() string { return "potts" }
func (l *Potts) Units() int   { return len(l.Bias) / l.q }
func (l *Potts) Width() int   { return len(l.Bias) }
func (l *Potts) States() int  { return l.q }

func (l *Potts) Energy(x []float64) float64 {
	mustLen("potts", "x", x, len(l.Bias))
	var e float64
	for j, xj := range x {
		e -= l.Bias[j] * xj
	}
	return e
}

func (l *Potts) LogPartition(input []float64) float64 {
	mustLen("potts", "input", input, len(l.Bias))
	var g float64
	for i := range l.Units() {
		g += l.unitLogPartition(i, input)
	}
	return g
}

func (l *Potts) Mean(dst, input []float64) {
	mustLen("potts", "input", input, len(l.Bias))
	l.weights(dst, input)
	for i := range l.Units() {
		normalize(dst[i*l.q : (i+1)*l.q])
	}
}

// shift sets x[a] = θᵢₐ + Iᵢₐ - m for the q columns of unit i, m being
// their largest value, and returns m: e^x are then the unit's softmax
// weights relative to its most probable state, which has weight 1, so
// that they neither overflow nor all underflow and sum to at least 1.
func (l *Potts) shift(x []float64, i int, input []float64) (m float64) {
	bias := l.Bias[i*l.q : (i+1)*l.q]
	in, x := input[i*l.q:(i+1)*l.q], x[:len(bias)]
	m = math.Inf(-1)
	for j, b := range bias {
		m = max(m, b+in[j])
	}
	for j, b := range bias {
		x[j] = b + in[j] - m
	}
	return m
}

// weights sets w to every unit's weights e^x of shift, taking the
// exponentials of the whole row in one vector pass (kernel.ExpNeg): the
// one formula of the layer's probabilities. w may be input, each column
// being written after it is read.
func (l *Potts) weights(w, input []float64) {
	for i := range l.Units() {
		l.shift(w[i*l.q:(i+1)*l.q], i, input)
	}
	kernel.ExpNeg(w, w)
}

// normalize divides a unit's weights by their sum: its probabilities.
func normalize(w []float64) {
	var s float64
	for _, x := range w {
		s += x
	}
	for a := range w {
		w[a] /= s
	}
}

// Draws is Units (layer.FixedDraws): Sample takes one uniform per unit
// (rng.Float64), whatever its q.
func (l *Potts) Draws() int { return l.Units() }

func (l *Potts) Sample(dst, input []float64, rng *rand.Rand) {
	mustLen("potts", "input", input, len(l.Bias))
	l.weights(dst, input)
	for i := range l.Units() {
		// The weights are kept in dst until the state is picked (see
		// weights).
		w := dst[i*l.q : (i+1)*l.q]
		var sum float64
		for _, x := range w {
			sum += x
		}
		// Inverse CDF with one uniform per unit. The running sum ends at
		// sum exactly (same terms, same order) and u·sum < sum, so a state
		// is always found; the most likely state stands in should rounding
		// ever prove that wrong.
		target := rng.Float64() * sum
		pick := -1
		var cum float64
		for a, x := range w {
			cum += x
			if target < cum {
				pick = a
				break
			}
		}
		if pick < 0 {
			pick = 0
			for a, x := range w {
				if x > w[pick] {
					pick = a
				}
			}
		}
		clear(w)
		w[pick] = 1
	}
}

func (l *Potts) Params() []Param { return []Param{{Name: "bias", Values: l.Bias}} }

func (l *Potts) EnergyGrad(grad [][]float64, x []float64) {
	for j, xj := range x {
		grad[0][j] += xj
	}
}

func (l *Potts) LogPartitionGrad(grad [][]float64, input []float64) {
	var buf [64]float64
	p := buf[:]
	if l.q > len(buf) {
		p = make([]float64, l.q)
	}
	p = p[:l.q]
	for i := range l.Units() {
		l.shift(p, i, input)
		kernel.ExpNeg(p, p)
		normalize(p)
		for a, pa := range p {
			grad[0][i*l.q+a] += pa
		}
	}
}

// MeanLogPartitionGrad (layer.MeanGrader): the bias's gradient term is
// the mean.
func (l *Potts) MeanLogPartitionGrad(dst []float64, grad [][]float64, input []float64) {
	l.Mean(dst, input)
	for j, p := range dst[:len(l.Bias)] {
		grad[0][j] += p
	}
}

// ShiftField adds δ to θ, column by column: the energy is -θᵀx over the
// one-hot columns, so it becomes -θᵀx - δᵀx.
func (l *Potts) ShiftField(delta []float64) {
	mustLen("potts", "delta", delta, len(l.Bias))
	for j, d := range delta {
		l.Bias[j] += d
	}
}

// Check accepts only one-hot units: a unit's q columns are 0 or 1 with
// exactly one 1. Unlike binary units, fractional values (a distribution
// over the states) are refused, since a single state is what the energy
// and the file format describe.
// Fit sets θᵢₐ to the log of state a's frequency in unit i's column,
// smoothed by one pseudo observation spread evenly over the states, and
// centred so that each unit's biases sum to zero (the energy does not
// change when a constant is added to one unit's biases).
func (l *Potts) Fit(sum, _ []float64, n int) {
	q := float64(l.q)
	for i := range l.Units() {
		row := l.Bias[i*l.q : (i+1)*l.q]
		var mean float64
		for a := range row {
			row[a] = math.Log((sum[i*l.q+a] + 1/q) / (float64(n) + 1))
			mean += row[a] / q
		}
		for a := range row {
			row[a] -= mean
		}
	}
}

func (l *Potts) Check(x []float64) error {
	if len(x) != len(l.Bias) {
		return fmt.Errorf("%d values, potts units of %d states need %d for %d units", len(x), l.q, len(l.Bias), l.Units())
	}
	for i := range l.Units() {
		ones := 0
		for a := range l.q {
			switch xa := x[i*l.q+a]; xa {
			case 0:
			case 1:
				ones++
			default:
				return fmt.Errorf("unit %d: state %d is %v, potts units are one-hot (0 or 1)", i+1, a, xa)
			}
		}
		if ones != 1 {
			return fmt.Errorf("unit %d has %d of its %d states set, potts units are one-hot (exactly one)", i+1, ones, l.q)
		}
	}
	return nil
}

// SetState sets unit i one-hot in state s[i].
func (l *Potts) SetState(dst []float64, s []int) {
	for i, si := range s {
		for a := range l.q {
			dst[i*l.q+a] = 0
		}
		dst[i*l.q+si] = 1
	}
}

func (l *Potts) Clone() Layer {
	return &Potts{Bias: append([]float64(nil), l.Bias...), q: l.q}
}

// unitLogPartition returns log Σₐ exp(θᵢₐ + Iᵢₐ) for unit i, subtracting
// the largest term first so that the exponentials neither overflow nor
// all underflow.
func (l *Potts) unitLogPartition(i int, input []float64) float64 {
	var buf [64]float64
	w := buf[:]
	if l.q > len(buf) {
		w = make([]float64, l.q)
	}
	w = w[:l.q]
	m := l.shift(w, i, input)
	kernel.ExpNeg(w, w)
	var s float64
	for _, x := range w {
		s += x
	}
	return m + math.Log(s)
}
