package discrete_test

import (
	"context"
	"math"
	"testing"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/internal/testenv"
	"github.com/rbmkit/rbm/rbm/ais"
)

// kaufmanLogZ returns log Z of the zero-field Ising model with coupling 1 on
// the periodic m×n lattice at inverse temperature K, from Kaufman's
// closed form (B. Kaufman, Phys. Rev. 76, 1232 (1949), eq. 39; in the form
// of P. D. Beale, Phys. Rev. Lett. 76, 78 (1996)):
//
//	Z = ½ (2 sinh 2K)^{mn/2} (Z₁ + Z₂ + Z₃ + Z₄),
//	Z₁ = Π_{r=0}^{n-1} 2 cosh(m γ_{2r+1}/2),  Z₂ = Π 2 sinh(m γ_{2r+1}/2),
//	Z₃ = Π_{r=0}^{n-1} 2 cosh(m γ_{2r}/2),    Z₄ = Π 2 sinh(m γ_{2r}/2),
//	cosh γ_ℓ = cosh 2K coth 2K - cos(πℓ/n)  (γ_ℓ > 0 for ℓ ≥ 1),
//	γ₀ = 2K + ln tanh K.
//
// The sign of γ₀ matters: it is negative above the critical temperature
// (K < K_c = ½ ln(1+√2)), which makes Z₄ change sign, and zero at K_c.
func kaufmanLogZ(m, n int, k float64) float64 {
	gamma := func(l int) float64 {
		if l == 0 {
			return 2*k + math.Log(math.Tanh(k))
		}
		return math.Acosh(math.Cosh(2*k)/math.Tanh(2*k) - math.Cos(math.Pi*float64(l)/float64(n)))
	}
	z1, z2, z3, z4 := 1.0, 1.0, 1.0, 1.0
	half := float64(m) / 2
	for r := range n {
		odd, even := gamma(2*r+1), gamma(2*r)
		z1 *= 2 * math.Cosh(half*odd)
		z2 *= 2 * math.Sinh(half*odd)
		z3 *= 2 * math.Cosh(half*even)
		z4 *= 2 * math.Sinh(half*even)
	}
	return math.Log(0.5) + float64(m*n)/2*math.Log(2*math.Sinh(2*k)) + math.Log(z1+z2+z3+z4)
}

func TestLatticeLogZMatchesKaufman(t *testing.T) {
	betaC := 0.5 * math.Log(1+math.Sqrt2)
	betas := []float64{0.05, 0.2, 0.35, 0.42, betaC, 0.46, 0.5, 0.7, 1, 1.5}
	for _, l := range []int{2, 3, 4} {
		m, err := discrete.Lattice(l, l, 1, 0, discrete.Periodic)
		if err != nil {
			t.Fatal(err)
		}
		for _, beta := range betas {
			got, err := exact.LogZ(context.Background(), m, beta, exact.Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := kaufmanLogZ(l, l, beta)
			// Both sides are exact up to float64 rounding (a few hundred
			// operations of relative error 1e-16 each).
			if math.Abs(got-want) > 1e-10*math.Abs(want) {
				t.Errorf("%d×%d at β = %.4f: enumeration %.15g, Kaufman %.15g", l, l, beta, got, want)
			}
		}
	}
}

// TestLatticeAISMatchesKaufman checks the estimator `rbm logz --ising
// --method ais` relies on for lattices too large to enumerate: on the
// periodic 16×16 lattice (2^256 states) Kaufman's formula is the truth, and
// it must lie within four standard errors of the AIS estimate, on both
// sides of the critical point.
func TestLatticeAISMatchesKaufman(t *testing.T) {
	testenv.Long(t) // AIS on a 16×16 lattice
	m, err := discrete.Lattice(16, 16, 1, 0, discrete.Periodic)
	if err != nil {
		t.Fatal(err)
	}
	for _, beta := range []float64{0.3, 0.6} {
		est, err := ais.RunDiscrete(context.Background(), m, ais.DiscreteConfig{Beta: beta, Steps: 2000, Runs: 64, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		want := kaufmanLogZ(16, 16, beta)
		t.Logf("β = %.2f: AIS %.4f ± %.4f, Kaufman %.4f", beta, est.LogZ, est.StdErr, want)
		if math.Abs(est.LogZ-want) > 4*est.StdErr {
			t.Errorf("β = %.2f: AIS %.4f ± %.4f is %.1f standard errors from Kaufman's %.4f",
				beta, est.LogZ, est.StdErr, math.Abs(est.LogZ-want)/est.StdErr, want)
		}
	}
}
