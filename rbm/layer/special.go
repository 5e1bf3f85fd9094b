package layer

import "math"

// Numerics of the normal distribution truncated to [0, ∞), which the ReLU
// layer needs at fields where erfc underflows (its log-partition behaves
// like -log(-(θ+I)) for θ+I ≪ 0) and where the truncated moments are small
// differences of large numbers if computed from the textbook formulas.
//
// Everything rests on Laplace's continued fraction for the scaled
// complementary error function erfcx(y) = exp(y²)·erfc(y), y > 0:
//
//	√π·erfcx(y) = 1/(y + t₁),   tₙ = (n/2)/(y + tₙ₊₁),
//
// whose tails t₁, t₂ give the truncated moments without cancellation.

// cfMinY is where the continued fraction takes over from math.Erfc:
// cfTerms terms of it agree with exp(y²)·erfc(y) to a few ulps for y ≥ 3
// (the fraction converges faster the larger y is), and below it the
// moments computed from erfc lose at most about one digit.
const (
	cfMinY  = 3
	cfTerms = 50
)

// erfcTails returns the tails t₁ and t₂ of the continued fraction above
// for y ≥ cfMinY, evaluated from the back, which is stable here because
// every term is positive.
func erfcTails(y float64) (t1, t2 float64) {
	var t float64
	for n := cfTerms; n >= 2; n-- {
		t = float64(n) / 2 / (y + t)
	}
	return 0.5 / (y + t), t
}

// sqrtPiErfcx returns √π·exp(y²)·erfc(y) for 0 ≤ y < cfMinY. The square
// y² is split into its rounded value and the rounding error (by a fused
// multiply-add) so that exp does not magnify the rounding of y².
func sqrtPiErfcx(y float64) float64 {
	hi := y * y
	lo := math.FMA(y, y, -hi)
	return math.SqrtPi * math.Exp(hi) * math.Erfc(y) * (1 + lo)
}

// truncNormal returns, for u ~ N(m, 1) truncated to [0, ∞),
//
//	logZ   = log ∫₀^∞ exp(-u²/2 + m·u) du,
//	mean   = E[u] = ∂logZ/∂m,
//	second = E[u²] = 1 + m·E[u] (by parts),
//
// accurately for every finite m: logZ does not overflow for m ≫ 0 nor
// underflow for m ≪ 0, and the moments keep their relative accuracy as
// they go to zero like 1/|m| and 2/m².
func truncNormal(m float64) (logZ, mean, second float64) {
	const halfLog2Pi = 0.9189385332046727 // log √(2π)
	if m >= 0 {
		// ∫ = exp(m²/2)·√(2π)·Φ(m), with Φ(m) = 1 - erfc(m/√2)/2 ≥ 1/2.
		q := 0.5 * math.Erfc(m/math.Sqrt2)
		logZ = m*m/2 + halfLog2Pi + math.Log1p(-q)
		// The inverse Mills ratio φ(m)/Φ(m) is small and well conditioned.
		mean = m + math.Exp(-m*m/2-halfLog2Pi)/(1-q)
		return logZ, mean, 1 + m*mean
	}
	// m < 0: with y = -m/√2, Φ(m) = exp(-y²)·erfcx(y)/2, so the Gaussian
	// factors cancel exactly and ∫ = √(π/2)·erfcx(y) = 1/(√2·(y + t₁)).
	y := -m / math.Sqrt2
	if y < cfMinY {
		r := sqrtPiErfcx(y) // = 1/(y + t₁)
		logZ = math.Log(r) - math.Ln2/2
		mean = math.Sqrt2 * (1/r - y) // m + √2/r = √2·t₁
		return logZ, mean, 1 + m*mean
	}
	t1, t2 := erfcTails(y)
	logZ = -math.Log(y+t1) - math.Ln2/2
	// E[u] = √2·t₁, and 1 + m·E[u] = 1 - 2y·t₁ = 2t₁·t₂ because
	// t₁ = (1/2)/(y + t₂): both without subtraction.
	return logZ, math.Sqrt2 * t1, 2 * t1 * t2
}
