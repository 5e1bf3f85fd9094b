package denoise

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

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
func Inpaint(ctx context.Context, m *rbm.Machine, rows *mat.Dense, missing []bool, s *Settings) (*mat.Dense, error) {
	if s == nil {
		s = &Settings{}
	}
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
		rng := rand.New(rand.NewPCG(s.Seed, uint64(r)))
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
