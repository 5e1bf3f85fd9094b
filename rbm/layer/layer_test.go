package layer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The checks below hold for every unit type and are run by each type's
// test on a few layers with random parameters. Each compares a method with
// an independent computation: the mean and the parameter gradients with
// central finite differences of LogPartition and Energy, the samples with
// the mean and the variance ∂²Γ/∂I² (also from finite differences), and,
// for discrete layers, LogPartition with the sum over every state.

// randomInput returns an input of the layer's width with values in
// [-scale, scale].
func randomInput(l Layer, rng *rand.Rand, scale float64) []float64 {
	in := make([]float64, l.Width())
	for i := range in {
		in[i] = scale * (2*rng.Float64() - 1)
	}
	return in
}

// checkLayer runs every generic check on l at the input in.
func checkLayer(t *testing.T, l Layer, in []float64) {
	t.Helper()
	if err := Validate(l); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	checkMeanIsGradient(t, l, in)
	checkParamGradients(t, l, in)
	checkSampleMoments(t, l, in)
	if d, ok := l.(Discrete); ok {
		checkEnumeration(t, d, in)
	}
	checkClone(t, l)
}

// fdStep is the step of the central differences: their error is
// O(h²·Γ”') ≈ 1e-8 and the rounding O(ε·Γ/h) ≈ 1e-11 for the inputs used.
const fdStep = 1e-4

// checkMeanIsGradient compares Mean with ∂Γ/∂I.
func checkMeanIsGradient(t *testing.T, l Layer, in []float64) {
	t.Helper()
	mean := make([]float64, l.Width())
	l.Mean(mean, in)
	for i := range in {
		d := centralDiff(func(x float64) float64 {
			old := in[i]
			in[i] = x
			defer func() { in[i] = old }()
			return l.LogPartition(in)
		}, in[i])
		if !close(mean[i], d, 1e-6) {
			t.Errorf("%s: Mean[%d] = %.10g, ∂Γ/∂I = %.10g", l.Kind(), i, mean[i], d)
		}
	}
}

// checkParamGradients compares LogPartitionGrad with ∂Γ/∂θ and EnergyGrad
// with -∂E/∂θ at a sample state, for every trained parameter.
func checkParamGradients(t *testing.T, l Layer, in []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, l.Width())
	l.Sample(x, in, rng)
	gz, ge := NewGrad(l), NewGrad(l)
	l.LogPartitionGrad(gz, in)
	l.EnergyGrad(ge, x)
	for k, p := range l.Params() {
		for i := range p.Values {
			vary := func(f func() float64) func(float64) float64 {
				return func(v float64) float64 {
					old := p.Values[i]
					p.Values[i] = v
					defer func() { p.Values[i] = old }()
					return f()
				}
			}
			dz := centralDiff(vary(func() float64 { return l.LogPartition(in) }), p.Values[i])
			de := -centralDiff(vary(func() float64 { return l.Energy(x) }), p.Values[i])
			if p.Fixed {
				dz, de = 0, 0
			}
			if !close(gz[k][i], dz, 1e-6) {
				t.Errorf("%s: LogPartitionGrad %s[%d] = %.10g, finite difference %.10g", l.Kind(), p.Name, i, gz[k][i], dz)
			}
			if !close(ge[k][i], de, 1e-6) {
				t.Errorf("%s: EnergyGrad %s[%d] = %.10g, finite difference %.10g", l.Kind(), p.Name, i, ge[k][i], de)
			}
		}
	}
}

// checkSampleMoments draws n states at in and requires each column's
// sample mean within 5 standard errors of Mean, the standard error coming
// from the variance ∂²Γ/∂I² (false alarm rate about 6e-7 per column).
func checkSampleMoments(t *testing.T, l Layer, in []float64) {
	t.Helper()
	const n = 20000
	rng := rand.New(rand.NewPCG(3, 4))
	mean := make([]float64, l.Width())
	l.Mean(mean, in)
	sum := make([]float64, l.Width())
	x := make([]float64, l.Width())
	for range n {
		l.Sample(x, in, rng)
		if err := l.Check(x); err != nil {
			t.Fatalf("%s: sample fails Check: %v", l.Kind(), err)
		}
		for i, xi := range x {
			sum[i] += xi
		}
	}
	for i := range in {
		variance := secondDiff(func(v float64) float64 {
			old := in[i]
			in[i] = v
			defer func() { in[i] = old }()
			return l.LogPartition(in)
		}, in[i])
		// The second difference carries rounding noise of about
		// 4ε·|Γ|/h², which swamps the variance of a column that is almost
		// never (or almost always) on; the floor keeps such a column's
		// bound from collapsing, and the 5/n term allows five stray draws,
		// for a count that is Poisson with a mean far below one.
		variance = math.Max(variance, 4*epsilon*math.Max(1, math.Abs(l.LogPartition(in)))/(1e-3*1e-3))
		se := math.Sqrt(variance / n)
		if got := sum[i] / n; math.Abs(got-mean[i]) > 5*se+5.0/n {
			t.Errorf("%s: column %d: sample mean %.6g, Mean %.6g, 5 standard errors %.3g", l.Kind(), i, got, mean[i], 5*se)
		}
	}
}

// checkEnumeration compares LogPartition with log Σₓ exp(-E(x) + Iᵀx)
// over every state of a discrete layer.
func checkEnumeration(t *testing.T, l Discrete, in []float64) {
	t.Helper()
	n, q := l.Units(), l.States()
	total := 1
	for range n {
		total *= q
	}
	s := make([]int, n)
	x := make([]float64, l.Width())
	var terms []float64
	for k := range total {
		for i, r := 0, k; i < n; i, r = i+1, r/q {
			s[i] = r % q
		}
		l.SetState(x, s)
		if err := l.Check(x); err != nil {
			t.Fatalf("%s: state %v fails Check: %v", l.Kind(), s, err)
		}
		terms = append(terms, -l.Energy(x)+dot(in, x))
	}
	if got, want := l.LogPartition(in), logSumExp(terms); !close(got, want, 1e-12) {
		t.Errorf("%s: LogPartition = %.15g, enumeration %.15g", l.Kind(), got, want)
	}
}

func checkClone(t *testing.T, l Layer) {
	t.Helper()
	c := l.Clone()
	if c.Kind() != l.Kind() || c.Width() != l.Width() || c.Units() != l.Units() {
		t.Fatalf("Clone: %s %d×%d, want %s %d×%d", c.Kind(), c.Units(), c.Width(), l.Kind(), l.Units(), l.Width())
	}
	for k, p := range c.Params() {
		if len(p.Values) > 0 {
			p.Values[0]++
			if l.Params()[k].Values[0] == p.Values[0] {
				t.Fatalf("%s: Clone shares %s", l.Kind(), p.Name)
			}
		}
	}
}

// epsilon is the float64 machine epsilon.
const epsilon = 0x1p-52

func centralDiff(f func(float64) float64, x float64) float64 {
	return (f(x+fdStep) - f(x-fdStep)) / (2 * fdStep)
}

func secondDiff(f func(float64) float64, x float64) float64 {
	const h = 1e-3
	return (f(x+h) - 2*f(x) + f(x-h)) / (h * h)
}

// close reports |a-b| ≤ tol·max(1, |b|).
func close(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func logSumExp(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, x)
	}
	var s float64
	for _, x := range xs {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}

// randomValues returns n values in [-scale, scale].
func randomValues(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * (2*rng.Float64() - 1)
	}
	return v
}

func TestRegistry(t *testing.T) {
	for _, ty := range Types() {
		l, err := New(ty.Name, 3, Settings{States: 4})
		if err != nil {
			t.Fatalf("New(%q): %v", ty.Name, err)
		}
		if l.Kind() != ty.Name || l.Units() != 3 {
			t.Errorf("New(%q) made a %s layer of %d units", ty.Name, l.Kind(), l.Units())
		}
		if err := Validate(l); err != nil {
			t.Errorf("New(%q): %v", ty.Name, err)
		}
		// The data a type reads must be what its units take.
		_, discrete := l.(Discrete)
		switch ty.Values {
		case Bits:
			if !discrete || l.States() != 2 {
				t.Errorf("%s reads bits but has %d states (discrete %v)", ty.Name, l.States(), discrete)
			}
		case Categories:
			if !discrete || l.States() != 4 || l.Width() != 3*4 {
				t.Errorf("%s reads categories but has %d states of width %d (discrete %v)", ty.Name, l.States(), l.Width(), discrete)
			}
		case Reals:
			if discrete || l.States() != 0 {
				t.Errorf("%s reads real values but has %d states", ty.Name, l.States())
			}
		default:
			t.Errorf("%s: unknown data kind %d", ty.Name, ty.Values)
		}
		if got, ok := Lookup(ty.Name); !ok || got.Name != ty.Name {
			t.Errorf("Lookup(%q) = %v, %v", ty.Name, got.Name, ok)
		}
	}
	if _, err := New("nosuch", 3, Settings{}); err == nil {
		t.Error("New accepted an unknown type")
	}
	if _, err := New("binary", 0, Settings{}); err == nil {
		t.Error("New accepted 0 units")
	}
}

func TestSetParams(t *testing.T) {
	l := NewBinary(make([]float64, 2))
	if err := SetParams(l, map[string][]float64{"bias": {1, 2}}); err != nil || l.Bias[1] != 2 {
		t.Fatalf("SetParams: %v, bias %v", err, l.Bias)
	}
	for _, bad := range []map[string][]float64{
		{},
		{"bias": {1}},
		{"bias": {1, math.NaN()}},
		{"bias": {1, 2}, "other": {1}},
	} {
		if err := SetParams(l, bad); err == nil {
			t.Errorf("SetParams(%v) accepted", bad)
		}
	}
}

// TestFit fits each type to samples of a random layer of that type and
// requires the fitted units' means at zero input to be the samples'
// column means, up to the smoothing (a pseudo-count of about one row in n).
func TestFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, ty := range Types() {
		src, err := New(ty.Name, 4, Settings{States: 3, LearnScale: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range src.Params() {
			copy(p.Values, randomValues(rng, len(p.Values), 1))
		}
		const n = 5000
		sum, sq := make([]float64, src.Width()), make([]float64, src.Width())
		x, zero := make([]float64, src.Width()), make([]float64, src.Width())
		for range n {
			src.Sample(x, zero, rng)
			for i, v := range x {
				sum[i] += v
				sq[i] += v * v
			}
		}
		fit, _ := New(ty.Name, 4, Settings{States: 3, LearnScale: true})
		fit.Fit(sum, sq, n)
		if err := Validate(fit); err != nil {
			t.Fatalf("%s: Fit made an invalid layer: %v", ty.Name, err)
		}
		mean := make([]float64, fit.Width())
		fit.Mean(mean, zero)
		for i := range mean {
			if want := sum[i] / n; math.Abs(mean[i]-want) > 2.0/n*math.Max(1, math.Abs(want))+1e-9 {
				t.Errorf("%s: column %d: fitted mean %.6g, data %.6g", ty.Name, i, mean[i], want)
			}
		}
		if g, ok := fit.(*Gaussian); ok {
			for i := range mean {
				want := math.Sqrt(sq[i]/n - (sum[i]/n)*(sum[i]/n))
				if got := g.Sigma(i); math.Abs(got-want) > 1e-9*want {
					t.Errorf("gaussian: column %d: fitted σ %.9g, data %.9g", i, got, want)
				}
			}
		}
	}
}
