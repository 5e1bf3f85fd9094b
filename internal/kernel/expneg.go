package kernel

import "math"

// ExpNeg sets dst[j] = e^x for x = src[j], for x ≤ 0: the weights
// e^(aⱼ - max a) of a softmax, which a Potts layer takes q at a time.
// Values below expNegMin (-708) are taken as expNegMin, whose exponential
// 3.3·10⁻³⁰⁸ stands in for the smaller ones (an absolute error below that,
// and no subnormal results), and positive values as 0 (giving 1); a NaN
// gives NaN. The result is within about 1 ulp of e^x (see expNeg1) and
// the same bits on every path and build: the vector kernel and the
// portable loop evaluate the same fused operations. dst may be src, and
// must be at least as long.
func ExpNeg(dst, src []float64) {
	n := len(src)
	dst = dst[:n]
	j := 0
	if n8 := n &^ 7; haveAVX2FMA && n8 > 0 {
		expNegAVX2(&dst[0], &src[0], n8)
		j = n8
	}
	for ; j < n; j++ {
		dst[j] = expNeg1(src[j])
	}
}

// expNeg1 returns e^x for x clamped to [expNegMin, 0] by the formula of
// the constants above (k = round(x·log₂e), r = x - k·ln2Hi - k·ln2Lo, e^r
// by its Taylor polynomial in Estrin's scheme, times 2^k), with the fused
// multiply-adds of the assembly (asmgen's expBody), so that both give the
// same bits.
func expNeg1(x float64) float64 {
	// min and max return NaN for a NaN, as the assembly's clamps do.
	x = max(min(x, 0), expNegMin)
	q := &expNegTaylor
	t := math.FMA(x, log2e, expNegMagic) // k + magic: rounded to an integer
	k := t - expNegMagic
	r := math.FMA(-k, ln2Hi64, x) // exact
	r = math.FMA(-k, ln2Lo64, r)
	r2 := r * r
	r4 := r2 * r2
	cubic := func(i int) float64 {
		return math.FMA(math.FMA(q[i+3], r, q[i+2]), r2, math.FMA(q[i+1], r, q[i]))
	}
	p := math.FMA(math.FMA(cubic(8), r4, cubic(4)), r4, cubic(0))
	e := math.FMA(p, r2, r+1) // e^r
	return e * math.Float64frombits(math.Float64bits(t)<<52)
}

// Sigmoids sets dst[j] = σ(x) = 1/(1 + e⁻ˣ) for x = src[j], vectorised:
// with e = e^-|x| from ExpNeg, σ(x) is 1/(1 + e) for x ≥ 0 and e/(1 + e)
// below, each within a few ulps of Sigmoid's value. (Below x = -708,
// where σ(x) ≈ eˣ, it gives 3.3·10⁻³⁰⁸ instead: ExpNeg's floor.) A NaN
// gives NaN. dst may be src, and must be at least as long.
func Sigmoids(dst, src []float64) {
	var buf [256]float64
	dst = dst[:len(src)]
	for lo := 0; lo < len(src); lo += len(buf) {
		x := src[lo:min(len(src), lo+len(buf))]
		e := buf[:len(x)]
		for j, xj := range x {
			e[j] = -math.Abs(xj)
		}
		ExpNeg(e, e)
		out := dst[lo : lo+len(x)]
		for j, xj := range x {
			if xj >= 0 {
				out[j] = 1 / (1 + e[j])
			} else {
				out[j] = e[j] / (1 + e[j])
			}
		}
	}
}
