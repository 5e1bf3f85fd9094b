package layer

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

func TestGaussian(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, learn := range []bool{false, true} {
		for _, scale := range []float64{0.5, 3, 20} {
			l := NewGaussian(randomValues(rng, 4, scale), randomValues(rng, 4, 1), learn)
			if p := l.Params()[1]; p.Name != "log_sigma" || p.Fixed == learn {
				t.Fatalf("learn σ = %v: parameter %s, Fixed = %v", learn, p.Name, p.Fixed)
			}
			checkLayer(t, l, randomInput(l, rng, scale))
		}
	}
	for _, learn := range []bool{false, true} {
		l, err := New("gaussian", 3, Settings{LearnScale: learn})
		if err != nil {
			t.Fatal(err)
		}
		g := l.(*Gaussian)
		if g.LearnSigma != learn || g.Bias[2] != 0 || g.Sigma(2) != 1 {
			t.Errorf("New(gaussian, LearnScale %v) = %+v, want b = 0, σ = 1", learn, g)
		}
	}
}

func TestGaussianCheck(t *testing.T) {
	l := NewGaussian(make([]float64, 2), make([]float64, 2), false)
	if err := l.Check([]float64{-1e300, 3.5}); err != nil {
		t.Errorf("Check refuses finite values: %v", err)
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if l.Check([]float64{0, bad}) == nil {
			t.Errorf("Check accepts %v", bad)
		}
	}
}

// TestGaussianLogPartitionQuadrature compares Γ with the integral of
// exp(-E(x) + Ix) computed from Energy alone, unit by unit.
func TestGaussianLogPartitionQuadrature(t *testing.T) {
	for _, c := range []struct{ b, logSigma, in float64 }{
		{0, 0, 0}, {1.5, -1, 2}, {-3, 1.2, -4}, {20, 0.5, 30}, {0.1, -3, 100},
	} {
		l := NewGaussian([]float64{c.b}, []float64{c.logSigma}, false)
		logf := func(x float64) float64 { return -l.Energy([]float64{x}) + c.in*x }
		// The exponent is a concave quadratic with its maximum at
		// b + σ²I and curvature 1/σ²; ±12σ leaves out e⁻⁷² of the mass.
		s := math.Exp(c.logSigma)
		mode := c.b + s*s*c.in
		want, _, _, _ := quadMoments(logf, mode-12*s, mode+12*s, mode)
		if got := l.LogPartition([]float64{c.in}); !close(got, want, 1e-12) {
			t.Errorf("%+v: LogPartition = %.15g, quadrature %.15g", c, got, want)
		}
	}
}

// TestGaussianSampleVariance compares the sample variance with σ². For
// normal samples (n-1)s²/σ² is χ² with n-1 degrees of freedom, of standard
// deviation √(2(n-1)), so s² lies within 5σ²√(2/(n-1)) of σ² but for a
// false alarm rate of about 6e-7 per unit.
func TestGaussianSampleVariance(t *testing.T) {
	const n = 20000
	rng := rand.New(rand.NewPCG(9, 10))
	// σ ≠ 1 so that confusing σ with σ² shows.
	l := NewGaussian([]float64{0, 2, -5}, []float64{-1, 0.7, 2}, false)
	in := []float64{1, -3, 0.5}
	checkSampleVariance(t, l, in, n, rng, func(i int) (variance, bound float64) {
		v := l.Sigma(i) * l.Sigma(i)
		return v, 5 * v * math.Sqrt(2.0/(n-1))
	})
}

// checkSampleVariance draws n states of l at in and compares each unit's
// sample variance with want(i), which returns the variance and the bound.
func checkSampleVariance(t *testing.T, l Layer, in []float64, n int, rng *rand.Rand, want func(i int) (variance, bound float64)) {
	t.Helper()
	xs := make([][]float64, n)
	for k := range xs {
		xs[k] = make([]float64, l.Width())
		l.Sample(xs[k], in, rng)
	}
	for i := range in {
		var mean float64
		for _, x := range xs {
			mean += x[i]
		}
		mean /= float64(n)
		var ss float64
		for _, x := range xs {
			ss += (x[i] - mean) * (x[i] - mean)
		}
		got := ss / float64(n-1)
		v, bound := want(i)
		if math.Abs(got-v) > bound {
			t.Errorf("%s: unit %d: sample variance %.6g, want %.6g ± %.3g", l.Kind(), i, got, v, bound)
		}
	}
}

// TestGaussianPrecondition estimates the diagonal Fisher information of b
// and log σ from samples, E[(∂ log p/∂θ)²], and requires Precondition to
// scale each gradient by its inverse.
func TestGaussianPrecondition(t *testing.T) {
	l := NewGaussian([]float64{0.3, -2}, []float64{-3, 1}, true)
	rng := rand.New(rand.NewPCG(31, 32))
	const n = 200000
	x, zero := make([]float64, 2), make([]float64, 2)
	fisher := [2][2]float64{}
	for range n {
		l.Sample(x, zero, rng)
		// The score of p(x) = exp(-E(x))/exp(Γ(0)) is -∂E/∂θ - ∂Γ/∂θ.
		g, gz := NewGrad(l), NewGrad(l)
		l.EnergyGrad(g, x)
		l.LogPartitionGrad(gz, zero)
		for k := range 2 {
			for i := range 2 {
				d := g[k][i] - gz[k][i]
				fisher[k][i] += d * d / n
			}
		}
	}
	g := [][]float64{{1, 1}, {1, 1}}
	l.Precondition(g)
	for k := range 2 {
		for i := range 2 {
			// The sample Fisher has a relative standard error of about
			// √(2/n) (b) and √(10/n) (log σ); 5% is over 20 of them.
			if got, want := g[k][i], 1/fisher[k][i]; math.Abs(got-want) > 0.05*want {
				t.Errorf("parameter %d, unit %d: preconditioned by %.6g, inverse Fisher %.6g", k, i, got, want)
			}
		}
	}
}

// TestGaussianScalesFollowLogSigma checks the cache of σ's exponentials:
// after LogSigma changes in place, is replaced, or holds a NaN, every
// method gives the bits of the uncached formulas; and concurrent readers
// of an unchanging layer race on nothing (under -race).
func TestGaussianScalesFollowLogSigma(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	l := NewGaussian(randomValues(rng, 5, 1), randomValues(rng, 5, 1), true)
	in, x := randomValues(rng, 5, 2), randomValues(rng, 5, 2)
	check := func(when string) {
		t.Helper()
		mean := make([]float64, 5)
		l.Mean(mean, in)
		var energy float64
		for i := range x {
			if want := l.Bias[i] + math.Exp(2*l.LogSigma[i])*in[i]; math.Float64bits(mean[i]) != math.Float64bits(want) && !(math.IsNaN(mean[i]) && math.IsNaN(want)) {
				t.Errorf("%s: mean[%d] = %v, want %v", when, i, mean[i], want)
			}
			d := (x[i] - l.Bias[i]) * math.Exp(-l.LogSigma[i])
			energy += d * d / 2
		}
		if got := l.Energy(x); math.Float64bits(got) != math.Float64bits(energy) && !(math.IsNaN(got) && math.IsNaN(energy)) {
			t.Errorf("%s: energy %v, want %v", when, got, energy)
		}
	}
	check("first call")
	check("cached")
	l.LogSigma[2] += 0.25
	check("after a change in place")
	l.LogSigma = randomValues(rng, 5, 1)
	check("after a new slice")
	l.LogSigma[4] = math.NaN()
	check("with a NaN")
	check("with a NaN, again")
	l.LogSigma[4] = 0
	check("after the NaN")

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				l.Energy(x)
				l.Mean(make([]float64, 5), in)
			}
		})
	}
	wg.Wait()
}
