package ais

import (
	"context"
	"fmt"
	"math"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
)

// Config holds the settings of an AIS estimate. The zero value uses the
// default schedule, 100 runs, seed 0, every core, and the model's own
// visible biases as the base rates.
type Config struct {
	// Schedule is the sequence of inverse temperatures; nil means
	// DefaultSchedule().
	Schedule Schedule
	// Runs is the number of independent annealing runs (chains); 0 means
	// 100.
	Runs int
	// Seed seeds every random draw: the same Seed gives the same result,
	// bit for bit.
	Seed uint64
	// Workers is the number of goroutines sharing each step; 0 uses every
	// core. It never changes the result.
	Workers int
	// Base holds the visible biases b_A of the base-rate model, one per
	// visible unit; BaseRates computes them from data as Salakhutdinov and
	// Murray do. Nil uses the model's own visible biases b_B, which needs
	// no data but anneals less smoothly when b_B is far from the data's
	// base rates.
	Base []float64
	// Progress, when set, is called on the calling goroutine every
	// ProgressEvery steps (0 means 100) and after the last one, with the
	// number of steps done and the total.
	Progress      func(done, total int)
	ProgressEvery int
}

// BaseRates returns the visible biases of the base-rate model fitted to
// data (rbm.BaseRates).
func BaseRates(data *rbm.Matrix) []float64 { return rbm.BaseRates(data) }

// Estimate is an estimate of log Z with its uncertainty.
type Estimate struct {
	// LogZ is the estimate of log Z.
	LogZ float64 `json:"log_z"`
	// StdErr is the standard error of LogZ: for forward AIS σ̂/Ẑ by the
	// delta method, σ̂ being the standard error of the mean importance
	// weight Ẑ; for Reverse the standard error of the mean log-weight.
	StdErr float64 `json:"std_err"`
	// Lower and Upper bound the ±3σ interval: log(Ẑ - 3σ̂) and
	// log(Ẑ + 3σ̂) for forward AIS (Lower is -Inf when 3σ̂ ≥ Ẑ),
	// LogZ ∓ 3·StdErr for Reverse.
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	// LogZBase is log Z_A of the base model: the base-rate model of Run
	// and Reverse, the independent layers of RunMachine, the uniform
	// distribution (n·log 2) of RunDiscrete.
	LogZBase float64 `json:"log_z_base"`
	// LogWeights holds the log-weight of each run, relative to the base
	// model: log w for forward runs, the u of each reverse chain.
	LogWeights []float64 `json:"-"`
	// Runs and Steps are the number of runs and annealing steps.
	Runs  int `json:"runs"`
	Steps int `json:"steps"`
	// ESS is the effective sample size of the importance weights,
	// (Σw)²/Σw² with w = exp(log w) for forward runs and exp(-u) for
	// reverse ones: the number of runs that effectively carry the
	// estimate. A few out of a hundred means the annealing was far from
	// equilibrium and the estimate rests on its luckiest runs.
	ESS float64 `json:"ess"`
}

// MinESS is the effective sample size below which Reliable reports an
// estimate as unreliable.
const MinESS = 10

// Reliable reports whether enough runs carry the estimate (ESS ≥ MinESS,
// or a tenth of the runs when there are fewer than 100) for its error bar
// to mean something. An unreliable forward estimate most likely
// underestimates log Z.
func (e *Estimate) Reliable() bool { return e.ESS >= min(MinESS, float64(e.Runs)/10) }

// ess returns (Σw)²/Σw² for weights w = exp(sign·x).
func ess(x []float64, sign float64) float64 {
	hi := math.Inf(-1)
	for _, v := range x {
		hi = max(hi, sign*v)
	}
	var s, ss float64
	for _, v := range x {
		w := math.Exp(sign*v - hi)
		s += w
		ss += w * w
	}
	return s * s / ss
}

// Run estimates log Z of m by forward annealed importance sampling.
func Run(ctx context.Context, m *rbm.RBM, cfg Config) (*Estimate, error) {
	a, err := newAnnealer(m, &cfg, cfg.runs())
	if err != nil {
		return nil, err
	}
	defer a.pool.Close()
	a.sampleBase()
	s := cfg.schedule()
	K := len(s) - 1
	for k := 1; k <= K; k++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a.hiddenInputs()
		a.update(s[k], s[k-1], s[k], k < K)
		if k < K {
			a.transition(s[k])
		}
		cfg.report(K-k+1, K, k)
	}
	return forwardEstimate(a.logw, a.logZBase, K), nil
}

// Reverse anneals from β = 1 down to 0 with chains started at rows of data
// (one chain per row, Runs rows drawn without replacement, or every row in
// turn when there are fewer) and returns the conservative estimate
// log Z_A + mean(u) described in the package comment. MeanFreeEnergy of
// the same rows is needed to turn it into RAISE's mean log-likelihood of
// those rows, mean(-F(v)) - LogZ; any other rows may use it as a
// conservative log Z.
func Reverse(ctx context.Context, m *rbm.RBM, data *rbm.Matrix, cfg Config) (*Estimate, error) {
	if data == nil || data.Rows == 0 || data.Cols != m.Visible || len(data.Data) != data.Rows*data.Cols {
		return nil, fmt.Errorf("ais: reverse: data must have rows of %d visible units", m.Visible)
	}
	runs := cfg.runs()
	a, err := newAnnealer(m, &cfg, runs)
	if err != nil {
		return nil, err
	}
	defer a.pool.Close()
	for r, i := range chainRows(data.Rows, runs, cfg.Seed) {
		copy(a.v.Row(r), data.Row(i))
	}
	s := cfg.schedule()
	K := len(s) - 1
	a.hiddenInputs()
	a.update(s[K], s[K], s[K], true)
	a.transition(s[K])
	for k := K; k >= 1; k-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a.hiddenInputs()
		a.update(s[k], s[k-1], s[k-1], k > 1)
		if k > 1 {
			a.transition(s[k-1])
		}
		cfg.report(k, K, K-k+1)
	}
	return reverseEstimate(a.logw, a.logZBase, K), nil
}

// ChainRows returns the data rows Reverse starts its chains from, so that
// callers can compute their free energies.
func ChainRows(rows int, cfg Config) []int { return chainRows(rows, cfg.runs(), cfg.Seed) }

func chainRows(rows, runs int, seed uint64) []int {
	out := make([]int, runs)
	if rows <= runs {
		for r := range out {
			out[r] = r % rows
		}
		return out
	}
	// A seeded partial Fisher–Yates shuffle: the first runs entries of a
	// uniformly random permutation of the rows.
	perm := make([]int, rows)
	for i := range perm {
		perm[i] = i
	}
	rng := seeds.PCG(seed, seeds.ReverseRows)
	for i := range runs {
		j := i + int(rng.Uint64()%uint64(rows-i))
		perm[i], perm[j] = perm[j], perm[i]
	}
	copy(out, perm[:runs])
	return out
}

func (c *Config) runs() int {
	if c.Runs <= 0 {
		return 100
	}
	return c.Runs
}

func (c *Config) schedule() Schedule {
	if c.Schedule == nil {
		return DefaultSchedule()
	}
	return c.Schedule
}

// report calls Progress every ProgressEvery steps and at the last.
func (c *Config) report(remaining, total, done int) {
	if c.Progress == nil {
		return
	}
	every := c.ProgressEvery
	if every <= 0 {
		every = 100
	}
	if done%every == 0 || remaining == 1 {
		c.Progress(done, total)
	}
}

// forwardEstimate turns the forward log-weights into log Ẑ with the ±3σ
// interval of the mean weight, all in the log domain.
func forwardEstimate(logw []float64, logZBase float64, steps int) *Estimate {
	hi := math.Inf(-1)
	for _, x := range logw {
		hi = max(hi, x)
	}
	n := float64(len(logw))
	var mean float64
	for _, x := range logw {
		mean += math.Exp(x - hi)
	}
	mean /= n
	var ss float64
	for _, x := range logw {
		d := math.Exp(x-hi) - mean
		ss += d * d
	}
	se := 0.0
	if len(logw) > 1 {
		se = math.Sqrt(ss / (n - 1) / n)
	}
	e := &Estimate{
		LogZ:       logZBase + hi + math.Log(mean),
		StdErr:     se / mean,
		Upper:      logZBase + hi + math.Log(mean+3*se),
		Lower:      math.Inf(-1),
		LogZBase:   logZBase,
		LogWeights: logw,
		Runs:       len(logw),
		Steps:      steps,
		ESS:        ess(logw, 1),
	}
	if mean > 3*se {
		e.Lower = logZBase + hi + math.Log(mean-3*se)
	}
	return e
}

// reverseEstimate returns log Z_A + mean(u) with the standard error of the
// mean.
func reverseEstimate(u []float64, logZBase float64, steps int) *Estimate {
	n := float64(len(u))
	var mean float64
	for _, x := range u {
		mean += x
	}
	mean /= n
	var ss float64
	for _, x := range u {
		ss += (x - mean) * (x - mean)
	}
	se := 0.0
	if len(u) > 1 {
		se = math.Sqrt(ss / (n - 1) / n)
	}
	logZ := logZBase + mean
	return &Estimate{LogZ: logZ, StdErr: se, Lower: logZ - 3*se, Upper: logZ + 3*se,
		LogZBase: logZBase, LogWeights: u, Runs: len(u), Steps: steps, ESS: ess(u, -1)}
}

// annealer holds the batch of chains and their log-weights.
type annealer struct {
	m     *rbm.RBM
	pool  *kernel.Pool
	seed  uint64
	draws uint64

	baseA    []float32 // b_A
	diff     []float64 // b_B - b_A
	biasV    []float32 // (1-β)b_A + βb_B of the current transition
	logZBase float64

	v, vp   *rbm.Matrix // states and p(v|h), runs×V
	act, hp *rbm.Matrix // xᵀW (without c), then p(h|v); runs×H
	h       *rbm.Matrix
	logw    []float64
	job     updateJob
}

func newAnnealer(m *rbm.RBM, cfg *Config, runs int) (*annealer, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("ais: %w", err)
	}
	if err := cfg.schedule().Validate(); err != nil {
		return nil, err
	}
	a := &annealer{
		m: m, pool: kernel.NewPool(cfg.Workers), seed: cfg.Seed,
		baseA: make([]float32, m.Visible), diff: make([]float64, m.Visible), biasV: make([]float32, m.Visible),
		v: rbm.NewMatrix(runs, m.Visible), vp: rbm.NewMatrix(runs, m.Visible),
		act: rbm.NewMatrix(runs, m.Hidden), hp: rbm.NewMatrix(runs, m.Hidden), h: rbm.NewMatrix(runs, m.Hidden),
		logw: make([]float64, runs),
	}
	switch {
	case cfg.Base == nil:
		copy(a.baseA, m.B)
	case len(cfg.Base) != m.Visible:
		a.pool.Close()
		return nil, fmt.Errorf("ais: %d base-rate biases for %d visible units", len(cfg.Base), m.Visible)
	default:
		for i, b := range cfg.Base {
			if math.IsNaN(b) || math.IsInf(b, 0) {
				a.pool.Close()
				return nil, fmt.Errorf("ais: base-rate bias %d is %v", i, b)
			}
			a.baseA[i] = float32(b)
		}
	}
	// log Z_A = Σᵢ softplus(b_Aᵢ) + H log 2: the base model's hidden units
	// have no bias and no weights.
	a.logZBase = float64(m.Hidden) * math.Ln2
	for i, b := range a.baseA {
		a.logZBase += kernel.Softplus(float64(b))
		a.diff[i] = float64(m.B[i]) - float64(b)
	}
	a.job = updateJob{a: a}
	return a, nil
}

// sampleBase draws every chain's v from the base-rate model.
func (a *annealer) sampleBase() {
	rbm.BaseMeans(a.vp, a.baseA)
	a.sample(a.v, a.vp)
}

func (a *annealer) sample(dst, p *rbm.Matrix) {
	a.draws++
	a.pool.SampleRows(dst.Data, p.Data, p.Cols, a.seed, a.draws)
}

// hiddenInputs sets act = vW (float32, the hidden biases are added in
// float64 by update).
func (a *annealer) hiddenInputs() {
	m := a.m
	a.pool.GemmSparseA(false, a.v.Rows, m.Hidden, m.Visible, a.v.Data, m.Visible, m.W, m.Hidden, a.act.Data, m.Hidden)
}

// update adds log p*_hi(v) - log p*_lo(v) to every chain's log-weight and
// sets hp to p(h=1|v) at βt (one of hi, lo), the first half of the
// transition at βt. Both come from the same inputs aⱼ = cⱼ + (vᵀW)ⱼ:
// with σ = σ(βt·a) and Δ = hi - lo, the hidden unit's share of the weight
// is softplus(hi·a) - softplus(lo·a), computed without cancellation as
// log1p(σ_lo·expm1(Δa)) = -log1p(σ_hi·expm1(-Δa)).
func (a *annealer) update(hi, lo, bt float64, needProbs bool) {
	j := &a.job
	j.hi, j.lo, j.bt, j.probs = hi, lo, bt, needProbs
	a.pool.Run(j, min(a.v.Rows, updateChunks))
}

// updateChunks is the fixed number of row ranges of an update; each row's
// arithmetic is the same whichever range it falls in.
const updateChunks = 16

type updateJob struct {
	a          *annealer
	hi, lo, bt float64
	probs      bool
}

func (j *updateJob) Do(task int) {
	a := j.a
	rows := a.v.Rows
	nt := min(rows, updateChunks)
	lo, hi := rows*task/nt, rows*(task+1)/nt
	delta := j.hi - j.lo
	useHi := j.bt == j.hi && delta != 0
	for r := lo; r < hi; r++ {
		var inc float64
		if delta != 0 {
			for i, x := range a.v.Row(r) {
				if x != 0 {
					inc += a.diff[i]
				}
			}
			inc *= delta
		}
		act, hp := a.act.Row(r), a.hp.Row(r)
		for k, x := range act {
			in := float64(x) + float64(a.m.C[k])
			s := kernel.Sigmoid(j.bt * in)
			if j.probs {
				hp[k] = float32(s)
			}
			switch {
			case delta == 0:
			case useHi:
				inc -= logRatio(s, -delta*in)
			default:
				inc += logRatio(s, delta*in)
			}
		}
		a.logw[r] += inc
	}
}

// transition completes the Gibbs step at β: h ~ hp, then v ~ p(v|h) with
// weights βW and visible biases (1-β)b_A + βb_B.
func (a *annealer) transition(beta float64) {
	m := a.m
	a.sample(a.h, a.hp)
	m.PathBiases(a.biasV, a.baseA, beta)
	a.pool.Gemm(false, true, a.h.Rows, m.Visible, m.Hidden, float32(beta), a.h.Data, m.Hidden, m.W, m.Hidden, 0, a.vp.Data, m.Visible)
	a.pool.SigmoidRows(a.vp.Data, a.biasV)
	a.sample(a.v, a.vp)
}

// seriesLimit bounds |x| for the series of logRatio: below it, six terms of
// expm1 and seven of log1p leave a relative error under 10⁻¹⁹, well below
// float64 rounding. With the default schedule's steps of 10⁻⁴ and 10⁻⁵ the
// series covers nearly every term, and saves the Expm1 and Log1p calls that
// otherwise dominate an AIS step.
const seriesLimit = 1.0 / 256

// logRatio returns log1p(s·expm1(x)) = log((1 + e^(b+x))/(1 + e^b)) for
// s = σ(b): the change of a hidden unit's softplus when its input moves
// from b to b + x.
func logRatio(s, x float64) float64 {
	if math.Abs(x) >= seriesLimit {
		return math.Log1p(s * math.Expm1(x))
	}
	e := x * (1 + x*(1.0/2+x*(1.0/6+x*(1.0/24+x*(1.0/120+x*(1.0/720))))))
	y := s * e
	return y * (1 - y*(1.0/2-y*(1.0/3-y*(1.0/4-y*(1.0/5-y*(1.0/6-y*(1.0/7)))))))
}

// Tempered holds the settings of the parallel tempering that draws the
// start states of ReverseFromTempering and ReverseMachineFromTempering.
type Tempered struct {
	// Ladder is the rising sequence of inverse temperatures on the path
	// from the base-rate model (β = 0) to the RBM (β = 1); nil means
	// DefaultLadderSpec.
	Ladder Schedule
	// Sweeps is the number of tempering sweeps before the samples are
	// taken; 0 means 2000.
	Sweeps int
}

// settings returns the ladder and the number of sweeps, defaults filled in.
func (t Tempered) settings() (Schedule, int) {
	ladder := t.Ladder
	if ladder == nil {
		var err error
		if ladder, err = ParseSchedule(DefaultLadderSpec); err != nil {
			panic(err)
		}
	}
	sweeps := t.Sweeps
	if sweeps <= 0 {
		sweeps = 2000
	}
	return ladder, sweeps
}

// DefaultLadderSpec is the tempering ladder ReverseFromTempering uses by
// default, written as a schedule: 40 rungs, closer together towards β = 1
// where the distributions change fastest for a trained model.
const DefaultLadderSpec = "0.5/10,0.9/15,1/15"

// ReverseFromTempering draws Runs samples of m by parallel tempering (chain
// i of every replica forms one of Runs independent systems, started at the
// base-rate model) and anneals in reverse from them, returning the reverse
// estimate and the swap rates of the tempering, hottest pair first.
//
// log Z_A + mean(u) overestimates log Z in expectation when the start
// states are samples of m (Jensen's inequality on the unbiased estimate
// mean(e^-u) of Z_A/Z), so with forward AIS it sandwiches log Z. That
// holds to the extent the tempering has reached m's distribution: low
// swap rates between the coldest replicas are the warning sign.
func ReverseFromTempering(ctx context.Context, m *rbm.RBM, cfg Config, t Tempered) (*Estimate, []float64, error) {
	ladder, sweeps := t.settings()
	pt, err := rbm.NewTempering(m, rbm.TemperingConfig{Ladder: ladder, Base: cfg.Base, Chains: cfg.runs(),
		Seed: seeds.Xor(cfg.Seed, seeds.AISTempering), Workers: cfg.Workers})
	if err != nil {
		return nil, nil, fmt.Errorf("ais: %w", err)
	}
	defer pt.Close()
	progress := cfg.Progress
	for s := range sweeps {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		pt.Sweep()
		if progress != nil && ((s+1)%max(cfg.ProgressEvery, 100) == 0 || s+1 == sweeps) {
			progress(s+1, sweeps)
		}
	}
	samples := rbm.NewMatrix(cfg.runs(), m.Visible)
	copy(samples.Data, pt.Model().Data)
	rev, err := Reverse(ctx, m, samples, cfg)
	if err != nil {
		return nil, nil, err
	}
	return rev, pt.SwapRates(), nil
}
