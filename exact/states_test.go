package exact

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

// TestLogSumStates compares the chunked, incremental enumeration with a
// direct sum over a table of random log-weights, for several unit counts,
// numbers of values and workers.
func TestLogSumStates(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct{ n, q int }{{1, 2}, {3, 3}, {5, 4}, {12, 2}, {7, 5}} {
		// The log-weight is additive over units, f(s) = Σᵢ a[i][s[i]], so
		// a visitor can keep it as a running sum, and the exact answer is
		// Σᵢ log Σₐ exp(a[i][a]).
		a := make([][]float64, c.n)
		want := 0.0
		for i := range a {
			a[i] = make([]float64, c.q)
			var terms []float64
			for v := range a[i] {
				a[i][v] = 10 * rng.NormFloat64()
				terms = append(terms, a[i][v])
			}
			want += logSumExpOf(terms)
		}
		for _, workers := range []int{1, 2, 3} {
			var visited atomic.Int64
			got, err := LogSumStates(context.Background(), c.n, c.q, Options{Workers: workers}, func() StateVisitor {
				parts := make([]float64, c.n)
				return func(s []int, changed int) float64 {
					visited.Add(1)
					var f float64
					for i := range s {
						if i <= changed {
							parts[i] = a[i][s[i]]
						}
						f += parts[i]
					}
					return f
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1e-10*math.Max(1, math.Abs(want)) {
				t.Errorf("n=%d q=%d workers=%d: %.15g, want %.15g", c.n, c.q, workers, got, want)
			}
			if total := int(math.Pow(float64(c.q), float64(c.n))); visited.Load() != int64(total) {
				t.Errorf("n=%d q=%d: visited %d states, want %d", c.n, c.q, visited.Load(), total)
			}
		}
	}
}

func TestLogSumStatesLimits(t *testing.T) {
	never := func() StateVisitor { return func([]int, int) float64 { panic("visited") } }
	if _, err := LogSumStates(context.Background(), 20, 21, Options{}, never); !errors.Is(err, ErrTooLarge) {
		t.Errorf("21^20 states: %v, want ErrTooLarge", err)
	}
	if _, err := LogSumStates(context.Background(), 0, 2, Options{}, never); err == nil {
		t.Error("0 units accepted")
	}
	if _, err := LogSumStates(context.Background(), 3, 1, Options{}, never); err == nil {
		t.Error("1 value per unit accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LogSumStates(ctx, 20, 2, Options{}, func() StateVisitor { return func([]int, int) float64 { return 0 } }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func logSumExpOf(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, x)
	}
	var s float64
	for _, x := range xs {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}
