package denoise

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

// Inpaint restores the unknown visible units of each row of a machine of
// any unit types: missing[i] marks unit i of the visible layer (for Potts
// units, all q columns of the unit) as unknown, and every other unit is
// held at its value in rows. Block Gibbs alternates h ~ p(h | v) and, for
// the unknown units only, v ~ p(v | h); the restoration of an unknown unit
// is the mean of E[v | h] over the recorded sweeps (the Rao-Blackwellised
// posterior mean), and known units keep their values. Rows move in blocks
// as Machine's do, the products on Settings.Workers goroutines. Row r
// draws from a source seeded by (Settings.Seed, r), so the result depends
// on the seed only, whatever the number of workers. Settings' Noise,
// Method and Beta do not apply: there is no flip channel for general unit
// types, and the machine is sampled at β = 1.
//
// It reports the first row whose known values the visible units cannot
// take (NaN, a Potts unit that is not one-hot, …), and ctx's error, with
// no result, if ctx is done first.
func Inpaint(ctx context.Context, m *rbm.Machine, rows *mat.Dense, missing []bool, s Settings) (*mat.Dense, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("denoise: %w", err)
	}
	n, cols := rows.Dims()
	vw, units := m.Visible.Width(), m.Visible.Units()
	switch {
	case n == 0:
		return nil, fmt.Errorf("denoise: no rows")
	case cols != vw:
		return nil, fmt.Errorf("denoise: rows have %d values, the %s visible layer takes %d", cols, m.Visible.Kind(), vw)
	case len(missing) != units:
		return nil, fmt.Errorf("denoise: a mask of %d units for %d visible units", len(missing), units)
	case s.Sweeps < 0 || s.Burnin < 0:
		return nil, fmt.Errorf("denoise: sweeps %d and burn-in %d must not be negative", s.Sweeps, s.Burnin)
	}
	// Unit i owns the columns [i·per, (i+1)·per).
	per := vw / units
	unknown := make([]bool, vw)
	for i, h := range missing {
		for c := i * per; c < (i+1)*per; c++ {
			unknown[c] = h
		}
	}
	out := mat.DenseCopyOf(rows)
	g := newBlockGibbs(m, min(n, machineBlockRows), unknown, false, s.Workers)
	defer g.pool.Close()
	zero := make([]float64, vw)
	start := func(lo, k int) error {
		for r := range k {
			rng := seeds.Indexed(s.Seed, lo+r)
			g.rngs[r] = rng
			v, draw := g.v.RawRowView(r), g.draw.RawRowView(r)
			copy(v, rows.RawRowView(lo+r))
			// Start the unknown units at a draw from their conditional
			// given no hidden input: the visible layer alone.
			m.Visible.Sample(draw, zero, rng)
			for c, u := range unknown {
				if u {
					v[c] = draw[c]
				}
			}
			// The start is a state the units can take unless a known
			// value is not: checking it checks the known values.
			if err := m.Visible.Check(v); err != nil {
				return fmt.Errorf("denoise: row %d: %v", lo+r, err)
			}
		}
		return nil
	}
	sweeps := float64(s.sweeps())
	finish := func(lo, k int) {
		for r := range k {
			dst, sum := out.RawRowView(lo+r), g.sum.RawRowView(r)
			for c, u := range unknown {
				if u {
					dst[c] = sum[c] / sweeps
				}
			}
		}
	}
	if err := g.run(ctx, n, &s, start, finish); err != nil {
		return nil, err
	}
	return out, nil
}

// Machine restores the rows observed (values in the domain of the
// machine's visible units: 0/1 for binary units, ±1 for spins, the state
// 0 … q-1 for Potts units) by block Gibbs sampling of the machine's joint
// posterior, as RBM does for the binary RBM, for any hidden layer. The
// visible layer must be binary, spin or Potts units, the ones a discrete
// channel applies to. Seen through a channel that flips each two-state
// unit with probability ε, an observation y adds discrete.FlipNoise's
// field to the input of each visible unit (binary: (2y - 1)·log((1 -
// ε)/ε); spin: y·log((1 - ε)/ε)/2, the input of a spin multiplying its ±1
// value); through the channel that replaces a q-state unit's value by one
// of the other q-1 with probability ε, it adds discrete.SymmetricNoise's
// log((1 - ε)(q - 1)/ε) to the input of the observed state's column. So
// p(v, h | y) is the machine with that input added to Wh, and alternating
// h ~ p(h | v), v ~ p(v | h, y) samples it, each chain starting at its
// observation. For inpainting (Hidden set) the known units are reset to
// their values after each visible draw instead.
//
// Rows move in blocks of up to 256: each sweep takes the block's inputs
// Wᵀv and Wh as two matrix products on a pool of Settings.Workers
// goroutines, and each row then draws from its layer's conditional with
// its own PCG source, seeded from (Seed, r). Every element of a product
// is one serial sum in a fixed order (kernel.Pool.Dgemm), so a row's
// result depends on the seed and the row only, whatever the number of
// workers and the rows beside it in its block.
//
// The restoration is the posterior probability that each unit is on (for
// spins, +1; for Potts units, of each of its states, q columns per unit),
// averaged over the recorded steps from p(v | h, y) rather than from the
// sampled v (Rao–Blackwellised, as RBM's); known units keep their values.
// Settings' Method and Beta do not apply: the joint posterior is the
// machine's at β = 1 (Model samples the tempered marginal,
// rbm.NewMachineMarginal).
//
// It returns the first bad row's error, before any sampling, or ctx's if
// ctx is done first.
func Machine(ctx context.Context, m *rbm.Machine, observed [][]int8, s Settings) (*Result, error) {
	marginal, err := rbm.NewMachineMarginal(m)
	if err != nil {
		return nil, fmt.Errorf("denoise: %w", err)
	}
	domain := marginal.Domain()
	q := domain.States()
	potts, _ := m.Visible.(*layer.Potts)
	if potts != nil {
		// 2-state Potts units are Binary in the marginal but keep two
		// columns each, as their channel is the symmetric one.
		q = potts.Q()
	}
	if err := s.check(marginal.Units(), q, observed); err != nil {
		return nil, err
	}
	for r, y := range observed {
		for i, x := range y {
			if !domain.Valid(x) {
				return nil, fmt.Errorf("denoise: row %d: unit %d is %d, not a %v value", r, i, x, domain)
			}
		}
	}
	rows, vw := len(observed), m.Visible.Width()
	// Unit i owns the columns [i·per, (i+1)·per): one, or a Potts unit's q.
	per := vw / marginal.Units()
	mean := rbm.NewMatrix(rows, vw)
	if rows == 0 {
		return &Result{Mean: mean}, nil
	}
	var unknown []bool // nil: every unit is resampled
	if s.Hidden != nil {
		unknown = make([]bool, vw)
		for c := range unknown {
			unknown[c] = s.Hidden[c/per]
		}
	}
	g := newBlockGibbs(m, min(rows, machineBlockRows), unknown, s.Hidden == nil, s.Workers)
	defer g.pool.Close()
	// state sets a visible row to the values y.
	state := make([]int, marginal.Units())
	setRow := func(v []float64, y []int8) {
		if potts == nil {
			for i, x := range y {
				v[i] = float64(x)
			}
			return
		}
		for i, x := range y {
			state[i] = int(x)
		}
		potts.SetState(v, state)
	}
	start := func(lo, k int) error {
		for r := range k {
			y := observed[lo+r]
			g.rngs[r] = seeds.RowRand(s.Seed, seeds.MachineDenoise, lo+r)
			setRow(g.v.RawRowView(r), y)
			if g.field == nil {
				continue
			}
			// The evidence: the channel's field on each visible column
			// (inpainting clamps the known units instead).
			fields, err := channelField(domain, potts != nil, q, y, s.Noise)
			if err != nil {
				return fmt.Errorf("denoise: row %d: %w", lo+r, err)
			}
			copy(g.field.RawRowView(r)[:vw], fields)
		}
		return nil
	}
	// E[v] over the two values off < on is off + (on - off)·p(on); a
	// Potts column's mean is its state's probability already.
	off, on := domain.Values()
	if potts != nil {
		off, on = 0, 1
	}
	sweeps := float64(s.sweeps())
	known := make([]float64, vw)
	finish := func(lo, k int) {
		for r := range k {
			y, row, sum := observed[lo+r], mean.Row(lo+r), g.sum.RawRowView(r)
			setRow(known, y)
			for c, x := range sum {
				p := (x/sweeps - float64(off)) / float64(on-off)
				if s.Hidden != nil && !s.Hidden[c/per] {
					p = (known[c] - float64(off)) / float64(on-off)
				}
				row[c] = float32(p)
			}
		}
	}
	if err := g.run(ctx, rows, &s, start, finish); err != nil {
		return nil, err
	}
	return &Result{Mean: mean}, nil
}

// channelField returns the field an observation y seen through the channel
// of rate ε adds to the visible columns of a machine whose marginal has
// domain d: discrete.FlipNoise's for binary and spin units, one per unit;
// for Potts units of q states (onehot), on the observed state's column,
// discrete.SymmetricNoise's log((1-ε)(q-1)/ε), which for q = 2 (a Binary
// marginal) is the flip channel's log((1-ε)/ε) written on two columns.
func channelField(d discrete.Domain, onehot bool, q int, y []int8, rate float64) ([]float64, error) {
	switch {
	case !onehot:
		lik, err := discrete.FlipNoise(d, y, rate)
		if err != nil {
			return nil, err
		}
		return lik.Fields(), nil
	case q > 2:
		lik, err := discrete.SymmetricNoise(d, y, rate)
		if err != nil {
			return nil, err
		}
		return lik.Fields(), nil
	}
	if !(rate > 0 && rate < 0.5) {
		return nil, fmt.Errorf("flip noise: rate %v must lie in (0, 0.5)", rate)
	}
	f := make([]float64, 2*len(y))
	for i, v := range y {
		f[2*i+int(v)] = math.Log((1 - rate) / rate)
	}
	return f, nil
}

// machineBlockRows is the most rows Machine and Inpaint sample together.
// A row's result does not depend on it; at 256 rows of 784 values each
// of the block's matrices is 1.6 MB, and the products are large enough to
// keep both workers of a two-core machine busy.
const machineBlockRows = 256

// blockGibbs runs block Gibbs on a block of rows of a machine at once,
// one chain per row: the inputs of a whole layer come from one product
// on the pool, and each row then samples its layer's conditional (the
// layer's own Sample and Mean) from its own source, a task per row on
// the pool. It is the Job of those per-row tasks.
type blockGibbs struct {
	m    *rbm.Machine
	pool *kernel.Pool
	w    *mat.Dense // m.W as a Visible.Width()×Hidden.Width() matrix
	// unknown marks the visible columns a draw replaces; nil: all of them.
	unknown []bool

	// The block's rows (the first k of each matrix): states v and h, the
	// inputs Wᵀv and Wh, the visible draw and mean of the current sweep,
	// the sum of the recorded means, the evidence added to Wh (nil when
	// there is none), and each row's source.
	k                     int
	v, h, inH, inV        *mat.Dense
	draw, mean, sum       *mat.Dense
	field                 *mat.Dense
	rngs                  []*rand.Rand
	sampleVisible, record bool // the current task: the visible layer (else the hidden); add the mean to sum
}

func newBlockGibbs(m *rbm.Machine, rows int, unknown []bool, evidence bool, workers int) *blockGibbs {
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	g := &blockGibbs{
		m: m, pool: kernel.NewPool(workers), w: mat.NewDense(vw, hw, m.W), unknown: unknown,
		v: mat.NewDense(rows, vw, nil), h: mat.NewDense(rows, hw, nil),
		inH: mat.NewDense(rows, hw, nil), inV: mat.NewDense(rows, vw, nil),
		draw: mat.NewDense(rows, vw, nil), mean: mat.NewDense(rows, vw, nil), sum: mat.NewDense(rows, vw, nil),
		rngs: make([]*rand.Rand, rows),
	}
	if evidence {
		g.field = mat.NewDense(rows, vw, nil)
	}
	return g
}

// first returns the first k rows of x, sharing its storage.
func first(x *mat.Dense, k int) *mat.Dense {
	_, c := x.Dims()
	return x.Slice(0, k, 0, c).(*mat.Dense)
}

// run restores rows rows, a block of up to machineBlockRows at a time:
// start(lo, k) fills v (the chains' starting states), the field if any
// and the sources of rows lo to lo+k-1 of the input into the block's
// first k rows, and finish(lo, k) reads their sums of recorded means
// after the burn-in and recorded sweeps. Progress counts block sweeps.
func (g *blockGibbs) run(ctx context.Context, rows int, s *Settings, start func(lo, k int) error, finish func(lo, k int)) error {
	size, _ := g.v.Dims()
	steps := s.Burnin + s.sweeps()
	total := (rows + size - 1) / size * steps
	for lo := 0; lo < rows; lo += size {
		g.k = min(size, rows-lo)
		if err := start(lo, g.k); err != nil {
			return err
		}
		first(g.sum, g.k).Zero()
		for t := range steps {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("denoise: %w", err)
			}
			g.sweep(t >= s.Burnin)
			if s.Progress != nil {
				s.Progress(lo/size*steps+t+1, total)
			}
		}
		finish(lo, g.k)
	}
	return nil
}

// sweep takes one step v → h → v on the block's rows, adding the visible
// means to sum when record is set.
func (g *blockGibbs) sweep(record bool) {
	k := g.k
	g.pool.MulDense(first(g.inH, k), first(g.v, k), false, g.w, false)
	g.sampleVisible = false
	g.pool.Run(g, k)
	g.pool.MulDense(first(g.inV, k), first(g.h, k), false, g.w, true)
	g.sampleVisible, g.record = true, record
	g.pool.Run(g, k)
}

// Do samples row r's layer of the current task from its input.
func (g *blockGibbs) Do(r int) {
	m, rng := g.m, g.rngs[r]
	if !g.sampleVisible {
		m.Hidden.Sample(g.h.RawRowView(r), g.inH.RawRowView(r), rng)
		return
	}
	in, draw, v := g.inV.RawRowView(r), g.draw.RawRowView(r), g.v.RawRowView(r)
	if g.field != nil {
		for i, f := range g.field.RawRowView(r) {
			in[i] += f
		}
	}
	m.Visible.Sample(draw, in, rng)
	if g.record {
		mean, sum := g.mean.RawRowView(r), g.sum.RawRowView(r)
		m.Visible.Mean(mean, in)
		for i, x := range mean {
			sum[i] += x
		}
	}
	if g.unknown == nil {
		copy(v, draw)
		return
	}
	for i, u := range g.unknown {
		if u {
			v[i] = draw[i]
		}
	}
}
