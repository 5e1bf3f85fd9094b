package layer

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

// quadMoments integrates exp(logf) over [lo, hi] by Gauss–Legendre
// quadrature, where the caller has chosen the interval to hold all but a
// negligible part of the mass. It returns the log of the integral and the
// mean, variance and fourth central moment of the density ∝ exp(logf).
// logf is shifted by its value at peak (a point near the maximum) so that
// nothing overflows however large the log-partition is.
func quadMoments(logf func(float64) float64, lo, hi, peak float64) (logZ, mean, variance, m4 float64) {
	const n = 1000
	c := logf(peak)
	w := func(x float64) float64 { return math.Exp(logf(x) - c) }
	z := quad.Fixed(w, lo, hi, n, nil, 0)
	mean = quad.Fixed(func(x float64) float64 { return x * w(x) }, lo, hi, n, nil, 0) / z
	central := func(k float64) float64 {
		return quad.Fixed(func(x float64) float64 { return math.Pow(x-mean, k) * w(x) }, lo, hi, n, nil, 0) / z
	}
	return c + math.Log(z), mean, central(2), central(4)
}

// truncQuad returns quadMoments for u ~ N(m, 1) truncated to [0, ∞), over
// an interval that leaves out less than e⁻⁴⁰ of the mass: for m ≤ 0 the
// density is below both exp(mu) and exp(-u²/2).
// (For m ≥ 0 it is within 12 of the mode.)
func truncQuad(m float64) (logZ, mean, variance, m4 float64) {
	logf := func(u float64) float64 { return -u*u/2 + m*u }
	if m < 0 {
		return quadMoments(logf, 0, math.Min(10, 40/-m), 0)
	}
	return quadMoments(logf, math.Max(0, m-12), m+12, m)
}

func TestTruncNormalQuadrature(t *testing.T) {
	// Both sides of m = 0 and of the switch to the continued fraction
	// (y = cfMinY, m ≈ -4.243), and the far tail.
	for _, m := range []float64{-5000, -500, -40, -10, -4.25, -4.24, -2, -0.3, 0, 0.3, 2, 6, 40} {
		logZ, mean, second := truncNormal(m)
		qz, qmean, qvar, _ := truncQuad(m)
		if !close(logZ, qz, 1e-12) {
			t.Errorf("m = %v: logZ = %.15g, quadrature %.15g", m, logZ, qz)
		}
		// Relative tolerances: the moments go to 0 as m → -∞ and must keep
		// their digits there.
		if math.Abs(mean-qmean) > 1e-11*qmean {
			t.Errorf("m = %v: E[u] = %.15g, quadrature %.15g", m, mean, qmean)
		}
		if q2 := qvar + qmean*qmean; math.Abs(second-q2) > 1e-10*q2 {
			t.Errorf("m = %v: E[u²] = %.15g, quadrature %.15g", m, second, q2)
		}
	}
}

// TestTruncNormalAsymptotic checks the far tails, beyond quadrature and
// where erfc underflows or exp(m²/2) overflows, against the expansions
// ∫₀^∞ exp(-u²/2 + mu) du = (1/a)(1 - 1/a² + 3/a⁴ - 15/a⁶ + …) for
// m = -a → -∞ (so E[u] = 1/a - 2/a³ + 10/a⁵ - …, E[u²] = 2/a² - 10/a⁴ + 74/a⁶ - …)
// and √(2π)·exp(m²/2) for m → +∞.
func TestTruncNormalAsymptotic(t *testing.T) {
	for _, m := range []float64{-1e3, -1e5, -1e8, -1e150, -1e300} {
		logZ, mean, second := truncNormal(m)
		a := -m
		a2 := a * a
		if want := -math.Log(a) + math.Log1p(-1/a2+3/(a2*a2)-15/(a2*a2*a2)); !close(logZ, want, 1e-14) {
			t.Errorf("m = %v: logZ = %.17g, want %.17g", m, logZ, want)
		}
		if want := (1 - 2/a2 + 10/(a2*a2)) / a; math.Abs(mean-want) > 1e-14*want {
			t.Errorf("m = %v: E[u] = %.17g, want %.17g", m, mean, want)
		}
		if want := (2 - 10/a2 + 74/(a2*a2)) / a2; math.Abs(second-want) > 1e-13*want {
			t.Errorf("m = %v: E[u²] = %.17g, want %.17g", m, second, want)
		}
	}
	for _, m := range []float64{40, 1e3, 1e10} {
		logZ, mean, second := truncNormal(m)
		if want := m*m/2 + math.Log(math.Sqrt(2*math.Pi)); !close(logZ, want, 1e-15) {
			t.Errorf("m = %v: logZ = %.17g, want %.17g", m, logZ, want)
		}
		if !close(mean, m, 1e-15) || !close(second, 1+m*m, 1e-15) {
			t.Errorf("m = %v: E[u] = %v, E[u²] = %v, want %v, %v", m, mean, second, m, 1+m*m)
		}
	}
}

// TestErfcTails compares the continued fraction with exp(y²)·erfc(y) where
// the latter is still accurate (erfc has not yet underflowed).
func TestErfcTails(t *testing.T) {
	for y := float64(cfMinY); y < 26; y += 0.37 {
		t1, _ := erfcTails(y)
		if got, want := 1/(y+t1), sqrtPiErfcx(y); math.Abs(got-want) > 1e-15*want {
			t.Errorf("y = %v: √π·erfcx = %.17g by the continued fraction, %.17g by erfc", y, got, want)
		}
	}
}
