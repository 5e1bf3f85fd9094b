package ais

import (
	"context"
	"fmt"
	"math"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/gibbs"
	"github.com/rbmkit/rbm/internal/kernel"
)

// DiscreteConfig holds the settings of RunDiscrete. The zero value anneals
// 64 runs of random-scan Gibbs sweeps through 1000 inverse
// temperatures to β = 1.
type DiscreteConfig struct {
	// Beta is the target inverse temperature; 0 means 1.
	Beta float64
	// Steps is the number of intermediate distributions, spaced evenly in
	// β from 0 to Beta; 0 means 1000.
	Steps int
	// Runs is the number of independent annealing runs; 0 means 64.
	Runs int
	// Method is the transition: one sweep of it at each intermediate β.
	// Its zero value is gibbs.RandomScan.
	Method gibbs.Method
	// Seed seeds every random draw: run r draws from
	// gibbs.NewChainRand(Seed, r).
	Seed uint64
	// Workers is the number of goroutines sharing the runs; 0 uses every
	// core. It never changes the result.
	Workers int
}

// RunDiscrete estimates log Z(β) = log Σₓ exp(-βE(x)) of any discrete
// model by forward AIS (Neal, 2001) from the uniform distribution at
// β = 0, whose log partition function n·log 2 (n·log q for units of q
// states) is LogZBase, through
// p_k(x) ∝ exp(-β_k E(x)) with β_k = k·Beta/Steps. Each run starts from a
// uniform state and at step k adds -(β_k - β_{k-1})·E(x) to its log-weight
// before one sweep of Method at β_k (package gibbs's sweeps, through
// gibbs.Chain). The weights are reduced as Run's are: log Ẑ, the
// delta-method standard error, the ±3σ interval and the ESS.
func RunDiscrete(ctx context.Context, m discrete.Model, cfg DiscreteConfig) (*Estimate, error) {
	if cfg.Beta == 0 {
		cfg.Beta = 1
	}
	if cfg.Steps == 0 {
		cfg.Steps = 1000
	}
	if cfg.Runs == 0 {
		cfg.Runs = 64
	}
	switch {
	case !(cfg.Beta > 0) || math.IsInf(cfg.Beta, 0):
		return nil, fmt.Errorf("ais: β = %v must be a positive number", cfg.Beta)
	case cfg.Steps < 0 || cfg.Runs < 0:
		return nil, fmt.Errorf("ais: steps and runs must be positive")
	}
	job := &discreteJob{ctx: ctx, m: m, cfg: cfg, logw: make([]float64, cfg.Runs), errs: make([]error, cfg.Runs)}
	pool := kernel.NewPool(cfg.Workers)
	pool.Run(job, cfg.Runs)
	pool.Close()
	for _, err := range job.errs {
		if err != nil {
			return nil, fmt.Errorf("ais: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	logZ0 := float64(m.Units()) * math.Ln2
	if q := m.Domain().States(); q > 2 {
		logZ0 = float64(m.Units()) * math.Log(float64(q))
	}
	return forwardEstimate(job.logw, logZ0, cfg.Steps), nil
}

type discreteJob struct {
	ctx  context.Context
	m    discrete.Model
	cfg  DiscreteConfig
	logw []float64
	errs []error
}

// Do anneals run r.
func (j *discreteJob) Do(r int) {
	m, cfg := j.m, j.cfg
	rng := gibbs.NewChainRand(cfg.Seed, r)
	x := make([]int8, m.Units())
	d := m.Domain()
	for i := range x {
		if q := d.States(); q > 2 {
			x[i] = d.Value(uint(rng.IntN(q)))
		} else {
			x[i] = d.Value(uint(rng.Uint64() >> 63))
		}
	}
	c, err := gibbs.NewChain(m, cfg.Method, x, rng)
	if err != nil {
		j.errs[r] = err
		return
	}
	var logw, prev float64
	for k := 1; k <= cfg.Steps; k++ {
		if k%64 == 0 && j.ctx.Err() != nil {
			return
		}
		beta := cfg.Beta * float64(k) / float64(cfg.Steps)
		logw -= (beta - prev) * m.Energy(c.State())
		prev = beta
		if k < cfg.Steps {
			c.Sweep(beta)
		}
	}
	j.logw[r] = logw
}
