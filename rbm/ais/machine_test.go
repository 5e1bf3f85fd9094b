package ais

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

// TestRunMachineAgainstExact anneals machines of several unit types small
// enough to enumerate and requires the exact log Z inside the estimate's
// ±3σ interval; the annealing is long enough for the weights to be nearly
// equal, so the interval is narrow (its width is checked too, so that a
// test with useless error bars cannot pass).
func TestRunMachineAgainstExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	for _, kinds := range [][2]string{{"binary", "binary"}, {"gaussian", "binary"}, {"potts", "binary"}, {"spin", "potts"}, {"relu", "spin"}, {"binary", "gaussian"}, {"drelu", "binary"}, {"spin", "drelu"}} {
		v, _ := layer.New(kinds[0], 6, layer.Settings{States: 3})
		h, _ := layer.New(kinds[1], 4, layer.Settings{States: 3})
		m := rbm.NewMachine(v, h)
		for i := range m.W {
			m.W[i] = 0.5 * rng.NormFloat64()
		}
		for _, l := range []layer.Layer{v, h} {
			for _, p := range l.Params() {
				if !p.Fixed {
					for i := range p.Values {
						p.Values[i] = 0.5 * rng.NormFloat64()
					}
				}
			}
		}
		want, err := m.LogZ(context.Background(), exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := ParseSchedule("1/2000")
		e, err := RunMachine(context.Background(), m, nil, Config{Schedule: s, Runs: 200, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if !(e.Lower <= want && want <= e.Upper) {
			t.Errorf("%s×%s: exact log Z %.6f outside the AIS interval [%.6f, %.6f] (estimate %.6f ± %.6f)",
				kinds[0], kinds[1], want, e.Lower, e.Upper, e.LogZ, e.StdErr)
		}
		if e.StdErr > 0.05 {
			t.Errorf("%s×%s: standard error %.3g: the annealing is too short for the test to mean anything", kinds[0], kinds[1], e.StdErr)
		}
	}
}

// TestRunMachineZeroWeights: with W = 0 and the base equal to the model,
// every weight is 1 and the estimate is exact.
func TestRunMachineZeroWeights(t *testing.T) {
	v := layer.NewGaussian([]float64{0.3, -1}, []float64{0.2, -0.1}, true)
	m := rbm.NewMachine(v, layer.NewBinary([]float64{1, -2, 0.5}))
	want := v.LogPartition(make([]float64, 2)) + m.Hidden.LogPartition(make([]float64, 3))
	e, err := RunMachine(context.Background(), m, nil, Config{Schedule: Schedule{0, 0.5, 1}, Runs: 10})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(e.LogZ-want) > 1e-12 {
		t.Errorf("log Z %.15g, want %.15g", e.LogZ, want)
	}
}

func TestRunMachineIsDeterministic(t *testing.T) {
	v, _ := layer.New("potts", 5, layer.Settings{States: 4})
	m := rbm.NewMachine(v, layer.NewBinary(make([]float64, 3)))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range m.W {
		m.W[i] = rng.NormFloat64()
	}
	cfg := Config{Schedule: Schedule{0, 0.3, 0.7, 1}, Runs: 7, Seed: 5}
	a, _ := RunMachine(context.Background(), m, nil, cfg)
	b, _ := RunMachine(context.Background(), m, nil, cfg)
	if math.Float64bits(a.LogZ) != math.Float64bits(b.LogZ) {
		t.Errorf("one seed, two estimates: %v and %v", a.LogZ, b.LogZ)
	}
	if _, err := RunMachine(context.Background(), m, layer.NewBinary(make([]float64, 20)), cfg); err == nil {
		t.Error("a base layer of another type was accepted")
	}
}

// TestReverseMachineFromModelSamples starts the reverse chains at exact
// samples of small machines (drawn by enumerating p(v)) and requires the
// implied log Z to bound the exact one from above within its standard
// error, and — the annealing being long for such small models — to be
// tight, within 0.05 nats.
func TestReverseMachineFromModelSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 41))
	for _, kinds := range [][2]string{{"potts", "binary"}, {"spin", "gaussian"}, {"binary", "spin"}} {
		v, _ := layer.New(kinds[0], 4, layer.Settings{States: 3})
		h, _ := layer.New(kinds[1], 3, layer.Settings{States: 3})
		m := rbm.NewMachine(v, h)
		for i := range m.W {
			m.W[i] = 0.7 * rng.NormFloat64()
		}
		for _, p := range v.Params() {
			for i := range p.Values {
				p.Values[i] = 0.5 * rng.NormFloat64()
			}
		}
		logZ, err := m.LogZ(context.Background(), exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// Every visible state and its exact probability.
		var states [][]float64
		var cum []float64
		total := 0.0
		d := v.(layer.Discrete)
		s := make([]int, 4)
		for {
			x := make([]float64, v.Width())
			d.SetState(x, s)
			total += math.Exp(-m.FreeEnergy(x) - logZ)
			states, cum = append(states, x), append(cum, total)
			i := 0
			for ; i < 4; i++ {
				if s[i]++; s[i] < v.States() {
					break
				}
				s[i] = 0
			}
			if i == 4 {
				break
			}
		}
		if math.Abs(total-1) > 1e-9 {
			t.Fatalf("%v: probabilities sum to %v", kinds, total)
		}
		const n = 200
		data := mat.NewDense(n, v.Width(), nil)
		for r := range n {
			u := rng.Float64()
			k := 0
			for k < len(cum)-1 && cum[k] < u {
				k++
			}
			copy(data.RawRowView(r), states[k])
		}
		sched, _ := ParseSchedule("1/2000")
		e, err := ReverseMachine(context.Background(), m, nil, data, Config{Schedule: sched, Runs: n, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		if e.LogZ < logZ-3*e.StdErr || e.LogZ-logZ > 0.05 {
			t.Errorf("%s×%s: reverse log Z %.5f ± %.5f, exact %.5f", kinds[0], kinds[1], e.LogZ, e.StdErr, logZ)
		}
	}
}

func TestReverseMachineErrors(t *testing.T) {
	m := rbm.NewMachine(layer.NewBinary(make([]float64, 3)), layer.NewBinary(make([]float64, 2)))
	if _, err := ReverseMachine(context.Background(), m, nil, mat.NewDense(2, 4, nil), Config{}); err == nil {
		t.Error("rows of the wrong width accepted")
	}
	if _, err := ReverseMachine(context.Background(), m, nil, nil, Config{}); err == nil {
		t.Error("no data accepted")
	}
}

// TestReverseMachineUnchanged checks that RAISE from data rows gives the
// bits it gave before its reverse chain was shared with
// ReverseMachineFromTempering: the hash of the log-weights of two machines
// was computed on the code before that change. The float64 products round
// differently without AVX2 and FMA, so the hash holds on amd64 with them
// only.
func TestReverseMachineUnchanged(t *testing.T) {
	const want = 0xf64221226d459de3
	h := fnv.New64a()
	rng := rand.New(rand.NewPCG(8, 8))
	for _, kinds := range [][2]string{{"gaussian", "binary"}, {"potts", "relu"}} {
		v, _ := layer.New(kinds[0], 5, layer.Settings{States: 3})
		hid, _ := layer.New(kinds[1], 3, layer.Settings{States: 3})
		m := rbm.NewMachine(v, hid)
		for i := range m.W {
			m.W[i] = 0.5 * rng.NormFloat64()
		}
		data := mat.NewDense(30, v.Width(), nil)
		zero := make([]float64, v.Width())
		for r := range 30 {
			v.Sample(data.RawRowView(r), zero, rng)
		}
		base := v.Clone()
		for _, p := range base.Params() {
			for i := range p.Values {
				p.Values[i] = 0.2 * rng.NormFloat64()
			}
		}
		e, err := ReverseMachine(context.Background(), m, base, data, Config{Schedule: Linear(50), Runs: 20, Seed: 4, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range append(e.LogWeights, e.LogZ, e.StdErr) {
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
			h.Write(b[:])
		}
	}
	got := h.Sum64()
	if !kernel.Accelerated() {
		t.Skipf("hash %#x: the recorded one holds with the AVX2/FMA kernels only, which this build or CPU does not run", got)
	}
	if got != want {
		t.Errorf("RAISE's log-weights hash to %#x, before the change to %#x", got, uint64(want))
	}
}

// temperingMachine returns a small machine of the given unit types (6
// visible, 4 hidden units) with weights of the given scale and random
// layer parameters, and a base visible layer perturbed from the machine's
// own, so that the path anneals the visible layer as well as the weights.
func temperingMachine(t *testing.T, kinds [2]string, scale float64, seed uint64) (*rbm.Machine, layer.Layer) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 61))
	v, err := layer.New(kinds[0], 6, layer.Settings{States: 3})
	if err != nil {
		t.Fatal(err)
	}
	h, err := layer.New(kinds[1], 4, layer.Settings{States: 3})
	if err != nil {
		t.Fatal(err)
	}
	m := rbm.NewMachine(v, h)
	for i := range m.W {
		m.W[i] = scale * rng.NormFloat64()
	}
	for _, l := range []layer.Layer{v, h} {
		for _, p := range l.Params() {
			if !p.Fixed {
				for i := range p.Values {
					p.Values[i] = 0.5 * rng.NormFloat64()
				}
			}
		}
	}
	base := v.Clone()
	for _, p := range base.Params() {
		if !p.Fixed {
			for i := range p.Values {
				p.Values[i] += 0.3 * rng.NormFloat64()
			}
		}
	}
	return m, base
}

// TestMachineTemperingUpperSide checks ReverseMachineFromTempering against
// the exact log Z of small machines of four type pairs, six machines each,
// with forward AIS (RunMachine) along the same path from the same base.
//
// Reverse AIS from exact samples of the model is unbiased for Z_A/Z =
// E[e^{-u}], so by Jensen mean(u) overestimates log Z - log Z_A, and by
// as little as Var(u)/2 when u is near-normal (the log of a normal's
// moment generating function). Per machine the upper side must therefore
// not fall below the exact log Z by more than 4 standard errors, nor
// exceed it by more than Var(u) (twice the near-normal gap) plus 4
// standard errors; on average over the four it must not fall below the
// exact value by more than 3 standard errors of the mean. Forward AIS is
// unbiased for Z, so its log must not exceed the exact log Z by more than
// 4 of its standard errors: the two sides bracket log Z. The weights are
// strong (scale 1.5) and the annealing short (100 steps), so that the
// upper side's bias shows; the ladder must keep every swap rate above
// 0.05. When written (go test -v logs every machine), the upper side
// exceeded the exact log Z by +0.40 ± 0.04 nats on average for
// gaussian×binary, +0.07, +0.10 and +0.06 (± 0.02) for potts×binary,
// binary×relu and spin×binary, each close to its mean Var(u)/2.
func TestMachineTemperingUpperSide(t *testing.T) {
	ctx := context.Background()
	const machines = 4
	for _, kinds := range [][2]string{{"gaussian", "binary"}, {"potts", "binary"}, {"binary", "relu"}, {"spin", "binary"}} {
		var sum, variance, worstRate float64
		worstRate = 1
		for seed := range uint64(machines) {
			m, base := temperingMachine(t, kinds, 1.5, seed)
			want, err := m.LogZ(ctx, exact.Options{})
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Schedule: Linear(100), Runs: 100, Seed: seed}
			fwd, err := RunMachine(ctx, m, base, cfg)
			if err != nil {
				t.Fatal(err)
			}
			rev, rates, err := ReverseMachineFromTempering(ctx, m, base, cfg, Tempered{Ladder: Linear(10), Sweeps: 200})
			if err != nil {
				t.Fatal(err)
			}
			var mean, ss float64
			for _, u := range rev.LogWeights {
				mean += u
			}
			mean /= float64(len(rev.LogWeights))
			for _, u := range rev.LogWeights {
				ss += (u - mean) * (u - mean)
			}
			varU := ss / float64(len(rev.LogWeights)-1)
			t.Logf("%s×%s, machine %d: forward %.4f ± %.4f, exact %.4f, upper %.4f ± %.4f (Var(u)/2 = %.4f), swap rates %.2f–%.2f",
				kinds[0], kinds[1], seed, fwd.LogZ, fwd.StdErr, want, rev.LogZ, rev.StdErr, varU/2, slices.Min(rates), slices.Max(rates))
			if len(rates) != 10 || slices.Min(rates) < 0.05 {
				t.Errorf("%s×%s, machine %d: swap rates %.2f", kinds[0], kinds[1], seed, rates)
			}
			worstRate = min(worstRate, slices.Min(rates))
			if rev.LogZ < want-4*rev.StdErr || rev.LogZ > want+varU+4*rev.StdErr {
				t.Errorf("%s×%s, machine %d: upper side %.4f ± %.4f, exact %.4f: want within [-4σ, Var(u) + 4σ] = [%.4f, %.4f]",
					kinds[0], kinds[1], seed, rev.LogZ, rev.StdErr, want, want-4*rev.StdErr, want+varU+4*rev.StdErr)
			}
			if fwd.LogZ > want+4*fwd.StdErr {
				t.Errorf("%s×%s, machine %d: forward AIS %.4f ± %.4f above the exact %.4f by more than 4σ",
					kinds[0], kinds[1], seed, fwd.LogZ, fwd.StdErr, want)
			}
			sum += rev.LogZ - want
			variance += rev.StdErr * rev.StdErr
		}
		mean, se := sum/machines, math.Sqrt(variance)/machines
		t.Logf("%s×%s: upper side minus exact log Z %+.4f ± %.4f on average; lowest swap rate %.2f", kinds[0], kinds[1], mean, se, worstRate)
		if mean < -3*se {
			t.Errorf("%s×%s: upper side below log Z on average: %+.4f ± %.4f", kinds[0], kinds[1], mean, se)
		}
	}
}

// TestReverseMachineFromTemperingIsDeterministic: one seed gives the same
// bits whatever the number of workers, another seed other bits, and a bad
// ladder or base is refused.
func TestReverseMachineFromTemperingIsDeterministic(t *testing.T) {
	ctx := context.Background()
	m, base := temperingMachine(t, [2]string{"potts", "relu"}, 1, 3)
	tempered := Tempered{Ladder: Linear(4), Sweeps: 20}
	run := func(seed uint64, workers int) (*Estimate, []float64) {
		e, rates, err := ReverseMachineFromTempering(ctx, m, base, Config{Schedule: Linear(30), Runs: 17, Seed: seed, Workers: workers}, tempered)
		if err != nil {
			t.Fatal(err)
		}
		return e, rates
	}
	a, ra := run(5, 1)
	b, rb := run(5, 2)
	c, _ := run(6, 1)
	same := func(x, y []float64) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	}
	if !same(a.LogWeights, b.LogWeights) || !same(ra, rb) || math.Float64bits(a.LogZ) != math.Float64bits(b.LogZ) {
		t.Errorf("one seed, 1 and 2 workers: log Z %v and %v, swap rates %v and %v", a.LogZ, b.LogZ, ra, rb)
	}
	if same(a.LogWeights, c.LogWeights) {
		t.Error("two seeds gave the same log-weights")
	}
	if a.Runs != 17 || a.Steps != 30 || len(ra) != 4 {
		t.Errorf("%d runs × %d steps, %d swap rates; want 17 × 30, 4", a.Runs, a.Steps, len(ra))
	}
	if _, _, err := ReverseMachineFromTempering(ctx, m, base, Config{}, Tempered{Ladder: Schedule{0, 0.5}}); err == nil {
		t.Error("a ladder that stops short of β = 1 was accepted")
	}
	if _, _, err := ReverseMachineFromTempering(ctx, m, layer.NewBinary(make([]float64, 6)), Config{}, tempered); err == nil {
		t.Error("a base layer of another type was accepted")
	}
}
