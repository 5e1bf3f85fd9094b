package layer

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestReLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, learn := range []bool{false, true} {
		for _, scale := range []float64{0.5, 3, 10} {
			l := NewReLU(randomValues(rng, 4, scale), randomValues(rng, 4, 1), learn)
			if p := l.Params()[1]; p.Name != "log_precision" || p.Fixed == learn {
				t.Fatalf("learn γ = %v: parameter %s, Fixed = %v", learn, p.Name, p.Fixed)
			}
			checkLayer(t, l, randomInput(l, rng, scale))
		}
		// Strong fields θ+I, one regime per layer so that the finite
		// differences of Γ are not swamped by the rounding of large terms
		// from other units. -4.24 is on the continued fraction's side of
		// its switch for γ ≈ 1.
		for _, field := range []float64{-500, -30, -4.24, 0, 30} {
			l := NewReLU(randomValues(rng, 3, 5), randomValues(rng, 3, 1), learn)
			in := make([]float64, 3)
			for i := range in {
				in[i] = field - l.Bias[i]
			}
			checkLayer(t, l, in)
		}
	}
	for _, learn := range []bool{false, true} {
		l, err := New("relu", 3, Settings{LearnScale: learn})
		if err != nil {
			t.Fatal(err)
		}
		r := l.(*ReLU)
		if r.LearnPrecision != learn || r.Bias[2] != 0 || r.LogPrecision[2] != 0 {
			t.Errorf("New(relu, LearnScale %v) = %+v, want θ = 0, log γ = 0", learn, r)
		}
	}
}

func TestReLUCheck(t *testing.T) {
	l := NewReLU(make([]float64, 2), make([]float64, 2), false)
	if err := l.Check([]float64{0, 1e300}); err != nil {
		t.Errorf("Check refuses values ≥ 0: %v", err)
	}
	for _, bad := range []float64{-1e-300, -1, math.NaN(), math.Inf(1), math.Inf(-1)} {
		if l.Check([]float64{0, bad}) == nil {
			t.Errorf("Check accepts %v", bad)
		}
	}
}

// reluQuad returns quadMoments for unit 0 of l at input in, from Energy
// alone, over an interval holding all but e⁻⁴⁰ of the mass: with z = θ+I
// the density is below exp(zx) and exp(-γx²/2) for z ≤ 0, and within
// 12/√γ of its mode z/γ otherwise.
func reluQuad(l *ReLU, in float64) (logZ, mean, variance, m4 float64) {
	logf := func(x float64) float64 { return -l.Energy([]float64{x}) + in*x }
	z, sd := l.Bias[0]+in, math.Exp(-l.LogPrecision[0]/2)
	if z <= 0 {
		hi := 10 * sd
		if z < 0 {
			hi = math.Min(hi, 40/-z)
		}
		return quadMoments(logf, 0, hi, 0)
	}
	mode := z * sd * sd
	return quadMoments(logf, math.Max(0, mode-12*sd), mode+12*sd, mode)
}

// TestReLUQuadrature compares Γ, the mean and E[x²] (through the log γ
// gradient -γE[x²]/2) with quadrature, to relative accuracy: the generic
// finite-difference checks only bound absolute errors, which says little
// about a mean of 1/500.
func TestReLUQuadrature(t *testing.T) {
	for _, c := range []struct{ theta, logGamma, in float64 }{
		{0, 0, 0}, {1, -1, 0.5}, {-2, 1, 1}, {3, 0.3, -7.2}, {-10, -2, -20},
		{0, 0, -30}, {5, 0.5, -505}, {-1, -0.7, 31}, {100, 2, 400},
	} {
		l := NewReLU([]float64{c.theta}, []float64{c.logGamma}, true)
		in := []float64{c.in}
		logZ, qmean, qvar, _ := reluQuad(l, c.in)
		if got := l.LogPartition(in); !close(got, logZ, 1e-12) {
			t.Errorf("%+v: LogPartition = %.15g, quadrature %.15g", c, got, logZ)
		}
		mean := make([]float64, 1)
		l.Mean(mean, in)
		if math.Abs(mean[0]-qmean) > 1e-10*qmean {
			t.Errorf("%+v: Mean = %.15g, quadrature %.15g", c, mean[0], qmean)
		}
		g := NewGrad(l)
		l.LogPartitionGrad(g, in)
		want := -math.Exp(c.logGamma) * (qvar + qmean*qmean) / 2
		if math.Abs(g[1][0]-want) > 1e-10*math.Abs(want) {
			t.Errorf("%+v: ∂Γ/∂log γ = %.15g, quadrature %.15g", c, g[1][0], want)
		}
		if math.Abs(g[0][0]-qmean) > 1e-10*qmean {
			t.Errorf("%+v: ∂Γ/∂θ = %.15g, quadrature mean %.15g", c, g[0][0], qmean)
		}
	}
}

// truncNormalMoments returns the variance and the fourth central moment of
// N(m, 1) truncated to [0, ∞) by the textbook formulas, for moderate m:
// with α = -m and the inverse Mills ratio λ = φ(α)/(1 - Φ(α)), E[u] = m + λ
// and Var = 1 + αλ - λ², and the raw moments follow from integrating by
// parts, E[uᵏ] = m·E[uᵏ⁻¹] + (k-1)·E[uᵏ⁻²] for k ≥ 2.
func truncNormalMoments(m float64) (variance, m4 float64) {
	a := -m
	lambda := math.Exp(-a*a/2) / math.Sqrt(2*math.Pi) / (0.5 * math.Erfc(a/math.Sqrt2))
	e := [5]float64{1, m + lambda}
	for k := 2; k <= 4; k++ {
		e[k] = m*e[k-1] + float64(k-1)*e[k-2]
	}
	mu := e[1]
	m4 = e[4] - 4*mu*e[3] + 6*mu*mu*e[2] - 3*mu*mu*mu*mu
	return 1 + a*lambda - lambda*lambda, m4
}

// TestReLUSampleVariance compares the sample variance with the truncated
// normal's. The sample variance of n draws has standard deviation
// √((μ₄ - σ⁴)/n) to first order, μ₄ being the fourth central moment; the
// bound is 5 of them (the sample is large enough for the normal
// approximation).
func TestReLUSampleVariance(t *testing.T) {
	const n = 40000
	rng := rand.New(rand.NewPCG(13, 14))
	// Standardized means m = (θ+I)/√γ on both sides of 0, where the
	// sampler switches from naive to exponential rejection, and γ ≠ 1 so
	// that a confusion of γ with √γ shows.
	l := NewReLU([]float64{0, 1, -2, 3, 0}, []float64{-1, 0.8, 0, 2, 1.5}, false)
	in := []float64{-3, 0, 1, 0.5, 0}
	checkSampleVariance(t, l, in, n, rng, func(i int) (variance, bound float64) {
		g := math.Exp(l.LogPrecision[i])
		v, m4 := truncNormalMoments((l.Bias[i] + in[i]) / math.Sqrt(g))
		// x = u/√γ scales the moments by γ⁻¹ and γ⁻².
		v, m4 = v/g, m4/(g*g)
		return v, 5 * math.Sqrt((m4-v*v)/n)
	})
}

// TestReLUFarTail samples at m = (θ+I)/√γ = -40, where naive rejection
// would need about e⁸⁰⁰ tries and an inverse CDF built on erfc would
// return 0 or NaN: the samples must be finite, non-negative, and have the
// mean and variance of the truncated normal (from quadrature) within 5
// standard errors, which is about 1.6% of the mean. (There the exponential
// proposal is nearly exact and Robert's acceptance step rejects almost
// nothing; the generic checks exercise that step at moderate m.)
func TestReLUFarTail(t *testing.T) {
	const n = 100000
	rng := rand.New(rand.NewPCG(15, 16))
	logGamma := 1.3
	sd := math.Exp(-logGamma / 2)
	l := NewReLU([]float64{2}, []float64{logGamma}, false)
	in := []float64{-40/sd - 2}
	_, qmean, qvar, qm4 := reluQuad(l, in[0])
	x := make([]float64, 1)
	var sum float64
	for range n {
		l.Sample(x, in, rng)
		if !(x[0] >= 0 && x[0] <= math.MaxFloat64) {
			t.Fatalf("sample %v", x[0])
		}
		sum += x[0]
	}
	if got, se := sum/n, math.Sqrt(qvar/n); math.Abs(got-qmean) > 5*se {
		t.Errorf("sample mean %.8g, quadrature %.8g ± %.3g", got, qmean, 5*se)
	}
	checkSampleVariance(t, l, in, n, rng, func(int) (variance, bound float64) {
		return qvar, 5 * math.Sqrt((qm4-qvar*qvar)/n)
	})
}
