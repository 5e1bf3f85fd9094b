package exact

import "math"

// rescaleSlack is how far a new value may exceed the reference of a
// LogSumExp before the reference moves up. Letting terms reach e⁶⁴ keeps
// rescaling rare (it costs a pass over every accumulator that shares the
// reference) while sums of 2⁴⁰ such terms stay far below the float64 limit.
const rescaleSlack = 64

// LogSumExp accumulates log Σ exp(xₖ) as ref + log(sum), where ref is one
// of the values added and every term is stored as exp(xₖ - ref). Because
// the term of ref itself contributes 1 to sum, terms that underflow are
// negligible, and no term overflows because ref follows the largest value
// to within a fixed slack. The zero value is an empty sum.
//
// An enumeration keeps one LogSumExp per chunk (see ForChunks), together
// with any weighted sums Σ exp(xₖ - ref)·f(state) tied to the same
// reference, and combines the chunks with CombineLogSumExp.
type LogSumExp struct {
	ref, sum float64
}

// Add adds exp(x) to the sum, first moving the reference to x when x
// exceeds it by more than the slack. It returns the weight w = exp(x - ref)
// of the new term as stored, and the factor exp(old - new) by which the
// stored sum was multiplied when the reference moved (1 when it stayed):
// weighted sums tied to the same reference must be multiplied by rescale
// before w·f(state) is added to them. A value of -Inf (a state of infinite
// energy) has no weight.
func (a *LogSumExp) Add(x float64) (w, rescale float64) {
	rescale = 1
	if math.IsInf(x, -1) {
		return 0, 1
	}
	if x > a.ref+rescaleSlack || a.sum == 0 {
		if a.sum != 0 {
			rescale = math.Exp(a.ref - x)
			a.sum *= rescale
		}
		a.ref = x
	}
	w = math.Exp(x - a.ref)
	a.sum += w
	return w, rescale
}

// CombineLogSumExp combines per-chunk accumulators, in chunk order. It
// returns the common reference ref (the largest reference of a non-empty
// chunk), the factor scale[c] = exp(ref_c - ref) that brings chunk c's sums
// to it, and sum, the chunks' sums so scaled and added in chunk order: the
// total is log Σ exp(xₖ) = ref + log(sum). Weighted sums tied to the chunks'
// references are combined the same way, Σ_c scale[c]·S_c, and divided by
// sum to give expectations.
func CombineLogSumExp(parts []LogSumExp) (ref, sum float64, scale []float64) {
	ref = math.Inf(-1)
	for _, p := range parts {
		if p.sum != 0 && p.ref > ref {
			ref = p.ref
		}
	}
	scale = make([]float64, len(parts))
	for c, p := range parts {
		if p.sum != 0 {
			scale[c] = math.Exp(p.ref - ref)
		}
	}
	for c, p := range parts {
		sum += p.sum * scale[c]
	}
	return ref, sum, scale
}

// total returns log Σ exp(xₖ) over every chunk of parts.
func total(parts []LogSumExp) float64 {
	ref, sum, _ := CombineLogSumExp(parts)
	return ref + math.Log(sum)
}
