package gibbs

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/internal/kernel"
)

// AISConfig holds the settings of annealed importance sampling. The zero
// value anneals 64 runs through 1000 inverse temperatures to β = 1.
type AISConfig struct {
	// Beta is the target inverse temperature; 0 means 1.
	Beta float64
	// Steps is the number of intermediate distributions, spaced evenly in
	// β from 0 to Beta; 0 means 1000.
	Steps int
	// Runs is the number of independent annealing runs; 0 means 64.
	Runs int
	// Method moves the state at each intermediate β by one sweep.
	Method  Method
	Seed    uint64
	Workers int
}

// AISResult is an estimate of log Z(β) = log Σₓ exp(-βE(x)).
type AISResult struct {
	LogZ float64 `json:"log_z"`
	// StdErr is the delta-method standard error of LogZ: the standard
	// deviation of the importance weights over their mean, divided by
	// sqrt(Runs). AIS is unbiased for Z, so log Z is biased low by about
	// StdErr²/2.
	StdErr float64 `json:"std_err"`
	// ESS is the effective number of runs, (Σw)²/Σw².
	ESS     float64 `json:"ess"`
	Runs    int     `json:"runs"`
	Steps   int     `json:"steps"`
	Seconds float64 `json:"seconds"`
}

// AIS estimates log Z(β) by annealed importance sampling (Neal, 2001) from
// the uniform distribution at β = 0, whose log partition function is
// n·log 2, through p_k(x) ∝ exp(-β_k E(x)) with β_k = k·β/Steps. Each run
// starts from a uniform state, and at step k adds -(β_k - β_{k-1})·E(x) to
// its log-weight before one sweep of Method at β_k.
func AIS(ctx context.Context, m discrete.Model, cfg AISConfig) (*AISResult, error) {
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
		return nil, fmt.Errorf("gibbs: AIS: β = %v must be a positive number", cfg.Beta)
	case cfg.Steps < 0 || cfg.Runs < 0:
		return nil, fmt.Errorf("gibbs: AIS: steps and runs must be positive")
	case cfg.Method > GWG:
		return nil, fmt.Errorf("gibbs: AIS: unknown method %v", cfg.Method)
	}
	if cfg.Method == GWG {
		if _, ok := discrete.GradientOf(m); !ok {
			return nil, fmt.Errorf("gibbs: AIS: Gibbs-with-Gradients needs a differentiable model, %T is not", m)
		}
	}
	start := time.Now()
	job := &aisJob{ctx: ctx, m: m, cfg: cfg, logW: make([]float64, cfg.Runs), free: freeUnits(m.Units(), nil)}
	pool := kernel.NewPool(cfg.Workers)
	pool.Run(job, cfg.Runs)
	pool.Close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	hi := math.Inf(-1)
	for _, w := range job.logW {
		hi = max(hi, w)
	}
	var s1, s2 float64
	for _, w := range job.logW {
		e := math.Exp(w - hi)
		s1 += e
		s2 += e * e
	}
	r := float64(cfg.Runs)
	mean := s1 / r
	res := &AISResult{
		LogZ:    float64(m.Units())*math.Ln2 + hi + math.Log(mean),
		ESS:     s1 * s1 / s2,
		Runs:    cfg.Runs,
		Steps:   cfg.Steps,
		Seconds: time.Since(start).Seconds(),
	}
	if cfg.Runs > 1 {
		variance := (s2/r - mean*mean) * r / (r - 1)
		res.StdErr = math.Sqrt(max(variance, 0)/r) / mean
	}
	return res, nil
}

type aisJob struct {
	ctx  context.Context
	m    discrete.Model
	cfg  AISConfig
	free []int
	logW []float64
}

func (j *aisJob) Do(run int) {
	m, cfg := j.m, j.cfg
	rng := NewChainRand(cfg.Seed, run)
	x := make([]int8, m.Units())
	for i := range x {
		x[i] = m.Domain().Value(uint(rng.Uint64() >> 63))
	}
	rep := newReplica(m, cfg.Method, x)
	st := &stepper{rng: rng, free: j.free, out: &chainOut{}}
	var logW, prev float64
	for k := 1; k <= cfg.Steps; k++ {
		if k%64 == 0 && j.ctx.Err() != nil {
			return
		}
		beta := cfg.Beta * float64(k) / float64(cfg.Steps)
		logW -= (beta - prev) * m.Energy(rep.loc.State())
		prev = beta
		if k < cfg.Steps {
			st.sweep(rep, cfg.Method, beta)
		}
	}
	j.logW[run] = logW
}
