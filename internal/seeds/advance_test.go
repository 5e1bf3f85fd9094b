package seeds

import (
	"math/rand/v2"
	"testing"
)

// TestAdvance checks the jump-ahead against math/rand/v2's own PCG
// stepped value by value: a change of the package's constants would fail
// here rather than change the trainer's draws.
func TestAdvance(t *testing.T) {
	for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {^uint64(0), 0x1234_5678_9abc_def0}} {
		src := rand.NewPCG(seed[0], seed[1])
		hi, lo := State(src)
		if hi != seed[0] || lo != seed[1] {
			t.Fatalf("pcgState of NewPCG(%d, %d) = (%d, %d)", seed[0], seed[1], hi, lo)
		}
		for n := range uint64(2000) {
			wantHi, wantLo := State(src)
			if gotHi, gotLo := Advance(seed[0], seed[1], n); gotHi != wantHi || gotLo != wantLo {
				t.Fatalf("seed %v: advance by %d = (%#x, %#x), stepping gives (%#x, %#x)", seed, n, gotHi, gotLo, wantHi, wantLo)
			}
			want := src.Uint64()
			jumped := rand.NewPCG(Advance(seed[0], seed[1], n))
			if got := jumped.Uint64(); got != want {
				t.Fatalf("seed %v: value %d is %#x after the jump, %#x stepping", seed, n, got, want)
			}
		}
	}
}
