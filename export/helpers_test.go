package export

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/rbm"
)

// randomModel returns a V×H RBM with normal parameters of standard
// deviation scale, seeded.
func randomModel(v, h int, scale float64, seed uint64) *rbm.RBM {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := rbm.New(v, h)
	for _, p := range [][]float32{m.W, m.B, m.C} {
		for i := range p {
			p[i] = float32(scale * rng.NormFloat64())
		}
	}
	return m
}

// randomBinary returns rows×cols data with each unit on with probability ½.
func randomBinary(rows, cols int, seed uint64) *rbm.Matrix {
	rng := rand.New(rand.NewPCG(seed, 2))
	x := rbm.NewMatrix(rows, cols)
	for i := range x.Data {
		if rng.IntN(2) == 1 {
			x.Data[i] = 1
		}
	}
	return x
}

// libraryOutputs computes the three exported outputs with package rbm, the
// reference every runtime is compared against.
func libraryOutputs(m *rbm.RBM, v *rbm.Matrix) map[string][]float64 {
	fe := make([]float64, v.Rows)
	m.FreeEnergies(fe, v)
	h := rbm.NewMatrix(v.Rows, m.Hidden)
	m.HiddenProbs(h, v)
	r := rbm.NewMatrix(v.Rows, m.Visible)
	m.VisibleProbs(r, h)
	return map[string][]float64{
		OutputFreeEnergy:     fe,
		OutputHidden:         widen(h.Data),
		OutputReconstruction: widen(r.Data),
	}
}

// scales returns the scale compareValues needs for each output.
func scales(m *rbm.RBM, v *rbm.Matrix) map[string][]float64 {
	return map[string][]float64{OutputFreeEnergy: freeEnergyScale(m, v)}
}

func widen(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, f := range x {
		y[i] = float64(f)
	}
	return y
}

// relTol is the agreement demanded between a runtime and the library:
// |got - want| ≤ relTol·scale, relative error 1e-5 measured against the
// scale of the computation. For a probability the scale is max(|want|, 1):
// probabilities lie in [0, 1], and tiny ones carry no relative precision
// after float32 rounding of their inputs. The free energy is a sum of
// terms -bᵢvᵢ and -softplus(actⱼ) that may cancel (F ≈ -0.5 from terms in
// the hundreds), and float32 arithmetic rounds each term to a relative
// 2⁻²⁴ of its own size, so its scale is max(Σ|terms|, 1); see
// freeEnergyScale.
const relTol = 1e-5

// freeEnergyScale returns, for each row of v, max(Σᵢ|bᵢvᵢ| + Σⱼ|softplus(actⱼ)|, 1).
func freeEnergyScale(m *rbm.RBM, v *rbm.Matrix) []float64 {
	s := make([]float64, v.Rows)
	act := make([]float64, m.Hidden)
	for r := range v.Rows {
		row := v.Row(r)
		m.HiddenInput(act, row)
		for i, x := range row {
			s[r] += math.Abs(float64(m.B[i]) * float64(x))
		}
		// Softplus is positive, and -F with b = 0 is Σ softplus.
		s[r] += -rbm.FreeEnergyFromInput(make([]float32, len(row)), row, act)
		s[r] = math.Max(s[r], 1)
	}
	return s
}

// compareValues fails t unless got and want agree within relTol. scale
// gives each value's scale; nil means max(|want|, 1). It returns the
// largest scaled difference it saw.
func compareValues(t *testing.T, what string, got, want, scale []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	var worst float64
	for i := range got {
		sc := math.Max(math.Abs(want[i]), 1)
		if scale != nil {
			sc = scale[i]
		}
		d := math.Abs(got[i]-want[i]) / sc
		if !(d <= relTol) { // also catches NaN
			t.Fatalf("%s[%d] = %v, library %v (scaled difference %.3g > %g)", what, i, got[i], want[i], d, relTol)
		}
		worst = math.Max(worst, d)
	}
	return worst
}
