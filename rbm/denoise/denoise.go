// Package denoise restores binary rows (images, typically) with a model as
// prior: denoising samples the posterior p(x | y) of a clean x given an
// observation y seen through a channel that flips each unit independently
// with probability Settings.Noise, and inpainting samples the hidden units
// of a row given its other, known units. The restoration is the posterior
// mean of each unit, estimated from the recorded sweeps.
//
// RBM runs block Gibbs on an RBM's visible and hidden units, whole layers
// per step and many rows at once; Machine does the same, blocks of rows
// at a time, for a machine (rbm.Machine) with binary or spin visible
// units and any hidden layer, and Inpaint inpaints machines of any unit
// types the same way; Model updates single units of any discrete model
// (such as an RBM's visible marginal, rbm.NewMarginal, or a machine's,
// rbm.NewMachineMarginal), at any inverse temperature, one row at a time.
// All are seeded by Settings.Seed, and their results never depend on
// Settings.Workers.
package denoise

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/gibbs"
	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
)

// Settings configure a restoration. The zero value denoises with 50
// recorded sweeps and no burn-in, seed 0, on every core, but Noise must be
// set to denoise.
type Settings struct {
	// Noise is the flip probability of the channel the rows were seen
	// through, in (0, 0.5); it is ignored when inpainting (Hidden set).
	Noise float64
	// Hidden, when set, turns denoising into inpainting: the units i with
	// Hidden[i] are unknown and restored given the others, which are held
	// at their observed values.
	Hidden []bool

	// Sweeps is the number of recorded sweeps per row (for RBM, block
	// Gibbs steps v → h → v); 0 means 50. Burnin sweeps are run and
	// discarded first.
	Sweeps int
	Burnin int

	// Method and Beta choose Model's sampler and the inverse temperature
	// of its prior (0 means 1); RBM ignores them.
	Method gibbs.Method
	Beta   float64

	// Seed seeds every random draw: the same Seed gives the same result,
	// bit for bit.
	Seed uint64
	// Workers is the number of goroutines sharing the rows; 0 uses every
	// core. It never changes the result.
	Workers int
	// Progress, when set, is called with the work done and the total (RBM,
	// Machine and Inpaint: block steps; Model: rows), by one goroutine at
	// a time; Model skips calls that would wait for another goroutine's.
	Progress func(done, total int)
}

// Result is a restoration.
type Result struct {
	// Mean holds, row by row, the posterior mean of each unit: the
	// probability of being on (for spins, of being +1); for Potts units
	// (Machine), the probability of each state, q columns per unit in
	// the one-hot order of the visible layer.
	Mean *rbm.Matrix
	// Proposals and Accepted count Model's single-unit updates and those
	// that changed a state, over all rows and sweeps; RBM leaves them 0.
	Proposals, Accepted int64
}

func (s *Settings) sweeps() int {
	if s.Sweeps == 0 {
		return 50
	}
	return s.Sweeps
}

// check validates the settings and the rows' lengths for a model of
// units units of q states: denoising needs a noise rate below (q-1)/q,
// where an observed value is more likely right than any one other value
// (½ for two-state units).
func (s *Settings) check(units, q int, rows [][]int8) error {
	if s.Sweeps < 0 || s.Burnin < 0 {
		return fmt.Errorf("denoise: sweeps %d and burn-in %d must not be negative", s.Sweeps, s.Burnin)
	}
	if limit := float64(q-1) / float64(q); s.Hidden == nil && !(s.Noise > 0 && s.Noise < limit) {
		return fmt.Errorf("denoise: noise %v must lie in (0, %.4g)", s.Noise, limit)
	}
	if s.Hidden != nil && len(s.Hidden) != units {
		return fmt.Errorf("denoise: mask has %d units, the model %d", len(s.Hidden), units)
	}
	for r, y := range rows {
		if len(y) != units {
			return fmt.Errorf("denoise: row %d has %d units, the model %d", r, len(y), units)
		}
	}
	return nil
}

// blockRows is the most rows RBM samples together; batches are seeded by
// their index, so results do not depend on the number of workers.
const blockRows = 1024

// RBM restores the rows observed (0/1 values) by block Gibbs sampling of
// the RBM's joint posterior. Seen through a channel that flips each unit
// with probability ε, an observation y adds (2y - 1)·log((1 - ε)/ε) to
// the input of each visible unit (discrete.FlipNoise's fields), so
// p(v, h | y) is the RBM with those visible fields (rbm.Sampler's
// VisibleField), and alternating h ~ p(h|v), v ~ p(v|h, y) over whole
// layers samples it, each chain starting at its observation. For
// inpainting the known units are reset to their values after each visible
// draw instead. All rows of a batch of up to 1024 move at once through the
// matrix kernels, where single-unit updates of the marginal cost a pass
// over the weights per unit.
//
// The restoration is the posterior mean, estimated by averaging p(v|h, y)
// over the recorded steps (Rao–Blackwellised: lower variance than
// averaging the sampled v, and unbiased for the same mean); known units
// keep their values. Batch k is seeded with seeds.Nth(Seed, k).
//
// It returns ctx's error, and no result, if ctx is done first.
func RBM(ctx context.Context, m *rbm.RBM, observed [][]int8, s Settings) (*Result, error) {
	if err := s.check(m.Visible, 2, observed); err != nil {
		return nil, err
	}
	rows, units := len(observed), m.Visible
	sweeps := s.sweeps()
	out := rbm.NewMatrix(rows, units)
	steps := s.Burnin + sweeps
	total := (rows + blockRows - 1) / blockRows * steps
	for lo := 0; lo < rows; lo += blockRows {
		n := min(blockRows, rows-lo)
		v := rbm.NewMatrix(n, units)
		for r := range n {
			for i, y := range observed[lo+r] {
				v.Row(r)[i] = float32(y)
			}
		}
		var field, known *rbm.Matrix
		if s.Hidden == nil {
			var err error
			if field, err = evidence(observed[lo:lo+n], units, s.Noise); err != nil {
				return nil, fmt.Errorf("denoise: rows %d to %d: %w", lo, lo+n-1, err)
			}
		} else {
			known = rbm.NewMatrix(n, units)
			copy(known.Data, v.Data)
		}
		smp := rbm.NewSampler(m, n, seeds.Nth(s.Seed, uint64(lo/blockRows)), s.Workers)
		smp.VisibleField = field
		sum := make([]float64, n*units)
		for t := range steps {
			if err := ctx.Err(); err != nil {
				smp.Close()
				return nil, fmt.Errorf("denoise: %w", err)
			}
			smp.Step(v)
			clamp(v, known, s.Hidden)
			if t >= s.Burnin {
				for i, p := range smp.VisibleProbs.Data[:n*units] {
					sum[i] += float64(p)
				}
			}
			if s.Progress != nil {
				s.Progress(lo/blockRows*steps+t+1, total)
			}
		}
		smp.Close()
		mean := out.Slice(lo, lo+n)
		for i, x := range sum {
			mean.Data[i] = float32(x / float64(sweeps))
		}
		clamp(mean, known, s.Hidden)
	}
	return &Result{Mean: out}, nil
}

// evidence returns the visible fields of the rows: the flip channel's
// likelihood of each observation, as discrete.FlipNoise defines it.
func evidence(observed [][]int8, units int, noise float64) (*rbm.Matrix, error) {
	field := rbm.NewMatrix(len(observed), units)
	for r, y := range observed {
		lik, err := discrete.FlipNoise(discrete.Binary, y, noise)
		if err != nil {
			return nil, err
		}
		for i, h := range lik.Fields() {
			field.Row(r)[i] = float32(h)
		}
	}
	return field, nil
}

// clamp resets the known units (those not hidden) of each row of x to
// known's (inpainting only; known is nil otherwise).
func clamp(x, known *rbm.Matrix, hidden []bool) {
	if known == nil {
		return
	}
	for r := range x.Rows {
		row, want := x.Row(r), known.Row(r)
		for i, h := range hidden {
			if !h {
				row[i] = want[i]
			}
		}
	}
}

// Model restores the rows observed (values in prior's domain) one row at
// a time with a single-unit sampler of gibbs (Settings.Method) at inverse
// temperature Settings.Beta: denoising samples the product of the prior
// and the channel's likelihood (discrete.FlipNoise), inpainting the
// prior with the known units clamped. Each row runs one chain started at
// its observation and seeded with seeds.Nth(Seed, r), so the
// result does not depend on the number of workers sharing the rows.
//
// A prior of q-state units (q ≥ 3) takes the symmetric channel of
// discrete.SymmetricNoise, and its restoration is each state's
// probability, q columns per unit, Rao-Blackwellised: the mean over the
// recorded sweeps of each unit's conditional given the others.
//
// It returns the first row's error, or ctx's if ctx is done first.
func Model(ctx context.Context, prior discrete.Model, observed [][]int8, s Settings) (*Result, error) {
	n, q := prior.Units(), prior.Domain().States()
	if err := s.check(n, q, observed); err != nil {
		return nil, err
	}
	rows := len(observed)
	j := &rowJob{
		ctx: ctx, prior: prior, observed: observed, s: &s,
		cfg:  gibbs.Config{Method: s.Method, Beta: s.Beta, Chains: 1, Sweeps: s.sweeps(), Burnin: s.Burnin, Workers: 1},
		mean: rbm.NewMatrix(rows, n), errs: make([]error, rows),
	}
	if q > 2 {
		// Each state's probability, q columns per unit (rowJob.Do).
		j.mean = rbm.NewMatrix(rows, n*q)
		j.cfg.NumStats = n * q
	}
	pool := kernel.NewPool(s.Workers)
	pool.Run(j, rows)
	pool.Close()
	for r, err := range j.errs {
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil, fmt.Errorf("denoise: %w", err)
			}
			return nil, fmt.Errorf("denoise: row %d: %w", r, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("denoise: %w", err)
	}
	return &Result{Mean: j.mean, Proposals: j.proposals.Load(), Accepted: j.accepted.Load()}, nil
}

// rowJob restores one row per task, each from its own seed.
type rowJob struct {
	ctx                 context.Context
	prior               discrete.Model
	observed            [][]int8
	s                   *Settings
	cfg                 gibbs.Config
	mean                *rbm.Matrix
	errs                []error
	proposals, accepted atomic.Int64
	done                atomic.Int64
	reporting           atomic.Bool
}

func (j *rowJob) Do(r int) {
	if j.ctx.Err() != nil {
		return
	}
	y := j.observed[r]
	cfg := j.cfg
	cfg.Seed = seeds.Nth(j.s.Seed, uint64(r))
	cfg.Init = y
	model := j.prior
	if j.s.Hidden != nil {
		// Inpainting: the known units are known exactly, so clamp them.
		cfg.Clamp = make([]bool, len(y))
		for i, h := range j.s.Hidden {
			cfg.Clamp[i] = !h
		}
	} else {
		var lik discrete.Model
		var err error
		if d := j.prior.Domain(); d.States() > 2 {
			lik, err = discrete.SymmetricNoise(d, y, j.s.Noise)
		} else {
			lik, err = discrete.FlipNoise(d, y, j.s.Noise)
		}
		if err == nil {
			model, err = discrete.NewProduct(j.prior, lik)
		}
		if err != nil {
			j.errs[r] = err
			return
		}
	}
	if q := j.prior.Domain().States(); q > 2 {
		// Rao-Blackwellised, as the block samplers' restorations are:
		// each sweep records every unit's conditional over its states
		// given the others, p(x_i = a | x_-i) ∝ exp(-β ΔE_a), whose
		// average estimates the marginal without the zeros of sampled
		// frequencies.
		beta := cfg.Beta
		if beta == 0 {
			beta = 1
		}
		delta := make([]float64, q)
		// One Local, set to each recorded state, prices the changes at the
		// model's local cost (for a machine's marginal, the hidden width).
		loc := discrete.NewLocal(model, y)
		cfg.Stats = func(x []int8, out []float64) {
			loc.Set(x)
			for i := range x {
				if cfg.Clamp != nil && cfg.Clamp[i] {
					// A known unit (inpainting) keeps its value.
					for a := range q {
						out[i*q+a] = 0
					}
					out[i*q+int(x[i])] = 1
					continue
				}
				lo := math.Inf(1)
				for a := range q {
					delta[a] = beta * loc.ChangeDelta(i, int8(a))
					lo = min(lo, delta[a])
				}
				var z float64
				for a, d := range delta {
					delta[a] = math.Exp(lo - d)
					z += delta[a]
				}
				for a, w := range delta {
					out[i*q+a] = w / z
				}
			}
		}
	}
	res, err := gibbs.Run(j.ctx, model, cfg)
	if err != nil {
		j.errs[r] = err
		return
	}
	row := j.mean.Row(r)
	if cfg.Stats != nil {
		// The mean of the recorded conditionals.
		t := res.Trace
		for d := range t.Chains * t.Draws {
			for k, x := range t.Data[d*t.Stats : (d+1)*t.Stats] {
				row[k] += float32(x)
			}
		}
		for k := range row {
			row[k] /= float32(t.Chains * t.Draws)
		}
	} else {
		spin := j.prior.Domain() == discrete.Spin
		for i, m := range res.Mean {
			if spin {
				m = (m + 1) / 2
			}
			row[i] = float32(m)
		}
	}
	j.proposals.Add(res.Proposals)
	j.accepted.Add(res.Accepted)
	done := int(j.done.Add(1))
	// Only one goroutine reports at a time; the others skip the call.
	if j.s.Progress != nil && j.reporting.CompareAndSwap(false, true) {
		j.s.Progress(done, len(j.observed))
		j.reporting.Store(false)
	}
}

// Corrupt passes each row, in place, through the channel denoising
// assumes, for making test inputs from clean rows: each unit, with
// probability p, is flipped (two-state units) or replaced by one of its
// other q-1 values drawn uniformly (q-state units, the channel of
// discrete.SymmetricNoise). Row r draws from its own PCG source, seeded
// from seed and r, so a row's corruption does not depend on the others.
// Values must be in d.
func Corrupt(d discrete.Domain, rows [][]int8, p float64, seed uint64) {
	q := d.States()
	for r, y := range rows {
		rng := seeds.RowRand(seed, seeds.Corrupt, r)
		for i := range y {
			if rng.Float64() >= p {
				continue
			}
			if q == 2 {
				y[i] = d.Flip(y[i])
				continue
			}
			// Value k of the others: skip y[i] itself.
			v := int8(rng.IntN(q - 1))
			if v >= y[i] {
				v++
			}
			y[i] = v
		}
	}
}
