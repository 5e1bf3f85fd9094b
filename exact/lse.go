package exact

import "math"

// rescaleSlack is how far a new value may exceed the reference of a
// logSumExp before the reference moves up. Letting terms reach e⁶⁴ keeps
// rescaling rare (it costs a pass over every accumulator that shares the
// reference) while sums of 2⁴⁰ such terms stay far below the float64 limit.
const rescaleSlack = 64

// logSumExp accumulates log Σ exp(xₖ) as ref + log(sum), where ref is one
// of the values added and every term is stored as exp(xₖ - ref). Because
// the term of ref itself contributes 1 to sum, terms that underflow are
// negligible, and no term overflows because ref follows the largest value
// to within rescaleSlack.
type logSumExp struct {
	ref, sum float64
}

func newLogSumExp() logSumExp { return logSumExp{ref: math.Inf(-1)} }

// weight returns exp(x - ref) for a new value x, first moving the reference
// to x when x exceeds it by more than the slack; it returns the factor
// exp(old - new) by which every sum tied to the old reference must be
// multiplied (1 when the reference stayed).
func (a *logSumExp) weight(x float64) (w, rescale float64) {
	rescale = 1
	if math.IsInf(x, -1) {
		return 0, 1 // a state of infinite energy has no weight
	}
	if x > a.ref+rescaleSlack || a.sum == 0 {
		if a.sum != 0 {
			rescale = math.Exp(a.ref - x)
			a.sum *= rescale
		}
		a.ref = x
	}
	return math.Exp(x - a.ref), rescale
}

// add adds exp(x) to the sum.
func (a *logSumExp) add(x float64) {
	w, _ := a.weight(x)
	a.sum += w
}

// total combines per-chunk accumulators, in chunk order, into
// log Σ exp(xₖ) over every chunk.
func total(parts []logSumExp) float64 {
	ref, scale := combineRefs(parts)
	var sum float64
	for c, p := range parts {
		sum += p.sum * scale[c]
	}
	return ref + math.Log(sum)
}

// combineRefs returns the common reference of chunk accumulators (the
// largest reference of a non-empty chunk) and the factor exp(ref_c - common)
// of each chunk, so that sums tied to the chunks' references can be added.
func combineRefs(parts []logSumExp) (ref float64, scale []float64) {
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
	return ref, scale
}
