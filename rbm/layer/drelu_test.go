package layer

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

func TestDReLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	random := func(n int, scale float64, learn bool) *DReLU {
		return NewDReLU(randomValues(rng, n, scale), randomValues(rng, n, scale), randomValues(rng, n, 1), randomValues(rng, n, 1), learn)
	}
	for _, learn := range []bool{false, true} {
		l := random(4, 1, learn)
		for k, p := range l.Params() {
			if fixed := k >= 2 && !learn; p.Fixed != fixed {
				t.Fatalf("learn γ = %v: parameter %s, Fixed = %v", learn, p.Name, p.Fixed)
			}
		}
		for _, scale := range []float64{0.5, 3, 10} {
			l := random(4, scale, learn)
			checkLayer(t, l, randomInput(l, rng, scale))
		}
		// Strong fields, one regime per layer (see TestReLU): far on
		// either side, where one half holds all the mass, and near zero.
		for _, field := range []float64{-500, -30, -4.24, 0, 4.24, 30, 500} {
			l := random(3, 2, learn)
			in := make([]float64, 3)
			for i := range in {
				in[i] = field - l.Bias[i]
			}
			checkLayer(t, l, in)
		}
	}
	l, err := New("drelu", 3, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Params() {
		for _, x := range p.Values {
			if x != 0 {
				t.Errorf("New(drelu): %s = %v, want zeros", p.Name, p.Values)
				break
			}
		}
	}
}

// TestDReLUGaussian checks the one closed form dReLU units have: with
// Δ = 0 and γ⁺ = γ⁻ = γ a unit is the normal N((θ+I)/γ, 1/γ), whose
// log-partition is log √(2π/γ) + (θ+I)²/(2γ).
func TestDReLUGaussian(t *testing.T) {
	for _, c := range []struct{ theta, logGamma, in float64 }{
		{0, 0, 0}, {1.5, -1, 0.3}, {-2, 2, -7}, {0.1, 0.5, 40},
	} {
		l := NewDReLU([]float64{c.theta}, []float64{0}, []float64{c.logGamma}, []float64{c.logGamma}, false)
		g, z := math.Exp(c.logGamma), c.theta+c.in
		want := 0.5*math.Log(2*math.Pi/g) + z*z/(2*g)
		if got := l.LogPartition([]float64{c.in}); !close(got, want, 1e-13) {
			t.Errorf("%+v: LogPartition = %.15g, normal %.15g", c, got, want)
		}
		mean := make([]float64, 1)
		l.Mean(mean, []float64{c.in})
		if math.Abs(mean[0]-z/g) > 1e-12*math.Max(1, math.Abs(z/g)) {
			t.Errorf("%+v: Mean = %.15g, normal %.15g", c, mean[0], z/g)
		}
	}
}

// dreluMoments are moments of a dReLU unit.
type dreluMoments struct {
	logZ, mean, variance, m4 float64
	absMean                  float64 // E|x|
	posSecond, negSecond     float64 // E[(x⁺)²], E[(x⁻)²]
}

// dreluQuad returns the moments of unit 0 of l at input in by quadrature
// of exp(-E(x) + I·x) from Energy alone, each half on its own (the density
// has a kink at 0), over intervals leaving out less than e⁻⁴⁰ of each
// half's mass (as reluQuad).
func dreluQuad(l *DReLU, in float64) dreluMoments {
	logf := func(x float64) float64 { return -l.Energy([]float64{x}) + in*x }
	// half returns the interval of x ≥ 0 holding the positive half of a
	// unit of precision γ and linear coefficient z, and its peak.
	half := func(z, logGamma float64) (lo, hi, peak float64) {
		sd := math.Exp(-logGamma / 2)
		if z <= 0 {
			hi = 10 * sd
			if z < 0 {
				hi = math.Min(hi, 40/-z)
			}
			return 0, hi, 0
		}
		mode := z * sd * sd
		return math.Max(0, mode-12*sd), mode + 12*sd, mode
	}
	pLo, pHi, pPeak := half(l.Bias[0]-l.Kink[0]+in, l.LogPrecisionPos[0])
	nLo, nHi, nPeak := half(-(l.Bias[0] + l.Kink[0] + in), l.LogPrecisionNeg[0])
	c := math.Max(logf(pPeak), logf(-nPeak))
	// integral returns ∫ f(x)·exp(logf(x) - c) over both halves, each
	// returned separately.
	const n = 1000
	integral := func(f func(float64) float64) (pos, neg float64) {
		w := func(x float64) float64 { return f(x) * math.Exp(logf(x)-c) }
		pos = quad.Fixed(w, pLo, pHi, n, nil, 0)
		neg = quad.Fixed(w, -nHi, -nLo, n, nil, 0)
		return pos, neg
	}
	zp, zn := integral(func(float64) float64 { return 1 })
	z := zp + zn
	var m dreluMoments
	m.logZ = c + math.Log(z)
	m1p, m1n := integral(func(x float64) float64 { return x })
	m.mean = (m1p + m1n) / z
	m.absMean = (m1p - m1n) / z
	m2p, m2n := integral(func(x float64) float64 { return x * x })
	m.posSecond, m.negSecond = m2p/z, m2n/z
	c2p, c2n := integral(func(x float64) float64 { return (x - m.mean) * (x - m.mean) })
	m.variance = (c2p + c2n) / z
	c4p, c4n := integral(func(x float64) float64 { return math.Pow(x-m.mean, 4) })
	m.m4 = (c4p + c4n) / z
	return m
}

// TestDReLUQuadrature compares Γ, the mean and every parameter gradient
// with quadrature, to relative accuracy, on sparse (Δ > 0) and bimodal
// (Δ < 0) units with unequal precisions, in fields weak and strong.
func TestDReLUQuadrature(t *testing.T) {
	for _, c := range []struct{ theta, kink, logPos, logNeg, in float64 }{
		{0, 0, 0, 0, 0}, {0.5, 1, -1, 1, 0.2}, {0.5, -2, 0.5, -0.5, -0.3},
		{-1, 3, 1.5, 0, 2.5}, {2, -0.5, -2, 2, -6}, {0, 0.2, 0, 1, -30},
		{1, -1, 0.3, -0.3, 35}, {0, 4, 0, 0, 0}, {0, -4, 1, -1, 0.5},
	} {
		l := NewDReLU([]float64{c.theta}, []float64{c.kink}, []float64{c.logPos}, []float64{c.logNeg}, true)
		in := []float64{c.in}
		q := dreluQuad(l, c.in)
		rel := func(what string, got, want float64) {
			t.Helper()
			if math.Abs(got-want) > 1e-10*math.Max(math.Abs(want), 1e-300) {
				t.Errorf("%+v: %s = %.15g, quadrature %.15g", c, what, got, want)
			}
		}
		if got := l.LogPartition(in); !close(got, q.logZ, 1e-12) {
			t.Errorf("%+v: LogPartition = %.15g, quadrature %.15g", c, got, q.logZ)
		}
		mean := make([]float64, 1)
		l.Mean(mean, in)
		if math.Abs(mean[0]-q.mean) > 1e-10*math.Max(1, math.Abs(q.mean)) {
			t.Errorf("%+v: Mean = %.15g, quadrature %.15g", c, mean[0], q.mean)
		}
		g := NewGrad(l)
		l.LogPartitionGrad(g, in)
		rel("∂Γ/∂Δ", g[1][0], -q.absMean)
		rel("∂Γ/∂log γ⁺", g[2][0], -math.Exp(c.logPos)*q.posSecond/2)
		rel("∂Γ/∂log γ⁻", g[3][0], -math.Exp(c.logNeg)*q.negSecond/2)
	}
}

// TestDReLUSampleVariance compares the sample variance with quadrature's,
// within 5 standard deviations of the sample variance, √((μ₄ - σ⁴)/n), on
// units whose draws come from both halves: sparse, bimodal and skewed.
func TestDReLUSampleVariance(t *testing.T) {
	const n = 40000
	rng := rand.New(rand.NewPCG(23, 24))
	l := NewDReLU([]float64{0, 0.5, -1, 1}, []float64{1, -2, 0.3, 0}, []float64{0, 1, -1, 2}, []float64{0, -0.5, 1, -1}, false)
	in := []float64{0.3, 0, 1, -1.5}
	checkSampleVariance(t, l, in, n, rng, func(i int) (variance, bound float64) {
		one := NewDReLU([]float64{l.Bias[i]}, []float64{l.Kink[i]}, []float64{l.LogPrecisionPos[i]}, []float64{l.LogPrecisionNeg[i]}, false)
		q := dreluQuad(one, in[i])
		return q.variance, 5 * math.Sqrt((q.m4-q.variance*q.variance)/n)
	})
}

func TestDReLUCheck(t *testing.T) {
	l, _ := New("drelu", 2, Settings{})
	if err := l.Check([]float64{-1e300, 1e300}); err != nil {
		t.Errorf("Check refuses finite values: %v", err)
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if l.Check([]float64{0, bad}) == nil {
			t.Errorf("Check accepts %v", bad)
		}
	}
}
