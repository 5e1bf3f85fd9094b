package rbm

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm/layer"
)

// gradientPairs are machines with an enumerable layer: the enumeration
// runs over the visible layer for some and over the hidden one (the
// transposed machine) for others, so both paths of modelStatistics are
// covered.
var gradientPairs = []struct {
	vk     string
	nv     int
	hk     string
	nh     int
	hidden bool // the hidden layer is the one enumerated
}{
	{"binary", 2, "binary", 4, false},
	{"binary", 4, "binary", 2, true},
	{"spin", 3, "binary", 2, true},
	{"binary", 2, "spin", 3, false},
	{"potts", 2, "binary", 4, false},
	{"binary", 4, "potts", 2, true},
	{"gaussian", 3, "binary", 3, true},
	{"relu", 3, "spin", 2, true},
	{"binary", 3, "relu", 2, false},
	{"binary", 3, "gaussian", 2, false},
	{"potts", 2, "relu", 2, false},
}

// gradientData draws n rows from the visible layer at zero input.
func gradientData(m *Machine, n int, rng *rand.Rand) [][]float64 {
	data := make([][]float64, n)
	for r := range data {
		data[r] = make([]float64, m.Visible.Width())
		m.Visible.Sample(data[r], make([]float64, m.Visible.Width()), rng)
	}
	return data
}

// TestMachineExactGradientByFiniteDifferences compares ExactGradient with
// central differences of LogLikelihood, which shares with it only the
// enumeration of log Z, for every parameter of W and of both layers
// (randomMachine learns the scales of continuous layers, so log σ and
// log γ are among them). With h = 1e-5 the truncation error is
// h²/6·|∂³ℓ| ≈ 2e-11·|∂³ℓ| and the rounding error about ε|ℓ|/h ≈ 2e-11·|ℓ|;
// for these models (|ℓ| < 30, third derivatives of order 1–10) both stay
// below 1e-9, so 1e-8 absolute and 1e-6 relative per block leave room
// while catching any error of the formulas, which would be of order 1e-2.
func TestMachineExactGradientByFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	ctx := context.Background()
	for _, pc := range gradientPairs {
		m := randomMachine(t, rng, pc.vk, pc.nv, pc.hk, pc.nh, 0.7)
		if got := m.enumerationOrder() != m; got != pc.hidden {
			t.Fatalf("%s×%s: enumerates the hidden layer %v, want %v", pc.vk, pc.hk, got, pc.hidden)
		}
		data := gradientData(m, 5, rng)
		g, logZ, err := m.ExactGradient(ctx, data, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ll0, wantLogZ, err := m.LogLikelihood(ctx, data, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(logZ-wantLogZ) > 1e-12*math.Max(1, math.Abs(wantLogZ)) {
			t.Errorf("%s×%s: log Z %.15g, LogZ %.15g", pc.vk, pc.hk, logZ, wantLogZ)
		}
		// Every parameter, fixed or not, against its slice of g.
		type block struct {
			name        string
			param, grad []float64
			fixed       bool
		}
		blocks := []block{{"W", m.W, g.W, false}}
		for k, p := range m.Visible.Params() {
			blocks = append(blocks, block{"visible." + p.Name, p.Values, g.Visible[k], p.Fixed})
		}
		for k, p := range m.Hidden.Params() {
			blocks = append(blocks, block{"hidden." + p.Name, p.Values, g.Hidden[k], p.Fixed})
		}
		for _, b := range blocks {
			if b.fixed {
				t.Fatalf("%s×%s: %s is fixed; randomMachine should learn every parameter", pc.vk, pc.hk, b.name)
			}
			var diff, norm float64
			for i := range b.param {
				const h = 1e-5
				old := b.param[i]
				b.param[i] = old + h
				lp, _, err := m.LogLikelihood(ctx, data, exact.Options{})
				if err != nil {
					t.Fatal(err)
				}
				b.param[i] = old - h
				lm, _, err := m.LogLikelihood(ctx, data, exact.Options{})
				if err != nil {
					t.Fatal(err)
				}
				b.param[i] = old
				want := (lp - lm) / (2 * h)
				if d := math.Abs(b.grad[i] - want); d > 1e-8+1e-6*math.Abs(want) {
					t.Errorf("%s×%s: %s[%d]: exact gradient %.12g, finite differences %.12g", pc.vk, pc.hk, b.name, i, b.grad[i], want)
				}
				diff += (b.grad[i] - want) * (b.grad[i] - want)
				norm += want * want
			}
			if norm > 0 && math.Sqrt(diff/norm) > 1e-6 {
				t.Errorf("%s×%s: %s: relative error %.3g against finite differences", pc.vk, pc.hk, b.name, math.Sqrt(diff/norm))
			}
		}
		if ll, _, _ := m.LogLikelihood(ctx, data, exact.Options{}); ll != ll0 {
			t.Fatalf("%s×%s: the parameters were not restored", pc.vk, pc.hk)
		}
	}
}

// TestMachineExactGradientFixedParameters checks that a fixed parameter
// (log σ of a Gaussian layer that does not learn it) gets a zero
// gradient, as the trainer gives it none, and is not among the Blocks.
func TestMachineExactGradientFixedParameters(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 22))
	m := randomMachine(t, rng, "gaussian", 3, "binary", 2, 0.7)
	m.Visible.(*layer.Gaussian).LearnSigma = false
	g, _, err := m.ExactGradient(context.Background(), gradientData(m, 4, rng), exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range g.Visible[1] {
		if x != 0 {
			t.Errorf("fixed log σ[%d] has gradient %g", i, x)
		}
	}
	var names []string
	for _, b := range g.Blocks(m) {
		names = append(names, b.Name)
	}
	if want := []string{"W", "visible.bias", "hidden.bias"}; !slices.Equal(names, want) {
		t.Errorf("blocks %v, want %v", names, want)
	}
}

// TestMachineExactGradientWorkers enumerates a machine large enough to
// be split into several chunks with one and with three workers: the
// parts are added in chunk order, so the results agree bit for bit.
func TestMachineExactGradientWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 23))
	m := randomMachine(t, rng, "binary", 13, "binary", 14, 0.3)
	data := gradientData(m, 3, rng)
	g1, z1, err := m.ExactGradient(context.Background(), data, exact.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	g3, z3, err := m.ExactGradient(context.Background(), data, exact.Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if z1 != z3 {
		t.Errorf("log Z %v with one worker, %v with three", z1, z3)
	}
	b1, b3 := g1.Blocks(m), g3.Blocks(m)
	for k := range b1 {
		for i, x := range b1[k].Values {
			if x != b3[k].Values[i] {
				t.Fatalf("%s[%d]: %v with one worker, %v with three", b1[k].Name, i, x, b3[k].Values[i])
			}
		}
	}
}

// TestMachineExactGradientRefusals: no discrete layer, too many states,
// rows that do not fit, and a cancelled context.
func TestMachineExactGradientRefusals(t *testing.T) {
	ctx := context.Background()
	g := NewMachine(layer.NewGaussian(make([]float64, 2), make([]float64, 2), false), layer.NewGaussian(make([]float64, 2), make([]float64, 2), false))
	if _, _, err := g.ExactGradient(ctx, [][]float64{{0, 0}}, exact.Options{}); err == nil {
		t.Error("a machine with no discrete layer got an exact gradient")
	}
	big := NewMachine(layer.NewBinary(make([]float64, 30)), layer.NewBinary(make([]float64, 30)))
	if _, _, err := big.ExactGradient(ctx, [][]float64{make([]float64, 30)}, exact.Options{MaxUnits: 20}); err == nil {
		t.Error("30×30 enumerated past a limit of 20 units")
	}
	small := NewMachine(layer.NewBinary(make([]float64, 3)), layer.NewBinary(make([]float64, 2)))
	for _, data := range [][][]float64{nil, {{0, 1}}, {{0, 2, 1}}} {
		if _, _, err := small.ExactGradient(ctx, data, exact.Options{}); err == nil {
			t.Errorf("rows %v accepted", data)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := small.ExactGradient(cancelled, [][]float64{{0, 1, 1}}, exact.Options{}); err == nil {
		t.Error("a cancelled context was ignored")
	}
}

// TestMachineCDGradientIndependentUnits checks CDGradient's conventions
// against ExactGradient where CD has no bias: with W = 0 the units are
// independent, one Gibbs sweep draws v exactly from the model, and CD-1
// differs from the exact gradient by sampling noise alone, which shrinks
// as 1/√(rows·chains). The bound is four standard deviations of the
// all-block error, each statistic of a binary or Potts unit having
// variance at most ¼.
func TestMachineCDGradientIndependentUnits(t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 24))
	for _, pc := range [][2]string{{"binary", "binary"}, {"potts", "spin"}} {
		m := randomMachine(t, rng, pc[0], 3, pc[1], 2, 0.7)
		clear(m.W)
		data := gradientData(m, 40, rng)
		exactG, _, err := m.ExactGradient(context.Background(), data, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		dense := mat.NewDense(len(data), m.Visible.Width(), nil)
		for r, v := range data {
			dense.SetRow(r, v)
		}
		const chains = 50
		cd, err := m.CDGradient(dense, 1, chains, 7, 0)
		if err != nil {
			t.Fatal(err)
		}
		var diff float64
		params := 0
		eb, cb := exactG.Blocks(m), cd.Blocks(m)
		for k := range eb {
			for i, x := range eb[k].Values {
				d := cb[k].Values[i] - x
				diff += d * d
				params++
			}
		}
		// Spin statistics range over [-1, 1]: variance at most 1.
		bound := 4 * math.Sqrt(float64(params)/float64(len(data)*chains))
		if math.Sqrt(diff) > bound {
			t.Errorf("%s×%s: CD-1 is %.3g from the exact gradient with W = 0, beyond the sampling noise %.3g", pc[0], pc[1], math.Sqrt(diff), bound)
		}
		again, _ := m.CDGradient(dense, 1, chains, 7, 1)
		if again.W[0] != cd.W[0] || again.Visible[0][0] != cd.Visible[0][0] {
			t.Errorf("%s×%s: CDGradient with one seed differs between calls on every core and on one", pc[0], pc[1])
		}
	}
}
