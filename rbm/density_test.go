package rbm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rbmkit/rbm/internal/testenv"
)

// centeredReference is the centered update direction of Melchior et al.
// computed in float64 from a plain gradient g and offsets μ, λ:
// G = ∇W - μ∇cᵀ - ∇bλᵀ, Δb = ∇b - Gλ, Δc = ∇c - Gᵀμ.
func centeredReference(g *Gradient, mu, lambda []float64) *Gradient {
	v, h := len(mu), len(lambda)
	out := &Gradient{W: make([]float64, v*h), B: make([]float64, v), C: make([]float64, h)}
	for i := range v {
		for j := range h {
			out.W[i*h+j] = g.W[i*h+j] - mu[i]*g.C[j] - g.B[i]*lambda[j]
		}
	}
	for i := range v {
		out.B[i] = g.B[i]
		for j := range h {
			out.B[i] -= out.W[i*h+j] * lambda[j]
		}
	}
	for j := range h {
		out.C[j] = g.C[j]
		for i := range v {
			out.C[j] -= out.W[i*h+j] * mu[i]
		}
	}
	return out
}

// stepperGradient returns the stepper's current gradient buffers as a
// mean over the batch's n rows.
func stepperGradient(s *stepper) *Gradient {
	n := float64(s.rows)
	g := NewGradient(s.m)
	for i, x := range s.gradW {
		g.W[i] = float64(x) / n
	}
	for i, x := range s.gradB {
		g.B[i] = float64(x) / n
	}
	for j, x := range s.gradC {
		g.C[j] = float64(x) / n
	}
	return g
}

// centeredDirection returns the step per unit learning rate that SGD in
// the centered parameterisation makes on the stored, uncentered
// parameters, from the stepper's centered gradient (after transform) and
// its offsets, as batch means: G, ∇b - Gλ and ∇c - Gᵀμ.
func centeredDirection(s *stepper) *Gradient {
	g := stepperGradient(s)
	v, h := s.m.Visible, s.m.Hidden
	for i := range v {
		for j := range h {
			g.B[i] -= g.W[i*h+j] * s.center.lambda[j]
			g.C[j] -= g.W[i*h+j] * s.center.mu[i]
		}
	}
	return g
}

// TestCenteredStepMatchesDefinition checks the stepper's centered gradient
// and a whole SGD step through the optimiser and the bias shifts against
// the float64 formulas applied to its own plain gradient, on a model of
// uneven sizes so that every index is exercised.
func TestCenteredStepMatchesDefinition(t *testing.T) {
	m := randomRBM(13, 7, 0.7, 5)
	rng := rand.New(rand.NewPCG(3, 4))
	data := NewMatrix(40, 13)
	for i := range data.Data {
		data.Data[i] = float32(rng.IntN(2))
	}
	s := newTestStepper(t, m, Config{Centered: true, Persistent: true, OffsetRate: 0.3, Workers: 3}, data, 40)
	defer s.pool.Close()
	rows := make([]int32, 40)
	for i := range rows {
		rows[i] = int32(i)
	}
	// Offsets away from their starting values, so that λ is not uniform.
	for range 3 {
		s.load(data, rows)
		s.step(0.01, 0)
	}
	s.load(data, rows)
	s.gradient()
	plain := stepperGradient(s)
	mu, lambda := slices.Clone(s.center.mu), slices.Clone(s.center.lambda)
	want := centeredReference(plain, mu, lambda)
	s.center.transform(s)
	g := stepperGradient(s)
	for i := range g.W {
		if d := math.Abs(g.W[i] - want.W[i]); d > 1e-5 {
			t.Fatalf("G[%d] = %.8f, want %.8f", i, g.W[i], want.W[i])
		}
	}
	// One SGD step: the stored parameters move by lr times the direction.
	const lr = 0.5
	s.steps++
	s.update.prepare(s.cfg, lr, 0, s.rows, s.steps)
	s.pool.Run(&s.update, parts+1)
	s.update.uncenterHidden()
	for _, blk := range []struct {
		name       string
		next, prev []float32
		want       []float64
	}{{"W", s.next.W, m.W, want.W}, {"b", s.next.B, m.B, want.B}, {"c", s.next.C, m.C, want.C}} {
		for i := range blk.next {
			got := (float64(blk.next[i]) - float64(blk.prev[i])) / lr
			// float32 parameters of size ≤ 10 moved by steps of ~0.1:
			// the difference keeps a few ulps of the parameter, 1e-6 of a
			// unit, over lr.
			if d := math.Abs(got - blk.want[i]); d > 1e-5 {
				t.Fatalf("%s[%d] moved by %.8f per unit rate, want %.8f", blk.name, i, got, blk.want[i])
			}
		}
	}
	// The offsets then move towards the batch means.
	s.center.slide(s.vStack.Slice(0, 40), s.hStack.Slice(0, 40))
	for i, x := range mu {
		var mean float64
		for r := range data.Rows {
			mean += float64(data.Row(r)[i])
		}
		mean /= float64(data.Rows)
		if want := 0.7*x + 0.3*mean; math.Abs(s.center.mu[i]-want) > 1e-12 {
			t.Fatalf("μ[%d] = %v after sliding, want %v", i, s.center.mu[i], want)
		}
	}
}

// TestNegativePhaseGradientsAreUnbiased checks, for persistent chains and
// for parallel tempering, that once the chains have reached the model's
// distribution the plain gradient estimate agrees with the exact gradient
// and the centered estimate with the centered transform of the exact
// gradient, within bounds on their standard errors. The parameters stay
// fixed (no update is taken), so the chains stay at equilibrium.
func TestNegativePhaseGradientsAreUnbiased(t *testing.T) {
	testenv.Long(t)
	m := randomRBM(4, 3, 1.5, 11)
	base := NewMatrix(4, 4)
	copy(base.Data, []float32{1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1})
	const reps = 2500
	data := NewMatrix(4*reps, 4)
	for r := range data.Rows {
		copy(data.Row(r), base.Row(r%4))
	}
	exact := bruteGradient(m, base)
	rows := make([]int32, data.Rows)
	for i := range rows {
		rows[i] = int32(i)
	}
	const calls = 4
	n := float64(data.Rows)
	for name, cfg := range map[string]Config{
		"pcd":                {Persistent: true, K: 5},
		"pcd centered":       {Persistent: true, K: 5, Centered: true},
		"tempering":          {Replicas: 3, K: 5},
		"tempering centered": {Replicas: 3, K: 5, Centered: true, OffsetRate: 0.5},
	} {
		cfg.Workers = 2
		s := newTestStepper(t, m, cfg, data, data.Rows)
		s.load(data, rows)
		for range 20 { // burn-in: 100 steps; this model mixes in a few
			s.gradient()
		}
		sum, want := NewGradient(m), NewGradient(m)
		for range calls {
			s.load(data, rows)
			s.gradient()
			ref := exact
			if s.center != nil {
				ref = centeredReference(exact, s.center.mu, s.center.lambda)
				s.center.transform(s)
				add(sum, centeredDirection(s), 1/float64(calls))
				s.center.slide(s.vStack.Slice(0, s.rows), s.hStack.Slice(0, s.rows))
			} else {
				add(sum, stepperGradient(s), 1/float64(calls))
			}
			add(want, ref, 1/float64(calls))
		}
		s.pool.Close()
		// Each chain contributes a difference of products of units in [0,1]
		// (centered: of (v-μ)(h-λ), also in [-1,1]) to a weight element,
		// so its standard deviation is at most 1 and the mean of n chains
		// has standard error ≤ 1/√n, whatever the correlation between the
		// calls averaged. A centered bias element sums up to 1 + (size of
		// the other layer) such terms.
		se := 1 / math.Sqrt(n)
		check := func(blk string, got, want []float64, scale float64) {
			for i := range got {
				if d := math.Abs(got[i] - want[i]); d > 5*scale*se {
					t.Errorf("%s: %s[%d] = %.5f, exact %.5f: off by %.1f standard-error bounds", name, blk, i, got[i], want[i], d/(scale*se))
				}
			}
		}
		cb, cc := 1.0, 1.0
		if cfg.Centered {
			cb, cc = 1+float64(m.Hidden), 1+float64(m.Visible)
		}
		check("W", sum.W, want.W, 1)
		check("b", sum.B, want.B, cb)
		check("c", sum.C, want.C, cc)
	}
}

func add(dst, g *Gradient, scale float64) {
	for _, p := range [][2][]float64{{dst.W, g.W}, {dst.B, g.B}, {dst.C, g.C}} {
		for i, x := range p[1] {
			p[0][i] += scale * x
		}
	}
}

// pathLogProbs returns log p_β(v) for every visible state of a tiny model
// on the tempering path from base-rate biases base, by summing the joint
// (1-β)·b_Aᵀv - β·E(v,h) over the hidden states.
func pathLogProbs(m *RBM, base []float32, beta float64) []float64 {
	lp := make([]float64, 1<<m.Visible)
	for sv := range lp {
		v := bits(sv, m.Visible)
		terms := make([]float64, 1<<m.Hidden)
		for sh := range terms {
			var a float64
			for i, x := range v {
				a += (1 - beta) * float64(base[i]) * float64(x)
			}
			terms[sh] = a - beta*energy(m, v, bits(sh, m.Hidden))
		}
		lp[sv] = logSumExp(terms)
	}
	z := logSumExp(lp)
	for i := range lp {
		lp[i] -= z
	}
	return lp
}

// TestTemperingReplicasMatchEnumeration runs many independent tempering
// systems (chain i of every replica forms one system) and compares the
// distribution of each replica's final states with p_β enumerated.
func TestTemperingReplicasMatchEnumeration(t *testing.T) {
	// Strong couplings make two well-separated modes, so the cold replica
	// needs the hot ones to reach both in the right proportions.
	m := randomRBM(5, 3, 2.5, 21)
	base := []float64{-1, 0.5, 0, 1, -0.5}
	ladder := []float64{0, 0.3, 0.6, 0.8, 1}
	const chains = 10000
	pt, err := NewTempering(m, TemperingConfig{Ladder: ladder, Base: base, Chains: chains, Seed: 7, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer pt.Close()
	for range 60 {
		pt.Sweep()
	}
	for k, beta := range ladder {
		lp := pathLogProbs(m, pt.base, beta)
		counts := make([]int, len(lp))
		for i := range chains {
			state := 0
			for u, x := range pt.States.Row(k*chains + i) {
				state |= int(x) << u
			}
			counts[state]++
		}
		for sv, c := range counts {
			p := math.Exp(lp[sv])
			sigma := math.Sqrt(p * (1 - p) / chains)
			if got := float64(c) / chains; math.Abs(got-p) > 5*sigma+1e-12 {
				t.Errorf("β = %g, state %05b: frequency %.4f, exact %.4f (5σ = %.4f)", beta, sv, got, p, 5*sigma)
			}
		}
	}
	for k, r := range pt.SwapRates() {
		if !(r > 0.05 && r <= 1) {
			t.Errorf("swap rate between β = %g and %g is %v", ladder[k], ladder[k+1], r)
		}
	}
}

// TestTemperingIsDeterministic checks that a Tempering run gives the same
// states for one worker and three.
func TestTemperingIsDeterministic(t *testing.T) {
	m := randomRBM(9, 6, 1, 2)
	run := func(workers int) []float32 {
		pt, err := NewTempering(m, TemperingConfig{Ladder: []float64{0, 0.5, 1}, Chains: 37, Seed: 3, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		defer pt.Close()
		for range 20 {
			pt.Sweep()
		}
		return slices.Clone(pt.States.Data)
	}
	if !slices.Equal(run(1), run(3)) {
		t.Error("1 and 3 workers give different tempering states")
	}
}

func TestNewTemperingRejectsBadSettings(t *testing.T) {
	m := randomRBM(3, 2, 1, 1)
	for name, cfg := range map[string]TemperingConfig{
		"one rung":     {Ladder: []float64{1}},
		"not ending 1": {Ladder: []float64{0, 0.5}},
		"falling":      {Ladder: []float64{0, 0.7, 0.5, 1}},
		"repeated":     {Ladder: []float64{0, 0.5, 0.5, 1}},
		"negative":     {Ladder: []float64{-0.5, 1}},
		"NaN":          {Ladder: []float64{math.NaN(), 1}},
		"base size":    {Ladder: []float64{0, 1}, Base: []float64{1}},
		"base NaN":     {Ladder: []float64{0, 1}, Base: []float64{0, math.NaN(), 0}},
	} {
		if pt, err := NewTempering(m, cfg); err == nil {
			pt.Close()
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestDivergenceKeepsLastGoodModel trains at an absurd learning rate: the
// first update would overflow, so training stops there with ErrDiverged
// and the model keeps its parameters from before that update, bit for bit.
func TestDivergenceKeepsLastGoodModel(t *testing.T) {
	data := prototypes(200, 0.1, 2)
	for name, opt := range map[string]string{"momentum": Momentum, "adam": Adam} {
		m := New(6, 4)
		m.Init(data, 1)
		before := m.Clone()
		batches := 0
		tr := &Trainer{Config: Config{Epochs: 3, BatchSize: 10, LearningRate: 1e30, Optimizer: opt}, MonitorRows: -1,
			Progress: func(int, int, int) { batches++ }}
		if opt == Adam {
			tr.LearningRate = 1e5 // Adam's steps are about lr each: 1e5 > MaxParameter
		}
		_, err := tr.Train(context.Background(), m, data)
		if !errors.Is(err, ErrDiverged) {
			t.Fatalf("%s: err = %v, want ErrDiverged", name, err)
		}
		if batches != 0 {
			t.Errorf("%s: %d batches completed before the divergence was caught", name, batches)
		}
		if !slices.Equal(m.W, before.W) || !slices.Equal(m.B, before.B) || !slices.Equal(m.C, before.C) {
			t.Errorf("%s: the model changed although its only update diverged", name)
		}
	}
	// A rate that runs away after a few updates stops at the first bad
	// one, with finite parameters below the limit.
	m := New(6, 4)
	m.Init(data, 1)
	tr := &Trainer{Config: Config{Epochs: 50, BatchSize: 10, LearningRate: 2000, Momentum: 0.9, FinalMomentum: 0.9}, MonitorRows: -1}
	_, err := tr.Train(context.Background(), m, data)
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("lr 2000: err = %v, want ErrDiverged", err)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, p := range [][]float32{m.W, m.B, m.C} {
		for _, x := range p {
			if math.Abs(float64(x)) > MaxParameter {
				t.Fatalf("kept a parameter %v beyond the limit", x)
			}
		}
	}
}

// TestKeepBest checks that KeepBest leaves the model at the evaluated
// epoch with the highest estimate, and that BestEpoch names it.
func TestKeepBest(t *testing.T) {
	data := prototypes(100, 0.1, 4)
	m := New(6, 3)
	m.Init(data, 1)
	scores := []float64{-5, -3, -4, -3, -6} // epoch 2 is best; epoch 4 ties it later
	var snapshots []*RBM
	tr := &Trainer{
		Config:      Config{Epochs: 5, BatchSize: 10},
		MonitorRows: -1,
		KeepBest:    true,
		Evaluate: func(_ context.Context, m *RBM) (*LogLik, error) {
			snapshots = append(snapshots, m.Clone())
			return &LogLik{Method: "exact", Mean: scores[len(snapshots)-1]}, nil
		},
	}
	stats, err := tr.Train(context.Background(), m, data)
	if err != nil {
		t.Fatal(err)
	}
	if b := BestEpoch(stats); b != 2 {
		t.Errorf("BestEpoch = %d, want 2", b)
	}
	want := snapshots[1]
	if !slices.Equal(m.W, want.W) || !slices.Equal(m.B, want.B) || !slices.Equal(m.C, want.C) {
		t.Error("the model is not at epoch 2's parameters")
	}
	// EvalEvery 2 evaluates epochs 2, 4 and the last, 5.
	snapshots = nil
	tr.EvalEvery = 2
	stats, err = tr.Train(context.Background(), New(6, 3), data)
	if err != nil {
		t.Fatal(err)
	}
	var evaluated []int
	for _, st := range stats {
		if st.HeldOut != nil {
			evaluated = append(evaluated, st.Epoch)
		}
	}
	if !slices.Equal(evaluated, []int{2, 4, 5}) {
		t.Errorf("evaluated epochs %v, want [2 4 5]", evaluated)
	}
}

func TestConfigValidation(t *testing.T) {
	good := []Config{
		{},
		{Optimizer: Adam},
		{Replicas: 3},
		{Replicas: 3, Ladder: []float64{0.2, 0.6, 1}},
		{LRSchedule: "linear", Epochs: 4},
		{Centered: true, OffsetRate: 1},
	}
	for _, c := range good {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	bad := map[string]Config{
		"optimizer":     {Optimizer: "rmsprop"},
		"one replica":   {Replicas: 1},
		"ladder size":   {Replicas: 3, Ladder: []float64{0, 1}},
		"ladder alone":  {Ladder: []float64{0, 1}},
		"ladder end":    {Replicas: 2, Ladder: []float64{0, 0.9}},
		"offset rate":   {OffsetRate: 1.5},
		"adam beta":     {AdamBeta2: 1},
		"adam epsilon":  {AdamEpsilon: -1},
		"schedule name": {LRSchedule: "cosine"},
	}
	for name, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c, _ := Config{LRSchedule: "linear", Epochs: 4, LearningRate: 0.2}.withDefaults()
	for e, want := range []float64{0.2, 0.15, 0.1, 0.05} {
		if lr, _ := c.rates(e); math.Abs(lr-want) > 1e-15 {
			t.Errorf("linear schedule, epoch %d: lr %v, want %v", e, lr, want)
		}
	}
	if c, _ := (Config{Optimizer: Adam}).withDefaults(); c.LearningRate != 0.001 {
		t.Errorf("Adam's default learning rate is %v, want 0.001", c.LearningRate)
	}
}

// exactAscent fits m to data by full-batch gradient ascent on the exact
// mean log-likelihood (brute force), the maximum-likelihood fit a
// stochastic method can at best reach from the same start.
func exactAscent(m *RBM, data *Matrix, steps int, lr float64) {
	rows, counts := distinctRows(data)
	for range steps {
		g := bruteGradientWeighted(m, rows, counts)
		for i := range m.W {
			m.W[i] += float32(lr * g.W[i])
		}
		for i := range m.B {
			m.B[i] += float32(lr * g.B[i])
		}
		for j := range m.C {
			m.C[j] += float32(lr * g.C[j])
		}
	}
}

// distinctRows returns the distinct rows of data and how often each
// occurs.
func distinctRows(data *Matrix) (*Matrix, []float64) {
	index := map[string]int{}
	var rows [][]float32
	var counts []float64
	for r := range data.Rows {
		key := fmt.Sprint(data.Row(r))
		i, ok := index[key]
		if !ok {
			i = len(rows)
			index[key] = i
			rows = append(rows, data.Row(r))
			counts = append(counts, 0)
		}
		counts[i]++
	}
	out := NewMatrix(len(rows), data.Cols)
	for r, row := range rows {
		copy(out.Row(r), row)
	}
	return out, counts
}

// TestDensityRecipeReachesMaximumLikelihood trains the density recipe on
// a small synthetic dataset and compares the exact log-likelihood it
// reaches with the exact maximum-likelihood fit of the same model (the best
// of exact gradient ascent from the same start and from two others). The
// recipe's settings are its own but for the epochs, five times as many:
// it counts on MNIST's 600 updates an epoch, and this set has 20. The
// stated margin, 0.02 nats per row, is under 1% of the data's entropy
// (about 2.7 nats); the recipe lands within 0.003.
func TestDensityRecipeReachesMaximumLikelihood(t *testing.T) {
	testenv.Long(t)
	data := prototypes(2000, 0.1, 8)
	const hidden = 4
	cfg, err := Recipe("density")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Epochs = 5 * cfg.Epochs
	m := New(6, hidden)
	m.Init(data, 1)
	start := m.Clone()
	if _, err := (&Trainer{Config: cfg, MonitorRows: -1}).Train(context.Background(), m, data); err != nil {
		t.Fatal(err)
	}
	got := bruteLogLik(m, data)
	best := math.Inf(-1)
	for seed := range uint64(3) {
		fit := start.Clone()
		if seed > 0 {
			fit.Init(data, seed+10)
		}
		exactAscent(fit, data, 3000, 0.5)
		best = max(best, bruteLogLik(fit, data))
	}
	t.Logf("density recipe: exact mean log-likelihood %.4f; maximum-likelihood fit %.4f (gap %.4f)", got, best, best-got)
	const margin = 0.02
	if got < best-margin {
		t.Errorf("density recipe reached %.4f, %.4f below the maximum-likelihood fit %.4f (margin %v)", got, best-got, best, margin)
	}
}

// TestCenteredAdamStepsCenteredParameters checks one step of Adam with
// centering against its definition in float64: Adam on the centered
// parameters (W, b̃ = b + Wλ, c̃ = c + Wᵀμ) with their gradients (G, ∇b,
// ∇c), mapped back to b = b̃' - W'λ and c = c̃' - W'ᵀμ.
func TestCenteredAdamStepsCenteredParameters(t *testing.T) {
	m := randomRBM(11, 6, 0.5, 9)
	rng := rand.New(rand.NewPCG(5, 6))
	data := NewMatrix(30, 11)
	for i := range data.Data {
		data.Data[i] = float32(rng.IntN(2))
	}
	const lr = 0.01
	s := newTestStepper(t, m, Config{Centered: true, Persistent: true, Optimizer: Adam, OffsetRate: 0.2, Workers: 2}, data, 30)
	defer s.pool.Close()
	rows := make([]int32, 30)
	for i := range rows {
		rows[i] = int32(i)
	}
	// A few steps first, so that the offsets and Adam's moments are not
	// at their starting values.
	for range 4 {
		s.load(data, rows)
		s.step(lr, 0)
	}
	s.load(data, rows)
	s.gradient()
	mu, lambda := slices.Clone(s.center.mu), slices.Clone(s.center.lambda)
	s.center.transform(s)
	g := stepperGradient(s) // G, ∇b, ∇c as batch means
	v, h := m.Visible, m.Hidden
	w0 := make([]float64, len(m.W))
	for i, x := range m.W {
		w0[i] = float64(x)
	}
	bt, ct := make([]float64, v), make([]float64, h) // centered biases
	for i := range v {
		bt[i] = float64(m.B[i])
		for j := range h {
			bt[i] += w0[i*h+j] * lambda[j]
		}
	}
	for j := range h {
		ct[j] = float64(m.C[j])
		for i := range v {
			ct[j] += w0[i*h+j] * mu[i]
		}
	}
	// Adam in float64 on each block, from the stepper's moments.
	cfg := s.cfg
	step := float64(s.steps + 1)
	adam := func(p, grad []float64, m1, m2 []float32) []float64 {
		out := make([]float64, len(p))
		c1 := 1 - math.Pow(cfg.AdamBeta1, step)
		c2 := 1 - math.Pow(cfg.AdamBeta2, step)
		for i := range p {
			a := cfg.AdamBeta1*float64(m1[i]) + (1-cfg.AdamBeta1)*grad[i]
			b := cfg.AdamBeta2*float64(m2[i]) + (1-cfg.AdamBeta2)*grad[i]*grad[i]
			out[i] = p[i] + lr*(a/c1)/(math.Sqrt(b/c2)+cfg.AdamEpsilon)
		}
		return out
	}
	w1 := adam(w0, g.W, s.state1[0], s.state2[0])
	b1 := adam(bt, g.B, s.state1[1], s.state2[1])
	c1 := adam(ct, g.C, s.state1[2], s.state2[2])
	for i := range v {
		for j := range h {
			b1[i] -= w1[i*h+j] * lambda[j]
		}
	}
	for j := range h {
		for i := range v {
			c1[j] -= w1[i*h+j] * mu[i]
		}
	}
	s.steps++
	s.update.prepare(s.cfg, lr, 0, s.rows, s.steps)
	s.pool.Run(&s.update, parts+1)
	s.update.uncenterHidden()
	for _, blk := range []struct {
		name string
		got  []float32
		want []float64
	}{{"W", s.next.W, w1}, {"b", s.next.B, b1}, {"c", s.next.C, c1}} {
		for i, x := range blk.got {
			// float32 arithmetic against float64: a few ulps of values
			// below 10, and of the shifts summed over up to 11 terms.
			if math.Abs(float64(x)-blk.want[i]) > 1e-5 {
				t.Fatalf("%s[%d] = %.7f, want %.7f", blk.name, i, x, blk.want[i])
			}
		}
	}
}
