package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSumRows checks both code paths against a float32 loop written out
// here, bit for bit, over widths with and without a vector tail and
// chunks of 64 columns.
func TestSumRows(t *testing.T) {
	implementations(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		for _, n := range []int{1, 7, 8, 9, 63, 64, 65, 100, 784} {
			for _, rows := range []int{0, 1, 3, 200} {
				for _, scale := range []float32{1, -1, 0.3} {
					ld := n + rng.IntN(3)
					src := randSlice(rng, max(0, (rows-1)*ld+n))
					dst := randSlice(rng, n)
					want := append([]float32(nil), dst...)
					for r := range rows {
						for j := range want {
							want[j] += float32(scale * src[r*ld+j]) // rounded, never fused
						}
					}
					SumRows(dst, src, ld, rows, scale)
					for j := range dst {
						if math.Float32bits(dst[j]) != math.Float32bits(want[j]) {
							t.Fatalf("n=%d rows=%d scale=%v: dst[%d] = %v, want %v", n, rows, scale, j, dst[j], want[j])
						}
					}
				}
			}
		}
	})
}
