package exact

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/internal/enumtest"

	"github.com/rbmkit/rbm/discrete"
)

func TestLogZAgainstBigFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	for _, dom := range []discrete.Domain{discrete.Binary, discrete.Spin} {
		for _, n := range []int{1, 2, 5, 11, 14} {
			// Couplings of size 300 give energies of order 10⁴ at n = 14.
			for _, scale := range []float64{0.1, 3, 300} {
				base := randomPairwise(rng, n, dom, scale)
				for _, beta := range []float64{1, 0.37, 0, -1.5} {
					want := enumtest.BigLogSumExp(enumtest.NaiveStates(base, beta))
					for _, m := range []discrete.Model{base, flipping{base}} {
						got, err := LogZ(ctx, m, beta, Options{})
						if err != nil {
							t.Fatal(err)
						}
						// Only the rounding of the energy updates between
						// anchors separates the two: a few ulps of |E|.
						if !closeTo(got, want, 1e-12) {
							t.Errorf("%s n=%d scale=%g β=%g %T: log Z = %.17g, big.Float %.17g", dom, n, scale, beta, m, got, want)
						}
					}
				}
			}
		}
	}
}

func TestLogZHugeEnergies(t *testing.T) {
	// Every state has energy 10⁴ ± 1: exp(-E) underflows, yet log Z must
	// be -10⁴ + log Σ exp(∓…) exactly. And at -10⁴ nothing overflows.
	for _, shift := range []float64{1e4, -1e4} {
		m := &shifted{randomPairwise(rand.New(rand.NewPCG(3, 4)), 9, discrete.Binary, 0.1), shift}
		want := enumtest.BigLogSumExp(enumtest.NaiveStates(m, 1))
		got, err := LogZ(context.Background(), m, 1, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !closeTo(got, want, 1e-13) || math.Abs(got+shift) > 20 {
			t.Errorf("shift %g: log Z = %.17g, want %.17g", shift, got, want)
		}
	}
}

type shifted struct {
	*pairwise
	shift float64
}

func (s *shifted) Energy(x []int8) float64 { return s.pairwise.Energy(x) + s.shift }

func TestDistributionMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dom := range []discrete.Domain{discrete.Binary, discrete.Spin} {
		for _, n := range []int{3, 12} {
			m := flipping{randomPairwise(rng, n, dom, 1)}
			p, err := Distribution(context.Background(), m, 0.8, Options{})
			if err != nil {
				t.Fatal(err)
			}
			xs := enumtest.NaiveStates(m, 0.8)
			logZ := enumtest.BigLogSumExp(xs)
			var total float64
			for s, x := range xs {
				want := math.Exp(x - logZ)
				if math.Abs(p[s]-want) > 1e-13*max(want, 1e-3) {
					t.Fatalf("%s n=%d state %b: p = %g, naive %g", dom, n, s, p[s], want)
				}
				total += p[s]
			}
			if math.Abs(total-1) > 1e-12 {
				t.Errorf("probabilities sum to %v", total)
			}
		}
	}
}

func TestMarginalsMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, dom := range []discrete.Domain{discrete.Binary, discrete.Spin} {
		n := 13
		m := flipping{randomPairwise(rng, n, dom, 0.7)}
		mo, err := Marginals(context.Background(), m, 1.3, Options{})
		if err != nil {
			t.Fatal(err)
		}
		xs := enumtest.NaiveStates(m, 1.3)
		logZ := enumtest.BigLogSumExp(xs)
		mean, pair := make([]float64, n), make([]float64, n*n)
		for s, x := range xs {
			p := math.Exp(x - logZ)
			for i := range n {
				xi := float64(dom.Value(uint(s >> i)))
				mean[i] += p * xi
				for j := range n {
					pair[i*n+j] += p * xi * float64(dom.Value(uint(s>>j)))
				}
			}
		}
		if !closeTo(mo.LogZ, logZ, 1e-12) {
			t.Errorf("%s: log Z %v, want %v", dom, mo.LogZ, logZ)
		}
		for i := range n {
			if math.Abs(mo.Mean[i]-mean[i]) > 1e-12 {
				t.Errorf("%s: E[x%d] = %v, want %v", dom, i, mo.Mean[i], mean[i])
			}
			off, _ := dom.Values()
			if on := (mean[i] - float64(off)) / float64(1-off); math.Abs(mo.On[i]-on) > 1e-12 {
				t.Errorf("%s: p(x%d on) = %v, want %v", dom, i, mo.On[i], on)
			}
		}
		for k := range pair {
			if math.Abs(mo.Pair[k]-pair[k]) > 1e-12 {
				t.Errorf("%s: E[x%d x%d] = %v, want %v", dom, k/n, k%n, mo.Pair[k], pair[k])
			}
		}
	}
}

func TestResultsIndependentOfWorkers(t *testing.T) {
	m := flipping{randomPairwise(rand.New(rand.NewPCG(9, 10)), 16, discrete.Spin, 2)}
	ctx := context.Background()
	var first float64
	var firstMo *Moments
	for w := 1; w <= 4; w++ {
		got, err := LogZ(ctx, m, 1, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		mo, err := Marginals(ctx, m, 1, Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if w == 1 {
			first, firstMo = got, mo
			continue
		}
		if got != first || fmt.Sprint(mo) != fmt.Sprint(firstMo) {
			t.Errorf("%d workers: log Z %.17g differs from 1 worker's %.17g (or the moments differ)", w, got, first)
		}
	}
}

func TestRefusesTooManyUnits(t *testing.T) {
	m := &pairwise{n: 33, fields: make([]float64, 33), j: make([]float64, 33*33)}
	_, err := LogZ(context.Background(), m, 1, Options{})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("33 units: err = %v, want ErrTooLarge", err)
	}
	t.Log(err)
	small := &pairwise{n: 25, fields: make([]float64, 25), j: make([]float64, 25*25)}
	if _, err := Distribution(context.Background(), small, 1, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("distribution of 25 units: err = %v, want ErrTooLarge", err)
	}
	if _, err := LogZ(context.Background(), small, 1, Options{MaxUnits: 20}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxUnits 20: err = %v, want ErrTooLarge", err)
	}
	if _, err := LogZ(context.Background(), small, math.NaN(), Options{}); err == nil {
		t.Error("β = NaN accepted")
	}
}

func TestNonFiniteEnergy(t *testing.T) {
	m := &shifted{randomPairwise(rand.New(rand.NewPCG(1, 1)), 4, discrete.Binary, 1), math.NaN()}
	if _, err := LogZ(context.Background(), m, 1, Options{}); err == nil {
		t.Error("NaN energies accepted")
	}
	// +Inf energy everywhere: no state has weight.
	inf := &shifted{m.pairwise, math.Inf(1)}
	if _, err := LogZ(context.Background(), inf, 1, Options{}); err == nil {
		t.Error("all-infinite energies accepted")
	}
}

func TestCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := flipping{randomPairwise(rand.New(rand.NewPCG(1, 1)), 24, discrete.Binary, 1)}
	if _, err := LogZ(ctx, m, 1, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestProgress(t *testing.T) {
	m := flipping{randomPairwise(rand.New(rand.NewPCG(1, 1)), 14, discrete.Binary, 1)}
	var last, calls uint64
	_, err := LogZ(context.Background(), m, 1, Options{Progress: func(done, total uint64) {
		if done <= last || total != 1<<14 {
			t.Errorf("progress %d/%d after %d", done, total, last)
		}
		last = done
		calls++
	}})
	if err != nil {
		t.Fatal(err)
	}
	if last != 1<<14 || calls != 16 {
		t.Errorf("progress ended at %d after %d calls, want %d after 16", last, calls, 1<<14)
	}
}
