package kernel

// The float64 optimiser steps of the machine trainer (rbm.TrainMachine),
// over its weights: AdamLoop and MomentumLoop (optimizer.go) in place,
// vectorised where the CPU allows, with the buffer management the trainer
// wants of its largest vector done in the same pass. They copy w to a
// backup first (which the trainer restores when it refuses a step) and
// report whether every new value is within a limit.

// AdamStep64 is AdamLoop in place (dst = w) over float64 slices (every
// length at least len(w)), copying each w[i] to old[i] before its step;
// the assembly gives the loop's bits. It reports whether every new |w[i]|
// is at most limit (false for a NaN).
func AdamStep64(w, old, m, v, grad []float64, p AdamParams[float64], limit float64) bool {
	n := len(w)
	old, m, v, grad = old[:n], m[:n], v[:n], grad[:n]
	i, ok := 0, true
	if n4 := n &^ 3; haveAVX2FMA && n4 > 0 {
		c := [9][4]float64{splat4(p.Scale), splat4(p.Decay), splat4(p.B1), splat4(p.C1),
			splat4(p.B2), splat4(p.C2), splat4(p.Step), splat4(p.Eps), splat4(limit)}
		ok = adam64AVX2(&w[0], &old[0], &m[0], &v[0], &grad[0], n4, &c)
		i = n4
	}
	copy(old[i:], w[i:])
	mx := AdamLoop(w[i:], w[i:], m[i:], v[i:], grad[i:], p)
	return ok && mx <= limit
}

// MomentumStep64 is MomentumLoop in place (dst = w) over float64 slices
// (every length at least len(w)), copying each w[i] to old[i] before its
// step; the assembly gives the loop's bits. It reports whether every new
// |w[i]| is at most limit (false for a NaN).
func MomentumStep64(w, old, vel, grad []float64, p MomentumParams[float64], limit float64) bool {
	n := len(w)
	old, vel, grad = old[:n], vel[:n], grad[:n]
	i, ok := 0, true
	if n4 := n &^ 3; haveAVX2FMA && n4 > 0 {
		c := [4][4]float64{splat4(p.Mom), splat4(p.Rate), splat4(p.Decay), splat4(limit)}
		ok = momentum64AVX2(&w[0], &old[0], &vel[0], &grad[0], n4, &c)
		i = n4
	}
	copy(old[i:], w[i:])
	mx := MomentumLoop(w[i:], w[i:], vel[i:], grad[i:], p)
	return ok && mx <= limit
}

// splat4 returns x four times: the float64 steps' assembly reads its
// scalars from memory as whole vectors (the Adam step has more of them
// than there are free vector registers).
func splat4(x float64) [4]float64 { return [4]float64{x, x, x, x} }
