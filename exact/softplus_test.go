package exact

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/internal/kernel"
)

// bigSoftplus returns log(1 + eᵃ) to 1e-30 relative accuracy using series
// in 256-bit arithmetic, independent of the math package's Exp and Log1p.
func bigSoftplus(a float64) float64 {
	if math.Abs(a) > 700 {
		return max(a, 0) // log(1 + e⁻⁷⁰⁰) < 10⁻³⁰⁰
	}
	const prec = 256
	x := new(big.Float).SetPrec(prec).SetFloat64(-math.Abs(a))
	// e^x for x ≤ 0: exp(x) = exp(x/2ᵏ)^(2ᵏ), Taylor series on the small argument.
	const k = 20
	y := new(big.Float).SetPrec(prec).SetMantExp(x, -k)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	e := new(big.Float).SetPrec(prec).SetInt64(1)
	for i := 1; i < 40; i++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetInt64(int64(i)))
		e.Add(e, term)
	}
	for range k {
		e.Mul(e, e)
	}
	// log(1+e) = 2 atanh(e/(2+e)) = 2 Σ z^(2i+1)/(2i+1), z = e/(2+e) ≤ 1/3.
	z := new(big.Float).SetPrec(prec).Quo(e, new(big.Float).SetPrec(prec).Add(e, big.NewFloat(2)))
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	pow := new(big.Float).SetPrec(prec).Set(z)
	sum := new(big.Float).SetPrec(prec)
	for i := 0; i < 80; i++ {
		sum.Add(sum, new(big.Float).SetPrec(prec).Quo(pow, new(big.Float).SetInt64(int64(2*i+1))))
		pow.Mul(pow, z2)
	}
	sum.Mul(sum, big.NewFloat(2))
	if a > 0 {
		sum.Add(sum, new(big.Float).SetPrec(prec).SetFloat64(a))
	}
	f, _ := sum.Float64()
	return f
}

func TestSoftplusAgainstBigFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	var worst, worstKernel float64
	check := func(a float64) {
		want := bigSoftplus(a)
		// Error in units of the spacing of float64 values near the result
		// (or near 1 for tiny results, where absolute error is what sums see).
		ulp := math.Nextafter(max(want, 1), math.Inf(1)) - max(want, 1)
		errFast := math.Abs(softplus(a)-want) / ulp
		errKernel := math.Abs(kernel.Softplus(a)-want) / ulp
		worst = max(worst, errFast)
		worstKernel = max(worstKernel, errKernel)
		if errFast > 3 { // the bound documented in softplus.go
			t.Errorf("softplus(%v) = %.17g, 256-bit %.17g (%.2g ulp)", a, softplus(a), want, errFast)
		}
	}
	for range 20000 {
		check(70 * (2*rng.Float64() - 1))
	}
	for k := range spanEnd * spanPerUnit {
		// Interval edges on both sides of zero.
		e := float64(k) / spanPerUnit
		check(e)
		check(-e)
		check(math.Nextafter(e, 0))
	}
	for _, a := range []float64{0, 1e-300, -1e-300, 63.999, 64, 64.001, 700, -700, 1e10, -1e10} {
		check(a)
	}
	t.Logf("worst error %.2f ulp (kernel.Softplus %.2f ulp)", worst, worstKernel)
	if x := softplus(math.NaN()); !math.IsNaN(x) {
		t.Errorf("softplus(NaN) = %v", x)
	}
	if x := softplus(math.Inf(1)); !math.IsInf(x, 1) {
		t.Errorf("softplus(+Inf) = %v", x)
	}
	if x := softplus(math.Inf(-1)); x != 0 {
		t.Errorf("softplus(-Inf) = %v", x)
	}
}

func BenchmarkSoftplusSum(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	act := make([]float64, 784)
	for i := range act {
		act[i] = 8 * rng.NormFloat64()
	}
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			softplusSum(act)
		}
	})
	b.Run("kernel", func(b *testing.B) {
		for b.Loop() {
			var s float64
			for _, a := range act {
				s += kernel.Softplus(a)
			}
		}
	})
}
