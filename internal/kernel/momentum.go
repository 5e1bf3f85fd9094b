package kernel

import "math"

// The optimiser steps below write the updated parameters to dst, which may
// be w itself or a second buffer: a trainer that keeps two buffers can
// refuse an update (see the returned magnitude) and keep the parameters it
// had, at no extra memory traffic. Each returns the largest magnitude it
// wrote, so that a diverging run is caught on the update that diverges:
// it is +Inf when any value overflowed and NaN when any is NaN.

// MomentumStep takes a momentum step with weight decay over parallel
// slices of weights, velocities and gradients (len(dst), len(vel) and
// len(grad) at least len(w)):
//
//	vel[i] = mom·vel[i] + rate·grad[i] - decay·w[i]
//	dst[i] = w[i] + vel[i]
//
// evaluated as ((mom·vel + rate·grad) - decay·w) with every operation
// rounded to float32, vectorised where the CPU allows; the assembly and the
// portable loop give the same bits. It returns max |dst[i]|.
func MomentumStep(dst, w, vel, grad []float32, mom, rate, decay float32) float32 {
	n := len(w)
	dst, vel, grad = dst[:n], vel[:n], grad[:n]
	i := 0
	var mx uint32
	if n8 := n &^ 7; haveAVX2FMA && n8 > 0 {
		mx = momentumAVX2(&dst[0], &w[0], &vel[0], &grad[0], n8, mom, rate, decay)
		i = n8
	}
	for ; i < n; i++ {
		// Separate statements keep each product rounded on its own, as in
		// the assembly, on architectures whose compiler fuses x*y + z.
		mv := mom * vel[i]
		rg := rate * grad[i]
		dw := decay * w[i]
		v := float32(mv+rg) - dw
		vel[i] = v
		dst[i] = w[i] + v
		mx = max(mx, absBits(dst[i]))
	}
	return math.Float32frombits(mx)
}

// AdamParams are the scalars of one Adam step. Step and Eps carry the bias
// corrections of step t: with learning rate α, Step = α·√(1-β₂ᵗ)/(1-β₁ᵗ)
// and Eps = ε·√(1-β₂ᵗ) give Kingma and Ba's update exactly (their
// "efficient" form of Algorithm 1). C1 and C2 are 1-B1 and 1-B2, passed
// rounded once so that both code paths use the same values.
type AdamParams struct {
	Scale, Decay   float32 // g = Scale·grad - Decay·w
	B1, C1, B2, C2 float32
	Step, Eps      float32
}

// AdamStep takes an Adam step of gradient ascent with L2 weight decay over
// parallel slices (every length at least len(w)):
//
//	g    = Scale·grad[i] - Decay·w[i]
//	m[i] = B1·m[i] + C1·g
//	v[i] = B2·v[i] + C2·g²
//	dst[i] = w[i] + Step·m[i] / (√v[i] + Eps)
//
// with every operation rounded to float32; the assembly and the portable
// loop give the same bits. It returns max |dst[i]|.
func AdamStep(dst, w, m, v, grad []float32, p AdamParams) float32 {
	n := len(w)
	dst, m, v, grad = dst[:n], m[:n], v[:n], grad[:n]
	i := 0
	var mx uint32
	if n8 := n &^ 7; haveAVX2FMA && n8 > 0 {
		mx = adamAVX2(&dst[0], &w[0], &m[0], &v[0], &grad[0], n8, p.Scale, p.Decay, p.B1, p.C1, p.B2, p.C2, p.Step, p.Eps)
		i = n8
	}
	for ; i < n; i++ {
		sg := p.Scale * grad[i]
		dw := p.Decay * w[i]
		g := sg - dw
		bm := p.B1 * m[i]
		cg := p.C1 * g
		mi := bm + cg
		m[i] = mi
		gg := g * g
		cgg := p.C2 * gg
		bv := p.B2 * v[i]
		vi := bv + cgg
		v[i] = vi
		den := float32(math.Sqrt(float64(vi))) + p.Eps
		sm := p.Step * mi
		dst[i] = w[i] + sm/den
		mx = max(mx, absBits(dst[i]))
	}
	return math.Float32frombits(mx)
}

// absBits returns the bits of |x|. Read as unsigned integers they order as
// the magnitudes do, +Inf above every finite value and every NaN above
// +Inf, so their maximum is the largest magnitude or a NaN.
func absBits(x float32) uint32 { return math.Float32bits(x) &^ (1 << 31) }
