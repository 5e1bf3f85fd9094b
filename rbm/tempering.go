package rbm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
)

// Tempering runs parallel tempering on an RBM: Replicas sets of Chains
// chains, set k at inverse temperature βₖ of a rising ladder that ends at
// β = 1, on the path from a base-rate model A to the RBM,
//
//	log p*_β(v, h) = (1-β)·b_Aᵀv + β·(vᵀWh + bᵀv + cᵀh),
//
// the path annealed importance sampling follows (package ais). At β = 0
// the visible units are independent with A's biases and the hidden units
// uniform, so the hottest replica forgets its state in one step; states
// travel towards β = 1 through swaps between neighbouring replicas.
//
// Each Sweep takes one block Gibbs step in every chain, v → h ~ p_β(h|v) →
// v ~ p_β(v|h), and then proposes to swap the joint states (v, h) of chain
// i in replicas k and k+1 for every i, for the even pairs k on one sweep
// and the odd pairs on the next. The energy along the path is linear in β,
// E_β = E_A + β·D with D = E - E_A, so a swap is accepted with probability
// min(1, exp((βₖ - βₖ₊₁)·(D(xₖ) - D(xₖ₊₁)))), where D(v, h) =
// -vᵀWh - (b - b_A)ᵀv - cᵀh costs two dot products from quantities the
// Gibbs step computes anyway.
//
// A Tempering is not safe for concurrent use; Close releases its workers.
type Tempering struct {
	m      *RBM
	pool   *kernel.Pool
	own    bool // the pool is ours to close
	ladder []float64
	base   []float32 // b_A
	chains int
	seed   uint64
	stream uint64 // draws so far; each draw is seeded from (seed, stream)

	// States holds every chain's visible state: replica k occupies rows
	// k·Chains to (k+1)·Chains - 1, and the last replica samples the RBM.
	States *Matrix

	act, h    *Matrix // hidden inputs, then p_β(h|v); sampled hiddens
	u, vp     *Matrix // hWᵀ; p_β(v|h)
	biasV     []float32
	biasH     []float32
	d         []float64 // D(v, h) of each chain after the Gibbs step
	accepted  []uint64
	attempted []uint64
	parity    int
	dJob      pathEnergyJob
	src       *rand.PCG // the swaps' uniforms, reseeded every sweep
	rng       *rand.Rand
}

// TemperingConfig holds the settings of NewTempering and
// NewMachineTempering.
type TemperingConfig struct {
	// Ladder is the rising sequence of inverse temperatures, ending at 1.
	Ladder []float64
	// Base holds the base-rate model's visible biases b_A (see BaseRates);
	// nil uses the RBM's own visible biases. It must be nil for a machine,
	// whose base is its MachinePath's.
	Base []float64
	// Chains is the number of chains per replica; 0 means 100.
	Chains int
	// Seed seeds every random draw: the same Seed gives the same result,
	// bit for bit.
	Seed uint64
	// Workers is the number of goroutines sharing each sweep; 0 uses every
	// core. It never changes the result.
	Workers int
}

// NewTempering returns parallel tempering on m with every chain started
// at a base-rate sample (Reset starts them elsewhere).
func NewTempering(m *RBM, cfg TemperingConfig) (*Tempering, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("rbm: tempering: %w", err)
	}
	if err := checkLadder(cfg.Ladder); err != nil {
		return nil, fmt.Errorf("rbm: tempering: %w", err)
	}
	base := make([]float32, m.Visible)
	switch {
	case cfg.Base == nil:
		copy(base, m.B)
	case len(cfg.Base) != m.Visible:
		return nil, fmt.Errorf("rbm: tempering: %d base-rate biases for %d visible units", len(cfg.Base), m.Visible)
	default:
		for i, b := range cfg.Base {
			if math.IsNaN(b) || math.IsInf(b, 0) {
				return nil, fmt.Errorf("rbm: tempering: base-rate bias %d is %v", i, b)
			}
			base[i] = float32(b)
		}
	}
	chains := cfg.Chains
	if chains <= 0 {
		chains = 100
	}
	t := newTempering(m, kernel.NewPool(cfg.Workers), cfg.Ladder, base, chains, cfg.Seed)
	t.own = true
	t.sampleBase()
	return t, nil
}

func newTempering(m *RBM, pool *kernel.Pool, ladder []float64, base []float32, chains int, seed uint64) *Tempering {
	n := len(ladder) * chains
	t := &Tempering{
		m: m, pool: pool, ladder: ladder, base: base, chains: chains, seed: seed,
		States: NewMatrix(n, m.Visible),
		act:    NewMatrix(n, m.Hidden), h: NewMatrix(n, m.Hidden),
		u: NewMatrix(n, m.Visible), vp: NewMatrix(n, m.Visible),
		biasV: make([]float32, len(ladder)*m.Visible), biasH: make([]float32, len(ladder)*m.Hidden),
		d:        make([]float64, n),
		accepted: make([]uint64, len(ladder)-1), attempted: make([]uint64, len(ladder)-1),
	}
	t.dJob.t = t
	// swap reseeds src before every use (seeds.Reseed), so its seed here
	// is never drawn from.
	t.src = new(rand.PCG)
	t.rng = rand.New(t.src)
	return t
}

// Close stops the workers of a Tempering made by NewTempering.
func (t *Tempering) Close() {
	if t.own {
		t.pool.Close()
	}
}

// Ladder returns the inverse temperatures, hottest first.
func (t *Tempering) Ladder() []float64 { return t.ladder }

// Model returns the chains of the replica at β = 1: samples of the RBM
// once the chains have mixed. The matrix shares the states' storage.
func (t *Tempering) Model() *Matrix {
	r := len(t.ladder)
	return t.States.Slice((r-1)*t.chains, r*t.chains)
}

// Reset starts chain i of every replica at row i mod start.Rows of start.
func (t *Tempering) Reset(start *Matrix) {
	mustShape("start states", start, -1, t.m.Visible)
	for r := range t.States.Rows {
		copy(t.States.Row(r), start.Row(r%t.chains%start.Rows))
	}
}

// sampleBase draws every chain's state from the base-rate model.
func (t *Tempering) sampleBase() {
	BaseMeans(t.vp, t.base)
	t.sample(t.States, t.vp)
}

// BaseMeans sets every row of dst to the means σ(b_A) of the base-rate
// model with visible biases base (no weights, no hidden units), the
// distribution that tempering's hottest replica and AIS's first
// intermediate model draw from.
func BaseMeans(dst *Matrix, base []float32) {
	mustShape("base means", dst, -1, len(base))
	if dst.Rows == 0 {
		return
	}
	first := dst.Row(0)
	for i, b := range base {
		first[i] = float32(kernel.Sigmoid(float64(b)))
	}
	for r := 1; r < dst.Rows; r++ {
		copy(dst.Row(r), first)
	}
}

func (t *Tempering) sample(dst, p *Matrix) {
	t.stream++
	t.pool.SampleRows(dst.Data, p.Data, p.Cols, t.seed, t.stream)
}

// SwapRates returns, for each pair of neighbouring replicas (hottest pair
// first), the fraction of proposed swaps accepted since the last
// ResetSwapRates; NaN for a pair with no proposals yet.
func (t *Tempering) SwapRates() []float64 {
	out := make([]float64, len(t.accepted))
	for k := range out {
		out[k] = float64(t.accepted[k]) / float64(t.attempted[k])
	}
	return out
}

// ResetSwapRates zeroes the swap counts.
func (t *Tempering) ResetSwapRates() {
	clear(t.accepted)
	clear(t.attempted)
}

// Sweep takes one Gibbs step in every chain and one round of swaps.
func (t *Tempering) Sweep() {
	m, c := t.m, t.chains
	for k, beta := range t.ladder {
		m.PathBiases(t.biasV[k*m.Visible:(k+1)*m.Visible], t.base, beta)
		for j, cj := range m.C {
			t.biasH[k*m.Hidden+j] = float32(beta * float64(cj))
		}
	}
	// p_β(h|v) = σ(β(c + vW)).
	t.pool.GemmSparseA(false, t.States.Rows, m.Hidden, m.Visible, t.States.Data, m.Visible, m.W, m.Hidden, t.act.Data, m.Hidden)
	for k, beta := range t.ladder {
		block := t.act.Slice(k*c, (k+1)*c)
		scale(block.Data, beta)
		t.pool.SigmoidRows(block.Data, t.biasH[k*m.Hidden:(k+1)*m.Hidden])
	}
	t.sample(t.h, t.act)
	// p_β(v|h) = σ((1-β)b_A + β(b + Wh)).
	t.pool.Gemm(false, true, t.h.Rows, m.Visible, m.Hidden, 1, t.h.Data, m.Hidden, m.W, m.Hidden, 0, t.u.Data, m.Visible)
	copy(t.vp.Data, t.u.Data)
	for k, beta := range t.ladder {
		block := t.vp.Slice(k*c, (k+1)*c)
		scale(block.Data, beta)
		t.pool.SigmoidRows(block.Data, t.biasV[k*m.Visible:(k+1)*m.Visible])
	}
	t.sample(t.States, t.vp)
	t.pool.Run(&t.dJob, min(t.States.Rows, pathChunks))
	t.swap()
}

// swap proposes to exchange the states of chain i in replicas k and k+1
// for the pairs k of this sweep's parity, in a fixed order with one
// seeded source, so the outcome does not depend on the workers.
func (t *Tempering) swap() {
	t.stream++
	t.src.Seed(seeds.Reseed(t.seed, seeds.TemperingSwaps, t.stream))
	c := t.chains
	for k := t.parity; k+1 < len(t.ladder); k += 2 {
		db := t.ladder[k] - t.ladder[k+1]
		for i := range c {
			a, b := k*c+i, (k+1)*c+i
			logAccept := db * (t.d[a] - t.d[b])
			t.attempted[k]++
			if acceptSwap(logAccept, t.rng) {
				t.accepted[k]++
				ra, rb := t.States.Row(a), t.States.Row(b)
				for x := range ra {
					ra[x], rb[x] = rb[x], ra[x]
				}
				t.d[a], t.d[b] = t.d[b], t.d[a]
			}
		}
	}
	t.parity ^= 1
}

// acceptSwap is the Metropolis test of a proposed swap whose acceptance
// probability is min(1, e^logAccept): it accepts when logAccept ≥ 0 and
// otherwise draws one uniform u from rng and accepts when u < e^logAccept,
// so that a sure swap draws nothing. Both temperings (Tempering and
// MachineTempering) decide their swaps by it.
func acceptSwap(logAccept float64, rng *rand.Rand) bool {
	return logAccept >= 0 || rng.Float64() < math.Exp(logAccept)
}

// pathChunks is the fixed number of row ranges of the D computation.
const pathChunks = 16

// pathEnergyJob sets d[r] = D(v_r, h_r) = -v·(Wh) - (b - b_A)·v - c·h for
// each chain, from the states, the sampled hiddens and u = hWᵀ.
type pathEnergyJob struct{ t *Tempering }

func (j *pathEnergyJob) Do(task int) {
	t, m := j.t, j.t.m
	rows := t.States.Rows
	n := min(rows, pathChunks)
	for r := rows * task / n; r < rows*(task+1)/n; r++ {
		u := t.u.Row(r)
		var d float64
		for i, v := range t.States.Row(r) {
			if v != 0 {
				d -= float64(u[i]) + float64(m.B[i]) - float64(t.base[i])
			}
		}
		for k, h := range t.h.Row(r) {
			if h != 0 {
				d -= float64(m.C[k])
			}
		}
		t.d[r] = d
	}
}

// PathBiases sets dst to the visible biases (1-β)·b_A + β·b of the path
// from the base-rate model A to m at inverse temperature β (see
// Tempering), the one place the interpolation is written: tempering and
// AIS both step along it.
func (m *RBM) PathBiases(dst, base []float32, beta float64) {
	for i := range dst {
		dst[i] = float32((1-beta)*float64(base[i]) + beta*float64(m.B[i]))
	}
}

func scale(x []float32, s float64) {
	if s == 1 {
		return
	}
	f := float32(s)
	for i := range x {
		x[i] *= f
	}
}

// BaseRates returns the visible biases of the base-rate model fitted to
// data: the log-odds log(pᵢ/(1-pᵢ)) of each column's smoothed marginal
// pᵢ = (Σv + 1)/(N + 2) (Marginals), the maximum-likelihood model with no
// weights up to the smoothing. Salakhutdinov and Murray start AIS from it;
// parallel tempering uses it as its hottest distribution.
func BaseRates(data Data) []float64 {
	p := Marginals(data)
	for i, x := range p {
		p[i] = math.Log(x / (1 - x))
	}
	return p
}
