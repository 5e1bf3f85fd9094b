package exact

import (
	"context"
	"fmt"
	"math"

	"github.com/rbmkit/rbm/discrete"
)

// The enumeration of q-state models (a Domain with more than two states)
// runs on forStates, the enumerator of LogSumStates: the qⁿ states in
// odometer order, unit 0 fastest, in chunks fixed by n and q alone. A step
// of the odometer changes unit 0 and, on a carry, resets the units below
// the one it carries into, q/(q-1) units per step on average; each change
// updates the energy by the energy change a discrete.Local of the model
// reports, and the energy and the Local are recomputed from scratch at the
// anchors. State number k = Σᵢ xᵢ·qⁱ is the k-th state
// visited, which is how Distribution orders them.

// checkStatesModel returns m's number of units and states after checking
// β and the size of the enumeration.
func checkStatesModel(m discrete.Model, beta float64, opt Options) (n, q int, err error) {
	if math.IsNaN(beta) || math.IsInf(beta, 0) {
		return 0, 0, fmt.Errorf("exact: inverse temperature β = %v is not a finite number", beta)
	}
	n, q = m.Units(), m.Domain().States()
	if n < 1 {
		return 0, 0, fmt.Errorf("exact: %v model has %d units", m.Domain(), n)
	}
	if err := checkStates(n, q, opt); err != nil {
		return 0, 0, fmt.Errorf("exact: %v model: %w", m.Domain(), err)
	}
	return n, q, nil
}

// stateWalker follows forStates' enumeration with a state of m, its
// energy and a discrete.Local of m, whose ChangeDelta and Change carry
// the energy from state to state (for an RBM's marginal, at the cost of
// the hidden layer's width rather than of a whole free energy).
type stateWalker struct {
	m   discrete.Model
	loc discrete.Local
	x   []int8
	e   float64
}

func newStateWalker(m discrete.Model) *stateWalker {
	x := make([]int8, m.Units())
	return &stateWalker{m: m, loc: discrete.NewLocal(m, x), x: x}
}

// move brings the walker to state s, of which units 0 … changed may
// differ from the previous one; changed = len(s)-1 recomputes the energy
// and the Local from scratch.
func (w *stateWalker) move(s []int, changed int) {
	if changed == len(s)-1 {
		for i, a := range s {
			w.x[i] = int8(a)
		}
		w.loc.Set(w.x)
		w.e = w.m.Energy(w.x)
		return
	}
	for i := 0; i <= changed; i++ {
		if v := int8(s[i]); v != w.x[i] {
			w.e += w.loc.ChangeDelta(i, v)
			w.loc.Change(i, v)
			w.x[i] = v
		}
	}
}

// logZStates is LogZ for q-state models.
func logZStates(ctx context.Context, m discrete.Model, beta float64, opt Options) (float64, error) {
	n, q, err := checkStatesModel(m, beta, opt)
	if err != nil {
		return 0, err
	}
	parts, err := forStates(ctx, n, q, opt, func(_ uint64, walk func(func([]int, int)) error) (LogSumExp, error) {
		w := newStateWalker(m)
		var acc LogSumExp
		err := walk(func(s []int, changed int) {
			w.move(s, changed)
			acc.Add(-beta * w.e)
		})
		return acc, err
	})
	if err != nil {
		return 0, err
	}
	return finish(m, total(parts))
}

// marginalsStates is Marginals for q-state models: it accumulates the
// one-unit and two-unit state probabilities and derives the moments of
// the unit values from them.
func marginalsStates(ctx context.Context, m discrete.Model, beta float64, opt Options) (*Moments, error) {
	n, q, err := checkStatesModel(m, beta, opt)
	if err != nil {
		return nil, err
	}
	nq := n * q
	type part struct {
		acc         LogSumExp
		prob, joint []float64 // Σ w·[xᵢ = a], Σ w·[xᵢ = a, xⱼ = b] (i < j)
	}
	parts, err := forStates(ctx, n, q, opt, func(_ uint64, walk func(func([]int, int)) error) (part, error) {
		p := part{prob: make([]float64, nq), joint: make([]float64, nq*nq)}
		w := newStateWalker(m)
		err := walk(func(s []int, changed int) {
			w.move(s, changed)
			wt, r := p.acc.Add(-beta * w.e)
			if r != 1 {
				scaleAll(r, p.prob, p.joint)
			}
			for i, a := range s {
				ia := i*q + a
				p.prob[ia] += wt
				row := p.joint[ia*nq:]
				for j := i + 1; j < n; j++ {
					row[j*q+s[j]] += wt
				}
			}
		})
		return p, err
	})
	if err != nil {
		return nil, err
	}
	accs := make([]LogSumExp, len(parts))
	for c, p := range parts {
		accs[c] = p.acc
	}
	ref, sum, scale := CombineLogSumExp(accs)
	prob, joint := make([]float64, nq), make([]float64, nq*nq)
	for c, p := range parts {
		for k, v := range p.prob {
			prob[k] += v * scale[c]
		}
		for k, v := range p.joint {
			joint[k] += v * scale[c]
		}
	}
	logZ, err := finish(m, ref+math.Log(sum))
	if err != nil {
		return nil, err
	}
	for k := range prob {
		prob[k] /= sum
	}
	for i := range n {
		for a := range q {
			ia := i*q + a
			joint[ia*nq+ia] = prob[ia]
			for j := i + 1; j < n; j++ {
				for b := range q {
					jb := j*q + b
					joint[ia*nq+jb] /= sum
					joint[jb*nq+ia] = joint[ia*nq+jb]
				}
			}
		}
	}
	return momentsFromStates(logZ, m.Domain(), n, prob, joint), nil
}

// momentsFromStates fills Moments from the one-unit and two-unit state
// probabilities of a model of n units in domain d.
func momentsFromStates(logZ float64, d discrete.Domain, n int, prob, joint []float64) *Moments {
	q := d.States()
	nq := n * q
	mo := &Moments{LogZ: logZ, Mean: make([]float64, n), Pair: make([]float64, n*n), On: make([]float64, n), Prob: prob, Joint: joint}
	val := func(a int) float64 { return float64(d.Value(uint(a))) }
	for i := range n {
		mo.On[i] = prob[i*q+q-1]
		for a := range q {
			mo.Mean[i] += val(a) * prob[i*q+a]
		}
		for j := range n {
			var e float64
			for a := range q {
				for b := range q {
					e += val(a) * val(b) * joint[(i*q+a)*nq+j*q+b]
				}
			}
			mo.Pair[i*n+j] = e
		}
	}
	return mo
}

// distributionStates is Distribution for q-state models.
func distributionStates(ctx context.Context, m discrete.Model, beta float64, opt Options) ([]float64, error) {
	n, q, err := checkStatesModel(m, beta, opt)
	if err != nil {
		return nil, err
	}
	if bits := float64(n) * math.Log2(float64(q)); bits > MaxDistributionUnits+1e-9 {
		return nil, fmt.Errorf("exact: distribution: %w: %d units of %d states mean %d^%d ≈ 2^%.1f probabilities; the limit is 2^%d",
			ErrTooLarge, n, q, q, n, bits, MaxDistributionUnits)
	}
	out := make([]float64, int(math.Round(math.Pow(float64(q), float64(n)))))
	parts, err := forStates(ctx, n, q, opt, func(first uint64, walk func(func([]int, int)) error) (LogSumExp, error) {
		w := newStateWalker(m)
		var acc LogSumExp
		k := first
		err := walk(func(s []int, changed int) {
			w.move(s, changed)
			x := -beta * w.e
			out[k] = x
			k++
			acc.Add(x)
		})
		return acc, err
	})
	if err != nil {
		return nil, err
	}
	logZ, err := finish(m, total(parts))
	if err != nil {
		return nil, err
	}
	for s, x := range out {
		out[s] = math.Exp(x - logZ)
	}
	return out, nil
}
