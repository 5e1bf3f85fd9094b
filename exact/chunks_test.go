package exact

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/internal/enumtest"
)

// recorder is a Walker that keeps the state as bits and records when it is
// reset.
type recorder struct {
	g      uint64
	resets []uint64 // the states Reset was given
	flips  int
}

func (r *recorder) Reset(g uint64) { r.g = g; r.resets = append(r.resets, g) }
func (r *recorder) Flip(i int)     { r.g ^= 1 << i; r.flips++ }

// Walk visits every position of [lo, hi) once, in Gray-code order, with the
// Walker following one flip at a time and reset at the first state and at
// the anchors only.
func TestWalk(t *testing.T) {
	const n = 14 // 2¹⁴ positions cross three anchors
	for _, r := range [][2]uint64{{0, 1 << n}, {1000, 9000}, {5, 6}} {
		lo, hi := r[0], r[1]
		w := &recorder{}
		seen := make(map[uint64]bool)
		k := lo
		err := Walk(context.Background(), lo, hi, w, func(g uint64) {
			if g != k^(k>>1) {
				t.Fatalf("[%d, %d): position %d visits %b, want %b", lo, hi, k, g, k^(k>>1))
			}
			if w.g != g {
				t.Fatalf("[%d, %d): position %d: walker at %b, visit at %b", lo, hi, k, w.g, g)
			}
			if seen[g] {
				t.Fatalf("[%d, %d): state %b visited twice", lo, hi, g)
			}
			seen[g] = true
			k++
		})
		if err != nil {
			t.Fatal(err)
		}
		if k != hi {
			t.Errorf("[%d, %d): visited up to %d", lo, hi, k)
		}
		want := []uint64{lo ^ (lo >> 1)}
		for a := (lo/AnchorEvery + 1) * AnchorEvery; a < hi; a += AnchorEvery {
			want = append(want, a^(a>>1))
		}
		if fmt.Sprint(w.resets) != fmt.Sprint(want) {
			t.Errorf("[%d, %d): resets at %v, want %v", lo, hi, w.resets, want)
		}
		if got := uint64(w.flips + len(w.resets)); got != hi-lo {
			t.Errorf("[%d, %d): %d flips and %d resets for %d positions", lo, hi, w.flips, len(w.resets), hi-lo)
		}
	}
}

// ForChunks returns the parts in chunk order, covering every position once,
// whatever the number of workers, and the first error by chunk order.
func TestForChunks(t *testing.T) {
	for _, n := range []int{1, 10, 12, 20} {
		for _, workers := range []int{1, 3} {
			var last uint64
			opt := Options{Workers: workers, Progress: func(done, total uint64) {
				if done <= last || total != 1<<n {
					t.Errorf("n = %d: progress %d of %d after %d", n, done, total, last)
				}
				last = done
			}}
			parts, err := ForChunks(context.Background(), n, opt, func(_ context.Context, lo, hi uint64) ([2]uint64, error) {
				return [2]uint64{lo, hi}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != 1<<chunkBits(n) {
				t.Errorf("n = %d: %d parts, want %d", n, len(parts), 1<<chunkBits(n))
			}
			next := uint64(0)
			for c, p := range parts {
				if p[0] != next || p[1] <= p[0] {
					t.Fatalf("n = %d, %d workers: chunk %d is [%d, %d), want it to start at %d", n, workers, c, p[0], p[1], next)
				}
				next = p[1]
			}
			if next != 1<<n || last != 1<<n {
				t.Errorf("n = %d: chunks end at %d, progress at %d; want %d", n, next, last, 1<<n)
			}
		}
	}
	errAt := func(c uint64) error { return fmt.Errorf("chunk at %d", c) }
	_, err := ForChunks(context.Background(), 16, Options{Workers: 3}, func(_ context.Context, lo, _ uint64) (int, error) {
		if lo >= 1<<14 {
			return 0, errAt(lo)
		}
		return 0, nil
	})
	if want := errAt(1 << 14); err == nil || err.Error() != want.Error() {
		t.Errorf("error %v, want %v", err, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ForChunks(ctx, 12, Options{}, func(context.Context, uint64, uint64) (int, error) { return 0, nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v", err)
	}
}

// LogSumExp against 256-bit sums, over values spread wide enough to move
// the reference many times, split into chunks; weighted sums kept with
// Add's rescale give the expectation of a function of the values.
func TestLogSumExp(t *testing.T) {
	var empty LogSumExp
	if ref, sum, _ := CombineLogSumExp([]LogSumExp{empty, empty}); !math.IsInf(ref+math.Log(sum), -1) {
		t.Errorf("empty sums: log Σ = %v, want -Inf", ref+math.Log(sum))
	}
	rng := rand.New(rand.NewPCG(41, 42))
	xs := make([]float64, 3000)
	for i := range xs {
		xs[i] = 2000 * (rng.Float64() - 0.5) * float64(i) / float64(len(xs))
	}
	xs[17] = math.Inf(-1)
	parts := make([]LogSumExp, 7)
	fsum := make([]float64, len(parts)) // Σ w·f(x) per part, f(x) = [x > 0]
	for i, x := range xs {
		c := i * len(parts) / len(xs)
		w, r := parts[c].Add(x)
		fsum[c] *= r
		if x > 0 {
			fsum[c] += w
		}
	}
	ref, sum, scale := CombineLogSumExp(parts)
	if got, want := ref+math.Log(sum), enumtest.BigLogSumExp(xs); !closeTo(got, want, 1e-14) {
		t.Errorf("log Σ exp = %.17g, want %.17g", got, want)
	}
	var f float64
	for c := range parts {
		f += fsum[c] * scale[c]
	}
	var pos []float64
	for _, x := range xs {
		if x > 0 {
			pos = append(pos, x)
		}
	}
	if got, want := f/sum, math.Exp(enumtest.BigLogSumExp(pos)-enumtest.BigLogSumExp(xs)); !closeTo(got, want, 1e-13) {
		t.Errorf("E[x > 0] = %.17g, want %.17g", got, want)
	}
}
