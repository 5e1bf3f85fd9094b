package main

import (
	"context"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/rbm"
)

// blockDenoise restores rows by block Gibbs sampling of an RBM's joint
// posterior: seen through a channel that flips each unit with probability
// ε, an observation y adds (2y - 1)·log((1 - ε)/ε) to the input of each
// visible unit (discrete.FlipNoise's fields), so p(v, h | y) is the RBM with those visible fields, and
// alternating h ~ p(h|v), v ~ p(v|h, y) over whole layers samples it. For
// inpainting the known units are reset to their values after each visible
// draw instead. Either way all rows move at once through the matrix
// kernels, where single-unit updates of the marginal cost a pass over the
// weights per unit.
//
// The restoration is the posterior mean, estimated by averaging p(v|h, y)
// over the recorded steps (Rao–Blackwellised: lower variance than
// averaging the sampled v, and unbiased for the same mean).
type blockDenoise struct {
	m        *rbm.RBM
	observed [][]int8 // 0/1 rows
	hidden   []bool   // inpainting: the units to restore; nil to denoise
	noise    float64
	sweeps   int
	burnin   int
	seed     uint64
	workers  int
	bar      *progress
}

// blockRows is the most rows sampled together; batches are seeded by
// their index, so results do not depend on the number of workers.
const blockRows = 1024

// run returns the restored rows, or what it has when ctx is done (the
// caller checks ctx); an error only for an observation that is not 0/1.
func (b *blockDenoise) run(ctx context.Context) (*rbm.Matrix, error) {
	rows, units := len(b.observed), b.m.Visible
	out := rbm.NewMatrix(rows, units)
	steps := b.burnin + b.sweeps
	total := (rows + blockRows - 1) / blockRows * steps
	for lo := 0; lo < rows; lo += blockRows {
		n := min(blockRows, rows-lo)
		v := rbm.NewMatrix(n, units)
		for r := range n {
			for i, y := range b.observed[lo+r] {
				v.Row(r)[i] = float32(y)
			}
		}
		var field, known *rbm.Matrix
		if b.hidden == nil {
			var err error
			if field, err = b.evidence(lo, n); err != nil {
				return nil, err
			}
		} else {
			known = rbm.NewMatrix(n, units)
			copy(known.Data, v.Data)
		}
		s := rbm.NewSampler(b.m, n, b.seed^uint64(lo/blockRows)*0x9e3779b97f4a7c15, b.workers)
		s.VisibleField = field
		sum := make([]float64, n*units)
		for t := range steps {
			if ctx.Err() != nil {
				s.Close()
				return out, nil
			}
			s.Step(v)
			b.clamp(v, known)
			if t >= b.burnin {
				for i, p := range s.VisibleProbs.Data[:n*units] {
					sum[i] += float64(p)
				}
			}
			b.bar.update("restoring", lo/blockRows*steps+t+1, total)
		}
		s.Close()
		mean := out.Slice(lo, lo+n)
		for i, x := range sum {
			mean.Data[i] = float32(x / float64(b.sweeps))
		}
		b.clamp(mean, known)
	}
	return out, nil
}

// evidence returns the visible fields of rows lo to lo+n: the flip
// channel's likelihood of each observation, as discrete.FlipNoise defines
// it.
func (b *blockDenoise) evidence(lo, n int) (*rbm.Matrix, error) {
	field := rbm.NewMatrix(n, b.m.Visible)
	for r := range n {
		lik, err := discrete.FlipNoise(discrete.Binary, b.observed[lo+r], b.noise)
		if err != nil {
			return nil, err
		}
		for i, h := range lik.Fields() {
			field.Row(r)[i] = float32(h)
		}
	}
	return field, nil
}

// clamp resets the known units of each row of x (inpainting only; known
// is nil otherwise).
func (b *blockDenoise) clamp(x, known *rbm.Matrix) {
	if b.hidden == nil {
		return
	}
	for r := range x.Rows {
		row, want := x.Row(r), known.Row(r)
		for i, h := range b.hidden {
			if !h {
				row[i] = want[i]
			}
		}
	}
}
