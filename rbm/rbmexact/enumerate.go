package rbmexact

import (
	"context"
	"fmt"
	"math"
	"math/bits"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/rbm"
)

// RBMLogZ returns the exact log partition function of a binary RBM,
// enumerating its smaller layer: with n hidden units and hidden states h,
// log Z = logsumexp_h [cᵀh + Σᵢ softplus(bᵢ + (Wh)ᵢ)], and the mirror form
// over v when the visible layer is smaller. The smaller layer may have at
// most exact.Options.MaxUnits units. The cost is 2ⁿ times the size of the
// larger layer: about half a second for a 784×20 model on two cores with
// AVX2 (kernel.AddSoftplusSum), a few seconds without.
func RBMLogZ(ctx context.Context, m *rbm.RBM, opt exact.Options) (float64, error) {
	t, err := orient(m, opt)
	if err != nil {
		return 0, err
	}
	parts, err := exact.ForChunks(ctx, t.Visible, opt, func(ctx context.Context, lo, hi uint64) (exact.LogSumExp, error) {
		var acc exact.LogSumExp
		err := walkRBM(ctx, t, lo, hi, func(_ uint64, _ []float64, negF float64) { acc.Add(negF) })
		return acc, err
	})
	if err != nil {
		return 0, err
	}
	ref, sum, _ := exact.CombineLogSumExp(parts)
	return finishRBM(m, ref+math.Log(sum))
}

// RBMStats are the exact moments of an RBM's joint distribution p(v, h).
type RBMStats struct {
	// LogZ is the log partition function.
	LogZ float64
	// Visible[i] is p(vᵢ = 1) and Hidden[j] is p(hⱼ = 1).
	Visible, Hidden []float64
	// VH[i*Hidden+j] is E[vᵢhⱼ], laid out like the weights.
	VH []float64
}

// RBMMoments returns the exact marginals and the visible-hidden moments of
// m, enumerating the smaller layer as RBMLogZ does; the moments of the
// larger layer come analytically from its conditional probabilities.
// Each state costs about (1 + k) times the larger layer, k being the number
// of units on in the smaller layer's state.
func RBMMoments(ctx context.Context, m *rbm.RBM, opt exact.Options) (*RBMStats, error) {
	t, err := orient(m, opt)
	if err != nil {
		return nil, err
	}
	n, big := t.Visible, t.Hidden
	type part struct {
		acc   exact.LogSumExp
		x, y  []float64 // Σ w·xᵢ over the small layer, Σ w·p(yⱼ=1|x) over the large one
		xy    []float64 // Σ w·xᵢ·p(yⱼ=1|x), n×big
		sigma []float64
	}
	parts, err := exact.ForChunks(ctx, n, opt, func(ctx context.Context, lo, hi uint64) (part, error) {
		p := part{x: make([]float64, n), y: make([]float64, big),
			xy: make([]float64, n*big), sigma: make([]float64, big)}
		err := walkRBM(ctx, t, lo, hi, func(g uint64, act []float64, negF float64) {
			w, r := p.acc.Add(negF)
			if r != 1 {
				scaleAll(r, p.x, p.y, p.xy)
			}
			for j, a := range act {
				s := w * kernel.Sigmoid(a)
				p.sigma[j] = s
				p.y[j] += s
			}
			for s := g; s != 0; s &= s - 1 {
				i := bits.TrailingZeros64(s)
				p.x[i] += w
				row := p.xy[i*big : (i+1)*big]
				for j, v := range p.sigma {
					row[j] += v
				}
			}
		})
		return p, err
	})
	if err != nil {
		return nil, err
	}
	accs := make([]exact.LogSumExp, len(parts))
	for c, p := range parts {
		accs[c] = p.acc
	}
	ref, sum, scale := exact.CombineLogSumExp(accs)
	x, y, xy := make([]float64, n), make([]float64, big), make([]float64, n*big)
	for c, p := range parts {
		for i, v := range p.x {
			x[i] += v * scale[c]
		}
		for j, v := range p.y {
			y[j] += v * scale[c]
		}
		for k, v := range p.xy {
			xy[k] += v * scale[c]
		}
	}
	logZ, err := finishRBM(m, ref+math.Log(sum))
	if err != nil {
		return nil, err
	}
	scaleAll(1/sum, x, y, xy)
	st := &RBMStats{LogZ: logZ}
	if t == m {
		st.Visible, st.Hidden, st.VH = x, y, xy
		return st, nil
	}
	// The enumerated layer was the hidden one: xy is H×V, transpose it.
	st.Visible, st.Hidden, st.VH = y, x, make([]float64, len(xy))
	for j := range m.Hidden {
		for i := range m.Visible {
			st.VH[i*m.Hidden+j] = xy[j*m.Visible+i]
		}
	}
	return st, nil
}

// orient validates m and returns the RBM whose visible layer is m's smaller
// layer (m itself, or its transpose when the hidden layer is smaller or the
// layers are equal).
func orient(m *rbm.RBM, opt exact.Options) (*rbm.RBM, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("rbmexact: %w", err)
	}
	t := m
	if m.Hidden <= m.Visible {
		t = m.Transpose()
	}
	if err := opt.CheckSize(fmt.Sprintf("%d×%d RBM (smaller layer)", m.Visible, m.Hidden), t.Visible); err != nil {
		return nil, err
	}
	return t, nil
}

func finishRBM(m *rbm.RBM, logZ float64) (float64, error) {
	if math.IsNaN(logZ) || math.IsInf(logZ, 0) {
		return 0, fmt.Errorf("rbmexact: log Z of the %d×%d RBM is %v", m.Visible, m.Hidden, logZ)
	}
	return logZ, nil
}

// walkRBM visits the states x of t's visible layer at Gray-code positions
// [lo, hi), calling visit(state bits, act, -F(x)) with act the float64
// inputs c + xᵀW of t's hidden layer. act is updated by one row of t.W per
// step, fused with the softplus sum of -F (kernel.AddSoftplusSum), and
// recomputed from scratch at exact.Walk's anchors; visit must not keep it.
func walkRBM(ctx context.Context, t *rbm.RBM, lo, hi uint64, visit func(g uint64, act []float64, negF float64)) error {
	w := &rbmWalker{t: t, x: make([]float32, t.Visible), act: make([]float64, t.Hidden)}
	return exact.Walk(ctx, lo, hi, w, func(g uint64) { visit(g, w.act, w.negF) })
}

// rbmWalker is the exact.Walker of walkRBM: the visible state, the hidden
// inputs and -F.
type rbmWalker struct {
	t    *rbm.RBM
	x    []float32
	act  []float64
	negF float64
}

func (w *rbmWalker) Reset(g uint64) {
	for i := range w.x {
		w.x[i] = float32(g >> i & 1)
	}
	w.t.HiddenInput(w.act, w.x)
	w.negF = negFreeEnergy(w.t.B, w.x, w.act)
}

func (w *rbmWalker) Flip(i int) {
	big := w.t.Hidden
	sign := 1.0
	if w.x[i] == 1 {
		sign = -1
	}
	w.x[i] = 1 - w.x[i]
	w.negF = biasDot(w.t.B, w.x) + kernel.AddSoftplusSum(w.act, w.t.W[i*big:(i+1)*big], sign)
}

// negFreeEnergy returns -rbm.FreeEnergyFromInput(bias, x, act), biasᵀx +
// Σⱼ softplus(act[j]), with the softplus terms from kernel.SoftplusSum:
// the hot loop of every RBM enumeration. The tests check it against
// rbm.FreeEnergyFromInput.
func negFreeEnergy(bias, x []float32, act []float64) float64 {
	return biasDot(bias, x) + kernel.SoftplusSum(act)
}

// biasDot returns biasᵀx in float64.
func biasDot(bias, x []float32) float64 {
	var f float64
	for i, xi := range x {
		f += float64(bias[i]) * float64(xi)
	}
	return f
}

// scaleAll multiplies every element of xs by r.
func scaleAll(r float64, xs ...[]float64) {
	for _, x := range xs {
		for i := range x {
			x[i] *= r
		}
	}
}
