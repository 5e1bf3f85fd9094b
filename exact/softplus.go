package exact

import "math"

// The exact RBM enumerators spend nearly all their time in Σⱼ softplus(aⱼ)
// over the larger layer: 784 terms for each of 2²⁰ states of a 784×20 MNIST
// model. kernel.Softplus (an Exp and a Log1p) costs tens of nanoseconds a
// term, so softplusSum evaluates the same function from a table of
// polynomials, several times faster. Each term is within 3·2⁻⁵²·max(1, result)
// of the exact value (checked against 256-bit arithmetic; kernel.Softplus
// is within 1), far below the rounding of the sum the terms enter: adding
// 784 terms to a free energy of a few hundred rounds at 2⁻⁵³·|F| ≈ 10⁻¹⁴
// per addition.
//
// softplus(a) = max(a, 0) + L(|a|) with L(t) = log(1 + e⁻ᵗ). On [0, spanEnd)
// L is approximated on each interval of width 1/spanPerUnit by its
// Chebyshev series truncated at degree spanDegree. L's nearest
// singularities are at t = ±iπ, so on an interval of half-width 1/16 the
// truncation error falls like ρ^-(d+1) with ρ ≈ 32π ≈ 100: about 10⁻¹⁶ for
// d = 7, at the rounding of the result. Beyond spanEnd,
// L(t) < e⁻⁶⁴ ≈ 1.6·10⁻²⁸ is dropped.
const (
	spanPerUnit = 8
	spanEnd     = 64
	spanDegree  = 7
	spanCoefs   = spanDegree + 1
)

// softplusTable holds, for each interval k, the coefficients of the
// polynomial in u = (t - centre)·2·spanPerUnit ∈ [-1, 1], lowest first.
var softplusTable = buildSoftplusTable()

func buildSoftplusTable() []float64 {
	tab := make([]float64, spanEnd*spanPerUnit*spanCoefs)
	const half = 0.5 / spanPerUnit
	// The truncated Chebyshev series is computed from fitNodes samples
	// rather than interpolated through spanCoefs of them: each coefficient
	// then averages the ~1 ulp rounding errors of many samples instead of
	// amplifying a few by the Lebesgue constant.
	const fitNodes = 64
	var nodes [fitNodes]float64
	var basis [spanCoefs][fitNodes]float64
	for i := range fitNodes {
		nodes[i] = math.Cos(math.Pi * (float64(i) + 0.5) / fitNodes)
		for k := range spanCoefs {
			basis[k][i] = math.Cos(math.Pi * float64(k) * (float64(i) + 0.5) / fitNodes)
		}
	}
	var values [fitNodes]float64
	cheb := make([]float64, spanCoefs)
	for k := range spanEnd * spanPerUnit {
		centre := (float64(k) + 0.5) / spanPerUnit
		for i, u := range nodes {
			values[i] = math.Log1p(math.Exp(-(centre + half*u)))
		}
		for d := range spanCoefs {
			var s float64
			for i, v := range values {
				s += v * basis[d][i]
			}
			cheb[d] = 2 * s / fitNodes
		}
		cheb[0] /= 2
		copy(tab[k*spanCoefs:], chebyshevToMonomial(cheb))
	}
	return tab
}

// chebyshevToMonomial converts Σₖ cₖTₖ(u) to Σₖ aₖuᵏ, building Tₖ by the
// recurrence Tₖ₊₁ = 2uTₖ - Tₖ₋₁. The coefficients cₖ decay like ρ⁻ᵏ while
// those of Tₖ grow like 2ᵏ, so the conversion loses nothing that matters.
func chebyshevToMonomial(c []float64) []float64 {
	n := len(c)
	a := make([]float64, n)
	prev, cur := make([]float64, n), make([]float64, n)
	prev[0] = 1 // T₀
	if n > 1 {
		cur[1] = 1 // T₁
	}
	a[0] += c[0]
	for k := 1; k < n; k++ {
		for i, x := range cur {
			a[i] += c[k] * x
		}
		next := make([]float64, n)
		for i := range n {
			if i > 0 {
				next[i] += 2 * cur[i-1]
			}
			next[i] -= prev[i]
		}
		prev, cur = cur, next
	}
	return a
}

// softplusSum returns Σⱼ softplus(act[j]), the same value as summing
// kernel.Softplus over act to within the bound above. The evaluation is
// written out in the loop because the compiler would not inline it, and a
// call per term costs as much as the polynomial.
func softplusSum(act []float64) float64 {
	tab := softplusTable
	var sum float64
	for _, a := range act {
		t := math.Abs(a)
		if !(t < spanEnd) {
			sum += max(a, 0) // L(t) < e⁻⁶⁴; also ±Inf and NaN
			continue
		}
		// softplus(a) = max(a, 0) + L(|a|), without a branch on the sign of
		// a, which is unpredictable: (a + |a|)/2 is exactly max(a, 0).
		x := t * spanPerUnit
		k := int(x)
		u := 2*(x-float64(k)) - 1
		c := tab[k*spanCoefs : k*spanCoefs+spanCoefs : k*spanCoefs+spanCoefs]
		sum += (a+t)*0.5 + (c[0] + u*(c[1]+u*(c[2]+u*(c[3]+u*(c[4]+u*(c[5]+u*(c[6]+u*c[7])))))))
	}
	return sum
}

// softplus is softplusSum of one term.
func softplus(a float64) float64 { return softplusSum([]float64{a}) }
