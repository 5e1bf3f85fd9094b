package rbm

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm/layer"
)

// MachinePath is the annealing path of a machine of any unit types, from
// a base visible layer θ_A with no weights to the machine: at inverse
// temperature β the weights are βW, the visible layer's parameters
// (1-β)θ_A + βθ_B (θ_B the machine's own) and the hidden layer is the
// machine's, so that the intermediate machine's unnormalised marginal is
//
//	p*_β(v) = exp(-E_{v,β}(v) + Γ_h(βWᵀv)).
//
// At β = 0 the layers are independent and log Z_0 = Γ_A(0) + Γ_h(0) is
// known for every type; at β = 1 it is the machine. Annealed importance
// sampling (ais.RunMachine, ais.ReverseMachine) and parallel tempering
// (MachineTempering, which TrainMachine uses with Config.Replicas ≥ 2)
// all step along it, so this is the one place the path is defined.
//
// The path reads the machine's parameters when a rung is Set, so it
// follows a machine that is being trained.
type MachinePath struct {
	m    *Machine
	base layer.Layer
}

// Path returns the annealing path from base to m. base must be a layer of
// the visible layer's type and width, such as layer.Layer's Fit makes from
// training data; nil starts from m's own visible layer (the path then only
// anneals the weights).
func (m *Machine) Path(base layer.Layer) (*MachinePath, error) {
	if base == nil {
		base = m.Visible
	}
	if base.Kind() != m.Visible.Kind() || base.Width() != m.Visible.Width() {
		return nil, fmt.Errorf("rbm: path: base layer %s of width %d for a %s visible layer of width %d",
			base.Kind(), base.Width(), m.Visible.Kind(), m.Visible.Width())
	}
	if err := layer.Validate(base); err != nil {
		return nil, fmt.Errorf("rbm: path: base layer: %w", err)
	}
	return &MachinePath{m: m, base: base}, nil
}

// Base returns the base visible layer θ_A.
func (p *MachinePath) Base() layer.Layer { return p.base }

// LogZBase returns log Z_0 = Γ_A(0) + Γ_h(0), the log partition function
// at β = 0.
func (p *MachinePath) LogZBase() float64 {
	return p.base.LogPartition(make([]float64, p.base.Width())) + p.m.Hidden.LogPartition(make([]float64, p.m.Hidden.Width()))
}

// A PathRung is the intermediate machine at one inverse temperature of a
// MachinePath. It owns a visible layer (its parameters interpolated) and
// scratch space, so a rung serves one goroutine; its methods take the
// products Wᵀv and Wh from the caller, who computes them for a whole
// batch at once.
type PathRung struct {
	p *MachinePath
	// Beta is the inverse temperature of the last Set.
	Beta float64
	// Visible is the visible layer at Beta: (1-β)θ_A + βθ_B.
	Visible  layer.Layer
	cur      []layer.Param
	inV, inH []float64
}

// Rung returns a rung of the path at β = 1 (Set moves it).
func (p *MachinePath) Rung() *PathRung {
	l := p.m.Visible.Clone()
	r := &PathRung{p: p, Visible: l, cur: l.Params(),
		inV: make([]float64, p.m.Visible.Width()), inH: make([]float64, p.m.Hidden.Width())}
	r.Set(1)
	return r
}

// Set moves the rung to β, interpolating the visible parameters from the
// base's and the machine's current ones.
func (r *PathRung) Set(beta float64) {
	r.Beta = beta
	from, to := r.p.base.Params(), r.p.m.Visible.Params()
	for k, c := range r.cur {
		for i := range c.Values {
			c.Values[i] = (1-beta)*from[k].Values[i] + beta*to[k].Values[i]
		}
	}
}

// LogP returns log p*_β(v) = -E_{v,β}(v) + Γ_h(β·u), u being Wᵀv.
func (r *PathRung) LogP(v, u []float64) float64 {
	return -r.Visible.Energy(v) + r.p.m.Hidden.LogPartition(scaleTo(r.inH, r.Beta, u))
}

// SampleHidden draws h from p_β(h | v), u being Wᵀv.
func (r *PathRung) SampleHidden(h, u []float64, rng *rand.Rand) {
	r.sampleHidden(h, u, r.inH, rng)
}

// sampleHidden is SampleHidden with βu put in scratch, which may be u:
// concurrent calls on one rung each bring their own.
func (r *PathRung) sampleHidden(h, u, scratch []float64, rng *rand.Rand) {
	r.p.m.Hidden.Sample(h, scaleTo(scratch, r.Beta, u), rng)
}

// SampleVisible draws v from p_β(v | h), in being Wh.
func (r *PathRung) SampleVisible(v, in []float64, rng *rand.Rand) {
	r.sampleVisible(v, in, r.inV, rng)
}

// sampleVisible is SampleVisible with βin put in scratch, as sampleHidden.
func (r *PathRung) sampleVisible(v, in, scratch []float64, rng *rand.Rand) {
	r.Visible.Sample(v, scaleTo(scratch, r.Beta, in), rng)
}

// scaleTo sets dst to βx and returns it.
func scaleTo(dst []float64, beta float64, x []float64) []float64 {
	for i, v := range x {
		dst[i] = beta * v
	}
	return dst
}

// MachineTempering is parallel tempering (Desjardins et al. 2010) along a
// MachinePath: len(ladder) replicas of chains chains each, replica k at
// ladder[k], the last at β = 1 sampling the machine. It generalises the
// binary RBM's Tempering to any unit types, with two differences that the
// generality asks for. The hidden layer is not annealed (the path's β = 0
// end is the base visible layer times the machine's own hidden layer, as
// in AIS), and swaps exchange visible states only, accepted by the ratio of
// the marginals p*_β(v), which every layer's Γ gives in closed form; the
// binary Tempering exchanges the joint (v, h) by the energy difference,
// which is cheaper for its float32 kernels but equivalent in law.
//
// Each Sweep takes one block Gibbs step v → h → v in every chain at its
// replica's β, then proposes to swap chain i's states between replicas k
// and k+1 for every i, for the even pairs k on one sweep and the odd ones
// on the next, accepting with probability
//
//	min(1, p*_k(v_{k+1}) p*_{k+1}(v_k) / (p*_k(v_k) p*_{k+1}(v_{k+1}))).
//
// TrainMachine draws its negative phase from one (Config.Replicas ≥ 2),
// and ais.ReverseMachineFromTempering the model samples its reverse
// annealing starts from. All draws come from one source in a fixed order,
// so a seed fixes the result. A MachineTempering is not safe for
// concurrent use.
type MachineTempering struct {
	m      *Machine
	path   *MachinePath
	pool   *kernel.Pool // for the products; nil runs them on the caller
	own    bool         // the pool is ours to close
	ladder []float64
	chains int
	rungs  []*PathRung
	rng    *rand.Rand // every draw, from src
	src    *rand.PCG
	// The rows' sources when a sweep samples them on the pool (see
	// sweepJob), made at the first such sweep.
	rowSrc []rand.PCG
	rowRng []*rand.Rand
	job    sweepJob

	// states holds every chain's visible state: replica k occupies rows
	// k·chains to (k+1)·chains - 1.
	states          *mat.Dense
	u, h, in        *mat.Dense  // Wᵀv, hidden states, Wh
	packs           weightPacks // W packed for a sweep's products
	parity          int
	accepted, tried []uint64
}

// NewMachineTempering returns parallel tempering along path with the
// settings of cfg, as NewTempering for an RBM: cfg.Chains chains in each
// replica of cfg.Ladder, a strictly rising sequence of inverse
// temperatures ending at β = 1 (a hottest rung of 0 draws from the path's
// base, whose chains forget their states in one step), every draw from a
// source seeded by cfg.Seed and the products on cfg.Workers goroutines.
// cfg.Base must be nil: a machine's base is path's. Close releases the
// workers.
//
// Every chain starts at the zero state, which need not be one the visible
// layer takes: set the start with SampleBase, or write it into States.
func NewMachineTempering(path *MachinePath, cfg TemperingConfig) (*MachineTempering, error) {
	if cfg.Base != nil {
		return nil, fmt.Errorf("rbm: tempering: a machine's base is its path's, not TemperingConfig.Base")
	}
	chains := cfg.Chains
	if chains <= 0 {
		chains = 100
	}
	pool := kernel.NewPool(cfg.Workers)
	t, err := newMachineTempering(path, pool, cfg.Ladder, chains, cfg.Seed)
	if err != nil {
		pool.Close()
		return nil, err
	}
	t.own = true
	return t, nil
}

// Close stops the workers of a MachineTempering made by
// NewMachineTempering.
func (t *MachineTempering) Close() {
	if t.own {
		t.pool.Close()
	}
}

// newMachineTempering is NewMachineTempering on a pool the caller owns
// (nil runs the products on the calling goroutine; the result does not
// depend on it), as the trainer shares its own.
func newMachineTempering(path *MachinePath, pool *kernel.Pool, ladder []float64, chains int, seed uint64) (*MachineTempering, error) {
	if err := checkLadder(ladder); err != nil {
		return nil, fmt.Errorf("rbm: tempering: %w", err)
	}
	if chains < 1 {
		return nil, fmt.Errorf("rbm: tempering: %d chains per replica", chains)
	}
	m := path.m
	n := len(ladder) * chains
	src := seeds.PCG(seed, seeds.Tempering)
	t := &MachineTempering{
		m: m, path: path, pool: pool, ladder: slices.Clone(ladder), chains: chains,
		rng: rand.New(src), src: src,
		states:   mat.NewDense(n, m.Visible.Width(), nil),
		u:        mat.NewDense(n, m.Hidden.Width(), nil),
		h:        mat.NewDense(n, m.Hidden.Width(), nil),
		in:       mat.NewDense(n, m.Visible.Width(), nil),
		accepted: make([]uint64, len(ladder)-1),
		tried:    make([]uint64, len(ladder)-1),
	}
	for range ladder {
		t.rungs = append(t.rungs, path.Rung())
	}
	return t, nil
}

// Ladder returns the inverse temperatures, hottest first.
func (t *MachineTempering) Ladder() []float64 { return t.ladder }

// Chains returns the number of chains per replica.
func (t *MachineTempering) Chains() int { return t.chains }

// States returns every chain's visible state, in the visible layer's
// encoding: replica k occupies rows k·Chains() to (k+1)·Chains() - 1. It
// shares the tempering's storage, so writing to it sets the chains'
// states (TrainMachine starts them at training rows).
func (t *MachineTempering) States() *mat.Dense { return t.states }

// SampleBase draws every chain's state from the path's base visible layer,
// the visible marginal at β = 0, with the tempering's own source.
func (t *MachineTempering) SampleBase() {
	zero := make([]float64, t.m.Visible.Width())
	base := t.path.Base()
	for r := range t.states.RawMatrix().Rows {
		base.Sample(t.states.RawRowView(r), zero, t.rng)
	}
}

// Model returns the chains of the replica at β = 1, samples of the
// machine once the chains have mixed. It shares the states' storage.
func (t *MachineTempering) Model() *mat.Dense {
	lo := (len(t.ladder) - 1) * t.chains
	return t.states.Slice(lo, lo+t.chains, 0, t.m.Visible.Width()).(*mat.Dense)
}

// Sweep takes one Gibbs step in every chain and one round of swaps, at
// the machine's current parameters.
func (t *MachineTempering) Sweep() {
	m, c := t.m, t.chains
	for k, beta := range t.ladder {
		t.rungs[k].Set(beta)
	}
	// W is packed once for the sweep's three products, anew each sweep
	// (the machine is being trained between sweeps).
	t.packs.reset()
	n := t.states.RawMatrix().Rows
	t.packs.mul(t.pool, t.u, t.states, m)
	if !t.sampleRows(false, m.Hidden) {
		for r := range n {
			t.rungs[r/c].SampleHidden(t.h.RawRowView(r), t.u.RawRowView(r), t.rng)
		}
	}
	t.packs.mulT(t.pool, t.in, t.h, m)
	if !t.sampleRows(true, t.rungs[0].Visible) {
		for r := range n {
			t.rungs[r/c].SampleVisible(t.states.RawRowView(r), t.in.RawRowView(r), t.rng)
		}
	}
	t.packs.mul(t.pool, t.u, t.states, m)
	t.swap()
}

// sampleRows takes the hidden (or visible) draws of a sweep on the pool,
// one row per task, and reports whether it did: when the layer takes a
// fixed number of values per row (layer.FixedDraws; every rung's visible
// layer is of one type and size), row r's values start r·Draws into the
// stream, and each task jumps a copy of the stream there, as the
// machine trainer does (machineStepper.sample). The draws are then the
// serial loop's, bit for bit. Each row scales its own input in place
// (u and in are recomputed before they are read again).
func (t *MachineTempering) sampleRows(visible bool, l layer.Layer) bool {
	f, ok := l.(layer.FixedDraws)
	if !ok || t.pool.Workers() == 1 {
		return false
	}
	n := t.states.RawMatrix().Rows
	if t.rowSrc == nil {
		t.rowSrc = make([]rand.PCG, n)
		t.rowRng = make([]*rand.Rand, n)
		for r := range n {
			t.rowRng[r] = rand.New(&t.rowSrc[r])
		}
	}
	j := &t.job
	j.t, j.visible, j.draws = t, visible, uint64(f.Draws())
	j.hi, j.lo = seeds.State(t.src)
	t.pool.Run(j, n)
	t.src.Seed(seeds.Advance(j.hi, j.lo, uint64(n)*j.draws))
	return true
}

// sweepJob draws row r of a sweep's hidden or visible states, from
// stream position r·draws onwards (see sampleRows).
type sweepJob struct {
	t       *MachineTempering
	visible bool
	draws   uint64
	hi, lo  uint64 // the stream's state before the sweep's draws
}

func (j *sweepJob) Do(r int) {
	t := j.t
	t.rowSrc[r].Seed(seeds.Advance(j.hi, j.lo, uint64(r)*j.draws))
	rung := t.rungs[r/t.chains]
	if j.visible {
		in := t.in.RawRowView(r)
		rung.sampleVisible(t.states.RawRowView(r), in, in, t.rowRng[r])
	} else {
		u := t.u.RawRowView(r)
		rung.sampleHidden(t.h.RawRowView(r), u, u, t.rowRng[r])
	}
}

// swap proposes the exchanges of this sweep's parity, with t.u holding
// Wᵀv of the current states.
func (t *MachineTempering) swap() {
	c := t.chains
	for k := t.parity; k+1 < len(t.ladder); k += 2 {
		lo, hi := t.rungs[k], t.rungs[k+1]
		for i := range c {
			a, b := k*c+i, (k+1)*c+i
			va, vb := t.states.RawRowView(a), t.states.RawRowView(b)
			ua, ub := t.u.RawRowView(a), t.u.RawRowView(b)
			logAccept := lo.LogP(vb, ub) + hi.LogP(va, ua) - lo.LogP(va, ua) - hi.LogP(vb, ub)
			t.tried[k]++
			if acceptSwap(logAccept, t.rng) {
				t.accepted[k]++
				for x := range va {
					va[x], vb[x] = vb[x], va[x]
				}
				for x := range ua {
					ua[x], ub[x] = ub[x], ua[x]
				}
			}
		}
	}
	t.parity ^= 1
}

// SwapRates returns the fraction of proposed swaps accepted for each pair
// of neighbouring replicas, hottest first, since the last call (NaN for a
// pair with no proposal since), and zeroes the counts. Rates near 0
// between two rungs cut the ladder in two: the cold replicas then never
// see the states the hot ones find.
func (t *MachineTempering) SwapRates() []float64 {
	out := make([]float64, len(t.accepted))
	for k := range out {
		out[k] = float64(t.accepted[k]) / float64(t.tried[k])
	}
	clear(t.accepted)
	clear(t.tried)
	return out
}
