package rbm

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/internal/testenv"
)

// prototypes returns n rows drawn from two binary prototypes with each bit
// flipped with probability noise: a distribution a small RBM can fit.
func prototypes(n int, noise float64, seed uint64) *Matrix {
	protos := [][]float32{{1, 1, 1, 0, 0, 0}, {0, 0, 1, 1, 1, 1}}
	rng := rand.New(rand.NewPCG(seed, 9))
	data := NewMatrix(n, 6)
	for r := range n {
		p := protos[rng.IntN(2)]
		for i, x := range p {
			if rng.Float64() < noise {
				x = 1 - x
			}
			data.Row(r)[i] = x
		}
	}
	return data
}

func TestCDGradientApproachesExactGradient(t *testing.T) {
	testenv.Long(t)
	m := randomRBM(4, 3, 1.5, 11)
	base := NewMatrix(4, 4)
	copy(base.Data, []float32{1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1})
	// Each base row repeated: the CD estimate then averages many
	// independent chains per row in one batch.
	const reps = 5000
	data := NewMatrix(4*reps, 4)
	for r := range data.Rows {
		copy(data.Row(r), base.Row(r%4))
	}
	exact := bruteGradient(m, base)
	const chains = 4
	// Every chain's contribution to a gradient element is a difference of
	// two products of units in {0,1}, so it lies in [-1, 1] and has variance
	// at most 1: the standard error of the mean of N samples is ≤ 1/√N.
	se := 1 / math.Sqrt(float64(chains*data.Rows))
	maxErr := func(g *Gradient) float64 {
		var worst float64
		for _, pair := range [][2][]float64{{g.W, exact.W}, {g.B, exact.B}, {g.C, exact.C}} {
			for i := range pair[0] {
				worst = math.Max(worst, math.Abs(pair[0][i]-pair[1][i]))
			}
		}
		return worst
	}
	var errs []float64
	for _, k := range []int{1, 3, 200} {
		g, err := m.CDGradient(data, k, chains, 42, 2)
		if err != nil {
			t.Fatal(err)
		}
		errs = append(errs, maxErr(g))
	}
	t.Logf("max |CD-k - exact| for k = 1, 3, 200: %.4f %.4f %.4f (standard error bound %.4f)", errs[0], errs[1], errs[2], se)
	// 19 elements: 5 standard errors bound every element's noise with
	// probability > 1 - 19·6e-7.
	if errs[2] > 5*se {
		t.Errorf("CD-200 is %.4f from the exact gradient, more than 5 standard errors (%.4f)", errs[2], 5*se)
	}
	// Beyond a few steps this small model has mixed and the remaining error
	// is noise, so only the first comparison is strict.
	if !(errs[0] > errs[1]) {
		t.Errorf("CD-3 error %.4f is not below CD-1's %.4f", errs[1], errs[0])
	}
	if errs[0] < 10*se {
		t.Errorf("CD-1 bias %.4f is within noise: the test model mixes too fast to be informative", errs[0])
	}
}

func TestTrainingIncreasesExactLikelihood(t *testing.T) {
	data := prototypes(300, 0.05, 3)
	m := New(6, 4)
	m.Init(data, 1)
	ll := []float64{bruteLogLik(m, data)}
	tr := &Trainer{
		Config:      Config{Epochs: 40, BatchSize: 20, K: 1, LearningRate: 0.1, Momentum: 0.5, FinalMomentum: 0.9, MomentumEpochs: 5, Seed: 7},
		MonitorRows: -1,
		EpochDone:   func(EpochStats) { ll = append(ll, bruteLogLik(m, data)) },
	}
	if _, err := tr.Train(context.Background(), m, data); err != nil {
		t.Fatal(err)
	}
	t.Logf("exact mean log-likelihood: start %.3f, epoch 5 %.3f, epoch 20 %.3f, end %.3f", ll[0], ll[5], ll[20], ll[len(ll)-1])
	// The data's own entropy bounds the reachable likelihood: each row is
	// one of two prototypes with 6 independent 5% flips, so the
	// log-likelihood of the true distribution is about -ln2 - 6·H(0.05)
	// ≈ -1.86. The base-rate start sits near -6·ln2·(entropy of the
	// marginals) ≈ -3.7; a fit must close most of that gap.
	if end := ll[len(ll)-1]; end < ll[0]+1 {
		t.Errorf("log-likelihood rose only from %.3f to %.3f", ll[0], end)
	}
	if ll[len(ll)-1] < ll[5] {
		t.Errorf("log-likelihood fell from %.3f (epoch 5) to %.3f", ll[5], ll[len(ll)-1])
	}
}

func TestSamplerReachesModelDistribution(t *testing.T) {
	m := randomRBM(4, 3, 1, 12)
	logZ := bruteLogZ(m)
	const n = 40000
	v := NewMatrix(n, 4)
	for i := range v.Data {
		v.Data[i] = float32(i % 2)
	}
	s := NewSampler(m, n, 5, 2)
	defer s.Close()
	s.Run(v, 100)
	counts := make([]int, 16)
	for r := range n {
		state := 0
		for i, x := range v.Row(r) {
			state |= int(x) << i
		}
		counts[state]++
	}
	for sv, c := range counts {
		p := math.Exp(-bruteFreeEnergy(m, bits(sv, 4)) - logZ)
		// The n chains are independent, so each state's count is
		// binomial(n, p) once the chains have mixed.
		sigma := math.Sqrt(p * (1 - p) / n)
		if got := float64(c) / n; math.Abs(got-p) > 5*sigma {
			t.Errorf("state %04b: frequency %.4f, exact %.4f (5σ = %.4f)", sv, got, p, 5*sigma)
		}
	}
}

// TestSamplerVisibleField checks that a visible field turns the chains'
// distribution into p(v)·exp(v·field) / Z', with a different field for
// each half of the chains, against brute-force enumeration.
func TestSamplerVisibleField(t *testing.T) {
	m := randomRBM(4, 3, 1, 13)
	fields := [][]float32{{2.2, -1, 0, 0.5}, {-3, 0.7, 1.5, -0.2}}
	const n = 40000
	v, field := NewMatrix(n, 4), NewMatrix(n, 4)
	for r := range n {
		copy(field.Row(r), fields[r%2])
	}
	s := NewSampler(m, n, 6, 2)
	defer s.Close()
	s.VisibleField = field
	s.Run(v, 100)
	for half, f := range fields {
		// The tilted distribution, enumerated.
		p := make([]float64, 16)
		var z float64
		for sv := range p {
			x := bits(sv, 4)
			var tilt float64
			for i, xi := range x {
				tilt += float64(xi * f[i])
			}
			p[sv] = math.Exp(-bruteFreeEnergy(m, x) + tilt)
			z += p[sv]
		}
		counts := make([]int, 16)
		for r := half; r < n; r += 2 {
			state := 0
			for i, x := range v.Row(r) {
				state |= int(x) << i
			}
			counts[state]++
		}
		for sv, c := range counts {
			want := p[sv] / z
			sigma := math.Sqrt(want * (1 - want) / (n / 2))
			if got := float64(c) / (n / 2); math.Abs(got-want) > 5*sigma {
				t.Errorf("field %d, state %04b: frequency %.4f, exact %.4f (5σ = %.4f)", half, sv, got, want, 5*sigma)
			}
		}
	}
}

// variants are the training methods whose every combination of code
// paths the determinism and allocation tests cover.
var variants = map[string]func(*Config){
	"cd":       func(*Config) {},
	"pcd":      func(c *Config) { c.Persistent = true },
	"centered": func(c *Config) { c.Persistent, c.Centered = true, true },
	"adam":     func(c *Config) { c.Optimizer = Adam; c.LearningRate = 0.01 },
	"tempering": func(c *Config) {
		c.Replicas, c.Centered, c.Optimizer = 4, true, Adam
	},
}

func encodeTrained(t *testing.T, workers int, variant func(*Config)) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	data := NewMatrix(250, 20)
	for i := range data.Data {
		data.Data[i] = float32(rng.IntN(2))
	}
	m := New(20, 10)
	m.Init(data, 3)
	tr := &Trainer{Config: Config{Epochs: 3, BatchSize: 32, K: 2, Momentum: 0.5, FinalMomentum: 0.9, MomentumEpochs: 1, WeightDecay: 1e-3, SparsityTarget: 0.1, SparsityCost: 0.01, Seed: 99, Workers: workers}}
	variant(&tr.Config)
	stats, err := tr.Train(context.Background(), m, data)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, m, &Meta{Training: &tr.Config, Epochs: len(stats), Final: &stats[len(stats)-1]}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestTrainingIsDeterministicAcrossWorkers(t *testing.T) {
	for name, variant := range variants {
		one := encodeTrained(t, 1, variant)
		if again := encodeTrained(t, 1, variant); !bytes.Equal(one, again) {
			t.Errorf("%s: two runs with one worker differ", name)
		}
		if three := encodeTrained(t, 3, variant); !bytes.Equal(one, three) {
			t.Errorf("%s: 1 and 3 workers give different models", name)
		}
	}
}

// newTestStepper returns a stepper for cfg, with its defaults filled in
// and its chains and offsets started on data, as Train prepares one.
func newTestStepper(t *testing.T, m *RBM, cfg Config, data *Matrix, batch int) *stepper {
	t.Helper()
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	s := newStepper(m, cfg, batch)
	s.start(data, rand.New(rand.NewPCG(1, 1)))
	return s
}

func TestTrainingStepDoesNotAllocate(t *testing.T) {
	data := prototypes(64, 0.1, 1)
	for name, variant := range variants {
		m := New(6, 5)
		m.Init(data, 1)
		cfg := Config{K: 2, SparsityTarget: 0.1, SparsityCost: 0.1, SparsityDecay: 0.9, Workers: 2}
		variant(&cfg)
		s := newTestStepper(t, m, cfg, data, 32)
		rows := make([]int32, 32)
		for i := range rows {
			rows[i] = int32(i)
		}
		s.load(data, rows)
		if a := testing.AllocsPerRun(20, func() { s.step(0.1, 0.5) }); a != 0 {
			t.Errorf("%s: %v allocations per training step", name, a)
		}
		s.pool.Close()
	}
}

func TestTrainCancelLeavesConsistentModel(t *testing.T) {
	data := prototypes(200, 0.1, 2)
	m := New(6, 4)
	m.Init(data, 1)
	ctx, cancel := context.WithCancel(context.Background())
	batches := 0
	tr := &Trainer{
		Config: Config{Epochs: 5, BatchSize: 10},
		Progress: func(e, b, n int) {
			batches++
			if batches == 7 {
				cancel()
			}
		},
	}
	_, err := tr.Train(ctx, m, data)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if batches != 7 {
		t.Errorf("%d batches ran after cancellation at 7", batches)
	}
	if err := m.Validate(); err != nil {
		t.Error(err)
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	m := New(6, 4)
	data := prototypes(10, 0.1, 2)
	for name, tr := range map[string]*Trainer{
		"negative lr":  {Config: Config{LearningRate: -1}},
		"momentum ≥ 1": {Config: Config{Momentum: 1}},
		"bad schedule": {Config: Config{LRSchedule: "cosine"}},
		"val columns":  {Validation: NewMatrix(3, 5)},
		"NaN decay":    {Config: Config{WeightDecay: math.NaN()}},
	} {
		if _, err := tr.Train(context.Background(), m, data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := (&Trainer{}).Train(context.Background(), m, NewMatrix(3, 5)); err == nil {
		t.Error("data with the wrong width accepted")
	}
}
