package rbm

import (
	"context"
	"fmt"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
)

// MeanPseudoLogLikelihood returns the mean over the rows of v of the exact
// pseudo-log-likelihood (see PseudoLogLikelihood), computed on the given
// number of goroutines (workers ≤ 0: one per core). The per-row values are
// summed in row order, so the result does not depend on workers. It
// returns 0 for a matrix without rows, and ctx's error, with no estimate,
// if ctx is done before every row has been scored; an error too when v
// does not have m.Visible columns.
//
// It runs the same per-row job as the training monitor's pseudo-LL.
func (m *RBM) MeanPseudoLogLikelihood(ctx context.Context, v *Matrix, workers int) (float64, error) {
	if err := m.checkData("pseudo-log-likelihood", v); err != nil {
		return 0, err
	}
	if v.Rows == 0 {
		return 0, nil
	}
	pool := kernel.NewPool(workers)
	defer pool.Close()
	pll := pllJob{m: m, v: v, out: make([]float64, v.Rows)}
	pool.Run(&ctxJob{ctx: ctx, job: &pll}, v.Rows)
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("rbm: pseudo-log-likelihood: %w", err)
	}
	var sum float64
	for _, x := range pll.out {
		sum += x
	}
	return sum / float64(v.Rows), nil
}

// ctxJob runs the tasks of job until ctx is done, skipping the rest.
type ctxJob struct {
	ctx context.Context
	job kernel.Job
}

func (j *ctxJob) Do(task int) {
	if j.ctx.Err() == nil {
		j.job.Do(task)
	}
}

// BaseRateStates sets every row of v to an independent draw from the
// RBM's base-rate model, the product of Bernoulli(σ(bᵢ)) over the visible
// units: the visible marginal with the weights ignored, a common starting
// state for sampling chains. Units are drawn in row-major order from a
// PCG source seeded with seed, so the states depend on seed and on v's
// shape only. v must have m.Visible columns.
func (m *RBM) BaseRateStates(v *Matrix, seed uint64) {
	mustShape("v", v, -1, m.Visible)
	rng := seeds.Rand(seed, seeds.BaseRate)
	for r := range v.Rows {
		row := v.Row(r)
		for i, b := range m.B {
			row[i] = 0
			if rng.Float64() < kernel.Sigmoid(float64(b)) {
				row[i] = 1
			}
		}
	}
}
