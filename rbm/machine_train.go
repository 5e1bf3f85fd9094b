package rbm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm/layer"
)

// TrainMachine trains m on the rows of data by CD-k or persistent CD, with
// the optimiser, learning-rate and momentum schedules and weight decay of
// t.Config, and reports each epoch as Train does. Every step goes through
// the layers: the positive statistics are vᵀE[h|v] for the weights, the
// visible layer's -∂E/∂θ at the data and the hidden layer's ∂Γ/∂θ at its
// input (the Rao-Blackwellised form); the negative statistics are the same
// at the chains' states.
//
// With Config.Centered the steps follow the centered gradient for any
// pair of unit types (see machineCentering): with offsets μ (the data
// mean at first) and λ (the hidden layer's mean at zero input at first:
// ½ for binary units of zero bias), sliding towards each batch's means
// of v and E[h|v] at OffsetRate, the weights follow
// ⟨(v-μ)(h-λ)ᵀ⟩_data - ⟨(v-μ)(h-λ)ᵀ⟩_model and the layers' parameters
// their gradients in the centered parameterisation; the machine is stored
// uncentered. For two binary layers the steps are the binary trainer's.
//
// With Config.Replicas ≥ 2 the negative phase comes from parallel
// tempering along the machine's annealing path (MachinePath; see
// MachineTempering): one chain per batch row in each of the replicas at
// the inverse temperatures of Config.Ladder, the hottest sampling the
// visible layer fitted to the training data at the start (as Init fits
// it) times the hidden layer, the coldest the machine, whose states are
// the negative phase, centered or not. Strong weights make a machine
// multimodal and a single persistent chain slow to cross between modes;
// the hot replicas cross freely and pass their states down by swaps.
// Each epoch's swap rates are in EpochStats.SwapRates, as Train reports
// them for the binary RBM.
//
// Held-out evaluation (EvaluateMachine, EvalEvery) and KeepBest work as
// in Train. The sparsity target is a binary-RBM method for now (Train);
// TrainMachine refuses it. The same seed gives the same machine, bit for
// bit.
func (t *Trainer) TrainMachine(ctx context.Context, m *Machine, data Data) ([]EpochStats, error) {
	cfg, err := t.Config.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("rbm: train: %w", err)
	}
	if cfg.SparsityTarget > 0 {
		return nil, fmt.Errorf("rbm: train: the sparsity target is implemented for binary RBMs only")
	}
	if t.EvaluateMachine == nil && t.Evaluate != nil {
		return nil, fmt.Errorf("rbm: train: Evaluate evaluates binary RBMs (Train); TrainMachine calls EvaluateMachine")
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("rbm: train: %w", err)
	}
	if err := checkData(data); err != nil {
		return nil, fmt.Errorf("rbm: train: %w", err)
	}
	rows, cols := data.Dims()
	if cols != m.Visible.Width() || rows == 0 {
		return nil, fmt.Errorf("rbm: train: data is %d×%d, the %s visible layer takes %d values per row", rows, cols, m.Visible.Kind(), m.Visible.Width())
	}
	if err := CheckLayerData(m.Visible, data); err != nil {
		return nil, fmt.Errorf("rbm: train: %w", err)
	}
	var val *mat.Dense
	if v := t.Validation; !noData(v) {
		if _, vc := v.Dims(); vc != cols {
			return nil, fmt.Errorf("rbm: train: validation data has %d columns, the visible layer takes %d", vc, cols)
		}
		if err := CheckLayerData(m.Visible, v); err != nil {
			return nil, fmt.Errorf("rbm: train: validation: %w", err)
		}
		if t.MonitorRows >= 0 {
			val = toDense(subset(v, monitorRows(t.MonitorRows), seeds.Next(t.Seed)))
		}
	}
	var train *mat.Dense
	if t.MonitorRows >= 0 {
		train = toDense(subset(data, monitorRows(t.MonitorRows), t.Seed))
	}

	s := newMachineStepper(m, cfg, min(cfg.BatchSize, rows))
	defer s.pool.Close()
	if cfg.Centered {
		s.center = newMachineCentering(m, data, cfg.OffsetRate)
		s.center.pool = s.pool
	}
	order := sequence(rows)
	shuffle := seeds.Rand(cfg.Seed, seeds.Shuffle)
	switch {
	case cfg.Replicas >= 2:
		// The base of the path is fitted here rather than taken from the
		// machine, which may not have been started by Init (or not on
		// this data): the hottest replica should draw the data's base
		// rates whatever the starting point.
		base := m.Visible.Clone()
		sum, sq := columnMoments(data)
		base.Fit(sum, sq, rows)
		path, err := m.Path(base)
		if err != nil {
			return nil, fmt.Errorf("rbm: train: %w", err)
		}
		// The chains draw from a seed of their own, so that their
		// streams never coincide with the trainer's.
		if s.pt, err = newMachineTempering(path, s.pool, cfg.Ladder, s.batch, seeds.Split(cfg.Seed, seeds.Tempering)); err != nil {
			return nil, fmt.Errorf("rbm: train: %w", err)
		}
		// Every chain starts at a random training row, as PCD's do.
		idx := make([]int32, s.batch)
		for k := range cfg.Ladder {
			for r := range idx {
				idx[r] = int32(shuffle.IntN(rows))
			}
			data.Gather(s.gather, idx)
			s.pt.States().Slice(k*s.batch, (k+1)*s.batch, 0, cols).(*mat.Dense).Copy(toDense(s.gather))
		}
	case cfg.Persistent:
		idx := make([]int32, s.batch)
		for r := range idx {
			idx[r] = int32(shuffle.IntN(rows))
		}
		data.Gather(s.gather, idx)
		s.chain = toDense(s.gather)
	}
	batches := (rows + s.batch - 1) / s.batch
	var (
		history []EpochStats
		best    *Machine
		eval    func(context.Context) (*LogLik, error)
	)
	if t.EvaluateMachine != nil {
		eval = func(ctx context.Context) (*LogLik, error) { return t.EvaluateMachine(ctx, m) }
	}
	// The best parameters are copied back into m's own vectors, which the
	// stepper holds: the layers stay the objects the caller passed.
	held := newHeldOut(t, cfg.Epochs, eval,
		func() { best = m.Clone() },
		func() {
			saved := best.paramVectors()
			for k, p := range m.paramVectors() {
				copy(p, saved[k])
			}
		})
	// finish leaves m at the best evaluated parameters when asked to.
	finish := func(err error) ([]EpochStats, error) {
		held.finish()
		return history, err
	}
	for e := range cfg.Epochs {
		started := time.Now()
		shuffle.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		lr, mom := cfg.rates(e)
		for b := range batches {
			if err := ctx.Err(); err != nil {
				return finish(err)
			}
			idx := order[b*s.batch : min((b+1)*s.batch, rows)]
			if !s.step(data, idx, lr, mom) {
				why := fmt.Sprintf("a parameter would have become non-finite or larger than %g", MaxParameter)
				if s.refused != nil {
					why = s.refused.Error()
				}
				return finish(fmt.Errorf("rbm: train: %w in epoch %d, mini-batch %d of %d (learning rate %g): %s; lower the learning rate", ErrDiverged, e+1, b+1, batches, lr, why))
			}
			if t.Progress != nil {
				t.Progress(e, b+1, batches)
			}
		}
		st := EpochStats{Epoch: e + 1, LearningRate: lr, Momentum: mom, Seconds: time.Since(started).Seconds()}
		if cfg.Optimizer == Adam {
			st.Momentum = 0
		}
		if s.pt != nil {
			st.SwapRates = s.pt.SwapRates()
		}
		if train != nil {
			st.ReconError = m.reconstructionError(s.pool, train)
			st.FreeEnergyTrain = m.meanFreeEnergy(s.pool, train)
			if val != nil {
				fv := m.meanFreeEnergy(s.pool, val)
				gap := fv - st.FreeEnergyTrain
				st.FreeEnergyVal, st.Gap = &fv, &gap
			}
		}
		if !st.finite() {
			return finish(fmt.Errorf("rbm: train: %w in epoch %d: the monitoring figures are not finite; lower the learning rate", ErrDiverged, e+1))
		}
		// The estimate comes after the epoch's time is taken: Seconds is
		// the training's alone.
		_, err := held.after(ctx, &st)
		history = t.record(history, st)
		if err != nil {
			return finish(err)
		}
	}
	return finish(nil)
}

func monitorRows(n int) int {
	if n == 0 {
		return 500
	}
	return n
}

// CheckLayerData reports the first row of data (counted from 1) that the
// units of layer l cannot take: a Potts row that is not one-hot, a
// negative value for ReLU units, ….
func CheckLayerData(l layer.Layer, data Data) error {
	rows, cols := data.Dims()
	const chunk = 1024
	buf := NewMatrix(min(chunk, rows), cols)
	row := make([]float64, cols)
	for lo := 0; lo < rows; lo += chunk {
		n := min(chunk, rows-lo)
		idx := make([]int32, n)
		for r := range idx {
			idx[r] = int32(lo + r)
		}
		data.Gather(buf, idx)
		for r := range n {
			for j, x := range buf.Row(r) {
				row[j] = float64(x)
			}
			if err := l.Check(row); err != nil {
				return fmt.Errorf("row %d: %v", lo+r+1, err)
			}
		}
	}
	return nil
}

// toDense converts a float32 matrix to a gonum float64 one.
func toDense(x *Matrix) *mat.Dense {
	d := mat.NewDense(max(x.Rows, 1), max(x.Cols, 1), nil)
	if x.Rows == 0 || x.Cols == 0 {
		return d
	}
	raw := d.RawMatrix().Data
	for i, v := range x.Data {
		raw[i] = float64(v)
	}
	return d
}

// machineStepper owns the buffers and optimiser state of TrainMachine.
type machineStepper struct {
	m     *Machine
	cfg   Config
	batch int
	pool  *kernel.Pool // the products, on Config.Workers goroutines
	packs weightPacks  // W packed for the products of a step
	rng   *rand.Rand   // the draws of the negative phase, from src
	src   *rand.PCG
	steps int
	// normal checks that a step keeps a machine of two Gaussian layers
	// normalisable; refused says why the last refused step was.
	normal  gaussianCheck
	refused error

	gather *Matrix           // rows as the data hands them over
	chain  *mat.Dense        // persistent chains
	pt     *MachineTempering // tempered chains, with Config.Replicas ≥ 2
	// params lists the trained parameter vectors: W, then each layer's
	// parameters that are not fixed; grads, state1 (velocity or Adam's
	// first moment) and state2 (Adam's second moment) follow it.
	params                [][]float64
	vGrad, hGrad          [][]float64 // the layers' gradients, as layer.NewGrad shapes them
	grads, state1, state2 [][]float64
	backup                [][]float64
	// gradWZero says that W's gradient is all zeros: the optimiser's
	// tasks clear it in parallel after their step, which spares the next
	// update a serial pass over it; accumulating into it unsets it.
	gradWZero bool
	center    *machineCentering // nil unless Config.Centered

	// Scratch space of batch rows, reused from step to step (a step on
	// fewer rows takes views of the first ones), so that a step
	// allocates nothing: the data rows, the negative phase's rows, the
	// centered rows, the hidden inputs, states and means, the visible
	// inputs, and one row's layer gradients.
	v0, vk, x, inH, h, mean, inV *mat.Dense
	vRowGrad, hRowGrad           [][]float64
	// in0 is v0·W of an uncentered CD step, which its first Gibbs sweep
	// and its positive phase share (made at the first such step);
	// haveIn0 says that step has computed it for update.
	in0     *mat.Dense
	haveIn0 bool

	opt machineOptimizerJob // the optimiser's step, on the pool

	// The layers' conditionals, on the pool one row per task (see
	// machine_rows.go).
	sampleJob rowSampleJob
	stats     rowStatsJob
	sums      termSumJob
	centerJob centerRowsJob
	hSum      []float64 // the column sums of E[h|v0], centered
}

// weightPacks is a machine's W packed for the products of one training
// step (kernel.DPacked): W for the products x·W (the hidden inputs of the
// Gibbs sweeps and of both phases' statistics, three products a CD-1
// step) and Wᵀ for h·Wᵀ (the sweeps' visible inputs). Each is packed when
// first used after reset, once instead of in every task of every
// product; the products are the same bits. Whoever writes W calls reset.
type weightPacks struct {
	w, wt         kernel.DPacked
	haveW, haveWT bool
}

// reset drops the packs: W has changed, or may have.
func (p *weightPacks) reset() { p.haveW, p.haveWT = false, false }

// mul sets dst = x·W for m's weights, on pool.
func (p *weightPacks) mul(pool *kernel.Pool, dst, x *mat.Dense, m *Machine) {
	if !p.haveW {
		vw, hw := m.Visible.Width(), m.Hidden.Width()
		pool.PackDgemmB(&p.w, false, vw, hw, m.W, hw)
		p.haveW = true
	}
	pool.MulDensePacked(dst, x, false, &p.w)
}

// mulT sets dst = h·Wᵀ for m's weights, on pool.
func (p *weightPacks) mulT(pool *kernel.Pool, dst, h *mat.Dense, m *Machine) {
	if !p.haveWT {
		vw, hw := m.Visible.Width(), m.Hidden.Width()
		pool.PackDgemmB(&p.wt, true, hw, vw, m.W, hw)
		p.haveWT = true
	}
	pool.MulDensePacked(dst, h, false, &p.wt)
}

// rows returns the first n rows of d, sharing its storage: d itself when
// that is all of it, as it is for every full mini-batch, so that a step
// allocates no view.
func rows(d *mat.Dense, n int) *mat.Dense {
	r, c := d.Dims()
	if n == r {
		return d
	}
	return d.Slice(0, n, 0, c).(*mat.Dense)
}

func newMachineStepper(m *Machine, cfg Config, batch int) *machineStepper {
	s := &machineStepper{
		m: m, cfg: cfg, batch: batch,
		pool:   kernel.NewPool(cfg.Workers),
		src:    seeds.PCG(seeds.Split(cfg.Seed, seeds.MachineCD), seeds.MachineCDRand),
		gather: NewMatrix(batch, m.Visible.Width()),
		vGrad:  layer.NewGrad(m.Visible),
		hGrad:  layer.NewGrad(m.Hidden),
	}
	s.rng = rand.New(s.src)
	s.sampleJob.src = make([]rand.PCG, batch)
	s.sampleJob.rng = make([]*rand.Rand, batch)
	for r := range batch {
		s.sampleJob.rng[r] = rand.New(&s.sampleJob.src[r])
	}
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	s.v0, s.vk, s.x, s.inV = mat.NewDense(batch, vw, nil), mat.NewDense(batch, vw, nil), mat.NewDense(batch, vw, nil), mat.NewDense(batch, vw, nil)
	s.inH, s.h, s.mean = mat.NewDense(batch, hw, nil), mat.NewDense(batch, hw, nil), mat.NewDense(batch, hw, nil)
	s.vRowGrad, s.hRowGrad = layer.NewGrad(m.Visible), layer.NewGrad(m.Hidden)
	s.newRowStats(batch)
	s.params = [][]float64{m.W}
	s.grads = [][]float64{make([]float64, len(m.W))}
	for _, lg := range []struct {
		l    layer.Layer
		grad [][]float64
	}{{m.Visible, s.vGrad}, {m.Hidden, s.hGrad}} {
		for k, p := range lg.l.Params() {
			if !p.Fixed {
				s.params = append(s.params, p.Values)
				s.grads = append(s.grads, lg.grad[k])
			}
		}
	}
	s.opt.s = s
	// W is params[0], so its chunks are the first.
	s.opt.bad = make([]bool, (len(m.W)+optimizerChunk-1)/optimizerChunk)
	for k, p := range s.params {
		for lo := 0; lo < len(p); lo += optimizerChunk {
			s.opt.chunks = append(s.opt.chunks, paramChunk{k, lo, min(lo+optimizerChunk, len(p))})
		}
		s.state1 = append(s.state1, make([]float64, len(p)))
		s.backup = append(s.backup, make([]float64, len(p)))
		if cfg.Optimizer == Adam {
			s.state2 = append(s.state2, make([]float64, len(p)))
		}
	}
	return s
}

// machineOptimizerJob takes the optimiser step of a machineStepper on the
// pool, one chunk of one parameter vector per task: each element's step
// depends on that element alone, so the split never changes a result.
//
// The tasks on W also take its backup (the copy a refused step restores)
// and check its new values: W is by far the largest vector, and its chunk
// is then still in the core's cache. The backup of the layers'
// parameters is taken before the step, since the centered step shifts
// them before the optimiser runs (see update).
type machineOptimizerJob struct {
	s      *machineStepper
	chunks []paramChunk
	// The scalars of the step of the optimiser in use, with W's decay
	// (the layers' parameters take none).
	momentum kernel.MomentumParams[float64]
	adam     kernel.AdamParams[float64]
	bad      []bool // per chunk of W: a new value out of range
}

// paramChunk is elements [lo, hi) of parameter vector k of a stepper.
type paramChunk struct{ k, lo, hi int }

// optimizerChunk is the length of the chunks of machineOptimizerJob.
const optimizerChunk = 1 << 14

func (j *machineOptimizerJob) Do(t int) {
	s, c := j.s, j.chunks[t]
	p, grad, state1 := s.params[c.k][c.lo:c.hi], s.grads[c.k][c.lo:c.hi], s.state1[c.k][c.lo:c.hi]
	var state2 []float64
	if s.cfg.Optimizer == Adam {
		state2 = s.state2[c.k][c.lo:c.hi]
	}
	if c.k == 0 {
		// W, with weight decay, in the vectorised steps, which take its
		// backup on the way.
		backup := s.backup[0][c.lo:c.hi]
		if s.cfg.Optimizer == Adam {
			j.bad[t] = !kernel.AdamStep64(p, backup, state1, state2, grad, j.adam, MaxParameter)
		} else {
			j.bad[t] = !kernel.MomentumStep64(p, backup, state1, grad, j.momentum, MaxParameter)
		}
		// W's gradient is cleared here, where its chunk is still in the
		// core's cache, for the next step (see gradWZero).
		clear(grad)
		return
	}
	// A layer's parameters, without weight decay: short vectors, which the
	// portable loops (the steps' definitions) take, leaving their backup
	// and check to update.
	if s.cfg.Optimizer == Adam {
		a := j.adam
		a.Decay = 0
		kernel.AdamLoop(p, p, state1, state2, grad, a)
	} else {
		m := j.momentum
		m.Decay = 0
		kernel.MomentumLoop(p, p, state1, grad, m)
	}
}

// withinMax reports whether every value of p is finite and at most
// MaxParameter in magnitude.
func withinMax(p []float64) bool {
	for _, x := range p {
		if !(math.Abs(x) <= MaxParameter) {
			return false
		}
	}
	return true
}

// step takes one update on the given rows and reports false, leaving the
// parameters as they were, when the update would make one non-finite or
// larger than MaxParameter.
func (s *machineStepper) step(data Data, idx []int32, lr, mom float64) bool {
	// W may have been written since the last step (KeepBest restores it).
	s.packs.reset()
	n := len(idx)
	data.Gather(s.gather, idx)
	v0 := rows(s.v0, n)
	raw := v0.RawMatrix().Data // n full rows: the stride is the width
	for i, x := range s.gather.Data[:n*s.gather.Cols] {
		raw[i] = float64(x)
	}

	// The negative phase: k sweeps from the data (CD), the persistent
	// chains (PCD) or of parallel tempering (its replica at β = 1).
	var vk *mat.Dense
	switch {
	case s.pt != nil:
		for range s.cfg.K {
			s.pt.Sweep()
		}
		vk = rows(s.pt.Model(), n)
	case s.chain != nil:
		vk = rows(s.chain, n)
		s.gibbs(vk)
	case s.center == nil:
		// Uncentered CD: the first sweep's hidden input is the positive
		// phase's, v0·W, computed once for both (the same product of the
		// same values, so the same bits); update takes it from in0.
		if s.in0 == nil {
			s.in0 = mat.NewDense(s.batch, s.m.Hidden.Width(), nil)
		}
		in0 := rows(s.in0, n)
		s.packs.mul(s.pool, in0, v0, s.m)
		vk = rows(s.vk, n)
		vk.Copy(v0)
		s.gibbsFrom(vk, in0)
		s.haveIn0 = true
	default:
		vk = rows(s.vk, n)
		vk.Copy(v0)
		s.gibbs(vk)
	}
	return s.update(v0, vk, lr, mom)
}

// update takes the optimiser step from the data rows v0 and the
// negative-phase rows vk (as many), as step does.
func (s *machineStepper) update(v0, vk *mat.Dense, lr, mom float64) bool {
	m := s.m
	n, _ := v0.Dims()
	// The backup, taken in the stored parameterisation, restores a failed
	// centered step too: ShiftField writes only the field parameters
	// (biases, means), which are always trained and so in s.params. The
	// optimiser's job backs up W (params[0]), which nothing before it
	// writes.
	for k := 1; k < len(s.params); k++ {
		copy(s.backup[k], s.params[k])
	}
	for k, g := range s.grads {
		if k > 0 || !s.gradWZero {
			clear(g)
		}
	}
	s.gradWZero = false
	if s.center != nil {
		// Gradients and step are taken in the centered parameterisation
		// (machineCentering); the layers are shifted back below.
		s.center.shift(m, 1)
	}
	var hSum []float64
	if s.center != nil {
		hSum = s.hSum
	}
	var in0 *mat.Dense
	if s.haveIn0 {
		in0 = rows(s.in0, n)
		s.haveIn0 = false
	}
	s.accumulateFrom(v0, in0, 1, hSum)
	s.accumulate(vk, -1, nil)
	for _, lg := range []struct {
		l    layer.Layer
		grad [][]float64
	}{{m.Visible, s.vGrad}, {m.Hidden, s.hGrad}} {
		if p, ok := lg.l.(layer.Preconditioner); ok {
			p.Precondition(lg.grad)
		}
	}

	// The update: gradient ascent on the log-likelihood, averaged over
	// the batch, with weight decay and the L1 penalty on W only.
	if l1 := s.cfg.WeightL1; l1 > 0 {
		kernel.SubL1(s.grads[0], m.W, float64(n)*l1)
	}
	s.steps++
	if s.cfg.Optimizer == Adam {
		s.opt.adam = kernel.AdamAt[float64](lr, s.cfg.AdamBeta1, s.cfg.AdamBeta2, s.cfg.AdamEpsilon, s.cfg.WeightDecay, n, s.steps)
	} else {
		s.opt.momentum = kernel.MomentumAt[float64](lr, mom, s.cfg.WeightDecay, n)
	}
	s.pool.Run(&s.opt, len(s.opt.chunks))
	s.gradWZero = true
	s.packs.reset()
	if s.center != nil {
		s.center.shift(m, -1)
		s.center.slide(v0, hSum)
	}
	// The job checked W; the layers' parameters are checked here, after
	// the centered step has shifted them back.
	ok := !slices.Contains(s.opt.bad, true)
	for _, p := range s.params[1:] {
		ok = ok && withinMax(p)
	}
	s.refused = nil
	if ok {
		// Two Gaussian layers can lose their joint density while every
		// parameter stays in range (gaussianCheck).
		if err := s.normal.check(m); err != nil {
			ok, s.refused = false, err
		}
	}
	if !ok {
		for k := range s.params {
			copy(s.params[k], s.backup[k])
		}
	}
	return ok
}

// CDGradient returns the CD-k estimate of the gradient of the mean
// log-likelihood of the rows of data, averaged over chains independent
// chains per row, each a fresh CD-k chain started at its row: the
// statistics the trainer's steps are made of (the positive and negative
// phases of TrainMachine, uncentered, before the preconditioning of the
// layers that have one and without weight decay), in ExactGradient's
// layout, so that the two compare block by block and the difference is
// the bias and noise of CD-k. The draws come from a source seeded by
// seed, as the trainer's do from Config.Seed; the products use workers
// goroutines (0: every core), which never changes the result. It takes
// the arguments of RBM.CDGradient.
func (m *Machine) CDGradient(data *mat.Dense, k, chains int, seed uint64, workers int) (*MachineGradient, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("rbm: CD gradient: %w", err)
	}
	rows, cols := data.Dims()
	if cols != m.Visible.Width() {
		return nil, fmt.Errorf("rbm: CD gradient: data is %d×%d, the %s visible layer takes %d values per row", rows, cols, m.Visible.Kind(), m.Visible.Width())
	}
	if k < 1 || chains < 1 {
		return nil, fmt.Errorf("rbm: CD gradient: k = %d and chains = %d must be positive", k, chains)
	}
	s := newMachineStepper(m, Config{K: k, Seed: seed, Workers: workers}, rows)
	defer s.pool.Close()
	// The positive phase is the same for every chain: counted once,
	// chains times.
	// So is the chains' first hidden input, data·W.
	in0 := mat.NewDense(rows, m.Hidden.Width(), nil)
	s.packs.mul(s.pool, in0, data, m)
	s.accumulateFrom(data, in0, float64(chains), nil)
	vk := mat.NewDense(rows, cols, nil)
	for range chains {
		vk.Copy(data)
		s.gibbsFrom(vk, in0)
		s.accumulate(vk, -1, nil)
	}
	g := NewMachineGradient(m)
	g.addScaled(1/float64(chains*rows), &MachineGradient{W: s.grads[0], Visible: s.vGrad, Hidden: s.hGrad})
	return g, nil
}

// gibbs takes K block Gibbs sweeps v → h → v on every row of v in place,
// the products for all rows at once, the draws row after row from the
// trainer's source (in parallel where that gives the same draws, see
// sample).
func (s *machineStepper) gibbs(v *mat.Dense) { s.gibbsFrom(v, nil) }

// gibbsFrom is gibbs with the first sweep's hidden input v·W given in in0
// (which it leaves alone: layers never write their input), or computed
// when in0 is nil.
func (s *machineStepper) gibbsFrom(v, in0 *mat.Dense) {
	m := s.m
	n, _ := v.Dims()
	inH, h, inV := rows(s.inH, n), rows(s.h, n), rows(s.inV, n)
	for sweep := range s.cfg.K {
		in := inH
		if sweep == 0 && in0 != nil {
			in = in0
		} else {
			s.packs.mul(s.pool, in, v, m)
		}
		s.sample(m.Hidden, h, in)
		s.packs.mulT(s.pool, inV, h, m)
		s.sample(m.Visible, v, inV)
	}
}

// accumulate adds sign times the sufficient statistics of the rows of v
// to the gradients: vᵀE[h|v] for W, the visible layer's -∂E/∂θ at each
// row and the hidden layer's ∂Γ/∂θ at each row's input. Centered (with
// the layers in the centered parameterisation, see machineCentering) they
// are (v-μ)ᵀ(E[h|v]-λ), -∂E_v/∂θ̃_v at v and ∂Γ_h/∂θ̃_h at the centered
// input Wᵀ(v-μ). Centered, it sets hSum, unless nil, to the column sums
// of E[h|v] (for the offsets).
func (s *machineStepper) accumulate(v *mat.Dense, sign float64, hSum []float64) {
	s.accumulateFrom(v, nil, sign, hSum)
}

// accumulateFrom is accumulate with the hidden input v·W of the rows of v
// given in in, uncentered only, or computed when in is nil.
func (s *machineStepper) accumulateFrom(v, in *mat.Dense, sign float64, hSum []float64) {
	m := s.m
	n, _ := v.Dims()
	x := v
	if s.center != nil {
		x = rows(s.x, n)
		s.centerJob.dst, s.centerJob.x, s.centerJob.off = x, v, s.center.mu
		s.pool.Run(&s.centerJob, n)
		s.centerJob = centerRowsJob{}
	}
	mean := rows(s.mean, n)
	if in == nil {
		in = rows(s.inH, n)
		s.packs.mul(s.pool, in, x, m)
	}
	// E[h|v] and each row's terms of the layers' gradients, row by row on
	// the pool; the terms' sums go into the gradients below. On one
	// worker the rows' terms go straight into the sums, which is what the
	// pool's tasks add up afterwards (the same additions in the same
	// order), sparing the per-row buffers and their memory traffic.
	st := &s.stats
	st.v, st.in, st.mean = v, in, mean
	s.sums.n, s.sums.sign, s.sums.mean, s.sums.hSum = n, sign, mean, hSum
	serial := s.pool.Workers() == 1
	if serial {
		st.addRows(n)
	} else {
		s.pool.Run(st, n)
	}
	st.v, st.in, st.mean = nil, nil, nil
	// The sums of the terms, and centered the column sums of E[h|v] and
	// the centering of the means, which the product below takes.
	first, tasks := 0, s.sums.layerChunks
	if serial {
		first = s.sums.layerChunks
	}
	if s.center != nil {
		tasks = len(s.sums.chunks)
	}
	s.sums.first = first
	s.pool.Run(&s.sums, tasks-first)
	s.sums.mean, s.sums.hSum = nil, nil
	// The weights' statistics xᵀ·mean go straight into their gradient:
	// grads[0] += sign·xᵀ·mean.
	s.gradWZero = false
	xr, mr := x.RawMatrix(), mean.RawMatrix()
	s.pool.Dgemm(true, false, m.Visible.Width(), m.Hidden.Width(), n, sign, xr.Data, xr.Stride, mr.Data, mr.Stride, 1, s.grads[0], m.Hidden.Width())
}

func floatsAddScaled(dst []float64, a float64, x []float64) {
	for i, v := range x {
		dst[i] += a * v
	}
}

// reconstructionError returns the mean over rows of Σᵢ (vᵢ - E[vᵢ|h])²
// with h = E[h|v], computing on the pool p.
func (m *Machine) reconstructionError(p *kernel.Pool, v *mat.Dense) float64 {
	r := m.reconstruct(p, v)
	r.Sub(r, v)
	rows, _ := v.Dims()
	var sum float64
	for _, x := range r.RawMatrix().Data {
		sum += x * x
	}
	return sum / float64(rows)
}

// meanFreeEnergy returns the mean of F(v) over the rows of v: the rows'
// free energies on the pool p, their sum in row order, so that the figure
// is the same whatever p.
func (m *Machine) meanFreeEnergy(p *kernel.Pool, v *mat.Dense) float64 {
	rows, _ := v.Dims()
	f := make([]float64, rows)
	p.Run(rowJob(func(r int) { f[r] = m.FreeEnergy(v.RawRowView(r)) }), rows)
	var sum float64
	for _, x := range f {
		sum += x
	}
	return sum / float64(rows)
}

// Dense returns the matrix's values in float64, as a gonum matrix: the
// form Machine's batch methods take. m must have at least one row and
// one column.
func (m *Matrix) Dense() *mat.Dense { return toDense(m) }
