package denoise

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

func randomMachine(t *testing.T, v, h layer.Layer, seed uint64) *rbm.Machine {
	t.Helper()
	m := rbm.NewMachine(v, h)
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range m.W {
		m.W[i] = rng.NormFloat64()
	}
	for _, l := range []layer.Layer{v, h} {
		for _, p := range l.Params() {
			if !p.Fixed {
				for i := range p.Values {
					p.Values[i] = 0.5 * rng.NormFloat64()
				}
			}
		}
	}
	return m
}

// The Rao-Blackwellised means of successive sweeps are correlated; with
// these weights the integrated autocorrelation time stays below 4, so 5
// standard errors of 20,000 independent draws, times 2, bound the error.
const inpaintSweeps = 20000

func inpaintBound(sd float64) float64 { return 2 * 5 * sd / math.Sqrt(inpaintSweeps) }

// TestInpaintPottsAgainstEnumeration compares the restored state
// probabilities of an unknown Potts unit with its exact conditional given
// the known units, p(v_u | v_k) ∝ exp(-F(v)) over the unit's q states.
func TestInpaintPottsAgainstEnumeration(t *testing.T) {
	v, _ := layer.NewPotts(3, make([]float64, 4*3))
	m := randomMachine(t, v, layer.NewBinary(make([]float64, 2)), 3)
	row := []float64{1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1} // states 0, 2, 1, 2
	missing := []bool{false, true, false, false}
	got, err := Inpaint(context.Background(), m, mat.NewDense(1, 12, row), missing, Settings{Sweeps: inpaintSweeps, Burnin: 100, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	// Exact: enumerate the q states of unit 1.
	var w [3]float64
	var z float64
	for a := range 3 {
		x := append([]float64(nil), row...)
		x[3], x[4], x[5] = 0, 0, 0
		x[3+a] = 1
		w[a] = math.Exp(-m.FreeEnergy(x))
		z += w[a]
	}
	for a := range 3 {
		p := w[a] / z
		if g := got.At(0, 3+a); math.Abs(g-p) > inpaintBound(math.Sqrt(p*(1-p))) {
			t.Errorf("state %d: restored %.4f, exact %.4f", a, g, p)
		}
	}
	for c, x := range row {
		if c < 3 || c >= 6 {
			if got.At(0, c) != x {
				t.Errorf("known column %d changed from %v to %v", c, x, got.At(0, c))
			}
		}
	}
}

// TestInpaintGaussianAgainstEnumeration compares the restored values of
// unknown Gaussian units with their exact conditional means given the known
// ones, Σ_h p(h | v_k) E[v_u | h], the sum over every binary hidden state.
func TestInpaintGaussianAgainstEnumeration(t *testing.T) {
	v := layer.NewGaussian(make([]float64, 4), make([]float64, 4), true)
	m := randomMachine(t, v, layer.NewBinary(make([]float64, 3)), 4)
	row := []float64{0.3, 0, -0.7, 0}
	missing := []bool{false, true, false, true}
	got, err := Inpaint(context.Background(), m, mat.NewDense(1, 4, row), missing, Settings{Sweeps: inpaintSweeps, Burnin: 100, Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	// p(h | v_k) ∝ exp(-E_h(h) + (W_kᵀv_k)·h + Γ_u(W_u h)), the unknown
	// units integrated out; E[v_u | h] is the layer's mean at input W_u h.
	var z float64
	want := make([]float64, 4)
	for s := range 8 {
		h := []float64{float64(s & 1), float64(s >> 1 & 1), float64(s >> 2 & 1)}
		in := make([]float64, 4)
		m.VisibleInput(in, h)
		logw := -m.Hidden.Energy(h)
		for i := range 4 {
			if !missing[i] {
				logw += row[i] * in[i]
			}
		}
		// Γ of the unknown units alone: a Gaussian layer of those units.
		sub := layer.NewGaussian([]float64{v.Bias[1], v.Bias[3]}, []float64{v.LogSigma[1], v.LogSigma[3]}, false)
		logw += sub.LogPartition([]float64{in[1], in[3]})
		mean := make([]float64, 4)
		v.Mean(mean, in)
		w := math.Exp(logw)
		z += w
		for i := range 4 {
			want[i] += w * mean[i]
		}
	}
	for _, i := range []int{1, 3} {
		want[i] /= z
		if g := got.At(0, i); math.Abs(g-want[i]) > inpaintBound(v.Sigma(i)+1) {
			t.Errorf("unit %d: restored %.4f, exact conditional mean %.4f", i, g, want[i])
		}
	}
}

func TestInpaintErrors(t *testing.T) {
	m := rbm.NewMachine(layer.NewBinary(make([]float64, 3)), layer.NewBinary(make([]float64, 2)))
	ctx := context.Background()
	if _, err := Inpaint(ctx, m, mat.NewDense(1, 2, nil), []bool{true, false, false}, Settings{}); err == nil {
		t.Error("rows of the wrong width accepted")
	}
	if _, err := Inpaint(ctx, m, mat.NewDense(1, 3, nil), []bool{true}, Settings{}); err == nil {
		t.Error("a mask of the wrong length accepted")
	}
	a, _ := Inpaint(ctx, m, mat.NewDense(2, 3, nil), []bool{true, false, true}, Settings{Sweeps: 5, Seed: 9})
	b, _ := Inpaint(ctx, m, mat.NewDense(2, 3, nil), []bool{true, false, true}, Settings{Sweeps: 5, Seed: 9})
	if !mat.Equal(a, b) {
		t.Error("one seed, two restorations")
	}
}
