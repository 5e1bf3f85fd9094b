//go:build amd64 && !noasm

package kernel

import "golang.org/x/sys/cpu"

// haveAVX2FMA selects the assembly kernels (which also use POPCNT, present
// on every AVX2 processor); x/sys/cpu reports AVX2 only when the operating
// system saves the YMM registers too.
var haveAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasPOPCNT
