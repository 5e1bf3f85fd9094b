package ais

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/internal/testenv"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/rbmexact"
	"github.com/rbmkit/rbm/rbm/rbmtest"
)

func randomRBM(rng *rand.Rand, v, h int, scale float64) *rbm.RBM {
	return rbm.NewRandom(v, h, scale, rng)
}

func exactSamples(m *rbm.RBM, n int, seed uint64) *rbm.Matrix {
	return rbmtest.ExactSamples(m, n, seed)
}

// Forward AIS and reverse AIS from exact samples against the exact log Z of
// random RBMs with 10 to 16 hidden units. With the default 14,500-step
// schedule on models this size the log-weights vary by a few hundredths
// of a nat, so the ±3σ intervals are reliable (a 3σ miss has probability
// ~0.3% under the near-normal spread), and both estimates must lie within
// 0.5 nats of the truth. Forward AIS must not exceed the truth by more than
// its interval allows, reverse AIS must not fall below it.
func TestAgainstExactRandom(t *testing.T) {
	testenv.Long(t) // runs the full default schedule
	ctx := context.Background()
	for i, shape := range [][2]int{{30, 10}, {60, 16}} {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		m := randomRBM(rng, shape[0], shape[1], 0.5)
		want, err := rbmexact.RBMLogZ(ctx, m, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		data := exactSamples(m, 500, uint64(i))
		cfg := Config{Seed: 3, Base: BaseRates(data)}
		fwd, err := Run(ctx, m, cfg)
		if err != nil {
			t.Fatal(err)
		}
		rev, err := Reverse(ctx, m, data, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v: exact %.4f, AIS %.4f ± %.4f [%.4f, %.4f], reverse %.4f ± %.4f",
			shape, want, fwd.LogZ, fwd.StdErr, fwd.Lower, fwd.Upper, rev.LogZ, rev.StdErr)
		if want < fwd.Lower || want > fwd.Upper || math.Abs(fwd.LogZ-want) > 0.5 {
			t.Errorf("%v: AIS %.4f [%.4f, %.4f] misses exact log Z %.4f", shape, fwd.LogZ, fwd.Lower, fwd.Upper, want)
		}
		if want < rev.Lower || want > rev.Upper || math.Abs(rev.LogZ-want) > 0.5 {
			t.Errorf("%v: reverse %.4f [%.4f, %.4f] misses exact log Z %.4f", shape, rev.LogZ, rev.Lower, rev.Upper, want)
		}
	}
}

// Workers never change an estimate, and the seed does.
func TestDeterministic(t *testing.T) {
	m := randomRBM(rand.New(rand.NewPCG(5, 5)), 20, 70, 0.3)
	ctx := context.Background()
	cfg := Config{Schedule: Linear(200), Runs: 37, Seed: 9}
	var first *Estimate
	for _, w := range []int{1, 2, 3} {
		cfg.Workers = w
		e, err := Run(ctx, m, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = e
			continue
		}
		for r, x := range e.LogWeights {
			if x != first.LogWeights[r] {
				t.Fatalf("%d workers: run %d log-weight %v, 1 worker %v", w, r, x, first.LogWeights[r])
			}
		}
	}
	cfg.Seed = 10
	other, _ := Run(ctx, m, cfg)
	if other.LogZ == first.LogZ {
		t.Error("a different seed gave the same estimate")
	}
}

// With β fixed at the end points the schedule has one step, and AIS is
// plain importance sampling from the base model: for a model with no
// weights and the base equal to the model the weights are all exactly
// Z_B/Z_A = 1 (up to rounding), and log Ẑ is exact.
func TestZeroWeightsExact(t *testing.T) {
	m := rbm.New(12, 5)
	for i := range m.B {
		m.B[i] = float32(i) - 6
	}
	for j := range m.C {
		m.C[j] = float32(j) - 2
	}
	e, err := Run(context.Background(), m, Config{Schedule: Linear(3), Runs: 10})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := rbmexact.RBMLogZ(context.Background(), m, exact.Options{})
	if math.Abs(e.LogZ-want) > 1e-6 || e.StdErr > 1e-6 {
		t.Errorf("log Ẑ = %v ± %v, exact %v", e.LogZ, e.StdErr, want)
	}
}

func TestParseSchedule(t *testing.T) {
	s := DefaultSchedule()
	if len(s) != 14501 || s[0] != 0 || s[500] != 0.5 || s[4500] != 0.9 || s[14500] != 1 {
		t.Fatalf("default schedule: %d values, β[500]=%v β[4500]=%v end %v", len(s), s[500], s[4500], s[len(s)-1])
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if math.Abs(s[1]-0.001) > 1e-18 || math.Abs(s[501]-0.5001) > 1e-15 || math.Abs(s[4501]-0.90001) > 1e-15 {
		t.Errorf("steps: %v %v %v", s[1], s[501], s[4501])
	}
	lin, err := ParseSchedule("1000")
	if err != nil || len(lin) != 1001 || lin[1000] != 1 {
		t.Errorf("ParseSchedule(1000): %d values, %v", len(lin), err)
	}
	for _, bad := range []string{"", "0.5/10", "0.5/10,0.4/3,1/2", "x/3", "1/0", "1/-4", "2/10", "0.5/10,,1/3", "nan/4", "1/5,0.5/5", "1/5,1/5"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
	if err := (Schedule{0, 0.6, 0.5, 1}).Validate(); err == nil {
		t.Error("decreasing schedule accepted")
	}
}

func FuzzParseSchedule(f *testing.F) {
	// 0.2/5,1/3 and .1/1,.2/1,1/12 once ended a rounding error off 1.
	for _, s := range []string{DefaultSpec, "100", "1/3", "0.2/1,1/1", "0.5/0", "0.2/5,1/3", ".1/1,.2/1,1/12", "0.3/7,0.7/3,0.9999999999/11"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseSchedule(spec)
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("ParseSchedule(%q) returned an invalid schedule: %v", spec, err)
		}
	})
}

// logRatio's series against the library functions on both sides of the
// switch, for inputs down to 10⁻¹².
func TestLogRatio(t *testing.T) {
	for _, s := range []float64{1e-12, 0.01, 0.3, 0.5, 0.9, 1 - 1e-9, 1} {
		for _, x := range []float64{1e-12, -3e-9, 1e-5, -1e-4, 7e-4, -0.002, 0.0039, -0.0039, 0.004, 0.3, -2} {
			want := math.Log1p(s * math.Expm1(x))
			if got := logRatio(s, x); math.Abs(got-want) > 4e-16*math.Abs(want) {
				t.Errorf("logRatio(%v, %v) = %.17g, want %.17g", s, x, got, want)
			}
		}
	}
}

// TestBoundsOverSeeds checks the sandwich on enumerable models over many
// seeds, with a schedule short enough for both estimates to be biased:
// forward AIS underestimates log Z in expectation (Jensen: E[Ẑ] = Z),
// and reverse AIS from exact samples of the model overestimates it (the
// mean of -u estimates -log Z from below, again by Jensen). Each seed's
// estimate may land on the wrong side by noise, but not by more than four
// of its standard errors, and the mean over the seeds must lie on the
// right side within three of its standard errors. (On these models the
// reverse bias is several standard errors; the forward one, from runs
// that start at the base rates, is about one.)
func TestBoundsOverSeeds(t *testing.T) {
	ctx := context.Background()
	const seeds = 20
	var fwdSum, revSum, fwdVar, revVar float64
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 77))
		m := randomRBM(rng, 16, 10, 2)
		want, err := rbmexact.RBMLogZ(ctx, m, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		samples := exactSamples(m, 200, seed)
		cfg := Config{Schedule: Linear(10), Runs: 200, Seed: seed, Base: BaseRates(samples)}
		fwd, err := Run(ctx, m, cfg)
		if err != nil {
			t.Fatal(err)
		}
		rev, err := Reverse(ctx, m, samples, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if fwd.LogZ > want+4*fwd.StdErr {
			t.Errorf("seed %d: forward %.4f ± %.4f above the exact %.4f by more than 4σ", seed, fwd.LogZ, fwd.StdErr, want)
		}
		if rev.LogZ < want-4*rev.StdErr {
			t.Errorf("seed %d: reverse %.4f ± %.4f below the exact %.4f by more than 4σ", seed, rev.LogZ, rev.StdErr, want)
		}
		fwdSum += fwd.LogZ - want
		revSum += rev.LogZ - want
		fwdVar += fwd.StdErr * fwd.StdErr
		revVar += rev.StdErr * rev.StdErr
	}
	// The seeds are independent, so the mean error's standard error is
	// √(Σσ²)/n.
	fwdSE, revSE := math.Sqrt(fwdVar)/seeds, math.Sqrt(revVar)/seeds
	t.Logf("mean error over %d seeds: forward %+.4f ± %.4f, reverse from exact samples %+.4f ± %.4f", seeds, fwdSum/seeds, fwdSE, revSum/seeds, revSE)
	if fwdSum/seeds > 3*fwdSE || revSum/seeds < -3*revSE {
		t.Errorf("the sandwich does not hold on average: forward %+.4f ± %.4f, reverse %+.4f ± %.4f", fwdSum/seeds, fwdSE, revSum/seeds, revSE)
	}
}

// TestESS checks the effective sample size against its definition and its
// limits: n equal weights give n, one dominant weight gives about 1.
func TestESS(t *testing.T) {
	if got := ess([]float64{3, 3, 3, 3}, 1); math.Abs(got-4) > 1e-12 {
		t.Errorf("equal weights: ESS %v, want 4", got)
	}
	if got := ess([]float64{0, -50, -60, -70}, 1); math.Abs(got-1) > 1e-12 {
		t.Errorf("one dominant weight: ESS %v, want 1", got)
	}
	x := []float64{0.3, -1.2, 2.5, 0}
	var s, ss float64
	for _, v := range x {
		s += math.Exp(-v)
		ss += math.Exp(-2 * v)
	}
	if got, want := ess(x, -1), s*s/ss; math.Abs(got-want) > 1e-12 {
		t.Errorf("reverse weights: ESS %v, want %v", got, want)
	}
	if (&Estimate{ESS: 9.9, Runs: 100}).Reliable() || !(&Estimate{ESS: 10, Runs: 100}).Reliable() || !(&Estimate{ESS: 2, Runs: 20}).Reliable() {
		t.Error("Reliable does not follow MinESS")
	}
}

// TestTemperingUpperSide checks ReverseFromTempering on enumerable models
// over many seeds: from samples drawn by parallel tempering, reverse AIS
// must overestimate log Z as it does from exact samples (per seed within
// four standard errors, on average within three), with a schedule short
// enough for the bias to show.
func TestTemperingUpperSide(t *testing.T) {
	ctx := context.Background()
	const seeds = 12
	var sum, variance float64
	for seed := range uint64(seeds) {
		m := randomRBM(rand.New(rand.NewPCG(seed, 78)), 16, 10, 2)
		want, err := rbmexact.RBMLogZ(ctx, m, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Schedule: Linear(10), Runs: 200, Seed: seed}
		rev, rates, err := ReverseFromTempering(ctx, m, cfg, Tempered{Ladder: Linear(6), Sweeps: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(rates) != 6 || slices.Min(rates) < 0.05 {
			t.Errorf("seed %d: swap rates %.2f", seed, rates)
		}
		if rev.LogZ < want-4*rev.StdErr {
			t.Errorf("seed %d: upper side %.4f ± %.4f below the exact %.4f by more than 4σ", seed, rev.LogZ, rev.StdErr, want)
		}
		sum += rev.LogZ - want
		variance += rev.StdErr * rev.StdErr
	}
	mean, se := sum/seeds, math.Sqrt(variance)/seeds
	t.Logf("upper side from tempering samples: mean error %+.4f ± %.4f over %d seeds", mean, se, seeds)
	if mean < -3*se {
		t.Errorf("upper side below log Z on average: %+.4f ± %.4f", mean, se)
	}
}
