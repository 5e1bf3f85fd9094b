package kernel

import (
	"fmt"
	"math"
)

// The exact RBM enumerators spend nearly all their time in Σⱼ softplus(aⱼ)
// over the larger layer: 784 terms for each of 2²⁰ states of a 784×20
// MNIST model. Calling Softplus (an Exp and a Log1p) per term costs tens of
// nanoseconds, so SoftplusSum uses
//
//	Σⱼ softplus(aⱼ) = Σⱼ max(aⱼ, 0) + log Πⱼ (1 + e^-|aⱼ|),
//
// which needs one exponential per term and one logarithm per block of
// softplusBlock terms. Every factor lies in (1, 2], so a product of at most
// 1000 of them stays below 2¹⁰⁰⁰ and neither overflows nor underflows.
//
// Error: the exponential below is within about 1 ulp, so each factor
// carries a relative error of at most about 3·2⁻⁵³ (its exponential's
// error, halved because e^-|a| ≤ 1 + e^-|a|, the rounding of 1 + e^-|a|
// and that of the product); the logarithm of a block's product is thus off
// by at most 3n·2⁻⁵³ absolute for n terms (≈ 2.6·10⁻¹³ for n = 784, the
// worst case; errors of random sign give ≈ √n·2⁻⁵³ ≈ 3·10⁻¹⁵). Σ max(aⱼ, 0)
// is an ordinary floating-point sum, with the error of any other
// summation of the same terms. Summing Softplus term by term lands within
// the same bound of the exact value, but not on the same bits.
//
// Inputs of any size are fine: e^-|a| is evaluated at max(-|a|, -708),
// which changes nothing because 1 + e^-708 rounds to 1. A NaN input makes
// the sum NaN, +Inf makes it +Inf and -Inf contributes 0, as Softplus does.
const softplusBlock = 1000

// Constants of the float64 exponential e^x for x ≤ 0, shared with the
// assembly generator (asmgen/main.go), which must evaluate the same
// formula: e^x = 2^k·e^r with x clamped to [expNegMin, 0],
// k = round(x·log₂e) and r = x - k·ln2Hi - k·ln2Lo, |r| ≤ ln2/2 (FDLIBM's
// split of ln 2: k·ln2Hi and x - k·ln2Hi are exact for |k| < 2¹¹), and
// e^r = 1 + r + r²·Σ_{i=0}^{11} rⁱ/(i+2)!, the Taylor series truncated
// after r¹³: the remainder is below (ln2/2)¹⁴/14! ≈ 4·10⁻¹⁸, far under the
// 1.1·10⁻¹⁶ rounding of the result. 2^k is built from the bits of the
// rounded x·log₂e + expNegMagic, whose low bits hold k + 1023.
const (
	expNegMin   = -708.0 // 2^k for k = round(-708·log₂e) = -1021 is still normal
	expNegMagic = 1<<52 + 1<<51 + 1023
	ln2Hi64     = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	ln2Lo64     = 1.90821492927058770002e-10 // ln 2 - ln2Hi64
)

// expNegTaylor[i] = 1/(i+2)!.
var expNegTaylor = [12]float64{
	1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
	1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800,
}

// SoftplusSum returns Σⱼ Softplus(act[j]) within the error bound above.
// It is deterministic: the same input gives the same bits on one build.
func SoftplusSum(act []float64) float64 {
	var pos, logs float64
	for lo := 0; lo < len(act); lo += softplusBlock {
		blk := act[lo:min(lo+softplusBlock, len(act))]
		p, prod := 0.0, 1.0
		j := 0
		if n8 := len(blk) &^ 7; haveAVX2FMA && n8 > 0 {
			p, prod = softplusSumAVX2(&blk[0], n8)
			j = n8
		}
		tp, tprod := softplusSumGo(blk[j:], nil, 0)
		pos += p + tp
		logs += math.Log(prod * tprod)
	}
	return pos + logs
}

// AddSoftplusSum adds sign·delta[j] to act[j] for every j and returns
// SoftplusSum(act) of the updated values, in one pass. For sign = ±1 the
// update is exact, and identical on every code path; for other values it
// may round once (vector path) or twice (portable path). delta must be as
// long as act.
func AddSoftplusSum(act []float64, delta []float32, sign float64) float64 {
	if len(delta) != len(act) {
		panic(fmt.Sprintf("kernel: AddSoftplusSum: delta has length %d, act %d", len(delta), len(act)))
	}
	var pos, logs float64
	for lo := 0; lo < len(act); lo += softplusBlock {
		hi := min(lo+softplusBlock, len(act))
		blk, d := act[lo:hi], delta[lo:hi]
		p, prod := 0.0, 1.0
		j := 0
		if n8 := len(blk) &^ 7; haveAVX2FMA && n8 > 0 {
			p, prod = addSoftplusSumAVX2(&blk[0], &d[0], sign, n8)
			j = n8
		}
		tp, tprod := softplusSumGo(blk[j:], d[j:], sign)
		pos += p + tp
		logs += math.Log(prod * tprod)
	}
	return pos + logs
}

// softplusSumGo is the portable twin of the vector kernels: it adds
// sign·delta[j] to act[j] when delta is not nil and returns Σ max(act[j], 0)
// and Π (1 + e^-|act[j]|). len(act) must not exceed softplusBlock.
func softplusSumGo(act []float64, delta []float32, sign float64) (pos, prod float64) {
	prod = 1
	if delta != nil {
		delta = delta[:len(act)]
	}
	for j, a := range act {
		if delta != nil {
			a += sign * float64(delta[j])
			act[j] = a
		}
		pos += max(a, 0) // NaN stays NaN; max(-Inf, 0) = 0
		// e^x for x = max(-|a|, expNegMin), the assembly's bits (NaN
		// survives the clamp and poisons prod).
		e := expNeg1(-math.Abs(a))
		prod *= 1 + e
	}
	return pos, prod
}
