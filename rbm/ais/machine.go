package ais

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

// RunMachine estimates log Z of a machine of any unit types by forward
// AIS along the machine's annealing path (rbm.MachinePath, the one
// definition, which parallel tempering follows too): at inverse
// temperature β the weights are βW, the visible layer's parameters
// (1-β)θ_A + βθ_B and the hidden layer's the model's own, so that
//
//	p*_β(v) = exp(-E_{v,β}(v) + Γ_h(βWᵀv))
//
// and at β = 0 the layers are independent, with
// log Z_A = Γ_{v,A}(0) + Γ_h(0) known in closed form for every type. The
// base visible layer θ_A is base (of the machine's visible type, such as
// layer.Layer's Fit makes from training data), or the machine's own visible
// layer when base is nil. For two binary layers this is the path of Run but
// for the hidden biases, which Run anneals too; both end at the same Z.
//
// Each transition is the machine's block Gibbs step at β. The runs form
// one batch whose products go through the float64 kernel on Workers
// goroutines; each run draws from its own seeded source, so the estimate
// depends on the seed only.
func RunMachine(ctx context.Context, m *rbm.Machine, base layer.Layer, cfg Config) (*Estimate, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("ais: %w", err)
	}
	path, err := m.Path(base)
	if err != nil {
		return nil, fmt.Errorf("ais: %w", err)
	}
	base = path.Base()
	s := cfg.schedule()
	runs := cfg.runs()
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	// One rung, moved between the two inverse temperatures of each step,
	// so that the visible parameters are interpolated twice per step, not
	// twice per run.
	rung := path.Rung()

	// β = 0: independent draws from the base visible layer.
	zeroV := make([]float64, vw)
	logZBase := path.LogZBase()
	rngs := make([]*rand.Rand, runs)
	v := mat.NewDense(runs, vw, nil)
	for r := range runs {
		rngs[r] = seeds.Indexed(cfg.Seed, r)
		base.Sample(v.RawRowView(r), zeroV, rngs[r])
	}
	logw := make([]float64, runs)
	w := mat.NewDense(vw, hw, m.W)
	pool := kernel.NewPool(cfg.Workers)
	defer pool.Close()
	u := mat.NewDense(runs, hw, nil)  // Wᵀv per run
	h := mat.NewDense(runs, hw, nil)  // hidden states
	in := mat.NewDense(runs, vw, nil) // Wh per run
	K := len(s) - 1
	for k := 1; k <= K; k++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		lo, hi := s[k-1], s[k]
		pool.MulDense(u, v, false, w, false)
		// log w += log p*_hi(v) - log p*_lo(v).
		addLogP(logw, rung, v, u, lo, -1)
		addLogP(logw, rung, v, u, hi, 1)
		if k == K {
			break
		}
		// The Gibbs transition at β = hi, where the rung is.
		for r := range runs {
			rung.SampleHidden(h.RawRowView(r), u.RawRowView(r), rngs[r])
		}
		pool.MulDense(in, h, false, w, true)
		for r := range runs {
			rung.SampleVisible(v.RawRowView(r), in.RawRowView(r), rngs[r])
		}
		cfg.report(K-k+1, K, k)
	}
	cfg.report(1, K, K)
	return forwardEstimate(logw, logZBase, K), nil
}

// ReverseMachine is Reverse for a machine of any unit types: chains start
// at rows of data (Runs rows drawn as Reverse draws them, ChainRows) and
// anneal from β = 1 down to 0 along the path RunMachine follows, with the
// same transitions in the opposite order. The chain of row v gives RAISE's
// estimate log p̂(v) = -F(v) - log Z_A - u (Burda, Grosse & Salakhutdinov
// 2015), conservative in expectation for the annealing model; the returned
// LogZ = log Z_A + mean(u) is the log Z that estimate implies, and an upper
// bound on log Z in expectation when the rows are samples of the model.
// data's rows must be in the visible layer's encoding (one-hot for Potts
// units, standardised as training was).
func ReverseMachine(ctx context.Context, m *rbm.Machine, base layer.Layer, data *mat.Dense, cfg Config) (*Estimate, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("ais: %w", err)
	}
	vw := m.Visible.Width()
	if data == nil {
		return nil, fmt.Errorf("ais: reverse: no data")
	}
	if rows, cols := data.Dims(); rows == 0 || cols != vw {
		return nil, fmt.Errorf("ais: reverse: data must have rows of %d values for the %s visible layer", vw, m.Visible.Kind())
	}
	path, err := m.Path(base)
	if err != nil {
		return nil, fmt.Errorf("ais: %w", err)
	}
	rows, _ := data.Dims()
	chains := chainRows(rows, cfg.runs(), cfg.Seed)
	v := mat.NewDense(len(chains), vw, nil)
	for r, i := range chains {
		copy(v.RawRowView(r), data.RawRowView(i))
	}
	pool := kernel.NewPool(cfg.Workers)
	defer pool.Close()
	return reverseMachine(ctx, m, path, pool, v, cfg)
}

// ReverseMachineFromTempering is ReverseFromTempering for a machine of any
// unit types: it draws Runs samples of m by parallel tempering along the
// path RunMachine follows from the same base (rbm.MachineTempering; chain
// i of every replica forms one of Runs independent systems, started at
// draws from the base visible layer), anneals in reverse from them as
// ReverseMachine does from data rows, and returns the reverse estimate and
// the swap rates of the tempering, hottest pair first.
//
// Its LogZ = log Z_A + mean(u) overestimates log Z in expectation when the
// start states are samples of m, so with RunMachine's forward estimate it
// sandwiches log Z. That holds to the extent the tempering has reached
// m's distribution: low swap rates between the coldest replicas are the
// warning sign. cfg.Progress hears of the sweeps, then of the annealing.
func ReverseMachineFromTempering(ctx context.Context, m *rbm.Machine, base layer.Layer, cfg Config, t Tempered) (*Estimate, []float64, error) {
	if err := m.Validate(); err != nil {
		return nil, nil, fmt.Errorf("ais: %w", err)
	}
	path, err := m.Path(base)
	if err != nil {
		return nil, nil, fmt.Errorf("ais: %w", err)
	}
	ladder, sweeps := t.settings()
	pt, err := rbm.NewMachineTempering(path, rbm.TemperingConfig{Ladder: ladder, Chains: cfg.runs(),
		Seed: seeds.Xor(cfg.Seed, seeds.AISTempering), Workers: cfg.Workers})
	if err != nil {
		return nil, nil, fmt.Errorf("ais: %w", err)
	}
	defer pt.Close()
	pt.SampleBase()
	for s := range sweeps {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		pt.Sweep()
		if cfg.Progress != nil && ((s+1)%max(cfg.ProgressEvery, 100) == 0 || s+1 == sweeps) {
			cfg.Progress(s+1, sweeps)
		}
	}
	pool := kernel.NewPool(cfg.Workers)
	defer pool.Close()
	rev, err := reverseMachine(ctx, m, path, pool, mat.DenseCopyOf(pt.Model()), cfg)
	if err != nil {
		return nil, nil, err
	}
	return rev, pt.SwapRates(), nil
}

// reverseMachine anneals one chain from each row of v (which it
// overwrites) from β = 1 down to 0 along path, m's, chain r drawing from its
// own source seeded by (cfg.Seed, r), and returns the reverse estimate:
// the one implementation of the reverse chain, whether it starts at data
// rows (ReverseMachine) or at samples of the machine
// (ReverseMachineFromTempering).
func reverseMachine(ctx context.Context, m *rbm.Machine, path *rbm.MachinePath, pool *kernel.Pool, v *mat.Dense, cfg Config) (*Estimate, error) {
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	s := cfg.schedule()
	n, _ := v.Dims()
	rung := path.Rung()
	rngs := make([]*rand.Rand, n)
	for r := range rngs {
		rngs[r] = seeds.Indexed(cfg.Seed, r)
	}
	u := make([]float64, n)
	w := mat.NewDense(vw, hw, m.W)
	in := mat.NewDense(n, hw, nil)  // Wᵀv per chain
	h := mat.NewDense(n, hw, nil)   // hidden states
	inV := mat.NewDense(n, vw, nil) // Wh per chain
	// transition takes the Gibbs step at β, where the rung must be.
	transition := func() {
		pool.MulDense(in, v, false, w, false)
		for r := range n {
			rung.SampleHidden(h.RawRowView(r), in.RawRowView(r), rngs[r])
		}
		pool.MulDense(inV, h, false, w, true)
		for r := range n {
			rung.SampleVisible(v.RawRowView(r), inV.RawRowView(r), rngs[r])
		}
	}
	K := len(s) - 1
	rung.Set(s[K])
	transition()
	for k := K; k >= 1; k-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// u += log p*_k(v) - log p*_{k-1}(v): the reverse weight, whose
		// mean bounds log Z - log Z_A from above for model samples.
		pool.MulDense(in, v, false, w, false)
		addLogP(u, rung, v, in, s[k], 1)
		addLogP(u, rung, v, in, s[k-1], -1)
		if k > 1 {
			// The rung is at β_{k-1}.
			transition()
		}
		cfg.report(k, K, K-k+1)
	}
	return reverseEstimate(u, path.LogZBase(), K), nil
}

// addLogP adds sign·log p*_β(v) to dst[r] for every row r of v, whose
// hidden inputs Wᵀv are the rows of u, and leaves rung at β: half of the
// log-weight increment of one annealing step, forward or reverse.
func addLogP(dst []float64, rung *rbm.PathRung, v, u *mat.Dense, beta, sign float64) {
	rung.Set(beta)
	for r := range dst {
		dst[r] += sign * rung.LogP(v.RawRowView(r), u.RawRowView(r))
	}
}
