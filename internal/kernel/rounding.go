package kernel

// separateRounding records whether this build's Go code rounds every
// product before adding to it (see RoundsSeparately).
var separateRounding = roundsSeparately()

// RoundsSeparately reports whether this build's Go code rounds every
// product before adding to it, as amd64 builds below GOAMD64=v3 do. Where
// it does not, the compiler chooses which products of an expression to
// fuse with the sums, and two spellings of the same sums (a loop and its
// unrolled or vectorised form) may round differently: code that must keep
// the bits of a plain loop runs that loop there. (The optimiser steps need
// not ask: their loops round every product explicitly, see optimizer.go.)
func RoundsSeparately() bool { return separateRounding }

// roundsSeparately reports whether this build rounds a product before
// adding to it: (1+2⁻³⁰)² rounds to 1+2⁻²⁹, so that the sum below is
// zero, while fused it is 2⁻⁶⁰.
func roundsSeparately() bool { return mulAdd(1+0x1p-30, 1+0x1p-30, -(1+0x1p-29)) == 0 }

//go:noinline
func mulAdd(x, y, z float64) float64 { return x*y + z }
