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

func momentumAVX2(dst, w, vel, grad *float32, n int, mom, rate, decay float32) uint32 {
	panic("kernel: no assembly in this build")
}

func adamAVX2(dst, w, m, v, grad *float32, n int, scale, decay, b1, c1, b2, c2, step, eps float32) uint32 {
	panic("kernel: no assembly in this build")
}

func sparseRow96AVX2(n int, vals *float32, idx *int32, b *float32, ldb int, c *float32, add int) {
	panic("kernel: no assembly in this build")
}

func sparseRow64AVX2(n int, vals *float32, idx *int32, b *float32, ldb int, c *float32, add int) {
	panic("kernel: no assembly in this build")
}

func sparseRow32AVX2(n int, vals *float32, idx *int32, b *float32, ldb int, c *float32, add int) {
	panic("kernel: no assembly in this build")
}

func sparseRow16AVX2(n int, vals *float32, idx *int32, b *float32, ldb int, c *float32, add int) {
	panic("kernel: no assembly in this build")
}

func sparseRow8AVX2(n int, vals *float32, idx *int32, b *float32, ldb int, c *float32, add int) {
	panic("kernel: no assembly in this build")
}

func sparseRowMaskedAVX2(n int, vals *float32, idx *int32, b *float32, ldb int, c *float32, add int, mask *int32) {
	panic("kernel: no assembly in this build")
}

func nonzerosAVX2(idx *int32, vals *float32, src *float32, n int, first int, table *[256][8]int32) int {
	panic("kernel: no assembly in this build")
}

func transposeAVX2(dst *float32, ldd int, src *float32, lds int, n int) {
	panic("kernel: no assembly in this build")
}

func sumRowsAVX2(dst, src *float32, ld, rows, n int, scale float32) {
	panic("kernel: no assembly in this build")
}

func dgemmKernel(k int, a, b, c *float64, ldc int, alpha, beta float64) {
	panic("kernel: no assembly in this build")
}

func momentum64AVX2(w, old, vel, grad *float64, n int, c *[4][4]float64) bool {
	panic("kernel: no assembly in this build")
}

func adam64AVX2(w, old, m, v, grad *float64, n int, c *[9][4]float64) bool {
	panic("kernel: no assembly in this build")
}
