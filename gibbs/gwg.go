package gibbs

import (
	"fmt"
	"math"

	"github.com/rbmkit/rbm/discrete"
	"gonum.org/v1/gonum/floats"
)

// GWG is Gibbs-with-Gradients (Grathwohl et al. 2021): a single-unit move
// proposed from the softmax of -β/2 times the first-order estimate of
// every move's energy change, corrected by a Metropolis-Hastings test. On
// two-state units the moves are flips and the model must be
// discrete.Differentiable; on q-state units a move sets one unit to one of
// its other values, estimated from the gradient over the units' one-hot
// encodings, and the model must be discrete.OneHotDifferentiable.
const GWG Method = 3

func init() {
	register(GWG, sampler{
		name:    "gwg",
		summary: "Gibbs-with-Gradients: single-unit moves proposed from the energy's gradient (over one-hot encodings for q-state units), then a Metropolis-Hastings test; differentiable models only",
		check: func(m discrete.Model) error {
			if q := m.Domain().States(); q > 2 {
				if _, ok := discrete.OneHotGradientOf(m); !ok {
					return fmt.Errorf("Gibbs-with-Gradients needs the gradient over the one-hot encodings of %v units, which %T does not give (use gibbs, gibbs-random or mh)", m.Domain(), m)
				}
				return nil
			}
			if _, ok := discrete.GradientOf(m); !ok {
				return fmt.Errorf("Gibbs-with-Gradients needs a differentiable model, %T is not", m)
			}
			return nil
		},
		setup: newGWGState,
		sweep: func(s *stepper, r *replica, beta float64) {
			st := r.state.(*gwgState)
			for range len(s.free) {
				switch {
				case st.oneHot != nil:
					s.gwgStates(r, st, beta)
				case st.pair != nil:
					s.gwgPairwise(r, st, beta)
				default:
					s.gwg(r, st, beta)
				}
			}
		},
	})
}

// gwgState is a replica's Gibbs-with-Gradients state: the model's
// gradient, the gradient at the current state and scratch space for the
// proposed state, and on a pairwise model the incremental proposal.
type gwgState struct {
	grad         discrete.Differentiable
	oneHot       discrete.OneHotDifferentiable // q-state models only
	g, gNew, lgt []float64
	lgtNew       []float64
	scratch      []int8
	pair         *pairwiseGWG
}

func newGWGState(m discrete.Model, r *replica) any {
	st := &gwgState{}
	n := m.Units()
	if q := m.Domain().States(); q > 2 {
		// The gradient and the logits are per unit and value, n·q.
		st.oneHot, _ = discrete.OneHotGradientOf(m)
		st.g, st.gNew = make([]float64, n*q), make([]float64, n*q)
		st.lgt, st.lgtNew = make([]float64, n*q), make([]float64, n*q)
		st.scratch = make([]int8, n)
		st.oneHot.OneHotGradient(r.loc.State(), st.g)
		return st
	}
	st.grad, _ = discrete.GradientOf(m)
	st.g, st.gNew = make([]float64, n), make([]float64, n)
	st.lgt, st.lgtNew = make([]float64, n), make([]float64, n)
	st.scratch = make([]int8, n)
	st.grad.Gradient(r.loc.State(), st.g)
	if p, ok := m.(*discrete.Pairwise); ok && incrementalGWG {
		st.pair = &pairwiseGWG{p: p}
	}
	return st
}

// logit is the proposal logit of flipping a unit of value x whose energy
// gradient is g: -β/2·(x' - x)·g, which favours flips the gradient
// predicts to lower the energy.
func logit(d discrete.Domain, x int8, g, beta float64) float64 {
	return -beta / 2 * float64(d.Flip(x)-x) * g
}

// logits sets lgt[k] to the logit of flipping the free unit i = free[k]
// and returns their log-sum-exp: the proposal is q(i|x) ∝ exp(lgt).
func (s *stepper) logits(lgt, g []float64, x []int8, d discrete.Domain, beta float64) float64 {
	lgt = lgt[:len(s.free)]
	for k, i := range s.free {
		lgt[k] = logit(d, x[i], g[i], beta)
	}
	return floats.LogSumExp(lgt)
}

// gwg makes one Gibbs-with-Gradients step: propose i ~ q(·|x), accept
// x' = flip_i(x) with probability
// min(1, exp(-β(E(x') - E(x))) q(i|x') / q(i|x)).
func (s *stepper) gwg(r *replica, st *gwgState, beta float64) {
	x := r.loc.State()
	dom := st.grad.Domain()
	lse := s.logits(st.lgt, st.g, x, dom, beta)
	u := s.rng.Float64()
	k := len(s.free) - 1
	var cum float64
	for j, l := range st.lgt[:len(s.free)] {
		cum += math.Exp(l - lse)
		if u < cum {
			k = j
			break
		}
	}
	i := s.free[k]
	logFwd := st.lgt[k] - lse
	dE := r.loc.FlipDelta(i)
	copy(st.scratch, x)
	st.scratch[i] = dom.Flip(x[i])
	st.grad.Gradient(st.scratch, st.gNew)
	lseNew := s.logits(st.lgtNew, st.gNew, st.scratch, dom, beta)
	logRev := st.lgtNew[k] - lseNew
	logA := -beta*dE + logRev - logFwd
	// The uniform is drawn even when logA ≥ 0, so that the incremental
	// proposal, whose logA may differ in the last bit (and cross zero),
	// stays on the same random numbers.
	if u := s.rng.Float64(); logA >= 0 || u < math.Exp(logA) {
		r.loc.Flip(i)
		st.g, st.gNew = st.gNew, st.g
		s.out.accepted++
	}
}

// stateLogits sets lgt[k*q+a], for the free unit i = free[k] and each
// value a, to the logit of setting unit i to a, -β/2·(g[i*q+a] -
// g[i*q+x_i]), or -∞ for its own value, and returns their log-sum-exp:
// the proposal is q(i, a|x) ∝ exp(lgt).
func (s *stepper) stateLogits(lgt, g []float64, x []int8, q int, beta float64) float64 {
	lgt = lgt[:len(s.free)*q]
	for k, i := range s.free {
		own := g[i*q+int(x[i])]
		for a := range q {
			lgt[k*q+a] = -beta / 2 * (g[i*q+a] - own)
		}
		lgt[k*q+int(x[i])] = math.Inf(-1)
	}
	return floats.LogSumExp(lgt)
}

// gwgStates makes one Gibbs-with-Gradients step on a model of q-state
// units: propose (i, a) ~ q(·|x), accept x' = x with x_i = a with
// probability min(1, exp(-β(E(x') - E(x))) q(i, x_i|x') / q(i, a|x)).
func (s *stepper) gwgStates(r *replica, st *gwgState, beta float64) {
	x := r.loc.State()
	q := s.dom.States()
	lse := s.stateLogits(st.lgt, st.g, x, q, beta)
	u := s.rng.Float64()
	last := len(s.free)*q - 1
	pick := last
	var cum float64
	for j, l := range st.lgt[:last+1] {
		cum += math.Exp(l - lse)
		if u < cum {
			pick = j
			break
		}
	}
	// Rounding can leave u above the total; the last candidate with
	// weight stands in for the unreachable remainder.
	for st.lgt[pick] == math.Inf(-1) {
		pick--
	}
	k, a := pick/q, int8(pick%q)
	i := s.free[k]
	old := x[i]
	logFwd := st.lgt[pick] - lse
	dE := r.loc.ChangeDelta(i, a)
	copy(st.scratch, x)
	st.scratch[i] = a
	st.oneHot.OneHotGradient(st.scratch, st.gNew)
	lseNew := s.stateLogits(st.lgtNew, st.gNew, st.scratch, q, beta)
	logRev := st.lgtNew[k*q+int(old)] - lseNew
	logA := -beta*dE + logRev - logFwd
	if u := s.rng.Float64(); logA >= 0 || u < math.Exp(logA) {
		r.loc.Change(i, a)
		st.g, st.gNew = st.gNew, st.g
		s.out.accepted++
	}
}

// incrementalGWG selects the incremental Gibbs-with-Gradients proposal for
// pairwise models; tests turn it off to compare with the general one.
var incrementalGWG = true

// pairwiseGWG keeps a pairwise model's Gibbs-with-Gradients proposal up to
// date across flips. Flipping unit i changes the gradient only at i's
// neighbours (and not at i, the energy having no self-couplings), so after
// a flip the proposal's logits change at deg(i)+1 free units. The proposal
// q(k|x) ∝ exp(lgt[k]) is kept as weights w[k] = exp(lgt[k] - ref) and
// their total, which a proposal or an accepted flip adjusts in O(deg)
// instead of the general path's O(n) exponentials and gradient.
//
// The incremental totals are exact up to rounding; when a total would
// lose more than a millionth of its value to cancellation (a proposal that
// held almost all the mass moving away) or a weight leaves the range where
// exp is accurate, the proposal is evaluated from scratch instead, and
// the whole cache is rebuilt after every len(free) accepted flips so that
// rounding never accumulates.
type pairwiseGWG struct {
	p        *discrete.Pairwise
	beta     float64 // the cache is for this inverse temperature
	valid    bool
	accepted int // flips since the last rebuild

	pos        []int32   // free index of each unit, -1 if clamped
	lgt, w     []float64 // per free unit: logit and exp(logit - ref)
	ref, total float64

	// The changes a proposal would make: free index (or -1), unit, new
	// gradient, logit and weight.
	change []gwgChange
	next   []float64 // the proposed state's logits, when evaluated from scratch
}

type gwgChange struct {
	k, j      int32
	g, lgt, w float64
}

// weightRange bounds |lgt - ref| for weights kept incrementally: e^±500
// stays far from overflow and from subnormals.
const weightRange = 500

// rebuild recomputes the gradient, the logits and the weights at the
// current state.
func (c *pairwiseGWG) rebuild(r *replica, st *gwgState, free []int, beta float64) {
	x := r.loc.State()
	dom := c.p.Domain()
	c.p.Gradient(x, st.g)
	if len(c.pos) != len(x) || len(c.lgt) != len(free) {
		c.pos = make([]int32, len(x))
		c.lgt, c.w = make([]float64, len(free)), make([]float64, len(free))
	}
	for i := range c.pos {
		c.pos[i] = -1
	}
	c.ref = math.Inf(-1)
	for k, i := range free {
		c.pos[i] = int32(k)
		c.lgt[k] = logit(dom, x[i], st.g[i], beta)
		c.ref = max(c.ref, c.lgt[k])
	}
	c.total = 0
	for k, l := range c.lgt {
		c.w[k] = math.Exp(l - c.ref)
		c.total += c.w[k]
	}
	c.beta, c.valid, c.accepted = beta, true, 0
}

// gwgPairwise makes one Gibbs-with-Gradients step on a pairwise model, the
// same Markov chain as gwg (the same random numbers decide the same
// moves) at O(deg) cost.
func (s *stepper) gwgPairwise(r *replica, st *gwgState, beta float64) {
	c := st.pair
	if !c.valid || c.beta != beta {
		// Tempering moves replicas between temperatures.
		c.rebuild(r, st, s.free, beta)
	}
	x := r.loc.State()
	dom := c.p.Domain()

	target := s.rng.Float64() * c.total
	k := len(s.free) - 1
	var cum float64
	for j, w := range c.w {
		cum += w
		if target < cum {
			k = j
			break
		}
	}
	i := s.free[k]
	logFwd := c.lgt[k] - c.ref - math.Log(c.total)
	dE := r.loc.FlipDelta(i)

	// The flip reverses unit i's own move and shifts its neighbours'
	// gradients by -J_ij·(x'_i - x_i).
	dx := float64(dom.Flip(x[i]) - x[i])
	total, exact := c.total, true
	c.change = c.change[:0]
	add := func(k int32, j int32, g, l float64) {
		w := 0.0
		if k >= 0 {
			if math.Abs(l-c.ref) > weightRange {
				exact = false
			}
			w = math.Exp(l - c.ref)
			total += w - c.w[k]
		}
		c.change = append(c.change, gwgChange{k: k, j: j, g: g, lgt: l, w: w})
	}
	add(int32(k), int32(i), st.g[i], -c.lgt[k])
	nbr, coupling := c.p.Neighbors(i)
	for t, j := range nbr {
		g := st.g[j] - coupling[t]*dx
		kj := c.pos[j]
		l := 0.0
		if kj >= 0 {
			l = logit(dom, x[j], g, beta)
		}
		add(kj, j, g, l)
	}
	if !(total > c.total*1e-6) || math.IsInf(total, 0) {
		exact = false
	}

	var logRev float64
	if exact {
		logRev = -c.lgt[k] - c.ref - math.Log(total)
	} else {
		logRev = c.reverseFromScratch(k)
	}
	logA := -beta*dE + logRev - logFwd
	if u := s.rng.Float64(); logA >= 0 || u < math.Exp(logA) {
		r.loc.Flip(i)
		s.out.accepted++
		for _, ch := range c.change {
			st.g[ch.j] = ch.g
			if ch.k >= 0 {
				c.lgt[ch.k], c.w[ch.k] = ch.lgt, ch.w
			}
		}
		c.total = total
		c.accepted++
		if !exact || c.accepted >= len(s.free) {
			c.rebuild(r, st, s.free, beta)
		}
	}
}

// reverseFromScratch returns log q(k|x') for the proposed state x' whose
// changes are in c.change, by a log-sum-exp over all its logits.
func (c *pairwiseGWG) reverseFromScratch(k int) float64 {
	c.next = append(c.next[:0], c.lgt...)
	for _, ch := range c.change {
		if ch.k >= 0 {
			c.next[ch.k] = ch.lgt
		}
	}
	return c.next[k] - floats.LogSumExp(c.next)
}
