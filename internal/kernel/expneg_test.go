package kernel

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestExpNeg compares ExpNeg with e^x computed in 200-bit arithmetic
// (math.Exp is itself only within 1 ulp) over x ≤ 0 of every magnitude,
// and requires the vector kernel and the portable loop to agree bit for
// bit on every element, whatever its position in the slice.
func TestExpNeg(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var xs []float64
	for range 20000 {
		switch rng.IntN(3) {
		case 0:
			xs = append(xs, -708*rng.Float64())
		case 1:
			xs = append(xs, -math.Exp(-40*rng.Float64())) // small |x|
		default:
			xs = append(xs, -float64(rng.IntN(1022))*math.Ln2) // near k·ln 2
		}
	}
	xs = append(xs, 0, math.Copysign(0, -1), -math.SmallestNonzeroFloat64, -0x1p-1022, -1e-300, -math.Ln2/2, -708, -707.9999)
	got := make([]float64, len(xs))
	ExpNeg(got, xs)
	worst := 0.0
	for j, x := range xs {
		if g := expNeg1(x); math.Float64bits(g) != math.Float64bits(got[j]) {
			t.Fatalf("x = %v: ExpNeg gives %v at element %d, the portable loop %v", x, got[j], j, g)
		}
		want := bigExp(x)
		ulp := math.Nextafter(want, math.Inf(1)) - want
		if e := math.Abs(got[j]-want) / ulp; e > worst {
			worst = e
		}
	}
	// The polynomial's truncation is 4·10⁻¹⁸ relative, r carries the
	// rounding of x - k·ln2Lo, and the last steps round three times: a
	// little over 1 ulp.
	if worst > 1.5 {
		t.Errorf("worst error %.3g ulp, want at most 1.5", worst)
	}
	t.Logf("worst error %.3g ulp over %d values", worst, len(xs))

	// Every tail length, and the clamps: positive values give 1, values
	// below -708 give e^-708, NaN stays NaN.
	for n := range 20 {
		src := make([]float64, n)
		for j := range src {
			src[j] = -10 * rng.Float64()
		}
		dst := make([]float64, n)
		ExpNeg(dst, src)
		for j, x := range src {
			if math.Float64bits(dst[j]) != math.Float64bits(expNeg1(x)) {
				t.Fatalf("n = %d: element %d differs from the portable loop", n, j)
			}
		}
	}
	edge := []float64{3, math.Inf(1), -709, -1e308, math.Inf(-1), math.NaN(), 0, 0, 0}
	out := make([]float64, len(edge))
	ExpNeg(out, edge)
	floor := expNeg1(expNegMin)
	for j, want := range []float64{1, 1, floor, floor, floor, math.NaN(), 1, 1, 1} {
		if !(out[j] == want || math.IsNaN(want) && math.IsNaN(out[j])) {
			t.Errorf("ExpNeg(%v) = %v, want %v", edge[j], out[j], want)
		}
	}
	// In place.
	in := append([]float64(nil), xs[:100]...)
	ExpNeg(in, in)
	for j := range in {
		if in[j] != got[j] {
			t.Fatalf("in place: element %d is %v, want %v", j, in[j], got[j])
		}
	}
}

// bigExp returns e^x rounded to float64, from its Taylor series in 200-bit
// arithmetic at x/2⁶⁴ squared 64 times (x ≤ 0, |x| ≤ 708).
func bigExp(x float64) float64 {
	const prec = 200
	y := new(big.Float).SetPrec(prec).SetFloat64(x)
	y.SetMantExp(y, -64)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for i := 1; i < 30; i++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(i)))
		sum.Add(sum, term)
	}
	for range 64 {
		sum.Mul(sum, sum)
	}
	f, _ := sum.Float64()
	return f
}

// TestSigmoids compares Sigmoids with Sigmoid, whose e^x is math.Exp's:
// ExpNeg is within about an ulp of e^x and the rest of the formula is the
// same, so the two agree to a few ulps (4 allowed) wherever e^-|x| is
// above ExpNeg's floor; below it σ(x) < 3.4·10⁻³⁰⁸ and Sigmoids gives the
// floor. It also checks aliasing, lengths that are not multiples of the
// vector width or of the internal chunk, and NaN.
func TestSigmoids(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, n := range []int{0, 1, 7, 8, 9, 255, 256, 257, 1000} {
		src := make([]float64, n)
		for j := range src {
			switch j % 4 {
			case 0:
				src[j] = rng.NormFloat64()
			case 1:
				src[j] = 40 * (rng.Float64() - 0.5)
			case 2:
				src[j] = 1500 * (rng.Float64() - 0.5)
			default:
				src[j] = 1e-9 * rng.NormFloat64()
			}
		}
		dst := make([]float64, n)
		Sigmoids(dst, src)
		for j, x := range src {
			want := Sigmoid(x)
			if x < -708 {
				if dst[j] < 0 || dst[j] > 3.4e-308 {
					t.Errorf("σ(%v) = %v, want at most ExpNeg's floor", x, dst[j])
				}
				continue
			}
			if math.Abs(dst[j]-want) > 4*ulp(want) {
				t.Errorf("n=%d: σ(%v) = %v, Sigmoid %v (%.1f ulps)", n, x, dst[j], want, math.Abs(dst[j]-want)/ulp(want))
			}
		}
		alias := append([]float64(nil), src...)
		Sigmoids(alias, alias)
		for j := range alias {
			if alias[j] != dst[j] {
				t.Fatalf("n=%d: in place, σ(%v) = %v, apart %v", n, src[j], alias[j], dst[j])
			}
		}
	}
	got := []float64{0}
	for _, x := range []float64{math.NaN(), 0, math.Inf(1), math.Inf(-1)} {
		Sigmoids(got, []float64{x})
		if want := Sigmoid(x); !(got[0] == want || math.IsNaN(want) && math.IsNaN(got[0])) && !(math.IsInf(x, -1) && got[0] < 3.4e-308) {
			t.Errorf("σ(%v) = %v, want %v", x, got[0], want)
		}
	}
}

// ulp returns the spacing of float64 values at x.
func ulp(x float64) float64 {
	x = math.Abs(x)
	return math.Nextafter(x, math.Inf(1)) - x
}
