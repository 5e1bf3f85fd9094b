package exact

import (
	"context"
	"fmt"
	"math"
	"math/bits"

	"github.com/rbmkit/rbm/discrete"
)

// LogZ returns log Σₓ exp(-β E(x)) over all 2ⁿ states of m, n = m.Units(),
// or all qⁿ states of a model of q-state units. It refuses models with
// more than Options.MaxUnits units (ErrTooLarge), or qⁿ above
// 2^Options.MaxUnits states, and reports an error when the model gives a NaN or -Inf energy, or when
// the context is cancelled.
func LogZ(ctx context.Context, m discrete.Model, beta float64, opt Options) (float64, error) {
	if m.Domain().States() > 2 {
		return logZStates(ctx, m, beta, opt)
	}
	n, err := checkModel(m, beta, opt)
	if err != nil {
		return 0, err
	}
	parts, err := ForChunks(ctx, n, opt, func(ctx context.Context, lo, hi uint64) (LogSumExp, error) {
		var acc LogSumExp
		err := walkModel(ctx, m, beta, lo, hi, func(_ uint64, x float64) { acc.Add(x) })
		return acc, err
	})
	if err != nil {
		return 0, err
	}
	return finish(m, total(parts))
}

// Moments are the exact first and second moments of a model's
// distribution, in the model's own unit values (0/1 for Binary models,
// -1/+1 for Spin models, 0 … q-1 for q-state models), and the one-unit
// and two-unit marginals over the units' states.
type Moments struct {
	// LogZ is log Σₓ exp(-β E(x)).
	LogZ float64
	// Mean[i] is E[xᵢ]; for a Binary model it is p(xᵢ = 1).
	Mean []float64
	// Pair[i*n+j] is E[xᵢxⱼ], an n×n symmetric matrix whose diagonal holds
	// E[xᵢ²] (E[xᵢ] for Binary units, 1 for Spin units).
	Pair []float64
	// On[i] is p(xᵢ = on), the probability of the domain's larger value
	// (q-1 for q-state units).
	On []float64
	// Prob[i*q+a] is p(xᵢ = a), unit i's marginal over its q states
	// (numbered as Domain.Index numbers them; q = 2 for Binary and Spin,
	// state 1 being on).
	Prob []float64
	// Joint holds the two-unit marginals: Joint[(i*q+a)*n*q + j*q+b] is
	// p(xᵢ = a, xⱼ = b), an nq×nq symmetric matrix whose diagonal blocks
	// (i = j) hold Prob on their diagonal and zeros elsewhere.
	Joint []float64
}

// Marginals returns the exact moments of p(x) ∝ exp(-β E(x)), with the same
// limits and errors as LogZ. Its cost per state grows with the square of the
// number of units that are on, so it is slower than LogZ by a factor of
// about n/8; for q-state models it grows with n²/2.
func Marginals(ctx context.Context, m discrete.Model, beta float64, opt Options) (*Moments, error) {
	if m.Domain().States() > 2 {
		return marginalsStates(ctx, m, beta, opt)
	}
	n, err := checkModel(m, beta, opt)
	if err != nil {
		return nil, err
	}
	type part struct {
		acc     LogSumExp
		on, any []float64 // Σ w·[xᵢ on], Σ w·[xᵢ and xⱼ on] (i < j)
	}
	parts, err := ForChunks(ctx, n, opt, func(ctx context.Context, lo, hi uint64) (part, error) {
		p := part{on: make([]float64, n), any: make([]float64, n*n)}
		err := walkModel(ctx, m, beta, lo, hi, func(g uint64, x float64) {
			w, r := p.acc.Add(x)
			if r != 1 {
				scaleAll(r, p.on, p.any)
			}
			for s := g; s != 0; s &= s - 1 {
				i := bits.TrailingZeros64(s)
				p.on[i] += w
				row := p.any[i*n:]
				for t := s & (s - 1); t != 0; t &= t - 1 {
					row[bits.TrailingZeros64(t)] += w
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
	on, both := make([]float64, n), make([]float64, n*n)
	for c, p := range parts {
		for i, v := range p.on {
			on[i] += v * scale[c]
		}
		for i, v := range p.any {
			both[i] += v * scale[c]
		}
	}
	logZ, err := finish(m, ref+math.Log(sum))
	if err != nil {
		return nil, err
	}
	mo := &Moments{LogZ: logZ, Mean: make([]float64, n), Pair: make([]float64, n*n), On: on,
		Prob: make([]float64, 2*n), Joint: make([]float64, 4*n*n)}
	for i := range on {
		on[i] /= sum
	}
	spin := m.Domain() == discrete.Spin
	for i := range n {
		mo.Mean[i] = on[i]
		if spin {
			mo.Mean[i] = 2*on[i] - 1
		}
		for j := range n {
			var b float64 // p(xᵢ and xⱼ on)
			switch {
			case i == j:
				b = on[i]
			case i < j:
				b = both[i*n+j] / sum
			default:
				b = both[j*n+i] / sum
			}
			if i != j {
				// The four joint states of (xᵢ, xⱼ) from p(both on).
				off, on1 := mo.Joint[2*i*2*n:], mo.Joint[(2*i+1)*2*n:] // the rows of xᵢ off and on
				on1[2*j+1] = b
				on1[2*j] = on[i] - b
				off[2*j+1] = on[j] - b
				off[2*j] = 1 - on[i] - on[j] + b
			}
			if spin {
				// sᵢsⱼ = (2bᵢ-1)(2bⱼ-1) for the indicators bᵢ of "on".
				b = 4*b - 2*on[i] - 2*on[j] + 1
			}
			mo.Pair[i*n+j] = b
		}
		mo.Prob[2*i], mo.Prob[2*i+1] = 1-on[i], on[i]
		mo.Joint[(2*i)*2*n+2*i] = 1 - on[i]
		mo.Joint[(2*i+1)*2*n+2*i+1] = on[i]
	}
	return mo, nil
}

// Distribution returns p(x) ∝ exp(-β E(x)) for every state: entry s is the
// probability of the state whose unit i is on exactly when bit i of s is
// set. It accepts at most MaxDistributionUnits units (and no more than
// Options.MaxUnits). For a model of q-state units entry s is the state
// whose unit i has value ⌊s/qⁱ⌋ mod q, and qⁿ may not exceed
// 2^MaxDistributionUnits.
func Distribution(ctx context.Context, m discrete.Model, beta float64, opt Options) ([]float64, error) {
	if m.Domain().States() > 2 {
		return distributionStates(ctx, m, beta, opt)
	}
	n, err := checkModel(m, beta, opt)
	if err != nil {
		return nil, err
	}
	if n > MaxDistributionUnits {
		return nil, fmt.Errorf("exact: distribution: %w: %d units means 2^%d probabilities; the limit is %d",
			ErrTooLarge, n, n, MaxDistributionUnits)
	}
	out := make([]float64, 1<<n)
	parts, err := ForChunks(ctx, n, opt, func(ctx context.Context, lo, hi uint64) (LogSumExp, error) {
		var acc LogSumExp
		err := walkModel(ctx, m, beta, lo, hi, func(g uint64, x float64) {
			out[g] = x
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

func checkModel(m discrete.Model, beta float64, opt Options) (int, error) {
	if math.IsNaN(beta) || math.IsInf(beta, 0) {
		return 0, fmt.Errorf("exact: inverse temperature β = %v is not a finite number", beta)
	}
	n := m.Units()
	return n, opt.CheckSize(fmt.Sprintf("%s model", m.Domain()), n)
}

func finish(m discrete.Model, logZ float64) (float64, error) {
	if math.IsNaN(logZ) || math.IsInf(logZ, 0) {
		return 0, fmt.Errorf("exact: log Z of the %d-unit model is %v: the model gives non-finite energies", m.Units(), logZ)
	}
	return logZ, nil
}

// scaleAll multiplies every element of xs by r.
func scaleAll(r float64, xs ...[]float64) {
	for _, x := range xs {
		for i := range x {
			x[i] *= r
		}
	}
}

// walkModel visits the states at Gray-code positions [lo, hi), calling
// visit(state bits, -β E(state)) for each. The energy is carried from state
// to state by the flip deltas and recomputed at Walk's anchors.
func walkModel(ctx context.Context, m discrete.Model, beta float64, lo, hi uint64, visit func(g uint64, x float64)) error {
	w := &modelWalker{m: m, dom: m.Domain(), x: make([]int8, m.Units())}
	w.flip, _ = m.(discrete.Flipper)
	return Walk(ctx, lo, hi, w, func(g uint64) { visit(g, -beta*w.e) })
}

// modelWalker is the Walker of walkModel: the state and its energy.
type modelWalker struct {
	m    discrete.Model
	flip discrete.Flipper // m's own FlipDelta, nil when it has none
	dom  discrete.Domain
	x    []int8
	e    float64
}

func (w *modelWalker) Reset(g uint64) {
	for i := range w.x {
		w.x[i] = w.dom.Value(uint(g >> i))
	}
	w.e = w.m.Energy(w.x)
}

func (w *modelWalker) Flip(i int) {
	var d float64
	if w.flip != nil {
		d = w.flip.FlipDelta(w.x, i)
	} else {
		d = discrete.FlipDelta(w.m, w.x, i)
	}
	w.x[i] = w.dom.Flip(w.x[i])
	w.e += d
}
