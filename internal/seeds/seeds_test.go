package seeds

import (
	"math/rand/v2"
	"testing"
)

// TestForms pins the first output of every derivation for one seed. The
// values were taken from the code each derivation replaced, so a change
// here changes the bits of every model and sample made from a seed.
func TestForms(t *testing.T) {
	const seed = 7
	first := func(a, b uint64) uint64 { return rand.NewPCG(a, b).Uint64() }
	rowA, rowB := Row(seed, GibbsChains, 3)
	reA, reB := Reseed(seed, TemperingSwaps, 5)
	for _, c := range []struct {
		name      string
		got, want uint64
	}{
		{"Rand", Rand(seed, Shuffle).Uint64(), first(seed, 0x5_4f_ff1e)},
		{"PCG", PCG(seed, Init).Uint64(), first(seed, 0x5eed_0f_1417)},
		{"Row", first(rowA, rowB), 0x200e870b7b0af3d7},
		{"RowRand", RowRand(seed, GibbsChains, 3).Uint64(), 0x200e870b7b0af3d7},
		{"Row draw", first(Row(seed, Draw(2), 0)), 0x94dd38f5293e48e2},
		{"Split", Split(seed, Tempering), 0xb28efa39ea5073e3},
		{"Indexed", Indexed(seed, 4).Uint64(), first(seed, 4)},
		{"Nth", Nth(seed, 3), seed ^ (3*0x9e3779b97f4a7c15)%(1<<64)},
		{"Xor", Xor(seed, AISTempering), seed ^ 0x7e_3b_e7_5a},
		{"Reseed", first(reA, reB), first(seed^0x5a_a9_7e_3b, 5)},
		{"Next", Next(seed), seed + 1},
		{"Mix", Mix(0), 0xe220a8397b1dcdaf},
	} {
		if c.got != c.want {
			t.Errorf("%s: %#x, want %#x", c.name, c.got, c.want)
		}
	}
}
