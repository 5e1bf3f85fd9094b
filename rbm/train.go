package rbm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
)

// Trainer trains an RBM on mini-batches by CD-k, persistent CD or parallel
// tempering, with per-epoch monitoring and, optionally, a held-out
// log-likelihood estimate. Only Config is required; the hooks are optional.
type Trainer struct {
	Config

	// Validation is held-out data; when set, each epoch reports the gap
	// between the mean free energy of training and held-out rows, which
	// grows when the model starts to overfit (guide, section 6).
	Validation Data
	// MonitorRows is the number of training (and validation) rows the
	// per-epoch statistics use; 0 means 500 and a negative value turns the
	// statistics off.
	MonitorRows int

	// Evaluate, when set, estimates the held-out log-likelihood of the
	// model every EvalEvery epochs (0 means every epoch) and after the
	// last; the estimate goes into that epoch's statistics (HeldOut).
	// Train calls Evaluate; TrainMachine calls EvaluateMachine, its
	// counterpart for a Machine, on the same epochs. An estimate that
	// draws random numbers should draw them from a source of its own, so
	// that evaluating leaves training unchanged.
	Evaluate        func(ctx context.Context, m *RBM) (*LogLik, error)
	EvaluateMachine func(ctx context.Context, m *Machine) (*LogLik, error)
	EvalEvery       int
	// KeepBest makes Train (TrainMachine) leave m at the parameters of the
	// evaluated epoch with the highest estimate (the earliest on ties)
	// rather than at the last update, however training ends.
	KeepBest bool

	// Progress is called after every mini-batch.
	Progress func(epoch, batch, batches int)
	// EpochDone is called with each epoch's statistics.
	EpochDone func(EpochStats)
}

// LogLik is an estimate of the mean log-likelihood per row of some data,
// in nats.
type LogLik struct {
	// Method is "exact" or "ais".
	Method string `json:"method"`
	// Mean is the exact value or the estimate.
	Mean float64 `json:"mean"`
	// StdErr is the standard error of an estimate.
	StdErr float64 `json:"std_err,omitempty"`
	// Lower and Upper, when known, are the two sides of a stochastic
	// estimate: for AIS, Upper is forward AIS's (optimistic, since it
	// underestimates log Z) and Lower a conservative estimate.
	Lower *float64 `json:"lower,omitempty"`
	Upper *float64 `json:"upper,omitempty"`
	// LowerStdErr is the standard error of a stochastic Lower.
	LowerStdErr float64 `json:"lower_std_err,omitempty"`
	// Rows is the number of rows averaged.
	Rows int `json:"rows"`
}

// ErrDiverged is wrapped by the error Train returns when an update makes a
// parameter non-finite or larger in magnitude than MaxParameter. The model
// is left at its parameters before that update (or at the best evaluated
// ones, with KeepBest).
var ErrDiverged = errors.New("training diverged")

// MaxParameter bounds the magnitude of every parameter during training: at
// 10⁴ a single weight saturates any sigmoid it feeds in float32, so a
// parameter beyond it means the updates have run away (a learning rate too
// high for the data), not that the model is learning.
const MaxParameter = 1e4

// Train runs the configured number of epochs on the rows of data (a
// *Matrix, or binary rows packed in a *BitMatrix: the result is the same
// bit for bit), updating m in place, and returns the statistics of every
// completed epoch. It
// checks ctx between mini-batches: on cancellation it returns ctx's error
// with m holding the parameters after the last complete update, a
// consistent model that can be saved. Train replaces m's parameter slices
// (W, B, C) with buffers of its own as it goes.
func (t *Trainer) Train(ctx context.Context, m *RBM, data Data) ([]EpochStats, error) {
	cfg, err := t.Config.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("rbm: train: %w", err)
	}
	if t.Evaluate == nil && t.EvaluateMachine != nil {
		return nil, fmt.Errorf("rbm: train: EvaluateMachine evaluates machines (TrainMachine); Train calls Evaluate")
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("rbm: train: %w", err)
	}
	if err := checkData(data); err != nil {
		return nil, fmt.Errorf("rbm: train: %w", err)
	}
	rows, cols := data.Dims()
	if cols != m.Visible || rows == 0 {
		return nil, fmt.Errorf("rbm: train: data is %d×%d, model has %d visible units", rows, cols, m.Visible)
	}
	if v := t.Validation; !noData(v) {
		if err := checkData(v); err != nil {
			return nil, fmt.Errorf("rbm: train: validation: %w", err)
		}
		if _, cols := v.Dims(); cols != m.Visible {
			return nil, fmt.Errorf("rbm: train: validation data has %d columns, model has %d visible units", cols, m.Visible)
		}
	}
	s := newStepper(m, cfg, min(cfg.BatchSize, rows))
	defer s.pool.Close()
	mon := newMonitor(t, m, data, s.pool)

	order := sequence(rows)
	shuffle := seeds.Rand(cfg.Seed, seeds.Shuffle)
	s.start(data, shuffle)
	batches := (rows + s.batch - 1) / s.batch

	var (
		history []EpochStats
		best    *RBM
		eval    func(context.Context) (*LogLik, error)
	)
	if t.Evaluate != nil {
		eval = func(ctx context.Context) (*LogLik, error) { return t.Evaluate(ctx, m) }
	}
	held := newHeldOut(t, cfg.Epochs, eval,
		func() { best = m.Clone() },
		func() {
			copy(m.W, best.W)
			copy(m.B, best.B)
			copy(m.C, best.C)
		})
	// finish leaves m at the best evaluated parameters when asked to.
	finish := func(err error) ([]EpochStats, error) {
		held.finish()
		return history, err
	}
	for e := range cfg.Epochs {
		shuffle.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		lr, mom := cfg.rates(e)
		for b := range batches {
			if err := ctx.Err(); err != nil {
				return finish(err)
			}
			s.load(data, order[b*s.batch:min((b+1)*s.batch, rows)])
			if mx, ok := s.step(lr, mom); !ok {
				return finish(fmt.Errorf("rbm: train: %w in epoch %d, mini-batch %d of %d (learning rate %g): "+
					"a parameter would have become %v; lower the learning rate", ErrDiverged, e+1, b+1, batches, lr, mx))
			}
			if t.Progress != nil {
				t.Progress(e, b+1, batches)
			}
		}
		st := mon.epoch(e + 1)
		st.LearningRate, st.Momentum = lr, mom
		if cfg.Optimizer == Adam {
			st.Momentum = 0
		}
		if s.pt != nil {
			st.SwapRates = s.pt.SwapRates()
			s.pt.ResetSwapRates()
		}
		if !st.finite() {
			return finish(fmt.Errorf("rbm: train: %w in epoch %d: the monitoring figures are not finite; lower the learning rate", ErrDiverged, e+1))
		}
		evaluated, err := held.after(ctx, &st)
		if evaluated {
			mon.restart()
		}
		history = t.record(history, st)
		if err != nil {
			return finish(err)
		}
	}
	return finish(nil)
}

// record appends an epoch's statistics to the history and hands them to
// EpochDone. An epoch is recorded once its last update is done, even when
// its held-out evaluation then fails or is interrupted (its HeldOut is nil
// then): the model being returned has had that epoch.
func (t *Trainer) record(history []EpochStats, st EpochStats) []EpochStats {
	history = append(history, st)
	if t.EpochDone != nil {
		t.EpochDone(st)
	}
	return history
}

// BestEpoch returns the epoch (from 1) whose held-out estimate is highest,
// the earliest on ties, as KeepBest chooses it; 0 when no epoch was
// evaluated.
func BestEpoch(history []EpochStats) int {
	best, mean := 0, math.Inf(-1)
	for _, st := range history {
		if st.HeldOut != nil && st.HeldOut.Mean > mean {
			best, mean = st.Epoch, st.HeldOut.Mean
		}
	}
	return best
}

// stepper owns the buffers of one update so that the training loop
// allocates nothing per step.
//
// The positive and negative statistics share one product: vStack holds the
// data rows above the negative-phase visibles and hStack holds p(h|v0)
// above -p(h|vₖ), so ∇W = vStackᵀ·hStack is a single pass over the
// gradient, each element one fixed chain of sums.
//
// The parameters are double-buffered: an update writes next from m's
// current parameters, and the two swap only when every new value is finite
// and within MaxParameter, so a diverging update never reaches the model.
type stepper struct {
	m      *RBM
	cfg    Config
	pool   *kernel.Pool
	batch  int
	stream uint64
	rows   int // rows in the current mini-batch
	steps  int // updates taken, for Adam's bias corrections

	vStack, hStack *Matrix // 2·batch rows: positive phase, then negative
	vp, chain      *Matrix // p(v|h); PCD chains
	hs, hp         *Matrix // sampled hiddens; p(h|vₖ)
	pt             *Tempering

	gradW, gradB, gradC []float32
	next                *RBM // the parameters an update writes
	// state1 holds the velocities (momentum) or first moments (Adam) of
	// W, b and c in that order; state2 Adam's second moments.
	state1, state2 [3][]float32
	q              []float64 // running mean hidden activation (sparsity)
	center         *centering

	update   updateJob
	biasGrad biasGradJob
}

func newStepper(m *RBM, cfg Config, batch int) *stepper {
	s := &stepper{
		m: m, cfg: cfg, batch: batch,
		pool:   kernel.NewPool(cfg.Workers),
		vStack: NewMatrix(2*batch, m.Visible),
		hStack: NewMatrix(2*batch, m.Hidden),
		vp:     NewMatrix(batch, m.Visible),
		hs:     NewMatrix(batch, m.Hidden),
		hp:     NewMatrix(batch, m.Hidden),
		gradW:  make([]float32, len(m.W)),
		gradB:  make([]float32, m.Visible),
		gradC:  make([]float32, m.Hidden),
		next:   New(m.Visible, m.Hidden),
	}
	sizes := [3]int{len(m.W), m.Visible, m.Hidden}
	for k, n := range sizes {
		s.state1[k] = make([]float32, n)
		if cfg.Optimizer == Adam {
			s.state2[k] = make([]float32, n)
		}
	}
	s.biasGrad.s = s
	s.update.s = s
	if cfg.SparsityTarget > 0 {
		s.q = make([]float64, m.Hidden)
		for j := range s.q {
			s.q[j] = cfg.SparsityTarget
		}
	}
	return s
}

// start prepares the state that outlives one update: the persistent or
// tempered chains, each started at a random training row, and the
// centering offsets.
func (s *stepper) start(data Data, rng *rand.Rand) {
	rows, _ := data.Dims()
	// randomRows draws n row indices, one after another from rng.
	randomRows := func(n int) []int32 {
		idx := make([]int32, n)
		for r := range idx {
			idx[r] = int32(rng.IntN(rows))
		}
		return idx
	}
	switch {
	case s.cfg.Replicas >= 2:
		base := make([]float32, s.m.Visible)
		for i, b := range BaseRates(data) {
			base[i] = float32(b)
		}
		// The chains draw from a seed of their own, so that their streams
		// never coincide with the trainer's.
		s.pt = newTempering(s.m, s.pool, s.cfg.Ladder, base, s.batch, seeds.Split(s.cfg.Seed, seeds.Tempering))
		data.Gather(s.pt.States, randomRows(s.pt.States.Rows))
	case s.cfg.Persistent:
		s.chain = NewMatrix(s.batch, s.m.Visible)
		data.Gather(s.chain, randomRows(s.batch))
	}
	if s.cfg.Centered {
		s.center = newCentering(s.m, data, s.cfg.OffsetRate)
	}
}

// load copies the given data rows into the positive phase.
func (s *stepper) load(data Data, rows []int32) {
	s.rows = len(rows)
	data.Gather(s.vStack, rows)
}

func (s *stepper) sample(dst, p *Matrix) {
	s.stream++
	s.pool.SampleRows(dst.Data, p.Data, p.Cols, s.cfg.Seed, s.stream)
}

// step performs one update: the gradient estimate, its centering, the
// sparsity and L1 penalties, then an optimiser step. It reports false, and leaves m
// unchanged, when the step would make a parameter non-finite or exceed
// MaxParameter, whose magnitude it returns.
func (s *stepper) step(lr, mom float64) (float32, bool) {
	s.gradient()
	n := s.rows
	if s.center != nil {
		// The optimiser steps the centered parameters with their own
		// gradients, and the biases are shifted after to keep the model
		// uncentered (see updateJob.uncenterVisible).
		s.center.transform(s)
	}
	if s.q != nil {
		s.sparsity(s.vStack.Slice(0, n), s.hStack.Slice(0, n))
	}
	if l1 := s.cfg.WeightL1; l1 > 0 {
		kernel.SubL1(s.gradW, s.m.W, float32(float64(n)*l1))
	}
	s.steps++
	s.update.prepare(s.cfg, lr, mom, n, s.steps)
	s.pool.Run(&s.update, parts+1)
	if s.center != nil {
		s.update.uncenterHidden()
	}
	mx := s.update.largest()
	if s.center != nil {
		s.center.slide(s.vStack.Slice(0, n), s.hStack.Slice(0, n))
	}
	if !(mx <= MaxParameter) {
		return mx, false
	}
	m, next := s.m, s.next
	m.W, next.W = next.W, m.W
	m.B, next.B = next.B, m.B
	m.C, next.C = next.C, m.C
	return mx, true
}

// parts is the fixed number of column ranges the elementwise work of a step
// is split into; a fixed split keeps it independent of the worker count
// (each element's arithmetic is the same in any split anyway).
const parts = 8

// updateJob takes an optimiser step from m's parameters into next: task
// t < parts updates the weights and biases of one range of visible units,
// task parts the hidden biases. Weight decay applies to W only.
type updateJob struct {
	s    *stepper
	adam bool
	// The scalars of the step of the optimiser in use, with the weights'
	// decay (block clears it for the biases).
	momentum kernel.MomentumParams[float32]
	adamStep kernel.AdamParams[float32]
	maxAbs   [parts + 1]float32 // per task: the largest magnitude written
	// shiftC[t] accumulates μᵢ·ΔWᵢ over task t's rows, for the hidden
	// biases' shift under centering.
	shiftC [parts][]float64
}

func (u *updateJob) prepare(cfg Config, lr, mom float64, n, t int) {
	u.adam = cfg.Optimizer == Adam
	if u.adam {
		u.adamStep = kernel.AdamAt[float32](lr, cfg.AdamBeta1, cfg.AdamBeta2, cfg.AdamEpsilon, cfg.WeightDecay, n, t)
	} else {
		u.momentum = kernel.MomentumAt[float32](lr, mom, cfg.WeightDecay, n)
	}
}

// largest returns the largest parameter magnitude written by the last
// step (NaN if any is NaN).
func (u *updateJob) largest() float32 {
	var mx float32
	for _, x := range u.maxAbs {
		if x != x {
			return x
		}
		mx = max(mx, x)
	}
	return mx
}

func (u *updateJob) Do(t int) {
	s, m := u.s, u.s.m
	if t == parts {
		u.maxAbs[t] = u.block(2, s.next.C, m.C, s.gradC, 0, m.Hidden, false)
		return
	}
	lo, hi := m.Visible*t/parts, m.Visible*(t+1)/parts
	w := u.block(0, s.next.W, m.W, s.gradW, lo*m.Hidden, hi*m.Hidden, true)
	b := u.block(1, s.next.B, m.B, s.gradB, lo, hi, false)
	if s.center != nil {
		b = u.uncenterVisible(t, lo, hi)
	}
	u.maxAbs[t] = max(w, b)
	if w != w || b != b {
		u.maxAbs[t] = float32(math.NaN())
	}
}

// uncenterVisible turns the steps task t took on the centered visible
// biases b̃ᵢ (rows lo to hi) into steps on the uncentered ones: with
// b = b̃ - Wλ, a step ΔW of the weights moves bᵢ by -ΔWᵢ·λ besides Δb̃ᵢ.
// It also gathers Σᵢ μᵢΔWᵢ over the rows for the hidden biases, c = c̃ -
// Wᵀμ (uncenterHidden), and returns the largest |bᵢ| after the shift.
func (u *updateJob) uncenterVisible(t, lo, hi int) float32 {
	s, m := u.s, u.s.m
	c, h := s.center, m.Hidden
	shift := u.shiftC[t]
	if len(shift) != h {
		shift = make([]float64, h)
		u.shiftC[t] = shift
	}
	clear(shift)
	var mx float32
	for i := lo; i < hi; i++ {
		old, cur := m.W[i*h:(i+1)*h], s.next.W[i*h:(i+1)*h]
		var dl float64
		mu := c.mu[i]
		for j, w := range cur {
			d := float64(w) - float64(old[j])
			dl += d * c.lambda[j]
			shift[j] += mu * d
		}
		s.next.B[i] = float32(float64(s.next.B[i]) - dl)
		mx = max(mx, absf(s.next.B[i]))
	}
	return mx
}

// uncenterHidden shifts the hidden biases by -ΔWᵀμ, summing the tasks'
// parts in task order.
func (u *updateJob) uncenterHidden() {
	next := u.s.next.C
	var mx float32
	for j := range next {
		var d float64
		for t := range parts {
			d += u.shiftC[t][j]
		}
		next[j] = float32(float64(next[j]) - d)
		mx = max(mx, absf(next[j]))
	}
	u.maxAbs[parts] = max(u.maxAbs[parts], mx)
}

// absf returns |x|, or NaN for a NaN so that max keeps it.
func absf(x float32) float32 {
	if x != x {
		return x
	}
	return float32(math.Abs(float64(x)))
}

// block steps elements [lo, hi) of parameter block k (0 W, 1 b, 2 c).
func (u *updateJob) block(k int, dst, p, grad []float32, lo, hi int, decay bool) float32 {
	s := u.s
	dst, p, grad, s1 := dst[lo:hi], p[lo:hi], grad[lo:hi], s.state1[k][lo:hi]
	if u.adam {
		ap := u.adamStep
		if !decay {
			ap.Decay = 0
		}
		return kernel.AdamStep(dst, p, s1, s.state2[k][lo:hi], grad, ap)
	}
	mp := u.momentum
	if !decay {
		mp.Decay = 0
	}
	return kernel.MomentumStep(dst, p, s1, grad, mp)
}

// biasGradJob sums the columns of the stacked phases into the bias
// gradients: tasks t < parts take a range of visible units (data rows
// count +1, negative-phase rows -1), the others a range of hidden units
// (hStack holds -p(h|vₖ) already).
type biasGradJob struct{ s *stepper }

func (b *biasGradJob) Do(t int) {
	s, m, n := b.s, b.s.m, b.s.rows
	if t < parts {
		lo, hi := m.Visible*t/parts, m.Visible*(t+1)/parts
		dst := s.gradB[lo:hi]
		clear(dst)
		kernel.SumRows(dst, s.vStack.Data[lo:], m.Visible, n, 1)
		kernel.SumRows(dst, s.vStack.Data[n*m.Visible+lo:], m.Visible, n, -1)
		return
	}
	t -= parts
	lo, hi := m.Hidden*t/parts, m.Hidden*(t+1)/parts
	dst := s.gradC[lo:hi]
	clear(dst)
	kernel.SumRows(dst, s.hStack.Data[lo:], m.Hidden, 2*n, 1)
}

// gradient sets gradW, gradB and gradC to the batch sums of the estimate
// of the log-likelihood gradient: the positive statistics v0ᵀp(h|v0) from
// the data minus the negative ones vₖᵀp(h|vₖ), vₖ drawn by k block Gibbs
// steps started at the data (CD), at the persistent chains (PCD), or by k
// sweeps of parallel tempering (the chains at β = 1).
func (s *stepper) gradient() {
	m, n := s.m, s.rows
	v0, vs := s.vStack.Slice(0, n), s.vStack.Slice(n, 2*n)
	h0, hNeg := s.hStack.Slice(0, n), s.hStack.Slice(n, 2*n)
	vp, hs, hp := s.vp.Slice(0, n), s.hs.Slice(0, n), s.hp.Slice(0, n)

	hiddenProbs(s.pool, m, h0, v0)
	switch {
	case s.pt != nil:
		for range s.cfg.K {
			s.pt.Sweep()
		}
		copy(vs.Data, s.pt.Model().Data)
		hiddenProbs(s.pool, m, hp, vs)
	default:
		if s.cfg.Persistent {
			hiddenProbs(s.pool, m, hp, s.chain.Slice(0, n))
			s.sample(hs, hp)
		} else {
			s.sample(hs, h0)
		}
		for k := range s.cfg.K {
			visibleProbs(s.pool, m, vp, hs, nil)
			s.sample(vs, vp)
			hiddenProbs(s.pool, m, hp, vs)
			if k+1 < s.cfg.K {
				s.sample(hs, hp)
			}
		}
		if s.cfg.Persistent {
			copy(s.chain.Data, vs.Data)
		}
	}
	for i, x := range hp.Data {
		hNeg.Data[i] = -x
	}
	both := 2 * n
	s.pool.GemmSparseA(true, m.Visible, m.Hidden, both, s.vStack.Data, m.Visible, s.hStack.Data, m.Hidden, s.gradW, m.Hidden)
	s.pool.Run(&s.biasGrad, 2*parts)
}

// sparsity adds the gradient of the guide's sparsity penalty: the
// cross-entropy between the target p and the running mean activation q of
// each hidden unit, whose derivative with respect to a unit's total input
// is p - q; it reaches the hidden bias and, through the mean visible
// activity, the unit's weights. Like the other gradients it is a batch sum.
func (s *stepper) sparsity(v0, h0 *Matrix) {
	m, cfg := s.m, s.cfg
	n := float64(v0.Rows)
	for j := range s.q {
		var mean float64
		for r := range h0.Rows {
			mean += float64(h0.Data[r*m.Hidden+j])
		}
		s.q[j] = cfg.SparsityDecay*s.q[j] + (1-cfg.SparsityDecay)*mean/n
	}
	for i := range m.Visible {
		var vsum float64
		for r := range v0.Rows {
			vsum += float64(v0.Data[r*m.Visible+i])
		}
		row := s.gradW[i*m.Hidden : (i+1)*m.Hidden]
		for j, q := range s.q {
			row[j] += float32(cfg.SparsityCost * (cfg.SparsityTarget - q) * vsum)
		}
	}
	for j, q := range s.q {
		s.gradC[j] += float32(cfg.SparsityCost * (cfg.SparsityTarget - q) * n)
	}
}
