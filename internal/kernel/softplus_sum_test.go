package kernel

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/internal/testenv"
)

// bigSoftplus returns log(1 + eᵃ) in 256-bit arithmetic (exact to far
// below float64 rounding), independent of the math package's Exp and
// Log1p and of the formula under test.
func bigSoftplus(a float64) *big.Float {
	const prec = 256
	out := new(big.Float).SetPrec(prec)
	if a > 0 {
		out.SetFloat64(a)
	}
	if math.Abs(a) > 700 {
		return out // log(1 + e⁻⁷⁰⁰) < 10⁻³⁰⁰, far below any result's ulp
	}
	// e = e^-|a| = (e^(-|a|/2ᵏ))^(2ᵏ), Taylor series on the small argument.
	const k = 20
	y := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(-math.Abs(a)), -k)
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
	// log(1+e) = 2 atanh(z) = 2 Σ z^(2i+1)/(2i+1), z = e/(2+e) ≤ 1/3.
	z := new(big.Float).SetPrec(prec).Quo(e, new(big.Float).SetPrec(prec).Add(e, big.NewFloat(2)))
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	pow := new(big.Float).SetPrec(prec).Set(z)
	sum := new(big.Float).SetPrec(prec)
	for i := range 80 {
		sum.Add(sum, new(big.Float).SetPrec(prec).Quo(pow, new(big.Float).SetInt64(int64(2*i+1))))
		pow.Mul(pow, z2)
	}
	return out.Add(out, sum.Mul(sum, big.NewFloat(2)))
}

// bigSoftplusSum returns Σⱼ softplus(act[j]) in 256-bit arithmetic,
// rounded once to float64.
func bigSoftplusSum(act []float64) float64 {
	sum := new(big.Float).SetPrec(256)
	for _, a := range act {
		sum.Add(sum, bigSoftplus(a))
	}
	want, _ := sum.Float64()
	return want
}

// softplusSumBound returns the error bound of SoftplusSum
// (softplus_sum.go) for the terms act whose sum is near want, with
// u = 2⁻⁵³: 3nu for the logarithms of the products, nu·Σ max(aⱼ, 0) for the
// plain sum of the positive parts, and 3u·|want| for the rounding of the
// logarithms and of the final additions.
func softplusSumBound(act []float64, want float64) float64 {
	const u = 0x1p-53
	var pos float64
	for _, a := range act {
		pos += max(a, 0)
	}
	n := float64(len(act))
	return 3*n*u + n*u*pos + 3*u*math.Abs(want)
}

// softplusInputs returns a vector of length n mixing the regimes of
// softplus: moderate values, huge ones (including beyond the exponential's
// clamp at -708 and e^-745's underflow), tiny ones, signed zeros and the
// exponential's reduction boundaries.
func softplusInputs(rng *rand.Rand, n int) []float64 {
	act := make([]float64, n)
	for i := range act {
		switch rng.IntN(8) {
		case 0:
			act[i] = 800 * (2*rng.Float64() - 1)
		case 1:
			act[i] = 1e-300 * rng.NormFloat64()
		case 2:
			act[i] = []float64{0, math.Copysign(0, -1), 708, -708, 745.2, -745.2, 0.5 * math.Ln2, -1.5 * math.Ln2}[rng.IntN(8)]
		case 3:
			act[i] = 40 * rng.NormFloat64()
		default:
			act[i] = 4 * rng.NormFloat64()
		}
	}
	return act
}

func TestSoftplusSumAgainstBigFloat(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(51, 52))
		var lengths []int
		for n := range 38 {
			lengths = append(lengths, n)
		}
		lengths = append(lengths, 784)
		if testenv.IsLong() { // 256-bit references of long sums take seconds
			lengths = append(lengths, 1000, 1001, 2000, 2003)
		}
		var worst float64
		for _, n := range lengths {
			reps := 8
			if n > 40 {
				reps = 1
			}
			for range reps {
				act := softplusInputs(rng, n)
				want := bigSoftplusSum(act)
				bound := softplusSumBound(act, want)
				got := SoftplusSum(act)
				if d := math.Abs(got - want); !(d <= bound) {
					t.Fatalf("n=%d: SoftplusSum = %.17g, 256-bit %.17g (error %.3g > bound %.3g)", n, got, want, d, bound)
				}
				worst = max(worst, math.Abs(got-want)/max(1, math.Abs(want)))
			}
		}
		t.Logf("worst relative error %.3g", worst)
	})
}

// Each term on its own, through the vector kernel when there is one (the
// seven other lanes hold -800, whose factor is exactly 1 and positive part
// 0): the exponential, the factor's rounding and the logarithm together stay
// within 2 ulp of max(1, softplus(a)) (the spacing that matters to a sum).
func TestSoftplusSumSingleTerms(t *testing.T) {
	implementations(t, func(t *testing.T) {
		// The full sweep takes a minute of 256-bit arithmetic; the quick
		// suite takes every tenth point.
		random, step := 3000, 3
		if !testenv.IsLong() {
			random, step = 300, 33
		}
		rng := rand.New(rand.NewPCG(53, 54))
		var as []float64
		for range random {
			as = append(as, 50*(2*rng.Float64()-1))
		}
		for k := -1100; k <= 1100; k += step {
			// Multiples of ln2/2: the edges of the exponential's reduction.
			as = append(as, float64(k)*math.Ln2/2, math.Nextafter(float64(k)*math.Ln2/2, 0))
		}
		as = append(as, 0, 1e-300, -1e-300, 707.9, 708, 708.1, -708.1, 745.2, 1e10, -1e10)
		var worst float64
		vec := make([]float64, 8)
		for _, a := range as {
			for i := range vec {
				vec[i] = -800
			}
			vec[3] = a
			w, _ := bigSoftplus(a).Float64()
			ulp := math.Nextafter(max(w, 1), math.Inf(1)) - max(w, 1)
			got := SoftplusSum(vec)
			e := math.Abs(got-w) / ulp
			worst = max(worst, e)
			if !(e <= 2) {
				t.Fatalf("softplus(%v) = %.17g, 256-bit %.17g (%.2f ulp)", a, got, w, e)
			}
		}
		t.Logf("worst error %.2f ulp", worst)
	})
}

func TestSoftplusSumNonFinite(t *testing.T) {
	implementations(t, func(t *testing.T) {
		for _, n := range []int{1, 8, 9} {
			for _, c := range []struct {
				a    float64
				want float64
			}{{math.Inf(1), math.Inf(1)}, {math.Inf(-1), 0}, {math.NaN(), math.NaN()}} {
				act := make([]float64, n)
				act[n-1] = c.a
				got := SoftplusSum(act) - float64(n-1)*math.Ln2
				if !(got == c.want || math.IsNaN(got) && math.IsNaN(c.want)) {
					t.Errorf("n=%d, last term %v: sum - %d·log 2 = %v, want %v", n, c.a, n-1, got, c.want)
				}
			}
		}
	})
}

// AddSoftplusSum must leave act exactly updated and return exactly what
// SoftplusSum returns for the updated values.
func TestAddSoftplusSum(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(55, 56))
		for _, n := range []int{0, 1, 7, 8, 9, 31, 784, 2003} {
			for _, sign := range []float64{1, -1} {
				act := softplusInputs(rng, n)
				delta := make([]float32, n)
				for i := range delta {
					delta[i] = float32(rng.NormFloat64())
				}
				want := make([]float64, n)
				for i := range want {
					want[i] = act[i] + sign*float64(delta[i])
				}
				got := AddSoftplusSum(act, delta, sign)
				for i := range act {
					if act[i] != want[i] {
						t.Fatalf("n=%d sign=%v: act[%d] = %v, want %v", n, sign, i, act[i], want[i])
					}
				}
				if ref := SoftplusSum(want); got != ref {
					t.Fatalf("n=%d sign=%v: AddSoftplusSum = %.17g, SoftplusSum of the updated act %.17g", n, sign, got, ref)
				}
			}
		}
	})
	defer func() {
		if recover() == nil {
			t.Error("AddSoftplusSum with a short delta did not panic")
		}
	}()
	AddSoftplusSum(make([]float64, 3), make([]float32, 2), 1)
}

// The vector and portable paths differ only in rounding: each is within the
// bound of the exact value, so they are within twice the bound of each other.
func TestSoftplusSumPathsAgree(t *testing.T) {
	if !haveAVX2FMA {
		t.Skip("no vector kernel on this machine or build")
	}
	rng := rand.New(rand.NewPCG(57, 58))
	for _, n := range []int{8, 16, 37, 784, 2000} {
		for range 20 {
			act := softplusInputs(rng, n)
			vec := SoftplusSum(act)
			bound := softplusSumBound(act, vec)
			var port float64
			withPortable(t, func() { port = SoftplusSum(act) })
			if d := math.Abs(vec - port); !(d <= 2*bound) {
				t.Fatalf("n=%d: vector %.17g, portable %.17g (difference %.3g > %.3g)", n, vec, port, d, 2*bound)
			}
		}
	}
}

func BenchmarkSoftplusSum(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	act := make([]float64, 784)
	delta := make([]float32, len(act))
	for i := range act {
		act[i] = 8 * rng.NormFloat64()
		delta[i] = float32(0.3 * rng.NormFloat64())
	}
	for _, path := range []string{"avx2", "portable"} {
		if path == "avx2" && !haveAVX2FMA {
			continue
		}
		for _, add := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/add=%v", path, add), func(b *testing.B) {
				if path == "portable" {
					saved := haveAVX2FMA
					haveAVX2FMA = false
					defer func() { haveAVX2FMA = saved }()
				}
				sign := 1.0
				for b.Loop() {
					if add {
						AddSoftplusSum(act, delta, sign)
						sign = -sign
					} else {
						SoftplusSum(act)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(act)), "ns/element")
			})
		}
	}
	b.Run("Softplus", func(b *testing.B) {
		for b.Loop() {
			var s float64
			for _, a := range act {
				s += Softplus(a)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(act)), "ns/element")
	})
}
