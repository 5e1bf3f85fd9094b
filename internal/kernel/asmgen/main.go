// Command asmgen generates the AVX2/FMA assembly of package kernel with
// github.com/mmcloughlin/avo. It lives in its own module so that the main
// module neither depends on avo nor loses it to go mod tidy.
//
// Run it through go generate in internal/kernel:
//
//	go generate ./internal/kernel
//
// which runs, in this directory,
//
//	go run . -out ../kernel_amd64.s -stubs ../kernel_amd64.go -pkg kernel
//
// Every kernel uses only Y0–Y15: the register allocator is bypassed for
// the vector registers of the GEMM micro-kernel (whose 15 live vectors
// would otherwise tempt it into the AVX-512-only Y16–Y31), and the other
// kernels keep few enough vectors live that the allocator stays below 16.
// A test in package kernel fails if the generated file names Y16–Y31 or
// any Z register.
package main

import (
	"fmt"
	"math"
	"math/big"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Micro-tile shape of the GEMM kernels: mr rows of C by nr columns, held in
// mr·nr/8 = 12 accumulators.
const (
	mr = 6
	nr = 16
)

func main() {
	ConstraintExpr("amd64,!noasm")
	gemmKernel("gemmKernelN", false)
	gemmKernel("gemmKernelT", true)
	dgemmKernel()
	sigmoidKernel()
	bernoulliKernel()
	transposeKernel()
	packRowsKernel()
	packColsKernel()
	momentumKernel()
	adamKernel()
	momentum64Kernel()
	adam64Kernel()
	for _, u := range sparseWidths {
		sparseRowKernel(u)
	}
	sparseRowMaskedKernel()
	nonzerosKernel()
	transposeBlocksKernel()
	sumRowsKernel()
	ec := newExpConsts()
	softplusSumKernel("softplusSumAVX2", false, ec)
	softplusSumKernel("addSoftplusSumAVX2", true, ec)
	expNegKernel(ec)
	Generate()
}

// gemmKernel emits
//
//	C[r][j] = alpha·Σ_kk A(r,kk)·B[kk][j] + beta·C[r][j]   (r < 6, j < 16)
//
// with A(r,kk) at a[r·lda+kk] (transA false: rows of A, read in place) or
// at a[kk·lda+r] (transA true: columns of A, i.e. six contiguous values per
// step), and row kk of B at b[kk·ldb : kk·ldb+16]. Each element is one
// serial FMA chain over kk = 0, 1, …, k-1, so its value does not depend on
// which other elements the caller computes alongside it. beta == 0 does not
// read C.
func gemmKernel(name string, transA bool) {
	TEXT(name, NOSPLIT, "func(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes one 6×16 tile of C = alpha·A·B + beta·C (transA=%v).", name, transA))

	k := Load(Param("k"), GP64())
	pa := Load(Param("a"), GP64())
	lda := Load(Param("lda"), GP64())
	pb := Load(Param("b"), GP64())
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), lda) // bytes
	SHLQ(U8(2), ldb)

	acc := [mr][2]reg.VecPhysical{
		{reg.Y0, reg.Y1}, {reg.Y2, reg.Y3}, {reg.Y4, reg.Y5},
		{reg.Y6, reg.Y7}, {reg.Y8, reg.Y9}, {reg.Y10, reg.Y11},
	}
	b0, b1, bc0, bc1 := reg.Y12, reg.Y13, reg.Y14, reg.Y15
	for r := range acc {
		for h := range acc[r] {
			VXORPS(acc[r][h], acc[r][h], acc[r][h])
		}
	}

	// For A read by rows, rows 0–2 are addressed from pa and rows 3–5 from
	// pa3 = pa + 3·lda, with lda as the index register (scale 1).
	var pa3 reg.GPVirtual
	if !transA {
		pa3 = GP64()
		LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, pa3)
		ADDQ(pa, pa3)
	}
	aAddr := func(r, step int) Mem {
		if transA {
			// Six contiguous values; step 1 is one lda further on.
			if step == 0 {
				return Mem{Base: pa, Disp: 4 * r}
			}
			return Mem{Base: pa, Index: lda, Scale: 1, Disp: 4 * r}
		}
		base := pa
		if r >= 3 {
			base, r = pa3, r-3
		}
		m := Mem{Base: base, Disp: 4 * step}
		if r > 0 {
			m.Index, m.Scale = lda, byte(r)
		}
		return m
	}
	bAddr := func(h, step int) Mem {
		m := Mem{Base: pb, Disp: 32 * h}
		if step == 1 {
			m.Index, m.Scale = ldb, 1
		}
		return m
	}
	// One step kk of the chain: two vectors of B, and for each row a
	// broadcast of A(r,kk) into both halves. Two broadcast registers let
	// the loads of the next row overlap the FMAs of this one.
	emitStep := func(step int) {
		VMOVUPS(bAddr(0, step), b0)
		VMOVUPS(bAddr(1, step), b1)
		for r := range mr {
			bc := bc0
			if r%2 == 1 {
				bc = bc1
			}
			VBROADCASTSS(aAddr(r, step), bc)
			VFMADD231PS(b0, bc, acc[r][0])
			VFMADD231PS(b1, bc, acc[r][1])
		}
	}
	advance := func(steps int) {
		if transA {
			for range steps {
				ADDQ(lda, pa)
			}
		} else {
			ADDQ(U32(4*steps), pa)
			ADDQ(U32(4*steps), pa3)
		}
		for range steps {
			ADDQ(ldb, pb)
		}
	}

	pairs := GP64()
	MOVQ(k, pairs)
	SHRQ(U8(1), pairs)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_loop")
	emitStep(0)
	emitStep(1)
	advance(2)
	DECQ(pairs)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_tail")
	TESTQ(U32(1), k)
	JZ(LabelRef(name + "_store"))
	emitStep(0)

	Label(name + "_store")
	pc := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	pc3 := GP64()
	LEAQ(Mem{Base: ldc, Index: ldc, Scale: 2}, pc3)
	ADDQ(pc, pc3)
	cAddr := func(r, h int) Mem {
		base := pc
		if r >= 3 {
			base, r = pc3, r-3
		}
		m := Mem{Base: base, Disp: 32 * h}
		if r > 0 {
			m.Index, m.Scale = ldc, byte(r)
		}
		return m
	}
	alpha, beta := b0, b1
	VBROADCASTSS(paramAddr("alpha"), alpha)
	VBROADCASTSS(paramAddr("beta"), beta)
	// beta == 0 (either sign) must not read C, which may hold NaNs.
	zero := bc0
	VXORPS(zero, zero, zero)
	VUCOMISS(zero.AsX(), beta.AsX())
	JNE(LabelRef(name + "_beta"))
	JP(LabelRef(name + "_beta"))
	for r := range acc {
		for h := range acc[r] {
			VMULPS(alpha, acc[r][h], acc[r][h])
			VMOVUPS(acc[r][h], cAddr(r, h))
		}
	}
	VZEROUPPER()
	RET()

	Label(name + "_beta")
	t := bc1
	for r := range acc {
		for h := range acc[r] {
			VMULPS(cAddr(r, h), beta, t)
			VFMADD231PS(alpha, acc[r][h], t)
			VMOVUPS(t, cAddr(r, h))
		}
	}
	VZEROUPPER()
	RET()
}

// Micro-tile of the float64 GEMM kernel: dmr rows of C by dnr columns,
// again 12 accumulators of four doubles.
const (
	dmr = 6
	dnr = 8
)

// dgemmKernel emits the float64 micro-kernel
//
//	C[r][j] = alpha·Σ_kk a[kk·6+r]·b[kk·8+j] + beta·C[r][j]   (r < 6, j < 8)
//
// on packed panels: six values of op(A) and eight of op(B) per step of
// kk. As in gemmKernel, each element is one serial FMA chain over kk = 0,
// 1, …, k-1 and beta == 0 does not read C.
func dgemmKernel() {
	name := "dgemmKernel"
	TEXT(name, NOSPLIT, "func(k int, a *float64, b *float64, c *float64, ldc int, alpha float64, beta float64)")
	Pragma("noescape")
	Doc(name + " computes one 6×8 tile of C = alpha·A·B + beta·C in float64 from packed panels of A (6 values a step) and B (8 values a step).")

	k := Load(Param("k"), GP64())
	pa := Load(Param("a"), GP64())
	pb := Load(Param("b"), GP64())
	acc := [dmr][2]reg.VecPhysical{
		{reg.Y0, reg.Y1}, {reg.Y2, reg.Y3}, {reg.Y4, reg.Y5},
		{reg.Y6, reg.Y7}, {reg.Y8, reg.Y9}, {reg.Y10, reg.Y11},
	}
	b0, b1, bc0, bc1 := reg.Y12, reg.Y13, reg.Y14, reg.Y15
	for r := range acc {
		for h := range acc[r] {
			VXORPD(acc[r][h], acc[r][h], acc[r][h])
		}
	}
	emitStep := func(step int) {
		VMOVUPD(Mem{Base: pb, Disp: 8 * dnr * step}, b0)
		VMOVUPD(Mem{Base: pb, Disp: 8*dnr*step + 32}, b1)
		for r := range dmr {
			bc := bc0
			if r%2 == 1 {
				bc = bc1
			}
			VBROADCASTSD(Mem{Base: pa, Disp: 8 * (dmr*step + r)}, bc)
			VFMADD231PD(b0, bc, acc[r][0])
			VFMADD231PD(b1, bc, acc[r][1])
		}
	}
	pairs := GP64()
	MOVQ(k, pairs)
	SHRQ(U8(1), pairs)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_loop")
	emitStep(0)
	emitStep(1)
	ADDQ(U32(8*dmr*2), pa)
	ADDQ(U32(8*dnr*2), pb)
	DECQ(pairs)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_tail")
	TESTQ(U32(1), k)
	JZ(LabelRef(name + "_store"))
	emitStep(0)

	Label(name + "_store")
	pc := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(3), ldc)
	pc3 := GP64()
	LEAQ(Mem{Base: ldc, Index: ldc, Scale: 2}, pc3)
	ADDQ(pc, pc3)
	cAddr := func(r, h int) Mem {
		base := pc
		if r >= 3 {
			base, r = pc3, r-3
		}
		m := Mem{Base: base, Disp: 32 * h}
		if r > 0 {
			m.Index, m.Scale = ldc, byte(r)
		}
		return m
	}
	alpha, beta := b0, b1
	VBROADCASTSD(paramAddr("alpha"), alpha)
	VBROADCASTSD(paramAddr("beta"), beta)
	// beta == 0 (either sign) must not read C, which may hold NaNs.
	zero := bc0
	VXORPD(zero, zero, zero)
	VUCOMISD(zero.AsX(), beta.AsX())
	JNE(LabelRef(name + "_beta"))
	JP(LabelRef(name + "_beta"))
	for r := range acc {
		for h := range acc[r] {
			VMULPD(alpha, acc[r][h], acc[r][h])
			VMOVUPD(acc[r][h], cAddr(r, h))
		}
	}
	VZEROUPPER()
	RET()

	Label(name + "_beta")
	t := bc1
	for r := range acc {
		for h := range acc[r] {
			VMULPD(cAddr(r, h), beta, t)
			VFMADD231PD(alpha, acc[r][h], t)
			VMOVUPD(t, cAddr(r, h))
		}
	}
	VZEROUPPER()
	RET()
}

// paramAddr returns the stack address of a float32 argument, so that it
// can be broadcast straight from memory.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// splat declares a read-only 32-byte constant holding eight copies of v.
func splat(name string, v float32) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for i := range 8 {
		DATA(4*i, F32(v))
	}
	return m
}

func splatInt(name string, v uint32) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for i := range 8 {
		DATA(4*i, U32(v))
	}
	return m
}

// Coefficients of the float32 exponential of Cephes (expf.c): e^r for
// |r| ≤ ln2/2 as 1 + r + r²·P(r), after the reduction x = n·ln2 + r with ln2
// split in two so that n·C1 is exact. They are shared with the portable
// Go implementation, sigmoid32 in activation.go, which must evaluate the
// same formula.
var expPoly = []float32{
	1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3,
	4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
}

const (
	log2e  = 1.44269504088896341
	ln2Hi  = 0.693359375
	ln2Lo  = -2.12194440e-4
	expMin = -87.0 // e^-87 is still a normal float32
	expMax = 88.0  // 2^127·√2 is still finite
)

// sigmoidKernel emits x[j] = σ(x[j] + bias[j]) for j < n, n a multiple of
// 8: σ(z) = 1/(1 + e^{-z}) with e^{-z} evaluated by the Cephes expf
// polynomial on clamp(-z, -87, 88).
func sigmoidKernel() {
	cOne := splat("sigOne", 1)
	cLog2e := splat("sigLog2e", log2e)
	cLn2Hi := splat("sigLn2Hi", ln2Hi)
	cLn2Lo := splat("sigLn2Lo", ln2Lo)
	cMin := splat("sigMin", expMin)
	cMax := splat("sigMax", expMax)
	cP := make([]Mem, len(expPoly))
	for i, p := range expPoly {
		cP[i] = splat(fmt.Sprintf("sigP%d", i), p)
	}
	cBias := splatInt("sigExpBias", 127)

	TEXT("sigmoidBiasAVX2", NOSPLIT, "func(x, bias *float32, n int)")
	Pragma("noescape")
	Doc("sigmoidBiasAVX2 sets x[j] = σ(x[j] + bias[j]) for j < n, n a multiple of 8.")
	px := Load(Param("x"), GP64())
	pbias := Load(Param("bias"), GP64())
	n := Load(Param("n"), GP64())
	SHRQ(U8(3), n)
	JZ(LabelRef("sigmoid_done"))

	one := YMM()
	VMOVUPS(cOne, one)
	Label("sigmoid_loop")
	t := YMM()
	VMOVUPS(Mem{Base: px}, t)
	VADDPS(Mem{Base: pbias}, t, t)
	zero := YMM()
	VXORPS(zero, zero, zero)
	VSUBPS(t, zero, t) // t = -z
	VMAXPS(cMin, t, t)
	VMINPS(cMax, t, t)
	nf := YMM()
	VMULPS(cLog2e, t, nf)
	VROUNDPS(U8(0), nf, nf) // nearest, ties to even
	VFNMADD231PS(cLn2Hi, nf, t)
	VFNMADD231PS(cLn2Lo, nf, t) // t = r
	p := YMM()
	VMOVUPS(cP[0], p)
	for _, c := range cP[1:] {
		VFMADD213PS(c, t, p) // p = p·r + c
	}
	r2 := YMM()
	VMULPS(t, t, r2)
	VADDPS(one, t, t)     // 1 + r
	VFMADD213PS(t, r2, p) // p = r²·P(r) + 1 + r
	ni := YMM()
	VCVTPS2DQ(nf, ni)
	VPADDD(cBias, ni, ni)
	VPSLLD(U8(23), ni, ni) // 2^n
	VMULPS(ni, p, p)       // e^{-z}
	VADDPS(one, p, p)
	VDIVPS(p, one, p)
	VMOVUPS(p, Mem{Base: px})
	ADDQ(U32(32), px)
	ADDQ(U32(32), pbias)
	DECQ(n)
	JNZ(LabelRef("sigmoid_loop"))
	Label("sigmoid_done")
	VZEROUPPER()
	RET()
}

// bernoulliKernel emits the eight-lane xoshiro128+ Bernoulli sampler:
// dst[j] = 1 if u_j < p[j] else 0, for j < n (a multiple of 8), where u_j is
// the top 24 bits of the generator's output in lane j%8 scaled to [0, 1).
// state holds s0, s1, s2, s3 as four runs of eight lanes and is updated.
// The portable twin is bernoulliLanesGo in random.go; the two agree bit
// for bit.
func bernoulliKernel() {
	cOne := splat("bernOne", 1)
	cScale := splat("bernScale", float32(math.Ldexp(1, -24)))

	TEXT("bernoulliAVX2", NOSPLIT, "func(dst, p *float32, n int, state *[32]uint32)")
	Pragma("noescape")
	Doc("bernoulliAVX2 draws dst[j] ~ Bernoulli(p[j]) for j < n, n a multiple of 8, from the eight-lane generator state.")
	pd := Load(Param("dst"), GP64())
	pp := Load(Param("p"), GP64())
	n := Load(Param("n"), GP64())
	ps := Load(Param("state"), GP64())
	s := [4]reg.VecVirtual{YMM(), YMM(), YMM(), YMM()}
	for i := range s {
		VMOVDQU(Mem{Base: ps, Disp: 32 * i}, s[i])
	}
	SHRQ(U8(3), n)
	JZ(LabelRef("bern_done"))
	Label("bern_loop")
	res, t, u := YMM(), YMM(), YMM()
	VPADDD(s[3], s[0], res) // result = s0 + s3
	VPSLLD(U8(9), s[1], t)  // t = s1 << 9
	VPXOR(s[0], s[2], s[2]) // s2 ^= s0
	VPXOR(s[1], s[3], s[3]) // s3 ^= s1
	VPXOR(s[2], s[1], s[1]) // s1 ^= s2
	VPXOR(s[3], s[0], s[0]) // s0 ^= s3
	VPXOR(t, s[2], s[2])    // s2 ^= t
	VPSLLD(U8(11), s[3], t) // s3 = rotl(s3, 11)
	VPSRLD(U8(21), s[3], s[3])
	VPOR(t, s[3], s[3])
	VPSRLD(U8(8), res, u)
	VCVTDQ2PS(u, u)
	VMULPS(cScale, u, u)
	VCMPPS(U8(1), Mem{Base: pp}, u, u) // u < p (ordered, signalling)
	VANDPS(cOne, u, u)
	VMOVUPS(u, Mem{Base: pd})
	ADDQ(U32(32), pd)
	ADDQ(U32(32), pp)
	DECQ(n)
	JNZ(LabelRef("bern_loop"))
	Label("bern_done")
	for i := range s {
		VMOVDQU(s[i], Mem{Base: ps, Disp: 32 * i})
	}
	VZEROUPPER()
	RET()
}

// transposeKernel emits the packing of a 16-column panel of op(B) = Bᵀ:
// dst[kk·16 + jj] = src[jj·ld + kk] for jj < 16 and kk < k, k a multiple of
// 8, by 8×8 in-register transposes (unpack, shuffle, lane permute).
func transposeKernel() {
	TEXT("packTransposedAVX2", NOSPLIT, "func(dst, src *float32, ld, k int)")
	Pragma("noescape")
	Doc("packTransposedAVX2 sets dst[kk*16+jj] = src[jj*ld+kk] for jj < 16, kk < k, k a multiple of 8.")
	pd := Load(Param("dst"), GP64())
	ps := Load(Param("src"), GP64())
	ld := Load(Param("ld"), GP64())
	k := Load(Param("k"), GP64())
	SHLQ(U8(2), ld)
	SHRQ(U8(3), k)
	JZ(LabelRef("transpose_done"))
	// Row pointers: rows 0–7 of the panel from ps (rows 3 and 5–7 via
	// index arithmetic), rows 8–15 from ps + 8·ld.
	ld3, ld5, ld7 := GP64(), GP64(), GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	LEAQ(Mem{Base: ld, Index: ld, Scale: 4}, ld5)
	LEAQ(Mem{Base: ld3, Index: ld, Scale: 4}, ld7)
	ps8 := GP64()
	LEAQ(Mem{Base: ps, Index: ld, Scale: 8}, ps8)
	Label("transpose_loop")
	for half, base := range []reg.Register{ps, ps8} {
		var r [8]reg.VecVirtual
		for i, a := range eightRows(base, ld, ld3, ld5, ld7) {
			r[i] = YMM()
			VMOVUPS(a, r[i])
		}
		for i, col := range transpose8x8(r) {
			VMOVUPS(col, Mem{Base: pd, Disp: 64*i + 32*half})
		}
	}
	ADDQ(U32(32), ps)
	ADDQ(U32(32), ps8)
	ADDQ(U32(8*16*4), pd)
	DECQ(k)
	JNZ(LabelRef("transpose_loop"))
	Label("transpose_done")
	VZEROUPPER()
	RET()
}

// packRowsKernel emits the packing of a 16-column panel of op(B) = B:
// dst[kk·16 + jj] = src[kk·ld + jj] for jj < 16 and kk < k. The rows of B
// are a whole row of the matrix apart, too far for the hardware
// prefetcher to follow, so the kernel prefetches both cache lines of the
// row eight steps ahead (a prefetch past the end of the matrix does not
// fault).
func packRowsKernel() {
	stridedPackKernel("packRowsAVX2", "packrows", 16,
		"packRowsAVX2 sets dst[kk*16+jj] = src[kk*ld+jj] for jj < 16, kk < k.")
}

// packColsKernel emits the packing of a 6-row panel of op(A) = Aᵀ:
// dst[kk·6 + r] = src[kk·ld + r] for r < 6 and kk < k, six contiguous
// values a step, a whole row of A apart; like packRowsKernel it prefetches
// eight steps ahead.
func packColsKernel() {
	stridedPackKernel("packColsAVX2", "packcols", 6,
		"packColsAVX2 sets dst[kk*6+r] = src[kk*ld+r] for r < 6, kk < k.")
}

// stridedPackKernel emits dst[kk·w + c] = src[kk·ld + c] for c < w and
// kk < k, w = 16 (two YMM registers a step) or 6 (an XMM register and a
// quadword), prefetching the source eight steps ahead.
func stridedPackKernel(name, label string, w int, doc string) {
	TEXT(name, NOSPLIT, "func(dst, src *float32, ld, k int)")
	Pragma("noescape")
	Doc(doc)
	pd := Load(Param("dst"), GP64())
	ps := Load(Param("src"), GP64())
	ld := Load(Param("ld"), GP64())
	k := Load(Param("k"), GP64())
	SHLQ(U8(2), ld)
	TESTQ(k, k)
	JZ(LabelRef(label + "_done"))
	ahead := GP64()
	MOVQ(ld, ahead)
	SHLQ(U8(3), ahead)
	Label(label + "_loop")
	var lo, hi reg.VecVirtual
	if w == 16 {
		lo, hi = YMM(), YMM()
		VMOVUPS(Mem{Base: ps}, lo)
		VMOVUPS(Mem{Base: ps, Disp: 32}, hi)
	} else {
		lo, hi = XMM(), XMM()
		VMOVUPS(Mem{Base: ps}, lo)
		VMOVSD(Mem{Base: ps, Disp: 16}, hi)
	}
	PREFETCHT0(Mem{Base: ps, Index: ahead, Scale: 1})
	PREFETCHT0(Mem{Base: ps, Index: ahead, Scale: 1, Disp: 4*w - 1})
	if w == 16 {
		VMOVUPS(lo, Mem{Base: pd})
		VMOVUPS(hi, Mem{Base: pd, Disp: 32})
	} else {
		VMOVUPS(lo, Mem{Base: pd})
		VMOVSD(hi, Mem{Base: pd, Disp: 16})
	}
	ADDQ(ld, ps)
	ADDQ(U32(4*w), pd)
	DECQ(k)
	JNZ(LabelRef(label + "_loop"))
	Label(label + "_done")
	if w == 16 {
		VZEROUPPER()
	}
	RET()
}

// momentumKernel emits MomentumLoop (package kernel, optimizer.go) in
// float32 over n elements, n a multiple of 8:
//
//	vel[i] = (mom·vel[i] + rate·grad[i]) - decay·w[i];  dst[i] = w[i] + vel[i]
//
// with every product and sum rounded separately (no fused multiply-adds),
// as the loop rounds them. It returns the largest |dst[i]| as float32 bits
// (see accumulateMaxAbs).
func momentumKernel() {
	TEXT("momentumAVX2", NOSPLIT, "func(dst, w, vel, grad *float32, n int, mom, rate, decay float32) uint32")
	Pragma("noescape")
	Doc("momentumAVX2 takes the step of MomentumLoop in float32 over n elements, n a multiple of 8, and returns max |dst[i]| as float32 bits.")
	pd := Load(Param("dst"), GP64())
	pw := Load(Param("w"), GP64())
	pv := Load(Param("vel"), GP64())
	pg := Load(Param("grad"), GP64())
	n := Load(Param("n"), GP64())
	mom, rate, decay := YMM(), YMM(), YMM()
	VBROADCASTSS(paramAddr("mom"), mom)
	VBROADCASTSS(paramAddr("rate"), rate)
	VBROADCASTSS(paramAddr("decay"), decay)
	absMask, maxAbs := absMaskAndZero()
	SHRQ(U8(3), n)
	JZ(LabelRef("momentum_done"))
	Label("momentum_loop")
	v, g, d, w := YMM(), YMM(), YMM(), YMM()
	VMULPS(Mem{Base: pv}, mom, v)
	VMULPS(Mem{Base: pg}, rate, g)
	VADDPS(g, v, v)
	VMOVUPS(Mem{Base: pw}, w)
	VMULPS(w, decay, d)
	VSUBPS(d, v, v)
	VMOVUPS(v, Mem{Base: pv})
	VADDPS(v, w, w)
	VMOVUPS(w, Mem{Base: pd})
	accumulateMaxAbs(w, absMask, maxAbs)
	ADDQ(U32(32), pd)
	ADDQ(U32(32), pw)
	ADDQ(U32(32), pv)
	ADDQ(U32(32), pg)
	DECQ(n)
	JNZ(LabelRef("momentum_loop"))
	Label("momentum_done")
	storeMaxAbs(maxAbs)
}

// adamKernel emits AdamLoop (package kernel, optimizer.go) in float32, the
// Adam step of Kingma & Ba 2015 with the bias corrections folded into step
// and eps by the caller, over n elements, n a multiple of 8:
//
//	g = scale·grad[i] - decay·w[i]
//	m[i] = b1·m[i] + c1·g;  v[i] = b2·v[i] + c2·(g·g)
//	dst[i] = w[i] + (step·m[i]) / (sqrt(v[i]) + eps)
//
// every operation rounded separately, as the loop rounds them (VSQRTPS and
// VDIVPS round correctly, as the loop's square root and division do). It
// returns the largest |dst[i]| as float32 bits.
func adamKernel() {
	TEXT("adamAVX2", NOSPLIT, "func(dst, w, m, v, grad *float32, n int, scale, decay, b1, c1, b2, c2, step, eps float32) uint32")
	Pragma("noescape")
	Doc("adamAVX2 takes the step of AdamLoop in float32 over n elements, n a multiple of 8, and returns max |dst[i]| as float32 bits.")
	pd := Load(Param("dst"), GP64())
	pw := Load(Param("w"), GP64())
	pm := Load(Param("m"), GP64())
	pv := Load(Param("v"), GP64())
	pg := Load(Param("grad"), GP64())
	n := Load(Param("n"), GP64())
	consts := map[string]reg.VecVirtual{}
	for _, name := range []string{"scale", "decay", "b1", "c1", "b2", "c2", "step", "eps"} {
		consts[name] = YMM()
		VBROADCASTSS(paramAddr(name), consts[name])
	}
	absMask, maxAbs := absMaskAndZero()
	SHRQ(U8(3), n)
	JZ(LabelRef("adam_done"))
	Label("adam_loop")
	w, g, t, m, v := YMM(), YMM(), YMM(), YMM(), YMM()
	VMOVUPS(Mem{Base: pw}, w)
	VMULPS(Mem{Base: pg}, consts["scale"], g)
	VMULPS(w, consts["decay"], t)
	VSUBPS(t, g, g) // g = scale·grad - decay·w
	VMULPS(Mem{Base: pm}, consts["b1"], m)
	VMULPS(g, consts["c1"], t)
	VADDPS(t, m, m)
	VMOVUPS(m, Mem{Base: pm})
	VMULPS(g, g, t)
	VMULPS(t, consts["c2"], t)
	VMULPS(Mem{Base: pv}, consts["b2"], v)
	VADDPS(t, v, v)
	VMOVUPS(v, Mem{Base: pv})
	VSQRTPS(v, v)
	VADDPS(consts["eps"], v, v)
	VMULPS(m, consts["step"], m)
	VDIVPS(v, m, m)
	VADDPS(m, w, w)
	VMOVUPS(w, Mem{Base: pd})
	accumulateMaxAbs(w, absMask, maxAbs)
	ADDQ(U32(32), pd)
	ADDQ(U32(32), pw)
	ADDQ(U32(32), pm)
	ADDQ(U32(32), pv)
	ADDQ(U32(32), pg)
	DECQ(n)
	JNZ(LabelRef("adam_loop"))
	Label("adam_done")
	storeMaxAbs(maxAbs)
}

// The float64 optimiser steps of the machine trainer are the float32
// kernels' formulas in float64, in place (dst = w), with two duties of
// the trainer's on the way: each w[i] is copied to old[i] before its step,
// and they track whether every new value is within a limit rather than the
// largest magnitude: the lanes of ok stay all ones while |w| ≤ limit, and
// a NaN clears them (an ordered comparison). They return that as a bool.
// Their scalars are read from memory, each splatted to four lanes by the
// caller (the Adam step has more of them than there are free vector
// registers).

// momentum64Kernel emits MomentumLoop (optimizer.go) in float64, in
// place, over n elements, n a multiple of 4, every operation rounded
// separately as the loop rounds it:
//
//	old[i] = w[i]
//	vel[i] = (mom·vel[i] + rate·grad[i]) - decay·w[i];  w[i] += vel[i]
//
// with c[0..3] = mom, rate, decay, limit.
func momentum64Kernel() {
	TEXT("momentum64AVX2", NOSPLIT, "func(w, old, vel, grad *float64, n int, c *[4][4]float64) bool")
	Pragma("noescape")
	Doc("momentum64AVX2 takes the step of MomentumLoop in float64 in place over n elements, n a multiple of 4, with c the splatted mom, rate, decay and limit, copying w to old first, and reports whether every new |w[i]| ≤ limit.")
	pw := Load(Param("w"), GP64())
	po := Load(Param("old"), GP64())
	pv := Load(Param("vel"), GP64())
	pg := Load(Param("grad"), GP64())
	n := Load(Param("n"), GP64())
	pc := Load(Param("c"), GP64())
	cst := func(i int) Mem { return Mem{Base: pc, Disp: 32 * i} }
	absMask, ok := absMask64AndOnes()
	SHRQ(U8(2), n)
	JZ(LabelRef("momentum64_done"))
	Label("momentum64_loop")
	w, g, t, v := YMM(), YMM(), YMM(), YMM()
	VMOVUPD(Mem{Base: pw}, w)
	VMOVUPD(w, Mem{Base: po})
	VMOVUPD(Mem{Base: pv}, v)
	VMULPD(cst(0), v, v) // mom·vel
	VMOVUPD(Mem{Base: pg}, g)
	VMULPD(cst(1), g, g) // rate·grad
	VADDPD(g, v, v)
	VMULPD(cst(2), w, t) // decay·w
	VSUBPD(t, v, v)
	VMOVUPD(v, Mem{Base: pv})
	VADDPD(v, w, w)
	VMOVUPD(w, Mem{Base: pw})
	accumulateWithin(w, absMask, cst(3), ok)
	ADDQ(U32(32), pw)
	ADDQ(U32(32), po)
	ADDQ(U32(32), pv)
	ADDQ(U32(32), pg)
	DECQ(n)
	JNZ(LabelRef("momentum64_loop"))
	Label("momentum64_done")
	returnAllWithin(ok)
}

// adam64Kernel emits AdamLoop (optimizer.go) in float64, in place, over n
// elements, n a multiple of 4, every operation rounded separately as the
// loop rounds it:
//
//	old[i] = w[i]
//	g = scale·grad[i] - decay·w[i]
//	m[i] = b1·m[i] + c1·g;  v[i] = b2·v[i] + c2·(g·g)
//	w[i] += (step·m[i]) / (sqrt(v[i]) + eps)
//
// with c[0..8] = scale, decay, b1, c1, b2, c2, step, eps, limit (VDIVPD
// and VSQRTPD round correctly, as Go's division and math.Sqrt do).
func adam64Kernel() {
	TEXT("adam64AVX2", NOSPLIT, "func(w, old, m, v, grad *float64, n int, c *[9][4]float64) bool")
	Pragma("noescape")
	Doc("adam64AVX2 takes the step of AdamLoop in float64 in place over n elements, n a multiple of 4, with c the splatted scale, decay, b1, c1, b2, c2, step, eps and limit, copying w to old first, and reports whether every new |w[i]| ≤ limit.")
	pw := Load(Param("w"), GP64())
	po := Load(Param("old"), GP64())
	pm := Load(Param("m"), GP64())
	pv := Load(Param("v"), GP64())
	pg := Load(Param("grad"), GP64())
	n := Load(Param("n"), GP64())
	pc := Load(Param("c"), GP64())
	cst := func(i int) Mem { return Mem{Base: pc, Disp: 32 * i} }
	absMask, ok := absMask64AndOnes()
	SHRQ(U8(2), n)
	JZ(LabelRef("adam64_done"))
	Label("adam64_loop")
	w, g, t, m, v := YMM(), YMM(), YMM(), YMM(), YMM()
	VMOVUPD(Mem{Base: pw}, w)
	VMOVUPD(w, Mem{Base: po})
	VMOVUPD(Mem{Base: pg}, g)
	VMULPD(cst(0), g, g) // scale·grad
	VMULPD(cst(1), w, t) // decay·w
	VSUBPD(t, g, g)
	VMOVUPD(Mem{Base: pm}, m)
	VMULPD(cst(2), m, m) // b1·m
	VMULPD(cst(3), g, t) // c1·g
	VADDPD(t, m, m)
	VMOVUPD(m, Mem{Base: pm})
	VMULPD(g, g, t)      // g·g
	VMULPD(cst(5), t, t) // c2·(g·g)
	VMOVUPD(Mem{Base: pv}, v)
	VMULPD(cst(4), v, v) // b2·v
	VADDPD(t, v, v)
	VMOVUPD(v, Mem{Base: pv})
	VSQRTPD(v, v)
	VADDPD(cst(7), v, v) // √v + eps
	VMULPD(cst(6), m, m) // step·m
	VDIVPD(v, m, m)
	VADDPD(m, w, w)
	VMOVUPD(w, Mem{Base: pw})
	accumulateWithin(w, absMask, cst(8), ok)
	ADDQ(U32(32), pw)
	ADDQ(U32(32), po)
	ADDQ(U32(32), pm)
	ADDQ(U32(32), pv)
	ADDQ(U32(32), pg)
	DECQ(n)
	JNZ(LabelRef("adam64_loop"))
	Label("adam64_done")
	returnAllWithin(ok)
}

// absMask64AndOnes returns a vector of four masks of a float64's
// magnitude bits and a vector of all ones, the start of accumulateWithin.
func absMask64AndOnes() (mask, ok reg.VecVirtual) {
	mask, ok = YMM(), YMM()
	VPCMPEQQ(mask, mask, mask)
	VPSRLQ(U8(1), mask, mask)
	VPCMPEQQ(ok, ok, ok)
	return mask, ok
}

// accumulateWithin clears the lanes of ok where |x| ≤ limit does not hold
// (a NaN included).
func accumulateWithin(x, mask reg.VecVirtual, limit Mem, ok reg.VecVirtual) {
	a := YMM()
	VANDPD(mask, x, a)
	VCMPPD(U8(0x12), limit, a, a) // LE_OQ: a ≤ limit, false for a NaN
	VANDPD(a, ok, ok)
}

// returnAllWithin returns whether every lane of ok is still set.
func returnAllWithin(ok reg.VecVirtual) {
	bits, r := GP32(), GP8()
	VMOVMSKPD(ok, bits)
	CMPL(bits, U8(15))
	SETEQ(r)
	Store(r, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// absMaskAndZero returns a vector of eight 0x7fffffff masks (all ones
// shifted right once) and a zeroed accumulator for accumulateMaxAbs.
func absMaskAndZero() (mask, acc reg.VecVirtual) {
	mask, acc = YMM(), YMM()
	VPCMPEQD(mask, mask, mask)
	VPSRLD(U8(1), mask, mask)
	VPXOR(acc, acc, acc)
	return mask, acc
}

// accumulateMaxAbs folds |x| into acc as unsigned integers: the bits of a
// float32 without its sign order as the magnitudes do, with +Inf above
// every finite value and every NaN above +Inf, so one integer maximum
// both finds the largest magnitude and flags a NaN.
func accumulateMaxAbs(x, mask, acc reg.VecVirtual) {
	a := YMM()
	VPAND(mask, x, a)
	VPMAXUD(a, acc, acc)
}

// storeMaxAbs reduces the accumulator's eight lanes to their maximum and
// returns it.
func storeMaxAbs(acc reg.VecVirtual) {
	hi := XMM()
	VEXTRACTI128(U8(1), acc, hi)
	lo := acc.AsX()
	VPMAXUD(hi, lo, lo)
	t := XMM()
	VPSHUFD(U8(0x4e), lo, t)
	VPMAXUD(t, lo, lo)
	VPSHUFD(U8(0xb1), lo, t)
	VPMAXUD(t, lo, lo)
	r := GP32()
	VMOVD(lo, r)
	Store(r, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// sparseWidths are the numbers of 8-column vectors of C the sparse row
// kernels accumulate at once; GemmSparseA covers a row with the widest
// that fit and a masked kernel for the last few columns.
var sparseWidths = []int{12, 8, 4, 2, 1}

// sparseRowKernel emits the inner loop of GemmSparseA for a strip of 8u
// columns:
//
//	acc[j] = Σ_t vals[t]·b[idx[t]·ldb + j]   (t = 0, 1, …, n-1; j < 8u)
//	c[j] = acc[j] (add == 0) or acc[j] + c[j]
//
// Each element is one serial FMA chain from zero in the order of t, the
// chain gemmKernel forms over the same k block with the zero entries of A
// left out; since fma(0, x, acc) = acc for finite x (and acc is never -0,
// having started at +0), the results are the same bits.
func sparseRowKernel(u int) {
	name := fmt.Sprintf("sparseRow%dAVX2", 8*u)
	TEXT(name, NOSPLIT, "func(n int, vals *float32, idx *int32, b *float32, ldb int, c *float32, add int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets c[j] (+)= Σ_t vals[t]·b[idx[t]·ldb+j] for j < %d, one FMA chain per element.", name, 8*u))
	acc := make([]reg.VecVirtual, u)
	for i := range acc {
		acc[i] = YMM()
		VXORPS(acc[i], acc[i], acc[i])
	}
	sparseLoop(name, func(row reg.GPVirtual, bc reg.VecVirtual) {
		for i := range acc {
			VFMADD231PS(Mem{Base: row, Disp: 32 * i}, bc, acc[i])
		}
	})
	pc := Load(Param("c"), GP64())
	add := Load(Param("add"), GP64())
	TESTQ(add, add)
	JZ(LabelRef(name + "_store"))
	for i := range acc {
		VADDPS(Mem{Base: pc, Disp: 32 * i}, acc[i], acc[i])
	}
	Label(name + "_store")
	for i := range acc {
		VMOVUPS(acc[i], Mem{Base: pc, Disp: 32 * i})
	}
	VZEROUPPER()
	RET()
}

// sparseLoop emits the loop over the n nonzero entries of a row of A:
// for each, it computes the address of row idx[t] of b (the strip's first
// column) and broadcasts vals[t], then lets body add it in.
func sparseLoop(name string, body func(row reg.GPVirtual, bc reg.VecVirtual)) {
	n := Load(Param("n"), GP64())
	pv := Load(Param("vals"), GP64())
	pi := Load(Param("idx"), GP64())
	pb := Load(Param("b"), GP64())
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ldb) // bytes
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	row, bc := GP64(), YMM()
	MOVLQSX(Mem{Base: pi}, row)
	IMULQ(ldb, row)
	ADDQ(pb, row)
	VBROADCASTSS(Mem{Base: pv}, bc)
	body(row, bc)
	ADDQ(U32(4), pi)
	ADDQ(U32(4), pv)
	DECQ(n)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
}

// sparseRowMaskedKernel emits sparseRowKernel for fewer than 8 columns:
// mask (eight int32, all ones for the columns to touch) limits the loads
// of b and the loads and stores of c, so no element past the strip is read
// or written.
func sparseRowMaskedKernel() {
	name := "sparseRowMaskedAVX2"
	TEXT(name, NOSPLIT, "func(n int, vals *float32, idx *int32, b *float32, ldb int, c *float32, add int, mask *int32)")
	Pragma("noescape")
	Doc(name + " is sparseRow8AVX2 for the columns where mask is all ones.")
	pm := Load(Param("mask"), GP64())
	mask, acc, x := YMM(), YMM(), YMM()
	VMOVDQU(Mem{Base: pm}, mask)
	VXORPS(acc, acc, acc)
	sparseLoop(name, func(row reg.GPVirtual, bc reg.VecVirtual) {
		VMASKMOVPS(Mem{Base: row}, mask, x)
		VFMADD231PS(x, bc, acc)
	})
	pc := Load(Param("c"), GP64())
	add := Load(Param("add"), GP64())
	TESTQ(add, add)
	JZ(LabelRef(name + "_store"))
	VMASKMOVPS(Mem{Base: pc}, mask, x)
	VADDPS(x, acc, acc)
	Label(name + "_store")
	VMASKMOVPS(acc, mask, Mem{Base: pc})
	VZEROUPPER()
	RET()
}

// nonzerosKernel emits the gathering of a row's nonzero entries, eight
// values at a time and without a branch on the data: the comparison with
// zero gives an 8-bit mask, the mask selects a permutation from table
// (the positions of its set bits first), and VPERMPS packs the nonzero
// values and their positions to the front of a vector that is stored
// whole; the count then advances by the mask's population count, so the
// next store overwrites the tail.
func nonzerosKernel() {
	TEXT("nonzerosAVX2", NOSPLIT, "func(idx *int32, vals *float32, src *float32, n int, first int, table *[256][8]int32) int")
	Pragma("noescape")
	Doc("nonzerosAVX2 writes the positions (plus first) and values of the nonzero src[i], i < n, n a multiple of 8, to idx and vals, and returns how many; it may write up to n entries of each.")
	pi := Load(Param("idx"), GP64())
	pv := Load(Param("vals"), GP64())
	ps := Load(Param("src"), GP64())
	n := Load(Param("n"), GP64())
	first := Load(Param("first"), GP64())
	pt := Load(Param("table"), GP64())
	cnt := GP64()
	XORQ(cnt, cnt)
	zero, pos, eight := YMM(), YMM(), YMM()
	VXORPS(zero, zero, zero)
	// pos holds the position of the current group's first value in
	// every lane; a packed lane's position is pos plus its permutation
	// index.
	MOVQ(first, pos.AsX())
	VPBROADCASTD(pos.AsX(), pos)
	VPBROADCASTD(splatInt("nonzeros_eight", 8).Offset(0), eight)
	SHRQ(U8(3), n)
	JZ(LabelRef("nonzeros_done"))
	Label("nonzeros_loop")
	x, m, perm, packed := YMM(), YMM(), YMM(), YMM()
	mask, ones := GP64(), GP64()
	VMOVUPS(Mem{Base: ps}, x)
	VCMPPS(U8(4), zero, x, m) // x != 0 (unordered: NaNs count)
	VMOVMSKPS(m, mask.As32())
	POPCNTQ(mask, ones)
	SHLQ(U8(5), mask)
	VMOVDQU(Mem{Base: pt, Index: mask, Scale: 1}, perm)
	VPERMPS(x, perm, packed)
	VMOVUPS(packed, Mem{Base: pv, Index: cnt, Scale: 4})
	VPADDD(pos, perm, perm)
	VMOVDQU(perm, Mem{Base: pi, Index: cnt, Scale: 4})
	ADDQ(ones, cnt)
	VPADDD(eight, pos, pos)
	ADDQ(U32(32), ps)
	DECQ(n)
	JNZ(LabelRef("nonzeros_loop"))
	Label("nonzeros_done")
	Store(cnt, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// transposeBlocksKernel emits a transpose of 8 rows: dst[c·ldd + q] =
// src[q·lds + c] for q < 8 and c < n, n a multiple of 8, one 8×8 block
// in registers at a time.
func transposeBlocksKernel() {
	TEXT("transposeAVX2", NOSPLIT, "func(dst *float32, ldd int, src *float32, lds int, n int)")
	Pragma("noescape")
	Doc("transposeAVX2 sets dst[c*ldd+q] = src[q*lds+c] for q < 8, c < n, n a multiple of 8.")
	pd := Load(Param("dst"), GP64())
	ldd := Load(Param("ldd"), GP64())
	ps := Load(Param("src"), GP64())
	lds := Load(Param("lds"), GP64())
	n := Load(Param("n"), GP64())
	SHLQ(U8(2), ldd)
	SHLQ(U8(2), lds)
	SHRQ(U8(3), n)
	JZ(LabelRef("transposeb_done"))
	s3, s5, s7, d3, d5, d7 := GP64(), GP64(), GP64(), GP64(), GP64(), GP64()
	LEAQ(Mem{Base: lds, Index: lds, Scale: 2}, s3)
	LEAQ(Mem{Base: lds, Index: lds, Scale: 4}, s5)
	LEAQ(Mem{Base: s3, Index: lds, Scale: 4}, s7)
	LEAQ(Mem{Base: ldd, Index: ldd, Scale: 2}, d3)
	LEAQ(Mem{Base: ldd, Index: ldd, Scale: 4}, d5)
	LEAQ(Mem{Base: d3, Index: ldd, Scale: 4}, d7)
	Label("transposeb_loop")
	var r [8]reg.VecVirtual
	for i, a := range eightRows(ps, lds, s3, s5, s7) {
		r[i] = YMM()
		VMOVUPS(a, r[i])
	}
	cols := transpose8x8(r)
	for i, a := range eightRows(pd, ldd, d3, d5, d7) {
		VMOVUPS(cols[i], a)
	}
	ADDQ(U32(32), ps)
	// Eight rows of dst further on.
	LEAQ(Mem{Base: pd, Index: ldd, Scale: 8}, pd)
	DECQ(n)
	JNZ(LabelRef("transposeb_loop"))
	Label("transposeb_done")
	VZEROUPPER()
	RET()
}

// sumRowsKernel emits dst[j] += scale·src[r·ld + j] for r < rows in
// order and j < n, n a multiple of 8: 64 columns (then 8) stay in
// registers while the rows stream past, and each product is rounded
// before its sum, as in the portable loop of SumRows.
func sumRowsKernel() {
	TEXT("sumRowsAVX2", NOSPLIT, "func(dst, src *float32, ld, rows, n int, scale float32)")
	Pragma("noescape")
	Doc("sumRowsAVX2 sets dst[j] += scale·src[r·ld+j] for r < rows in order, j < n, n a multiple of 8.")
	pd := Load(Param("dst"), GP64())
	ps := Load(Param("src"), GP64())
	ld := Load(Param("ld"), GP64())
	rows := Load(Param("rows"), GP64())
	n := Load(Param("n"), GP64())
	scale := YMM()
	VBROADCASTSS(paramAddr("scale"), scale)
	SHLQ(U8(2), ld)
	SHRQ(U8(3), n) // vectors left
	for _, u := range []int{8, 1} {
		name := fmt.Sprintf("sumrows%d", u)
		Label(name + "_chunk")
		CMPQ(n, U32(u))
		JB(LabelRef(name + "_done"))
		acc := make([]reg.VecVirtual, u)
		for i := range acc {
			acc[i] = YMM()
			VMOVUPS(Mem{Base: pd, Disp: 32 * i}, acc[i])
		}
		p, r := GP64(), GP64()
		MOVQ(ps, p)
		MOVQ(rows, r)
		TESTQ(r, r)
		JZ(LabelRef(name + "_store"))
		Label(name + "_row")
		for i := range acc {
			x := YMM()
			VMULPS(Mem{Base: p, Disp: 32 * i}, scale, x)
			VADDPS(x, acc[i], acc[i])
		}
		ADDQ(ld, p)
		DECQ(r)
		JNZ(LabelRef(name + "_row"))
		Label(name + "_store")
		for i := range acc {
			VMOVUPS(acc[i], Mem{Base: pd, Disp: 32 * i})
		}
		ADDQ(U32(32*u), pd)
		ADDQ(U32(32*u), ps)
		SUBQ(U32(u), n)
		JMP(LabelRef(name + "_chunk"))
		Label(name + "_done")
	}
	VZEROUPPER()
	RET()
}

// eightRows returns the addresses of eight rows ld bytes apart from base,
// given ld3 = 3·ld, ld5 = 5·ld and ld7 = 7·ld (x86 scales stop at 8).
func eightRows(base, ld, ld3, ld5, ld7 reg.Register) []Mem {
	return []Mem{
		{Base: base}, {Base: base, Index: ld, Scale: 1}, {Base: base, Index: ld, Scale: 2},
		{Base: base, Index: ld3, Scale: 1}, {Base: base, Index: ld, Scale: 4},
		{Base: base, Index: ld5, Scale: 1}, {Base: base, Index: ld3, Scale: 2},
		{Base: base, Index: ld7, Scale: 1},
	}
}

// transpose8x8 returns the columns of the 8×8 block whose rows are r:
// unpacks pair the rows, shuffles gather four, and lane permutes join the
// halves.
func transpose8x8(r [8]reg.VecVirtual) [8]reg.VecVirtual {
	var t [8]reg.VecVirtual
	for i := 0; i < 8; i += 2 {
		t[i], t[i+1] = YMM(), YMM()
		VUNPCKLPS(r[i+1], r[i], t[i])
		VUNPCKHPS(r[i+1], r[i], t[i+1])
	}
	var u [8]reg.VecVirtual
	for g := 0; g < 8; g += 4 {
		u[g], u[g+1], u[g+2], u[g+3] = YMM(), YMM(), YMM(), YMM()
		VSHUFPS(U8(0x44), t[g+2], t[g], u[g])
		VSHUFPS(U8(0xEE), t[g+2], t[g], u[g+1])
		VSHUFPS(U8(0x44), t[g+3], t[g+1], u[g+2])
		VSHUFPS(U8(0xEE), t[g+3], t[g+1], u[g+3])
	}
	var c [8]reg.VecVirtual
	for i := range 4 {
		c[i], c[i+4] = YMM(), YMM()
		VPERM2F128(U8(0x20), u[i+4], u[i], c[i])
		VPERM2F128(U8(0x31), u[i+4], u[i], c[i+4])
	}
	return c
}

// Constants of the float64 exponential of softplus_sum.go in package
// kernel, which must evaluate the same formula: e^x = 2^k·e^r for x in
// [expNegMin, 0], k = round(x·log₂e), r = x - k·ln2Hi - k·ln2Lo (FDLIBM's
// split of ln 2: k·ln2Hi and x - k·ln2Hi are exact for |k| < 2¹¹), and
// e^r = 1 + r + r²·Σ_{i=0}^{11} rⁱ/(i+2)!.
const (
	expNegMin   = -708.0                     // e^-708 is still normal
	expNegMagic = 1<<52 + 1<<51 + 1023       // rounds to an integer; low bits hold k + 1023
	ln2Hi64     = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	ln2Lo64     = 1.90821492927058770002e-10 // ln 2 - ln2Hi64
	expTerms    = 12                         // 1/2!, …, 1/13!
	signBit     = 0x8000000000000000
)

// splat64 declares a read-only 32-byte constant holding four copies of v.
func splat64(name string, v float64) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for i := range 4 {
		DATA(8*i, F64(v))
	}
	return m
}

// expConsts are the read-only vectors of the float64 exponential, shared by
// the softplus kernels.
type expConsts struct {
	one, min, log2e, magic, ln2Hi, ln2Lo, sign Mem
	q                                          []Mem // q[i] = 1/(i+2)!
}

func newExpConsts() *expConsts {
	ec := &expConsts{
		one:   splat64("exp64One", 1),
		min:   splat64("exp64Min", expNegMin),
		log2e: splat64("exp64Log2e", log2e),
		magic: splat64("exp64Magic", expNegMagic),
		ln2Hi: splat64("exp64Ln2Hi", ln2Hi64),
		ln2Lo: splat64("exp64Ln2Lo", ln2Lo64),
		sign:  GLOBL("exp64Sign", RODATA|NOPTR),
	}
	for i := range 4 {
		DATA(8*i, U64(signBit))
	}
	// Correctly rounded, like the Go constants 1.0/2, 1.0/6, … of package
	// kernel.
	fact := big.NewInt(1)
	for i := range expTerms {
		fact.Mul(fact, big.NewInt(int64(i+2)))
		q, _ := new(big.Rat).SetFrac(big.NewInt(1), fact).Float64()
		ec.q = append(ec.q, splat64(fmt.Sprintf("exp64Q%d", i), q))
	}
	return ec
}

// softplusSumKernel emits the vector loop of SoftplusSum (update false) or
// AddSoftplusSum (update true) in package kernel, over n elements, n a
// multiple of 8:
//
//	act[j] += sign·float64(delta[j])      (update only; one rounding)
//	pos  = Σ max(act[j], 0)               (NaN propagates)
//	prod = Π (1 + e^{max(-|act[j]|, expNegMin)})
//
// in two interleaved chains of four lanes each, combined in a fixed order.
// The caller keeps n small enough (≤ 1000) that prod, a product of factors
// in (1, 2], stays finite.
func softplusSumKernel(name string, update bool, ec *expConsts) {
	prefix := name + "_"
	cOne, cMin, cSign := ec.one, ec.min, ec.sign

	if update {
		TEXT(name, NOSPLIT, "func(act *float64, delta *float32, sign float64, n int) (pos, prod float64)")
		Doc(name + " adds sign·delta[j] to act[j] and returns Σ max(act[j], 0) and Π (1 + e^-|act[j]|) for j < n, n a multiple of 8.")
	} else {
		TEXT(name, NOSPLIT, "func(act *float64, n int) (pos, prod float64)")
		Doc(name + " returns Σ max(act[j], 0) and Π (1 + e^-|act[j]|) for j < n, n a multiple of 8.")
	}
	Pragma("noescape")
	pa := Load(Param("act"), GP64())
	n := Load(Param("n"), GP64())
	var pd reg.Register
	var sign reg.VecVirtual
	if update {
		pd = Load(Param("delta"), GP64())
		sign = YMM()
		VBROADCASTSD(paramAddr("sign"), sign)
	}
	var pos, prod [2]reg.VecVirtual
	for h := range 2 {
		pos[h], prod[h] = YMM(), YMM()
		VXORPD(pos[h], pos[h], pos[h])
		VMOVUPD(cOne, prod[h])
	}
	zero, lo := YMM(), YMM()
	VXORPD(zero, zero, zero)
	VMOVUPD(cMin, lo)
	SHRQ(U8(3), n)
	JZ(LabelRef(prefix + "done"))

	Label(prefix + "loop")
	for h := range 2 {
		a := YMM()
		VMOVUPD(Mem{Base: pa, Disp: 32 * h}, a)
		if update {
			d := YMM()
			VCVTPS2PD(Mem{Base: pd, Disp: 16 * h}, d)
			VFMADD231PD(sign, d, a) // a += d·sign
			VMOVUPD(a, Mem{Base: pa, Disp: 32 * h})
		}
		// max(0, a) returns its second operand, a, when a is NaN.
		m := YMM()
		VMAXPD(a, zero, m)
		VADDPD(m, pos[h], pos[h])
		x := YMM()
		VORPD(cSign, a, x) // x = -|a|
		VMAXPD(x, lo, x)   // clamp; NaN stays NaN
		p := expBody(ec, x)
		VADDPD(cOne, p, p) // 1 + e^x
		VMULPD(p, prod[h], prod[h])
	}
	ADDQ(U32(64), pa)
	if update {
		ADDQ(U32(32), pd)
	}
	DECQ(n)
	JNZ(LabelRef(prefix + "loop"))

	Label(prefix + "done")
	// Lanes combined as ((l0+l2) + (l1+l3)) after adding the two chains.
	VADDPD(pos[1], pos[0], pos[0])
	VMULPD(prod[1], prod[0], prod[0])
	hiPos, hiProd := XMM(), XMM()
	VEXTRACTF128(U8(1), pos[0], hiPos)
	VEXTRACTF128(U8(1), prod[0], hiProd)
	VADDPD(hiPos, pos[0].AsX(), hiPos)
	VMULPD(hiProd, prod[0].AsX(), hiProd)
	sPos, sProd := XMM(), XMM()
	VPERMILPD(U8(1), hiPos, sPos)
	VPERMILPD(U8(1), hiProd, sProd)
	VADDSD(sPos, hiPos, hiPos)
	VMULSD(sProd, hiProd, hiProd)
	Store(hiPos, ReturnIndex(0))
	Store(hiProd, ReturnIndex(1))
	VZEROUPPER()
	RET()
}

// expBody emits e^x of the four lanes of x, which must hold values in
// [expNegMin, 0] (or NaN), by the formula of package kernel's expNeg:
// k = round(x·log₂e), r = x - k·ln2Hi - k·ln2Lo, e^r by the Taylor
// polynomial, times 2^k. It overwrites x and returns the result.
func expBody(ec *expConsts, x reg.VecVirtual) reg.VecVirtual {
	t := YMM()
	VMOVUPD(ec.magic, t)
	VFMADD231PD(ec.log2e, x, t) // t = x·log₂e + magic, rounded to an integer
	k := YMM()
	VSUBPD(ec.magic, t, k)
	VFNMADD231PD(ec.ln2Hi, k, x) // x - k·ln2Hi, exact
	VFNMADD231PD(ec.ln2Lo, k, x) // r
	// Estrin's scheme, grouped as A + (C + E·r⁴)·r⁴ with A, C, E the
	// cubics in r of q0–q3, q4–q7, q8–q11: a shorter dependency chain
	// than Horner's lets more iterations overlap.
	r2, r4 := YMM(), YMM()
	VMULPD(x, x, r2)
	VMULPD(r2, r2, r4)
	cubic := func(i int) reg.VecVirtual {
		lo, hi := YMM(), YMM()
		VMOVUPD(ec.q[i+1], lo)
		VFMADD213PD(ec.q[i], x, lo) // q_i + q_{i+1}·r
		VMOVUPD(ec.q[i+3], hi)
		VFMADD213PD(ec.q[i+2], x, hi) // q_{i+2} + q_{i+3}·r
		VFMADD231PD(hi, r2, lo)
		return lo
	}
	p := cubic(8)
	VFMADD213PD(cubic(4), r4, p) // C + E·r⁴
	VFMADD213PD(cubic(0), r4, p) // A + (C + E·r⁴)·r⁴
	VADDPD(ec.one, x, x)         // 1 + r
	VFMADD213PD(x, r2, p)        // e^r = r²·p + 1 + r
	VPSLLQ(U8(52), t, t)         // 2^k
	VMULPD(t, p, p)              // e^x
	return p
}

// expNegKernel emits the vector loop of ExpNeg in package kernel:
//
//	dst[j] = e^{min(max(src[j], expNegMin), 0)}   (NaN stays NaN)
//
// for j < n, n a multiple of 8, two vectors of four per iteration.
func expNegKernel(ec *expConsts) {
	TEXT("expNegAVX2", NOSPLIT, "func(dst, src *float64, n int)")
	Doc("expNegAVX2 sets dst[j] = e^x for x = src[j] clamped to [expNegMin, 0], for j < n, n a multiple of 8.")
	Pragma("noescape")
	pd := Load(Param("dst"), GP64())
	ps := Load(Param("src"), GP64())
	n := Load(Param("n"), GP64())
	zero, lo := YMM(), YMM()
	VXORPD(zero, zero, zero)
	VMOVUPD(ec.min, lo)
	SHRQ(U8(3), n)
	JZ(LabelRef("expNegAVX2_done"))
	Label("expNegAVX2_loop")
	for h := range 2 {
		x := YMM()
		VMOVUPD(Mem{Base: ps, Disp: 32 * h}, x)
		// VMINPD and VMAXPD return their second source, x, when either is
		// NaN, so a NaN passes both clamps.
		VMINPD(x, zero, x)
		VMAXPD(x, lo, x)
		p := expBody(ec, x)
		VMOVUPD(p, Mem{Base: pd, Disp: 32 * h})
	}
	ADDQ(U32(64), ps)
	ADDQ(U32(64), pd)
	DECQ(n)
	JNZ(LabelRef("expNegAVX2_loop"))
	Label("expNegAVX2_done")
	VZEROUPPER()
	RET()
}
