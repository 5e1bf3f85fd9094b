package ais

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/testenv"
	"github.com/rbmkit/rbm/rbm"
)

func randomRBM(rng *rand.Rand, v, h int, scale float64) *rbm.RBM {
	return rbm.NewRandom(v, h, scale, rng)
}

// exactSamples draws n exact samples of v from m (hidden layer small enough
// to list): h from p(h) ∝ exp(-F(h)) by inverse CDF over all 2^H states,
// then v ~ p(v|h).
func exactSamples(m *rbm.RBM, n int, seed uint64) *rbm.Matrix {
	rng := rand.New(rand.NewPCG(seed, 99))
	t := m.Transpose()
	states := 1 << m.Hidden
	logp := make([]float64, states)
	h := make([]float32, m.Hidden)
	hi := math.Inf(-1)
	for s := range states {
		for j := range h {
			h[j] = float32(s >> j & 1)
		}
		logp[s] = -t.FreeEnergy(h)
		hi = max(hi, logp[s])
	}
	cdf := make([]float64, states)
	var sum float64
	for s, x := range logp {
		sum += math.Exp(x - hi)
		cdf[s] = sum
	}
	out := rbm.NewMatrix(n, m.Visible)
	act := make([]float64, m.Visible)
	for r := range n {
		u := rng.Float64() * sum
		s := 0
		for cdf[s] < u {
			s++
		}
		for j := range h {
			h[j] = float32(s >> j & 1)
		}
		t.HiddenInput(act, h)
		for i, a := range act {
			if rng.Float64() < kernel.Sigmoid(a) {
				out.Row(r)[i] = 1
			}
		}
	}
	return out
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
		want, err := exact.RBMLogZ(ctx, m, nil)
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
	want, _ := exact.RBMLogZ(context.Background(), m, nil)
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
	for _, bad := range []string{"", "0.5/10", "0.5/10,0.4/3,1/2", "x/3", "1/0", "1/-4", "2/10", "0.5/10,,1/3", "nan/4"} {
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
