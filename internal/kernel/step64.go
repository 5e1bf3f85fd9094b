package kernel

import "math"

// The float64 optimiser steps of the machine trainer (rbm.TrainMachine),
// over its weights: the trainer's own Go expressions, element by element,
// vectorised where that gives the same bits. Unlike MomentumStep and
// AdamStep they update w in place, copying its values to a backup first
// (which the trainer restores when it refuses a step), and report whether
// every new value is within a limit.

// Adam64 holds the scalars of one AdamStep64.
type Adam64 struct {
	Scale, Decay float64 // g = grad·Scale - Decay·w (Scale: 1/batch rows)
	B1, B2       float64 // the moments' decay rates β₁, β₂
	C1, C2       float64 // the bias corrections 1 - β₁ᵗ and 1 - β₂ᵗ
	Rate, Eps    float64 // the learning rate and ε
}

// AdamStep64 takes an Adam step of gradient ascent with L2 weight decay
// over parallel slices (every length at least len(w)), with every
// operation rounded on its own in the order written:
//
//	old[i] = w[i]
//	g    = grad[i]·Scale - Decay·w[i]
//	m[i] = B1·m[i] + (1-B1)·g
//	v[i] = B2·v[i] + (1-B2)·g·g
//	w[i] += Rate·(m[i]/C1) / (√(v[i]/C2) + Eps)
//
// which is the portable loop below; the assembly gives its bits. It
// reports whether every new |w[i]| is at most limit (false for a NaN).
func AdamStep64(w, old, m, v, grad []float64, a Adam64, limit float64) bool {
	n := len(w)
	old, m, v, grad = old[:n], m[:n], v[:n], grad[:n]
	i, ok := 0, true
	if n4 := n &^ 3; haveAVX2FMA && separateRounding && n4 > 0 {
		c := adam64Consts(a, limit)
		ok = adam64AVX2(&w[0], &old[0], &m[0], &v[0], &grad[0], n4, &c)
		i = n4
	}
	for ; i < n; i++ {
		old[i] = w[i]
		gi := grad[i] * a.Scale
		gi -= a.Decay * w[i]
		m[i] = a.B1*m[i] + (1-a.B1)*gi
		v[i] = a.B2*v[i] + (1-a.B2)*gi*gi
		mHat := m[i] / a.C1
		vHat := v[i] / a.C2
		w[i] += a.Rate * mHat / (math.Sqrt(vHat) + a.Eps)
		ok = ok && math.Abs(w[i]) <= limit
	}
	return ok
}

// adam64Consts returns the scalars of adam64AVX2, each four times.
func adam64Consts(a Adam64, limit float64) [11][4]float64 {
	var c [11][4]float64
	for k, x := range []float64{a.Scale, a.Decay, a.B1, 1 - a.B1, a.B2, 1 - a.B2, a.C1, a.C2, a.Rate, a.Eps, limit} {
		c[k] = [4]float64{x, x, x, x}
	}
	return c
}

// MomentumStep64 takes a momentum step of gradient ascent with L2 weight
// decay over parallel slices (every length at least len(w)), every
// operation rounded on its own in the order written:
//
//	old[i] = w[i]
//	g      = grad[i]·scale - decay·w[i]
//	vel[i] = mom·vel[i] + rate·g
//	w[i]  += vel[i]
//
// which is the portable loop below; the assembly gives its bits. It
// reports whether every new |w[i]| is at most limit (false for a NaN).
func MomentumStep64(w, old, vel, grad []float64, scale, decay, mom, rate, limit float64) bool {
	n := len(w)
	old, vel, grad = old[:n], vel[:n], grad[:n]
	i, ok := 0, true
	if n4 := n &^ 3; haveAVX2FMA && separateRounding && n4 > 0 {
		var c [5][4]float64
		for k, x := range []float64{scale, decay, mom, rate, limit} {
			c[k] = [4]float64{x, x, x, x}
		}
		ok = momentum64AVX2(&w[0], &old[0], &vel[0], &grad[0], n4, &c)
		i = n4
	}
	for ; i < n; i++ {
		old[i] = w[i]
		gi := grad[i] * scale
		gi -= decay * w[i]
		vel[i] = mom*vel[i] + rate*gi
		w[i] += vel[i]
		ok = ok && math.Abs(w[i]) <= limit
	}
	return ok
}

// separateRounding allows the assembly of the float64 steps. It rounds
// every product and sum on its own, so it stands in for the Go loops only
// where the compiler does too: Go may fuse x·y + z into one rounding where
// the target has FMA instructions (amd64 built for v3, arm64), and there
// the loops run as compiled.
var separateRounding = roundsSeparately()

// RoundsSeparately reports whether this build's Go code rounds every
// product before adding to it, as amd64 builds below GOAMD64=v3 do. Where
// it does not, the compiler chooses which products of an expression to
// fuse with the sums, and two spellings of the same sums (a loop and its
// unrolled or vectorised form) may round differently: code that must keep
// the bits of a plain loop runs that loop there.
func RoundsSeparately() bool { return separateRounding }

// roundsSeparately reports whether this build rounds a product before
// adding to it: (1+2⁻³⁰)² rounds to 1+2⁻²⁹, so that the sum below is
// zero, while fused it is 2⁻⁶⁰.
func roundsSeparately() bool { return mulAdd(1+0x1p-30, 1+0x1p-30, -(1+0x1p-29)) == 0 }

//go:noinline
func mulAdd(x, y, z float64) float64 { return x*y + z }
