package fvbm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gonum.org/v1/gonum/optimize"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/internal/kernel"
)

// pseudoObjective returns minus the mean pseudo-log-likelihood of the rows
// at the parameters (fields, then edge values) of theta, plus the L2
// penalty, and its gradient in grad when grad is not nil. Unit i feels the
// local field f_i = h_i + Σ_j J_ij x_j; flipping it changes x_i by
// a_i = x'_i - x_i and the energy by -a_i f_i, so
// log p(x_i | x_-i) = -softplus(a_i f_i), whose derivative in f_i is
// -a_i σ(a_i f_i); f_i depends on h_i with slope 1 and on J_ij with slope
// x_j.
func pseudoObjective(m *discrete.Pairwise, edges []discrete.Coupling, data [][]int8, l2 float64, theta, grad []float64) float64 {
	n := m.Units()
	h, jv := theta[:n], theta[n:]
	if err := m.SetParams(h, jv); err != nil {
		return inf
	}
	dom := m.Domain()
	if grad != nil {
		clear(grad)
	}
	gh, gj := grad, grad
	if grad != nil {
		gh, gj = grad[:n], grad[n:]
	}
	slope := make([]float64, n) // -∂(log p(x_i|x_-i))/∂f_i for the current row
	var f float64
	for _, x := range data {
		for i := range n {
			a := float64(dom.Flip(x[i]) - x[i])
			af := a * m.LocalField(x, i)
			f += kernel.Softplus(af)
			slope[i] = a * kernel.Sigmoid(af)
		}
		if grad == nil {
			continue
		}
		for i := range n {
			gh[i] += slope[i]
		}
		for e, c := range edges {
			gj[e] += slope[c.I]*float64(x[c.J]) + slope[c.J]*float64(x[c.I])
		}
	}
	inv := 1 / float64(len(data))
	f *= inv
	var pen float64
	for _, v := range jv {
		pen += v * v
	}
	f += l2 / 2 * pen
	if grad != nil {
		for k := range grad {
			grad[k] *= inv
		}
		for e, v := range jv {
			gj[e] += l2 * v
		}
	}
	return f
}

const inf = 1e300

// TrainPseudoLikelihood fits m to data by maximum pseudo-likelihood,
// minimising the negative mean pseudo-log-likelihood (plus the L2 penalty)
// with L-BFGS from m's current parameters until the gradient norm falls
// below 1e-8 or MaxIterations is reached. The objective is convex in the
// parameters, so the result does not depend on the starting point.
func TrainPseudoLikelihood(ctx context.Context, m *discrete.Pairwise, data [][]int8, cfg Config) (Stats, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Stats{}, fmt.Errorf("fvbm: pseudo-likelihood: %w", err)
	}
	if err := checkData(m, data); err != nil {
		return Stats{}, fmt.Errorf("fvbm: pseudo-likelihood: %w", err)
	}
	start := time.Now()
	n := m.Units()
	edges := m.Couplings()
	theta := append(m.Fields(), make([]float64, len(edges))...)
	for e, c := range edges {
		theta[n+e] = c.Value
	}
	prob := optimize.Problem{
		Func: func(x []float64) float64 { return pseudoObjective(m, edges, data, cfg.L2, x, nil) },
		Grad: func(grad, x []float64) { pseudoObjective(m, edges, data, cfg.L2, x, grad) },
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{
		GradientThreshold: 1e-8,
		MajorIterations:   cfg.MaxIterations,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-12, Iterations: 20},
	}
	res, err := optimize.Minimize(prob, theta, settings, &optimize.LBFGS{})
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	if err != nil && res == nil {
		return Stats{}, fmt.Errorf("fvbm: pseudo-likelihood: %w", err)
	}
	if err != nil && !errors.Is(err, optimize.ErrLinesearcherFailure) {
		// Running out of iterations still leaves a usable, improved model.
		if res.Status != optimize.IterationLimit {
			return Stats{}, fmt.Errorf("fvbm: pseudo-likelihood: %w", err)
		}
	}
	if err := m.SetParams(res.X[:n], res.X[n:]); err != nil {
		return Stats{}, fmt.Errorf("fvbm: pseudo-likelihood: %w", err)
	}
	st, err := evaluate(ctx, m, data, res.Stats.MajorIterations)
	if err != nil {
		return st, err
	}
	st.Seconds = time.Since(start).Seconds()
	if cfg.EpochDone != nil {
		cfg.EpochDone(st)
	}
	return st, nil
}
