package rbm

import "github.com/rbmkit/rbm/internal/kernel"

// PseudoLogLikelihood returns Σᵢ log p(vᵢ | v₋ᵢ) for a binary vector v,
// summed over every visible unit (not the one-random-unit estimate).
// Each term is log σ(F(ṽ) - F(v)) = -softplus(F(v) - F(ṽ)), with ṽ equal
// to v but for unit i flipped; the hidden inputs of ṽ differ from those of
// v by one row of W, so the whole sum costs O(Visible·Hidden).
func (m *RBM) PseudoLogLikelihood(v []float32) float64 {
	m.checkLen("v", v, m.Visible)
	act := make([]float64, m.Hidden)
	m.HiddenInput(act, v)
	base := kernel.SoftplusSum(act)
	flipped := make([]float64, m.Hidden)
	var pll float64
	for i, vi := range v {
		d := 1 - 2*float64(vi) // ṽᵢ - vᵢ
		// F(v) - F(ṽ) = bᵢ·d + Σⱼ softplus(actⱼ + d·Wᵢⱼ) - Σⱼ softplus(actⱼ)
		copy(flipped, act)
		diff := float64(m.B[i])*d + kernel.AddSoftplusSum(flipped, m.W[i*m.Hidden:(i+1)*m.Hidden], d) - base
		pll -= kernel.Softplus(diff)
	}
	return pll
}

// ReconstructionError returns the mean over the rows of v of the squared
// distance between v and its mean-field reconstruction p(v|h) with
// h = p(h|v): the same reconstruction the ONNX export computes.
func (m *RBM) ReconstructionError(v *Matrix) float64 {
	return reconstructionError(nil, m, v)
}

func reconstructionError(p *kernel.Pool, m *RBM, v *Matrix) float64 {
	if v.Rows == 0 {
		return 0
	}
	h := NewMatrix(v.Rows, m.Hidden)
	r := NewMatrix(v.Rows, m.Visible)
	hiddenProbs(p, m, h, v)
	visibleProbs(p, m, r, h, nil)
	var sum float64
	for i, x := range v.Data {
		d := float64(x) - float64(r.Data[i])
		sum += d * d
	}
	return sum / float64(v.Rows)
}
