package ais

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

// RunMachine estimates log Z of a machine of any unit types by forward
// AIS. The path interpolates the parameters: at inverse temperature β the
// weights are βW, the visible layer's parameters (1-β)θ_A + βθ_B and the
// hidden layer's the model's own, so that
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
// one batch whose products go through gonum; each run draws from its own
// seeded source, so the estimate depends on the seed only.
func RunMachine(ctx context.Context, m *rbm.Machine, base layer.Layer, cfg Config) (*Estimate, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("ais: %w", err)
	}
	if base == nil {
		base = m.Visible
	}
	if base.Kind() != m.Visible.Kind() || base.Width() != m.Visible.Width() {
		return nil, fmt.Errorf("ais: base layer %s of width %d for a %s visible layer of width %d",
			base.Kind(), base.Width(), m.Visible.Kind(), m.Visible.Width())
	}
	if err := layer.Validate(base); err != nil {
		return nil, fmt.Errorf("ais: base layer: %w", err)
	}
	s := cfg.schedule()
	runs := cfg.runs()
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	path := newLayerPath(base, m.Visible)

	// β = 0: independent draws from the base visible layer.
	zeroV, zeroH := make([]float64, vw), make([]float64, hw)
	logZBase := base.LogPartition(zeroV) + m.Hidden.LogPartition(zeroH)
	rngs := make([]*rand.Rand, runs)
	v := mat.NewDense(runs, vw, nil)
	for r := range runs {
		rngs[r] = rand.New(rand.NewPCG(cfg.Seed, uint64(r)))
		base.Sample(v.RawRowView(r), zeroV, rngs[r])
	}
	logw := make([]float64, runs)
	w := mat.NewDense(vw, hw, m.W)
	u := mat.NewDense(runs, hw, nil)  // Wᵀv per run
	h := mat.NewDense(runs, hw, nil)  // hidden states
	in := mat.NewDense(runs, vw, nil) // Wh per run
	scaled := make([]float64, max(vw, hw))
	K := len(s) - 1
	for k := 1; k <= K; k++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		lo, hi := s[k-1], s[k]
		u.Mul(v, w)
		// log w += log p*_hi(v) - log p*_lo(v), one layer setting at a
		// time so that the visible parameters are interpolated twice per
		// step, not twice per run.
		for pass, beta := range []float64{lo, hi} {
			sign := 1.0
			if pass == 0 {
				sign = -1
			}
			vis := path.at(beta)
			for r := range runs {
				logw[r] += sign * (-vis.Energy(v.RawRowView(r)) + m.Hidden.LogPartition(scale(scaled[:hw], beta, u.RawRowView(r))))
			}
		}
		if k == K {
			break
		}
		// The Gibbs transition at β = hi.
		vis := path.at(hi)
		for r := range runs {
			m.Hidden.Sample(h.RawRowView(r), scale(scaled[:hw], hi, u.RawRowView(r)), rngs[r])
		}
		in.Mul(h, w.T())
		for r := range runs {
			vis.Sample(v.RawRowView(r), scale(scaled[:vw], hi, in.RawRowView(r)), rngs[r])
		}
		cfg.report(K-k+1, K, k)
	}
	cfg.report(1, K, K)
	return forwardEstimate(logw, logZBase, K), nil
}

// scale sets dst to βx and returns it.
func scale(dst []float64, beta float64, x []float64) []float64 {
	for i, v := range x {
		dst[i] = beta * v
	}
	return dst
}

// layerPath interpolates a layer's parameters between two layers of the
// same type and width.
type layerPath struct {
	from, to, cur []layer.Param
	l             layer.Layer
}

func newLayerPath(from, to layer.Layer) *layerPath {
	l := to.Clone()
	return &layerPath{from: from.Params(), to: to.Params(), cur: l.Params(), l: l}
}

// at returns the layer with parameters (1-β)·from + β·to. The layer is
// shared: it is valid until the next call.
func (p *layerPath) at(beta float64) layer.Layer {
	for k, c := range p.cur {
		for i := range c.Values {
			c.Values[i] = (1-beta)*p.from[k].Values[i] + beta*p.to[k].Values[i]
		}
	}
	return p.l
}
