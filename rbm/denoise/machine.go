package denoise

import (
	"context"
	"fmt"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
)

// Inpaint restores the unknown visible units of each row of a machine of
// any unit types: missing[i] marks unit i of the visible layer (for Potts
// units, all q columns of the unit) as unknown, and every other unit is
// held at its value in rows. Block Gibbs alternates h ~ p(h | v) and, for
// the unknown units only, v ~ p(v | h); the restoration of an unknown unit
// is the mean of E[v | h] over the recorded sweeps (the Rao-Blackwellised
// posterior mean), and known units keep their values. Row r draws from a
// source seeded by (Settings.Seed, r), so the result depends on the seed
// only. Settings' Noise, Method and Beta do not apply: there is no flip
// channel for general unit types, and the machine is sampled at β = 1.
func Inpaint(ctx context.Context, m *rbm.Machine, rows *mat.Dense, missing []bool, s Settings) (*mat.Dense, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("denoise: %w", err)
	}
	n, cols := rows.Dims()
	vw, units := m.Visible.Width(), m.Visible.Units()
	switch {
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
	sweeps := s.sweeps()
	out := mat.DenseCopyOf(rows)
	hw := m.Hidden.Width()
	v, h := make([]float64, vw), make([]float64, hw)
	inH, inV := make([]float64, hw), make([]float64, vw)
	draw, mean, sum := make([]float64, vw), make([]float64, vw), make([]float64, vw)
	for r := range n {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rng := seeds.Indexed(s.Seed, r)
		copy(v, rows.RawRowView(r))
		// Start the unknown units at a draw from their conditional given
		// no hidden input: the visible layer alone.
		clear(inV)
		m.Visible.Sample(draw, inV, rng)
		for c, u := range unknown {
			if u {
				v[c] = draw[c]
			}
		}
		clear(sum)
		for t := range s.Burnin + sweeps {
			m.HiddenInput(inH, v)
			m.Hidden.Sample(h, inH, rng)
			m.VisibleInput(inV, h)
			m.Visible.Sample(draw, inV, rng)
			if t >= s.Burnin {
				m.Visible.Mean(mean, inV)
				for c, u := range unknown {
					if u {
						sum[c] += mean[c]
					}
				}
			}
			for c, u := range unknown {
				if u {
					v[c] = draw[c]
				}
			}
		}
		dst := out.RawRowView(r)
		for c, u := range unknown {
			if u {
				dst[c] = sum[c] / float64(sweeps)
			}
		}
		if s.Progress != nil {
			s.Progress(r+1, n)
		}
	}
	return out, nil
}

// Machine restores the rows observed (values in the domain of the
// machine's visible units: 0/1 for binary units, ±1 for spins) by block
// Gibbs sampling of the machine's joint posterior, as RBM does for the
// binary RBM, for any hidden layer. The visible layer must be binary or
// spin units, the only ones a flip channel applies to. Seen through a
// channel that flips each unit with probability ε, an observation y adds
// discrete.FlipNoise's field to the input of each visible unit (binary:
// (2y - 1)·log((1 - ε)/ε); spin: y·log((1 - ε)/ε)/2, the input of a spin
// multiplying its ±1 value), so p(v, h | y) is the machine with that
// input added to Wh, and alternating h ~ p(h | v), v ~ p(v | h, y) samples
// it, each chain starting at its observation. For inpainting (Hidden set)
// the known units are reset to their values after each visible draw
// instead.
//
// The restoration is the posterior probability that each unit is on (for
// spins, +1), averaged over the recorded steps from p(v | h, y) rather
// than from the sampled v (Rao–Blackwellised, as RBM's); known units keep
// their values. Each row is one chain drawing from its own PCG source,
// seeded from (Seed, r), so a row's result depends on the seed and the
// row only, whatever the number of workers. Settings' Method and Beta do
// not apply: the joint posterior is the machine's at β = 1 (Model
// samples the tempered marginal, rbm.NewMachineMarginal).
//
// It returns the first row's error, or ctx's if ctx is done first.
func Machine(ctx context.Context, m *rbm.Machine, observed [][]int8, s Settings) (*Result, error) {
	marginal, err := rbm.NewMachineMarginal(m)
	if err != nil {
		return nil, fmt.Errorf("denoise: %w", err)
	}
	if err := s.check(marginal.Units(), observed); err != nil {
		return nil, err
	}
	j := &machineJob{ctx: ctx, m: m, domain: marginal.Domain(), observed: observed, s: &s,
		mean: rbm.NewMatrix(len(observed), marginal.Units()), errs: make([]error, len(observed))}
	pool := kernel.NewPool(s.Workers)
	pool.Run(j, len(observed))
	pool.Close()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("denoise: %w", err)
	}
	for r, err := range j.errs {
		if err != nil {
			return nil, fmt.Errorf("denoise: row %d: %w", r, err)
		}
	}
	return &Result{Mean: j.mean}, nil
}

// machineJob restores one row of Machine per task.
type machineJob struct {
	ctx       context.Context
	m         *rbm.Machine
	domain    discrete.Domain
	observed  [][]int8
	s         *Settings
	mean      *rbm.Matrix
	errs      []error
	done      atomic.Int64
	reporting atomic.Bool
}

func (j *machineJob) Do(r int) {
	if j.ctx.Err() != nil {
		return
	}
	m, y, s := j.m, j.observed[r], j.s
	for i, x := range y {
		if !j.domain.Valid(x) {
			j.errs[r] = fmt.Errorf("unit %d is %d, not a %v value", i, x, j.domain)
			return
		}
	}
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	// The evidence: the flip channel's field on each visible unit, or, for
	// inpainting, none (the known units are clamped instead).
	field := make([]float64, vw)
	if s.Hidden == nil {
		lik, err := discrete.FlipNoise(j.domain, y, s.Noise)
		if err != nil {
			j.errs[r] = err
			return
		}
		copy(field, lik.Fields())
	}
	v, h := make([]float64, vw), make([]float64, hw)
	for i, x := range y {
		v[i] = float64(x)
	}
	inH, inV, mean, sum := make([]float64, hw), make([]float64, vw), make([]float64, vw), make([]float64, vw)
	rng := seeds.RowRand(s.Seed, seeds.MachineDenoise, r)
	sweeps := s.sweeps()
	for t := range s.Burnin + sweeps {
		m.HiddenInput(inH, v)
		m.Hidden.Sample(h, inH, rng)
		m.VisibleInput(inV, h)
		for i, f := range field {
			inV[i] += f
		}
		m.Visible.Sample(v, inV, rng)
		for i, hid := range s.Hidden {
			if !hid {
				v[i] = float64(y[i])
			}
		}
		if t >= s.Burnin {
			m.Visible.Mean(mean, inV)
			for i, x := range mean {
				sum[i] += x
			}
		}
	}
	// E[v] over the two values off < on is off + (on - off)·p(on).
	off, on := j.domain.Values()
	row := j.mean.Row(r)
	for i, x := range sum {
		p := (x/float64(sweeps) - float64(off)) / float64(on-off)
		if s.Hidden != nil && !s.Hidden[i] {
			p = float64(y[i]-off) / float64(on-off)
		}
		row[i] = float32(p)
	}
	done := int(j.done.Add(1))
	// Only one goroutine reports at a time; the others skip the call.
	if s.Progress != nil && j.reporting.CompareAndSwap(false, true) {
		s.Progress(done, len(j.observed))
		j.reporting.Store(false)
	}
}
