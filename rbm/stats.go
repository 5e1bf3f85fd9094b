package rbm

import (
	"math"
	"time"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
)

// EpochStats are the monitoring figures of one training epoch, computed on
// a fixed subset of rows (Trainer.MonitorRows) after the epoch's updates.
type EpochStats struct {
	Epoch        int     `json:"epoch"`
	LearningRate float64 `json:"learning_rate"`
	Momentum     float64 `json:"momentum"`
	// ReconError is the mean squared reconstruction error per row
	// (Σᵢ (vᵢ - p(vᵢ|h))² with h = p(h|v)).
	ReconError float64 `json:"recon_error"`
	// PseudoLogLik is the mean exact pseudo-log-likelihood per row, in nats.
	PseudoLogLik float64 `json:"pseudo_log_lik"`
	// FreeEnergyTrain and FreeEnergyVal are mean free energies of the
	// training and held-out subsets; Gap = FreeEnergyVal - FreeEnergyTrain.
	// The held-out figures are absent without validation data.
	FreeEnergyTrain float64  `json:"free_energy_train"`
	FreeEnergyVal   *float64 `json:"free_energy_val,omitempty"`
	Gap             *float64 `json:"free_energy_gap,omitempty"`
	// SwapRates holds, with parallel tempering, the fraction of swaps
	// accepted during the epoch between each pair of neighbouring replicas,
	// hottest pair first.
	SwapRates []float64 `json:"swap_rates,omitempty"`
	// HeldOut is the held-out log-likelihood estimate, in the epochs the
	// trainer evaluates (Trainer.Evaluate).
	HeldOut *LogLik `json:"held_out,omitempty"`
	// Seconds is the wall time of the epoch, monitoring and evaluation
	// excluded. It is the one figure that differs between identical runs.
	Seconds float64 `json:"seconds"`
}

type monitor struct {
	m          *RBM
	pool       *kernel.Pool
	train, val *Matrix
	started    time.Time
	off        bool
	pll        pllJob
}

// newMonitor picks the monitoring subsets once, with a seeded source, so
// that every epoch is measured on the same rows.
func newMonitor(t *Trainer, m *RBM, data Data, pool *kernel.Pool) *monitor {
	mon := &monitor{m: m, pool: pool, started: time.Now(), off: t.MonitorRows < 0}
	n := t.MonitorRows
	if n == 0 {
		n = 500
	}
	if mon.off {
		return mon
	}
	mon.train = subset(data, n, t.Seed)
	if v := t.Validation; !noData(v) {
		if rows, _ := v.Dims(); rows > 0 {
			mon.val = subset(v, n, seeds.Next(t.Seed))
		}
	}
	return mon
}

// subset returns n rows of data chosen without replacement (all of them, in
// order, when data has no more than n rows).
func subset(data Data, n int, seed uint64) *Matrix {
	rows, cols := data.Dims()
	if rows <= n {
		if m, ok := data.(*Matrix); ok {
			return m
		}
		out := NewMatrix(rows, cols)
		data.Gather(out, sequence(rows))
		return out
	}
	rng := seeds.Rand(seed, seeds.Monitor)
	idx := make([]int32, n)
	for r, i := range rng.Perm(rows)[:n] {
		idx[r] = int32(i)
	}
	out := NewMatrix(n, cols)
	data.Gather(out, idx)
	return out
}

// sequence returns the row indices 0, 1, …, n-1.
func sequence(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = int32(i)
	}
	return s
}

// restart starts the clock of the next epoch's training time.
func (mon *monitor) restart() { mon.started = time.Now() }

// finite reports whether every monitoring figure is finite: a model whose
// free energies overflow has diverged even when its parameters have not.
func (st *EpochStats) finite() bool {
	for _, x := range []float64{st.ReconError, st.PseudoLogLik, st.FreeEnergyTrain} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return st.FreeEnergyVal == nil || !math.IsNaN(*st.FreeEnergyVal) && !math.IsInf(*st.FreeEnergyVal, 0)
}

func (mon *monitor) epoch(e int) EpochStats {
	st := EpochStats{Epoch: e, Seconds: time.Since(mon.started).Seconds()}
	defer mon.restart()
	if mon.off {
		return st
	}
	st.ReconError = reconstructionError(mon.pool, mon.m, mon.train)
	st.PseudoLogLik = mon.pseudoLogLik(mon.train)
	st.FreeEnergyTrain = meanFreeEnergy(mon.pool, mon.m, mon.train)
	if mon.val != nil {
		fv := meanFreeEnergy(mon.pool, mon.m, mon.val)
		gap := fv - st.FreeEnergyTrain
		st.FreeEnergyVal, st.Gap = &fv, &gap
	}
	return st
}

func meanFreeEnergy(p *kernel.Pool, m *RBM, v *Matrix) float64 {
	f := make([]float64, v.Rows)
	freeEnergies(p, m, f, v)
	var sum float64
	for _, x := range f {
		sum += x
	}
	return sum / float64(len(f))
}

// pseudoLogLik returns the mean pseudo-log-likelihood of the rows of v,
// computed in parallel; the per-row values are summed in row order so the
// result does not depend on the number of workers.
func (mon *monitor) pseudoLogLik(v *Matrix) float64 {
	mon.pll = pllJob{m: mon.m, v: v, out: make([]float64, v.Rows)}
	mon.pool.Run(&mon.pll, v.Rows)
	var sum float64
	for _, x := range mon.pll.out {
		sum += x
	}
	return sum / float64(v.Rows)
}

type pllJob struct {
	m   *RBM
	v   *Matrix
	out []float64
}

func (j *pllJob) Do(r int) { j.out[r] = j.m.PseudoLogLikelihood(j.v.Row(r)) }
