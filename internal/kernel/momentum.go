package kernel

// MomentumStep takes a momentum step with weight decay over parallel
// slices of weights, velocities and gradients (len(vel) and len(grad) at
// least len(w)):
//
//	vel[i] = mom·vel[i] + rate·grad[i] - decay·w[i]
//	w[i]  += vel[i]
//
// evaluated as ((mom·vel + rate·grad) - decay·w) with every operation
// rounded to float32, vectorised where the CPU allows; the assembly and the
// portable loop give the same bits.
func MomentumStep(w, vel, grad []float32, mom, rate, decay float32) {
	n := len(w)
	vel, grad = vel[:n], grad[:n]
	i := 0
	if n8 := n &^ 7; haveAVX2FMA && n8 > 0 {
		momentumAVX2(&w[0], &vel[0], &grad[0], n8, mom, rate, decay)
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
		w[i] += v
	}
}
