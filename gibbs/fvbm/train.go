package fvbm

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/gibbs"
	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
)

// ExactMaxUnits is the largest model whose exact log-likelihood training
// reports (2²⁰ states per evaluation).
const ExactMaxUnits = 20

// Config holds the training settings. The zero value trains by persistent
// MCMC for 100 epochs with batches of 100 rows, learning rate 0.05, 100
// persistent chains advanced by one Gibbs sweep per update, no penalty.
type Config struct {
	Epochs       int     `json:"epochs"`        // PCD passes over the data; 0 means 100
	BatchSize    int     `json:"batch_size"`    // rows per update; 0 means 100
	LearningRate float64 `json:"learning_rate"` // 0 means 0.05
	Chains       int     `json:"chains"`        // persistent chains; 0 means 100
	Sweeps       int     `json:"sweeps"`        // Gibbs sweeps per update; 0 means 1
	// L2 is the coefficient of the penalty ½·L2·ΣJ² on the couplings
	// (never the fields), for both methods.
	L2 float64 `json:"l2"`
	// MaxIterations bounds the L-BFGS iterations of pseudo-likelihood
	// training; 0 means 500.
	MaxIterations int `json:"max_iterations"`
	// Seed seeds every random draw: the same Seed gives the same result,
	// bit for bit.
	Seed uint64 `json:"seed"`
	// Workers is the number of goroutines running the chains; 0 uses every
	// core. It never changes the result.
	Workers int `json:"-"`
	// EpochDone, when set, receives the statistics of each epoch (PCD) or
	// of the final point (pseudo-likelihood).
	EpochDone func(Stats) `json:"-"`
}

// Stats are the figures of a model on its training data.
type Stats struct {
	Epoch int `json:"epoch"`
	// PseudoLogLik is the mean pseudo-log-likelihood per row, in nats.
	PseudoLogLik float64 `json:"pseudo_log_lik"`
	// LogLik is the exact mean log-likelihood per row, present when the
	// model has at most ExactMaxUnits units.
	LogLik  *float64 `json:"log_lik,omitempty"`
	Seconds float64  `json:"seconds"`
}

func (c Config) withDefaults() (Config, error) {
	if c.Epochs == 0 {
		c.Epochs = 100
	}
	if c.BatchSize == 0 {
		c.BatchSize = 100
	}
	if c.LearningRate == 0 {
		c.LearningRate = 0.05
	}
	if c.Chains == 0 {
		c.Chains = 100
	}
	if c.Sweeps == 0 {
		c.Sweeps = 1
	}
	if c.MaxIterations == 0 {
		c.MaxIterations = 500
	}
	switch {
	case c.Epochs < 0 || c.BatchSize < 0 || c.Chains < 0 || c.Sweeps < 0 || c.MaxIterations < 0:
		return c, fmt.Errorf("counts must not be negative")
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return c, fmt.Errorf("learning rate %v must be a positive number", c.LearningRate)
	case !(c.L2 >= 0) || math.IsInf(c.L2, 0):
		return c, fmt.Errorf("L2 penalty %v must not be negative", c.L2)
	}
	return c, nil
}

func checkData(m *discrete.Pairwise, data [][]int8) error {
	if len(data) == 0 {
		return fmt.Errorf("no training rows")
	}
	d := m.Domain()
	for r, x := range data {
		if len(x) != m.Units() {
			return fmt.Errorf("row %d has %d units, model has %d", r, len(x), m.Units())
		}
		for i, v := range x {
			if !d.Valid(v) {
				return fmt.Errorf("row %d, unit %d: %d is not a %v value", r, i, v, d)
			}
		}
	}
	return nil
}

// moments adds to h[i] the sum of x_i and to j[e] the sum of x_i·x_j for
// each edge e, over the rows.
func moments(edges []discrete.Coupling, rows [][]int8, h, j []float64) {
	for _, x := range rows {
		for i, v := range x {
			h[i] += float64(v)
		}
		for e, c := range edges {
			j[e] += float64(x[c.I]) * float64(x[c.J])
		}
	}
}

// TrainPCD fits m to data (rows in m's domain) by persistent MCMC: each
// update moves the parameters along the log-likelihood gradient
// ⟨x_i x_j⟩_data - ⟨x_i x_j⟩_model (and ⟨x_i⟩ for the fields), the data
// term from a mini-batch and the model term from Chains persistent chains
// advanced by Sweeps systematic Gibbs sweeps under the current parameters.
// The learning rate decays as lr/(1 + epoch/10) and the parameters
// returned are the average of the iterates over the second half of the
// epochs (Polyak-Ruppert averaging), which removes most of the noise the
// chains put into the last iterate. It honours ctx between updates.
func TrainPCD(ctx context.Context, m *discrete.Pairwise, data [][]int8, cfg Config) ([]Stats, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("fvbm: PCD: %w", err)
	}
	if err := checkData(m, data); err != nil {
		return nil, fmt.Errorf("fvbm: PCD: %w", err)
	}
	n := m.Units()
	edges := m.Couplings()
	h, jv := m.Fields(), make([]float64, len(edges))
	for e, c := range edges {
		jv[e] = c.Value
	}
	avgH, avgJ := make([]float64, n), make([]float64, len(edges))
	averaged := 0
	// Row -1 of the chains' stream, which no chain has.
	shuffle := seeds.RowRand(cfg.Seed, seeds.GibbsChains, -1)
	chains := make([][]int8, cfg.Chains)
	for c := range chains {
		chains[c] = append([]int8(nil), data[shuffle.IntN(len(data))]...)
	}
	order := shuffle.Perm(len(data))
	posH, posJ := make([]float64, n), make([]float64, len(edges))
	negH, negJ := make([]float64, n), make([]float64, len(edges))
	batch := make([][]int8, 0, cfg.BatchSize)
	var history []Stats
	update := uint64(0)
	for epoch := range cfg.Epochs {
		start := time.Now()
		lr := cfg.LearningRate / (1 + float64(epoch)/10)
		shuffle.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for lo := 0; lo < len(data); lo += cfg.BatchSize {
			if err := ctx.Err(); err != nil {
				return history, err
			}
			batch = batch[:0]
			for _, r := range order[lo:min(lo+cfg.BatchSize, len(data))] {
				batch = append(batch, data[r])
			}
			update++
			res, err := gibbs.Run(ctx, m, gibbs.Config{
				Method: gibbs.Systematic, Chains: cfg.Chains, Sweeps: 1, Burnin: cfg.Sweeps - 1,
				Starts: chains, Seed: seeds.Nth(cfg.Seed, update), Workers: cfg.Workers,
			})
			if err != nil {
				return history, fmt.Errorf("fvbm: PCD: %w", err)
			}
			chains = res.Final
			clear(posH)
			clear(posJ)
			clear(negH)
			clear(negJ)
			moments(edges, batch, posH, posJ)
			moments(edges, chains, negH, negJ)
			pb, nb := 1/float64(len(batch)), 1/float64(len(chains))
			for i := range h {
				h[i] += lr * (posH[i]*pb - negH[i]*nb)
			}
			for e := range jv {
				jv[e] += lr * (posJ[e]*pb - negJ[e]*nb - cfg.L2*jv[e])
			}
			if err := m.SetParams(h, jv); err != nil {
				return history, fmt.Errorf("fvbm: PCD: training diverged (lower the learning rate): %w", err)
			}
		}
		if 2*epoch >= cfg.Epochs {
			averaged++
			for i := range h {
				avgH[i] += (h[i] - avgH[i]) / float64(averaged)
			}
			for e := range jv {
				avgJ[e] += (jv[e] - avgJ[e]) / float64(averaged)
			}
		}
		st, err := evaluate(ctx, m, data, epoch+1)
		if err != nil {
			return history, err
		}
		st.Seconds = time.Since(start).Seconds()
		history = append(history, st)
		if cfg.EpochDone != nil {
			cfg.EpochDone(st)
		}
	}
	if averaged > 0 {
		if err := m.SetParams(avgH, avgJ); err != nil {
			return history, fmt.Errorf("fvbm: PCD: %w", err)
		}
	}
	return history, nil
}

// evaluate returns the pseudo-log-likelihood and, for small models, the
// exact log-likelihood of m on data.
func evaluate(ctx context.Context, m *discrete.Pairwise, data [][]int8, epoch int) (Stats, error) {
	st := Stats{Epoch: epoch, PseudoLogLik: PseudoLogLikelihood(m, data)}
	if m.Units() <= ExactMaxUnits {
		ll, err := LogLikelihood(ctx, m, data)
		if err != nil {
			return st, err
		}
		st.LogLik = &ll
	}
	return st, nil
}

// LogLikelihood returns the exact mean log-likelihood of the rows under m,
// -mean E(x) - log Z, enumerating the 2ⁿ states for log Z.
func LogLikelihood(ctx context.Context, m discrete.Model, data [][]int8) (float64, error) {
	logZ, err := exact.LogZ(ctx, m, 1, exact.Options{})
	if err != nil {
		return 0, fmt.Errorf("fvbm: log-likelihood: %w", err)
	}
	var e float64
	for _, x := range data {
		e += m.Energy(x)
	}
	return -e/float64(len(data)) - logZ, nil
}

// PseudoLogLikelihood returns the mean over the rows of Σ_i log p(x_i | x_-i).
// With ΔE_i the energy change of flipping unit i, p(x_i | x_-i) =
// σ(ΔE_i), so each term is -softplus(-ΔE_i).
func PseudoLogLikelihood(m discrete.Model, data [][]int8) float64 {
	var sum float64
	for _, x := range data {
		l := discrete.NewLocal(m, x)
		for i := range x {
			sum -= kernel.Softplus(-l.FlipDelta(i))
		}
	}
	return sum / float64(len(data))
}
