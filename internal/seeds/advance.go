package seeds

import (
	"encoding/binary"
	mathbits "math/bits"
	"math/rand/v2"
)

// The step of math/rand/v2's PCG, state ← state·pcgMul + pcgInc modulo
// 2¹²⁸ (the constants of its next method; the package's documented output
// for a given seed pins them down, and TestAdvance checks them against
// the package).
const (
	pcgMulHi = 2549297995355413924
	pcgMulLo = 4865540595714422341
	pcgIncHi = 6364136223846793005
	pcgIncLo = 1442695040888963407
)

// State returns the 128-bit state of src, through its documented binary
// encoding ("pcg:", then the high and low halves, big-endian): the pair
// that src.Seed restores and Advance moves along the stream.
func State(src *rand.PCG) (hi, lo uint64) {
	b, _ := src.MarshalBinary() // never fails
	return binary.BigEndian.Uint64(b[4:]), binary.BigEndian.Uint64(b[12:])
}

// mul128 returns a·b modulo 2¹²⁸.
func mul128(aHi, aLo, bHi, bLo uint64) (hi, lo uint64) {
	hi, lo = mathbits.Mul64(aLo, bLo)
	return hi + aHi*bLo + aLo*bHi, lo
}

// add128 returns a+b modulo 2¹²⁸.
func add128(aHi, aLo, bHi, bLo uint64) (hi, lo uint64) {
	lo, c := mathbits.Add64(aLo, bLo, 0)
	hi, _ = mathbits.Add64(aHi, bHi, c)
	return hi, lo
}

// Advance returns the state of a PCG at state (hi, lo) after it has
// produced n values, in O(log n) steps (Brown, "Random number generation
// with arbitrary strides", 1994): n steps of x ← ax + c are the one step
// x ← Aₙx + Cₙ, and A₂ₖ, C₂ₖ follow from Aₖ, Cₖ. It lets the rows of a
// batch draw from one sequential stream in parallel, with the bits of the
// serial loop: when each row takes a fixed number of values, a row's
// source is the stream advanced past the rows before it
// (src.Seed(Advance(hi, lo, r·draws))).
func Advance(hi, lo, n uint64) (uint64, uint64) {
	accMulHi, accMulLo := uint64(0), uint64(1)
	accIncHi, accIncLo := uint64(0), uint64(0)
	mulHi, mulLo := uint64(pcgMulHi), uint64(pcgMulLo)
	incHi, incLo := uint64(pcgIncHi), uint64(pcgIncLo)
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			accMulHi, accMulLo = mul128(accMulHi, accMulLo, mulHi, mulLo)
			accIncHi, accIncLo = mul128(accIncHi, accIncLo, mulHi, mulLo)
			accIncHi, accIncLo = add128(accIncHi, accIncLo, incHi, incLo)
		}
		// C₂ₖ = (Aₖ + 1)·Cₖ, A₂ₖ = Aₖ².
		pHi, pLo := add128(mulHi, mulLo, 0, 1)
		incHi, incLo = mul128(pHi, pLo, incHi, incLo)
		mulHi, mulLo = mul128(mulHi, mulLo, mulHi, mulLo)
	}
	hi, lo = mul128(accMulHi, accMulLo, hi, lo)
	return add128(hi, lo, accIncHi, accIncLo)
}
