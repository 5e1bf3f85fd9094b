package kernel

import "math"

// The float32 optimiser steps of the binary RBM trainer (rbm.Train), the
// vectorised forms of MomentumLoop and AdamLoop (optimizer.go). They write
// the updated parameters to dst, which may be w itself or a second
// buffer: a trainer that keeps two buffers can refuse an update (see the
// returned magnitude) and keep the parameters it had, at no extra memory
// traffic. Each returns the largest magnitude it wrote, so that a
// diverging run is caught on the update that diverges: it is +Inf when
// any value overflowed and NaN when any is NaN.

// MomentumStep is MomentumLoop over float32 slices (every length at least
// len(w)), vectorised where the CPU allows; the assembly gives the loop's
// bits. It returns max |dst[i]|.
func MomentumStep(dst, w, vel, grad []float32, p MomentumParams[float32]) float32 {
	n := len(w)
	dst, vel, grad = dst[:n], vel[:n], grad[:n]
	i := 0
	var mx float32
	if n8 := n &^ 7; haveAVX2FMA && n8 > 0 {
		mx = math.Float32frombits(momentumAVX2(&dst[0], &w[0], &vel[0], &grad[0], n8, p.Mom, p.Rate, p.Decay))
		i = n8
	}
	return max(mx, MomentumLoop(dst[i:], w[i:], vel[i:], grad[i:], p))
}

// AdamStep is AdamLoop over float32 slices (every length at least len(w)),
// vectorised where the CPU allows; the assembly gives the loop's bits. It
// returns max |dst[i]|.
func AdamStep(dst, w, m, v, grad []float32, p AdamParams[float32]) float32 {
	n := len(w)
	dst, m, v, grad = dst[:n], m[:n], v[:n], grad[:n]
	i := 0
	var mx float32
	if n8 := n &^ 7; haveAVX2FMA && n8 > 0 {
		mx = math.Float32frombits(adamAVX2(&dst[0], &w[0], &m[0], &v[0], &grad[0], n8, p.Scale, p.Decay, p.B1, p.C1, p.B2, p.C2, p.Step, p.Eps))
		i = n8
	}
	return max(mx, AdamLoop(dst[i:], w[i:], m[i:], v[i:], grad[i:], p))
}
