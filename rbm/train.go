package rbm

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/rbmkit/rbm/internal/kernel"
)

// Trainer trains an RBM by CD-k or persistent CD on mini-batches, with
// per-epoch monitoring. Only Config is required; the hooks are optional.
type Trainer struct {
	Config

	// Validation is held-out data; when set, each epoch reports the gap
	// between the mean free energy of training and held-out rows, which
	// grows when the model starts to overfit (guide, section 6).
	Validation *Matrix
	// MonitorRows is the number of training (and validation) rows the
	// per-epoch statistics use; 0 means 500 and a negative value turns the
	// statistics off.
	MonitorRows int

	// Progress is called after every mini-batch.
	Progress func(epoch, batch, batches int)
	// EpochDone is called with each epoch's statistics.
	EpochDone func(EpochStats)
}

// Train runs the configured number of epochs on the rows of data, updating
// m in place, and returns the statistics of every completed epoch. It
// checks ctx between mini-batches: on cancellation it returns ctx's error
// with m holding the parameters after the last complete update, a
// consistent model that can be saved.
func (t *Trainer) Train(ctx context.Context, m *RBM, data *Matrix) ([]EpochStats, error) {
	cfg, err := t.Config.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("rbm: train: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("rbm: train: %w", err)
	}
	if data.Cols != m.Visible || data.Rows == 0 || len(data.Data) != data.Rows*data.Cols {
		return nil, fmt.Errorf("rbm: train: data is %d×%d, model has %d visible units", data.Rows, data.Cols, m.Visible)
	}
	if v := t.Validation; v != nil && (v.Cols != m.Visible || len(v.Data) != v.Rows*v.Cols) {
		return nil, fmt.Errorf("rbm: train: validation data has %d columns, model has %d visible units", v.Cols, m.Visible)
	}
	s := newStepper(m, cfg, min(cfg.BatchSize, data.Rows))
	defer s.pool.Close()
	mon := newMonitor(t, m, data, s.pool)

	order := make([]int32, data.Rows)
	for i := range order {
		order[i] = int32(i)
	}
	shuffle := rand.New(rand.NewPCG(cfg.Seed, 0x5_4f_ff1e))
	if cfg.Persistent {
		s.initChains(data, shuffle)
	}
	batches := (data.Rows + s.batch - 1) / s.batch

	var history []EpochStats
	for e := range cfg.Epochs {
		shuffle.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		lr, mom := cfg.rates(e)
		for b := range batches {
			if err := ctx.Err(); err != nil {
				return history, err
			}
			rows := order[b*s.batch : min((b+1)*s.batch, data.Rows)]
			s.load(data, rows)
			s.step(float32(lr), float32(mom))
			if t.Progress != nil {
				t.Progress(e, b+1, batches)
			}
		}
		st := mon.epoch(e + 1)
		st.LearningRate, st.Momentum = lr, mom
		history = append(history, st)
		if t.EpochDone != nil {
			t.EpochDone(st)
		}
	}
	if err := m.Validate(); err != nil {
		return history, fmt.Errorf("rbm: train: training diverged (lower the learning rate): %w", err)
	}
	return history, nil
}

// stepper owns the buffers of one CD/PCD update so that the training loop
// allocates nothing per step.
//
// The positive and negative statistics share one product: vStack holds the
// data rows above the negative-phase visibles and hStack holds p(h|v0)
// above -p(h|vₖ), so ∇W = vStackᵀ·hStack is a single pass over the
// gradient, each element one fixed chain of sums.
type stepper struct {
	m      *RBM
	cfg    Config
	pool   *kernel.Pool
	batch  int
	stream uint64
	rows   int // rows in the current mini-batch

	vStack, hStack *Matrix // 2·batch rows: positive phase, then negative
	vp, chain      *Matrix // p(v|h); PCD chains
	hs, hp         *Matrix // sampled hiddens; p(h|vₖ)
	gradW, velW    []float32
	gradB, gradC   []float32
	velB, velC     []float32
	q              []float64 // running mean hidden activation (sparsity)

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
		velW:   make([]float32, len(m.W)),
		gradB:  make([]float32, m.Visible),
		gradC:  make([]float32, m.Hidden),
		velB:   make([]float32, m.Visible),
		velC:   make([]float32, m.Hidden),
	}
	s.biasGrad.s = s
	if cfg.SparsityTarget > 0 {
		s.q = make([]float64, m.Hidden)
		for j := range s.q {
			s.q[j] = cfg.SparsityTarget
		}
	}
	return s
}

// initChains starts one persistent chain per mini-batch row from a random
// training row.
func (s *stepper) initChains(data *Matrix, rng *rand.Rand) {
	s.chain = NewMatrix(s.batch, s.m.Visible)
	for r := range s.batch {
		copy(s.chain.Row(r), data.Row(rng.IntN(data.Rows)))
	}
}

// load copies the given data rows into the positive phase.
func (s *stepper) load(data *Matrix, rows []int32) {
	s.rows = len(rows)
	for r, i := range rows {
		copy(s.vStack.Row(r), data.Row(int(i)))
	}
}

func (s *stepper) sample(dst, p *Matrix) {
	s.stream++
	s.pool.SampleRows(dst.Data, p.Data, p.Cols, s.cfg.Seed, s.stream)
}

// step performs one update: the gradient estimate, then a momentum step
// with weight decay on W.
func (s *stepper) step(lr, mom float32) {
	s.gradient()
	n := s.rows
	if s.q != nil {
		s.sparsity(s.vStack.Slice(0, n), s.hStack.Slice(0, n))
	}
	// The gradients are batch sums, hence the division by n.
	s.update = updateJob{s: s, rate: lr / float32(n), decay: lr * float32(s.cfg.WeightDecay), mom: mom}
	s.pool.Run(&s.update, parts+1)
}

// parts is the fixed number of column ranges the elementwise work of a step
// is split into; a fixed split keeps it independent of the worker count
// (each element's arithmetic is the same in any split anyway).
const parts = 8

// updateJob takes a momentum step with weight decay: task t < parts
// updates the weights and biases of one range of visible units, task
// parts the hidden biases.
type updateJob struct {
	s                *stepper
	rate, decay, mom float32
}

func (u *updateJob) Do(t int) {
	s, m := u.s, u.s.m
	if t == parts {
		for j, g := range s.gradC {
			s.velC[j] = u.mom*s.velC[j] + u.rate*g
			m.C[j] += s.velC[j]
		}
		return
	}
	lo, hi := m.Visible*t/parts, m.Visible*(t+1)/parts
	kernel.MomentumStep(m.W[lo*m.Hidden:hi*m.Hidden], s.velW[lo*m.Hidden:hi*m.Hidden], s.gradW[lo*m.Hidden:hi*m.Hidden], u.mom, u.rate, u.decay)
	for i := lo; i < hi; i++ {
		s.velB[i] = u.mom*s.velB[i] + u.rate*s.gradB[i]
		m.B[i] += s.velB[i]
	}
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

// gradient sets gradW, gradB and gradC to the batch sums of the CD-k (or
// PCD-k) estimate of the log-likelihood gradient: the positive statistics
// v0ᵀp(h|v0) from the data minus the negative ones vₖᵀp(h|vₖ) after k block
// Gibbs steps started at the data (CD) or at the persistent chains (PCD).
func (s *stepper) gradient() {
	m, n := s.m, s.rows
	v0, vs := s.vStack.Slice(0, n), s.vStack.Slice(n, 2*n)
	h0, hNeg := s.hStack.Slice(0, n), s.hStack.Slice(n, 2*n)
	vp, hs, hp := s.vp.Slice(0, n), s.hs.Slice(0, n), s.hp.Slice(0, n)

	hiddenProbs(s.pool, m, h0, v0)
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
