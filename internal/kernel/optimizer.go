package kernel

import "math"

// The optimiser update rules, each written once, for both trainers: the
// binary RBM's in float32 (rbm.Train) and the machine trainer's in float64
// (rbm.TrainMachine). MomentumLoop and AdamLoop are the definitions; the
// vectorised steps (MomentumStep, AdamStep, MomentumStep64, AdamStep64)
// give their bits and run them on the elements the assembly leaves over.
//
// Every product is converted to F explicitly. The Go specification lets a
// compiler fuse x·y + z into one rounding, across statements too, unless
// x·y is explicitly converted, and amd64 builds for GOAMD64=v3 and arm64
// builds do fuse. With the conversions each operation is rounded on its
// own in every build, as the assembly rounds it, so the kernels and the
// loops agree wherever either runs.

// Float is the element type of the optimiser steps.
type Float interface{ float32 | float64 }

// MomentumParams are the scalars of one momentum step: the momentum, the
// learning rate divided by the batch's rows (the gradients are batch
// sums) and the learning rate times the weight decay.
type MomentumParams[F Float] struct {
	Mom, Rate, Decay F
}

// MomentumAt returns the scalars of a momentum step at learning rate lr
// and momentum mom, with L2 weight decay weightDecay, on gradients summed
// over n batch rows:
//
//	Mom = mom, Rate = lr/n, Decay = lr·weightDecay
//
// with lr, n and weightDecay each rounded to F before the one division or
// product. A parameter without weight decay takes Decay = 0.
func MomentumAt[F Float](lr, mom, weightDecay float64, n int) MomentumParams[F] {
	return MomentumParams[F]{Mom: F(mom), Rate: F(lr) / F(n), Decay: F(lr) * F(weightDecay)}
}

// MomentumLoop is the momentum step of gradient ascent with weight decay
// over parallel slices of weights, velocities and gradients (len(dst),
// len(vel) and len(grad) at least len(w)):
//
//	vel[i] = (Mom·vel[i] + Rate·grad[i]) - Decay·w[i]
//	dst[i] = w[i] + vel[i]
//
// with every operation rounded to F on its own in that order. dst may be w
// itself or a second buffer. It returns max |dst[i]|: +Inf when a value
// overflowed, NaN when any is NaN.
func MomentumLoop[F Float](dst, w, vel, grad []F, p MomentumParams[F]) F {
	n := len(w)
	dst, vel, grad = dst[:n], vel[:n], grad[:n]
	var mx F
	for i := range n {
		v := F(F(p.Mom*vel[i])+F(p.Rate*grad[i])) - F(p.Decay*w[i])
		vel[i] = v
		dst[i] = w[i] + v
		mx = max(mx, abs(dst[i]))
	}
	return mx
}

// AdamParams are the scalars of one Adam step. Step and Eps carry the bias
// corrections of step t: with learning rate α, Step = α·√(1-β₂ᵗ)/(1-β₁ᵗ)
// and Eps = ε·√(1-β₂ᵗ) give Kingma and Ba's update exactly (their
// "efficient" form of Algorithm 1). C1 and C2 are 1-B1 and 1-B2, passed
// rounded once so that every code path uses the same values.
type AdamParams[F Float] struct {
	Scale, Decay   F // g = Scale·grad - Decay·w
	B1, C1, B2, C2 F
	Step, Eps      F
}

// AdamAt returns the scalars of Adam step t (from 1) at learning rate lr,
// decay rates beta1 and beta2 and denominator guard eps, with L2 weight
// decay weightDecay, on gradients summed over n batch rows:
//
//	Scale = 1/n (divided in F), Decay = weightDecay
//	B1 = β₁, C1 = 1-β₁, B2 = β₂, C2 = 1-β₂
//	Step = (α·√(1-β₂ᵗ)) / (1-β₁ᵗ), Eps = ε·√(1-β₂ᵗ)
//
// each computed in float64, in that order, and rounded to F once. A
// parameter without weight decay takes Decay = 0.
func AdamAt[F Float](lr, beta1, beta2, eps, weightDecay float64, n, t int) AdamParams[F] {
	c2 := math.Sqrt(1 - math.Pow(beta2, float64(t)))
	return AdamParams[F]{
		Scale: 1 / F(n), Decay: F(weightDecay),
		B1: F(beta1), C1: F(1 - beta1), B2: F(beta2), C2: F(1 - beta2),
		Step: F(lr * c2 / (1 - math.Pow(beta1, float64(t)))),
		Eps:  F(eps * c2),
	}
}

// AdamLoop is the Adam step of gradient ascent with L2 weight decay over
// parallel slices (every length at least len(w)):
//
//	g    = Scale·grad[i] - Decay·w[i]
//	m[i] = B1·m[i] + C1·g
//	v[i] = B2·v[i] + C2·(g·g)
//	dst[i] = w[i] + (Step·m[i]) / (√v[i] + Eps)
//
// with every operation rounded to F on its own in that order (the square
// root correctly rounded: a float64 root rounded to float32 is). dst may be
// w itself or a second buffer. It returns max |dst[i]|: +Inf when a value
// overflowed, NaN when any is NaN.
func AdamLoop[F Float](dst, w, m, v, grad []F, p AdamParams[F]) F {
	n := len(w)
	dst, m, v, grad = dst[:n], m[:n], v[:n], grad[:n]
	var mx F
	for i := range n {
		g := F(p.Scale*grad[i]) - F(p.Decay*w[i])
		mi := F(p.B1*m[i]) + F(p.C1*g)
		m[i] = mi
		vi := F(p.B2*v[i]) + F(p.C2*F(g*g))
		v[i] = vi
		den := F(math.Sqrt(float64(vi))) + p.Eps
		dst[i] = w[i] + F(p.Step*mi)/den
		mx = max(mx, abs(dst[i]))
	}
	return mx
}

// abs returns |x|, and a NaN for a NaN, which max then keeps.
func abs[F Float](x F) F { return F(math.Abs(float64(x))) }

// SubL1 subtracts amount·sign(w[i]) from grad[i] (nothing where w[i] is
// zero): the subgradient of an L1 penalty λ‖w‖₁ on gradients summed over
// n batch rows, amount being n·λ. Added to the gradient before the
// optimiser's step, it pulls every weight towards zero by the same amount
// whatever its size, where L2 decay pulls in proportion to it, so that
// weights the data do not support stay small (Tubiana, Cocco & Monasson's
// regularisation of protein RBMs).
func SubL1[F Float](grad, w []F, amount F) {
	grad = grad[:len(w)]
	for i, x := range w {
		switch {
		case x > 0:
			grad[i] -= amount
		case x < 0:
			grad[i] += amount
		}
	}
}
