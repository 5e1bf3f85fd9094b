package rbm

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm/layer"
)

// MachineGradient holds a gradient of a machine's mean log-likelihood,
// laid out like its parameters: W like Machine.W, and for each layer one
// slice per parameter in the order of the layer's Params (as
// layer.NewGrad shapes them). The slices of fixed parameters, which are
// not trained, stay zero, as in the trainer.
type MachineGradient struct {
	W               []float64
	Visible, Hidden [][]float64
}

// NewMachineGradient returns a zero gradient shaped like m's parameters.
func NewMachineGradient(m *Machine) *MachineGradient {
	return &MachineGradient{W: make([]float64, len(m.W)), Visible: layer.NewGrad(m.Visible), Hidden: layer.NewGrad(m.Hidden)}
}

// A GradientBlock is one trained parameter vector's part of a gradient.
type GradientBlock struct {
	// Name is "W", or "visible." or "hidden." and the layer's name of
	// the parameter ("visible.bias", "hidden.log_precision", …).
	Name   string
	Values []float64
}

// Blocks returns g's blocks for the trained parameters of m in the order
// the trainer keeps them: W, then the visible and the hidden layer's
// parameters that are not fixed. The values alias g's.
func (g *MachineGradient) Blocks(m *Machine) []GradientBlock {
	blocks := []GradientBlock{{Name: "W", Values: g.W}}
	for _, side := range []struct {
		name string
		l    layer.Layer
		grad [][]float64
	}{{"visible", m.Visible, g.Visible}, {"hidden", m.Hidden, g.Hidden}} {
		for k, p := range side.l.Params() {
			if !p.Fixed {
				blocks = append(blocks, GradientBlock{Name: side.name + "." + p.Name, Values: side.grad[k]})
			}
		}
	}
	return blocks
}

// ExactGradient returns the gradient of the mean log-likelihood of the
// rows of data, and log Z, with log Z exact as LogZ computes it:
//
//	∇ ⟨log p(v)⟩_data = ⟨-∂F(v)/∂θ⟩_data - ⟨-∂F(v)/∂θ⟩_model.
//
// The statistics -∂F/∂θ are those the trainer accumulates (TrainMachine):
// vᵀE[h|v] for W, the visible layer's -∂E/∂θ at v and the hidden layer's
// ∂Γ/∂θ at its input Wᵀv; so the gradient compares block by block with
// the CD estimate (CDGradient), before any preconditioning. The data term
// is their mean over the rows. The model term enumerates the states x of
// the layer LogZ enumerates, on the same visitor, and weighs each by its
// exact probability exp(-F(x) - log Z), the other layer y summed or
// integrated out analytically: x's own -∂E/∂θ, y's ∂Γ/∂θ at the field x
// gives it, and x·E[y|x]ᵀ for W. The weights are accumulated against a
// running maximum of -F(x) (log-sum-exp style), so no term overflows, and
// each chunk of the enumeration keeps sums of its own, added in a fixed
// order: the result does not depend on opt's Workers.
func (m *Machine) ExactGradient(ctx context.Context, data [][]float64, opt exact.Options) (*MachineGradient, float64, error) {
	if err := m.Validate(); err != nil {
		return nil, 0, err
	}
	if err := m.checkRows("gradient", data); err != nil {
		return nil, 0, err
	}
	model, logZ, err := m.modelStatistics(ctx, opt)
	if err != nil {
		return nil, 0, err
	}
	g := m.dataStatistics(data)
	g.addScaled(-1, model)
	return g, logZ, nil
}

// dataStatistics returns the mean over the rows of data of -∂F(v)/∂θ:
// the positive phase of the gradient.
func (m *Machine) dataStatistics(data [][]float64) *MachineGradient {
	g := NewMachineGradient(m)
	hw := m.Hidden.Width()
	in, mean := make([]float64, hw), make([]float64, hw)
	for _, v := range data {
		m.HiddenInput(in, v)
		m.Hidden.Mean(mean, in)
		m.Visible.EnergyGrad(g.Visible, v)
		m.Hidden.LogPartitionGrad(g.Hidden, in)
		for i, vi := range v {
			if vi != 0 {
				floatsAddScaled(g.W[i*hw:(i+1)*hw], vi, mean)
			}
		}
	}
	g.scale(1 / float64(len(data)))
	return g
}

// modelStatistics returns the expectation of -∂F(v)/∂θ under the machine
// and log Z, by enumeration (see ExactGradient).
func (m *Machine) modelStatistics(ctx context.Context, opt exact.Options) (*MachineGradient, float64, error) {
	t := m.enumerationOrder()
	if t == nil {
		return nil, 0, fmt.Errorf("rbm: the exact gradient needs a discrete layer; a %s×%s machine has none", m.Visible.Kind(), m.Hidden.Kind())
	}
	x := t.Visible.(layer.Discrete)
	units, q := x.Units(), x.States()
	var (
		mu    sync.Mutex
		parts []*statePart
	)
	_, err := exact.LogSumStates(ctx, units, q, opt, func() exact.StateVisitor {
		p := &statePart{t: t, max: math.Inf(-1), g: NewMachineGradient(t),
			vg: layer.NewGrad(t.Visible), hg: layer.NewGrad(t.Hidden), mean: make([]float64, t.Hidden.Width())}
		mu.Lock()
		parts = append(parts, p)
		mu.Unlock()
		observe := t.newObservingVisitor(x, p.add)
		return func(s []int, changed int) float64 {
			if !p.keyed {
				// The first state of a chunk names it: the parts are
				// added in the order of their chunks below.
				for i := len(s) - 1; i >= 0; i-- {
					p.key = p.key*uint64(q) + uint64(s[i])
				}
				p.keyed = true
			}
			return observe(s, changed)
		}
	})
	if err != nil {
		return nil, 0, fmt.Errorf("rbm: exact gradient of a %s×%s machine: %w", m.Visible.Kind(), m.Hidden.Kind(), err)
	}
	slices.SortFunc(parts, func(a, b *statePart) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	top := math.Inf(-1)
	for _, p := range parts {
		top = math.Max(top, p.max)
	}
	sum := NewMachineGradient(t)
	var z float64
	for _, p := range parts {
		if math.IsInf(p.max, -1) {
			continue
		}
		w := math.Exp(p.max - top)
		sum.addScaled(w, p.g)
		z += w * p.sum
	}
	logZ := top + math.Log(z)
	if math.IsNaN(logZ) || math.IsInf(logZ, 0) {
		return nil, 0, fmt.Errorf("rbm: exact log Z of a %s×%s machine is %v: the model is not normalisable", m.Visible.Kind(), m.Hidden.Kind(), logZ)
	}
	sum.scale(1 / z)
	if t == m {
		return sum, logZ, nil
	}
	// t is m transposed: its visible layer is m's hidden one.
	g := &MachineGradient{W: make([]float64, len(m.W)), Visible: sum.Hidden, Hidden: sum.Visible}
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	for i := range vw {
		for j := range hw {
			g.W[i*hw+j] = sum.W[j*vw+i]
		}
	}
	return g, logZ, nil
}

// statePart accumulates the statistics of one chunk of the enumerated
// states, weighted by exp(-F(x) - max) where max is a reference within
// rescaleSlack of the largest -F(x) seen so far: the sums are rescaled
// when -F(x) exceeds it by more, so no weight exceeds e^rescaleSlack and
// the rescaling, which costs a pass over the parameters, stays rare.
type statePart struct {
	t        *Machine
	key      uint64
	keyed    bool
	max, sum float64
	g        *MachineGradient
	vg, hg   [][]float64 // one state's layer statistics
	mean     []float64
}

const rescaleSlack = 30

// add weighs the statistics of state x, of field Wᵀx, by exp(negF - max).
func (p *statePart) add(x, field []float64, negF float64) {
	if negF > p.max+rescaleSlack || math.IsInf(p.max, -1) {
		if !math.IsInf(p.max, -1) {
			r := math.Exp(p.max - negF)
			p.g.scale(r)
			p.sum *= r
		}
		p.max = negF
	}
	w := math.Exp(negF - p.max)
	p.sum += w
	t := p.t
	for _, g := range [][][]float64{p.vg, p.hg} {
		for _, s := range g {
			clear(s)
		}
	}
	t.Visible.EnergyGrad(p.vg, x)
	t.Hidden.LogPartitionGrad(p.hg, field)
	for k := range p.vg {
		floatsAddScaled(p.g.Visible[k], w, p.vg[k])
	}
	for k := range p.hg {
		floatsAddScaled(p.g.Hidden[k], w, p.hg[k])
	}
	t.Hidden.Mean(p.mean, field)
	hw := len(p.mean)
	for i, xi := range x {
		if xi != 0 {
			floatsAddScaled(p.g.W[i*hw:(i+1)*hw], w*xi, p.mean)
		}
	}
}

// addScaled adds a·x to g, block by block.
func (g *MachineGradient) addScaled(a float64, x *MachineGradient) {
	floatsAddScaled(g.W, a, x.W)
	for k := range g.Visible {
		floatsAddScaled(g.Visible[k], a, x.Visible[k])
	}
	for k := range g.Hidden {
		floatsAddScaled(g.Hidden[k], a, x.Hidden[k])
	}
}

// scale multiplies every value of g by a.
func (g *MachineGradient) scale(a float64) {
	for _, s := range append(append([][]float64{g.W}, g.Visible...), g.Hidden...) {
		for i := range s {
			s[i] *= a
		}
	}
}
