//go:build !amd64 || noasm

package kernel

// haveAVX2FMA is false without the assembly kernels; the functions below
// are never called and exist so that the portable build compiles.
var haveAVX2FMA = false

func gemmKernelN(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32) {
	panic("kernel: no assembly in this build")
}

func gemmKernelT(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32) {
	panic("kernel: no assembly in this build")
}

func sigmoidBiasAVX2(x, bias *float32, n int) {
	panic("kernel: no assembly in this build")
}

func bernoulliAVX2(dst, p *float32, n int, state *[32]uint32) {
	panic("kernel: no assembly in this build")
}

func packTransposedAVX2(dst, src *float32, ld, k int) {
	panic("kernel: no assembly in this build")
}

func packRowsAVX2(dst, src *float32, ld, k int) {
	panic("kernel: no assembly in this build")
}

func packColsAVX2(dst, src *float32, ld, k int) {
	panic("kernel: no assembly in this build")
}

func momentumAVX2(w, vel, grad *float32, n int, mom, rate, decay float32) {
	panic("kernel: no assembly in this build")
}
