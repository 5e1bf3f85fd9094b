//go:build !amd64 || noasm

package kernel

// Stubs of the vector softplus kernels, never called without the assembly
// (haveAVX2FMA is false); they exist so that the portable build compiles.

func softplusSumAVX2(act *float64, n int) (pos, prod float64) {
	panic("kernel: no assembly in this build")
}

func addSoftplusSumAVX2(act *float64, delta *float32, sign float64, n int) (pos, prod float64) {
	panic("kernel: no assembly in this build")
}

func expNegAVX2(dst, src *float64, n int) {
	panic("kernel: no assembly in this build")
}
