package gibbs

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
)

// Result is the outcome of a sampling run.
type Result struct {
	// Trace holds the Stats of every recorded sweep of every chain.
	Trace Trace
	// Mean is the mean state (of the target replica) over every recorded
	// sweep of every chain: for binary units the marginal probabilities of
	// being on, for spins the magnetisations, for q-state units the mean
	// value (record indicators through Stats for the marginals).
	Mean []float64
	// Final holds the last state of each chain's target replica.
	Final [][]int8

	// Proposals counts single-unit updates (Gibbs) or proposals
	// (Metropolis, GWG) over all chains, replicas and sweeps, burn-in
	// included; Accepted counts those that changed the state.
	Proposals, Accepted int64
	// Evaluations counts energy evaluations: one per single-unit update or
	// proposal, as in Grathwohl et al., who count for Gibbs the energy of
	// the flipped state and for GWG the energy and gradient at the
	// proposed state (the values at the current state are kept), plus
	// one per replica per sweep for the tempering swaps. A heat-bath
	// update of a q-state unit counts as one, though it weighs the
	// energy changes of its q-1 other values.
	Evaluations int64
	// SwapRates[k] is the acceptance rate of swaps between ladder entries
	// k and k+1 (tempering only).
	SwapRates []float64
	// Seconds is the wall time of the run.
	Seconds float64
}

// AcceptRate returns Accepted/Proposals.
func (r *Result) AcceptRate() float64 {
	if r.Proposals == 0 {
		return 0
	}
	return float64(r.Accepted) / float64(r.Proposals)
}

// Run samples m as cfg says. It honours ctx between sweeps.
func Run(ctx context.Context, m discrete.Model, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults(m)
	if err != nil {
		return nil, fmt.Errorf("gibbs: %w", err)
	}
	start := time.Now()
	n := m.Units()
	res := &Result{
		Trace: Trace{Chains: cfg.Chains, Draws: cfg.Sweeps, Stats: cfg.NumStats, Data: make([]float64, cfg.Chains*cfg.Sweeps*cfg.NumStats)},
		Final: make([][]int8, cfg.Chains),
		Mean:  make([]float64, n),
	}
	job := &chainJob{ctx: ctx, m: m, cfg: cfg, res: res, out: make([]chainOut, cfg.Chains)}
	job.free = freeUnits(n, cfg.Clamp)
	pool := kernel.NewPool(cfg.Workers)
	pool.Run(job, cfg.Chains)
	pool.Close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Combine in chain order so that the sums do not depend on scheduling.
	pairs := max(len(cfg.Ladder)-1, 0)
	swapTried, swapDone := make([]int64, pairs), make([]int64, pairs)
	for _, o := range job.out {
		res.Proposals += o.proposals
		res.Accepted += o.accepted
		res.Evaluations += o.evals
		for i, s := range o.sum {
			res.Mean[i] += s
		}
		for k := range pairs {
			swapTried[k] += o.swapTried[k]
			swapDone[k] += o.swapDone[k]
		}
	}
	if draws := float64(cfg.Chains * cfg.Sweeps); draws > 0 {
		for i := range res.Mean {
			res.Mean[i] /= draws
		}
	}
	if pairs > 0 {
		res.SwapRates = make([]float64, pairs)
		for k := range pairs {
			if swapTried[k] > 0 {
				res.SwapRates[k] = float64(swapDone[k]) / float64(swapTried[k])
			}
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// randomValue returns a uniformly drawn value of domain d: from the top
// bit of one draw for two-state domains, as it always was, and from
// IntN(q) for q states.
func randomValue(d discrete.Domain, rng *rand.Rand) int8 {
	if q := d.States(); q > 2 {
		return d.Value(uint(rng.IntN(q)))
	}
	return d.Value(uint(rng.Uint64() >> 63))
}

func freeUnits(n int, clamp []bool) []int {
	free := make([]int, 0, n)
	for i := range n {
		if clamp == nil || !clamp[i] {
			free = append(free, i)
		}
	}
	return free
}

// NewChainRand returns the source of chain c of a run seeded with seed:
// row c of the stream seeds.GibbsChains, so that a chain's draws do not
// depend on which worker runs it.
func NewChainRand(seed uint64, c int) *rand.Rand {
	return seeds.RowRand(seed, seeds.GibbsChains, c)
}

type chainOut struct {
	proposals, accepted, evals int64
	sum                        []float64
	swapTried, swapDone        []int64
}

type chainJob struct {
	ctx  context.Context
	m    discrete.Model
	cfg  Config
	free []int
	res  *Result
	out  []chainOut
}

// Do runs chain c from start to end.
func (j *chainJob) Do(c int) {
	cfg, m := j.cfg, j.m
	n := m.Units()
	rng := NewChainRand(cfg.Seed, c)
	betas := cfg.Ladder
	if len(betas) == 0 {
		betas = []float64{cfg.Beta}
	}
	smp := cfg.Method.sampler() // registered: withDefaults checked
	reps := make([]*replica, len(betas))
	for r := range reps {
		x := make([]int8, n)
		if cfg.Init != nil {
			copy(x, cfg.Init)
		}
		for _, i := range j.free {
			switch {
			case cfg.Starts != nil:
				x[i] = cfg.Starts[c][i]
			case cfg.Init == nil:
				x[i] = randomValue(m.Domain(), rng)
			}
		}
		reps[r] = newReplica(m, smp, x)
	}
	o := &j.out[c]
	o.sum = make([]float64, n)
	o.swapTried = make([]int64, len(betas)-1)
	o.swapDone = make([]int64, len(betas)-1)
	st := &stepper{rng: rng, free: j.free, out: o, dom: m.Domain()}
	var energies []float64
	if len(betas) > 1 {
		energies = make([]float64, len(betas))
	}
	total := cfg.Burnin + cfg.Sweeps
	for s := range total {
		if j.ctx.Err() != nil {
			return
		}
		for r, rep := range reps {
			st.sweep(rep, smp, betas[r])
		}
		if len(betas) > 1 {
			for r, rep := range reps {
				energies[r] = m.Energy(rep.loc.State())
			}
			o.evals += int64(len(reps))
			for k := s % 2; k+1 < len(reps); k += 2 {
				o.swapTried[k]++
				// Exchanging the states of β_k and β_{k+1} leaves the
				// product distribution invariant when accepted with
				// probability min(1, exp((β_{k+1} - β_k)(E_{k+1} - E_k))).
				logA := (betas[k+1] - betas[k]) * (energies[k+1] - energies[k])
				if logA >= 0 || rng.Float64() < expNeg(-logA) {
					o.swapDone[k]++
					reps[k], reps[k+1] = reps[k+1], reps[k]
					energies[k], energies[k+1] = energies[k+1], energies[k]
				}
			}
		}
		if c == 0 && cfg.Progress != nil {
			cfg.Progress(s+1, total)
		}
		if s < cfg.Burnin {
			continue
		}
		x := reps[len(reps)-1].loc.State()
		for i, v := range x {
			o.sum[i] += float64(v)
		}
		if cfg.Stats != nil {
			d := s - cfg.Burnin
			k := cfg.NumStats
			off := (c*cfg.Sweeps + d) * k
			cfg.Stats(x, j.res.Trace.Data[off:off+k])
		}
	}
	j.res.Final[c] = append([]int8(nil), reps[len(reps)-1].loc.State()...)
}
