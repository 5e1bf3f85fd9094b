package discrete

import (
	"fmt"
	"slices"
)

// Product is a product of experts over the same units: its energy is the sum
// of the experts' energies, so p(x) ∝ Π_k p_k(x), the AND of the experts.
type Product struct {
	experts []Model
}

// NewProduct returns the product of the given experts, which must have the
// same number of units and the same domain (convert a pairwise expert with
// Convert first).
func NewProduct(experts ...Model) (*Product, error) {
	if len(experts) == 0 {
		return nil, fmt.Errorf("discrete: product of experts: no experts")
	}
	n, d := experts[0].Units(), experts[0].Domain()
	for k, e := range experts[1:] {
		if e.Units() != n || e.Domain() != d {
			return nil, fmt.Errorf("discrete: product of experts: expert %d has %d %v units, expert 0 has %d %v units", k+1, e.Units(), e.Domain(), n, d)
		}
	}
	return &Product{experts: slices.Clone(experts)}, nil
}

// Experts returns the experts; the slice must not be modified.
func (p *Product) Experts() []Model { return p.experts }

// Units returns the number of units.
func (p *Product) Units() int { return p.experts[0].Units() }

// Domain returns the experts' domain.
func (p *Product) Domain() Domain { return p.experts[0].Domain() }

// Energy returns the sum of the experts' energies.
func (p *Product) Energy(x []int8) float64 {
	var e float64
	for _, m := range p.experts {
		e += m.Energy(x)
	}
	return e
}

// FlipDelta returns the sum of the experts' flip energy changes.
func (p *Product) FlipDelta(x []int8, i int) float64 {
	var d float64
	for _, m := range p.experts {
		d += FlipDelta(m, x, i)
	}
	return d
}

// ChangeDelta returns the sum of the experts' energy changes of setting
// unit i to v.
func (p *Product) ChangeDelta(x []int8, i int, v int8) float64 {
	var d float64
	for _, m := range p.experts {
		d += ChangeDelta(m, x, i, v)
	}
	return d
}

// Differentiable reports whether every expert has a gradient (GradientOf),
// so that Gradient can be used: an expert that is Differentiable but says
// it has no gradient (a nested product, the marginal of an RBM's Potts
// units) makes the product have none.
func (p *Product) Differentiable() bool {
	for _, m := range p.experts {
		if _, ok := GradientOf(m); !ok {
			return false
		}
	}
	return true
}

// Gradient sets grad to the sum of the experts' gradients. It panics unless
// Differentiable reports true.
func (p *Product) Gradient(x []int8, grad []float64) {
	clear(grad)
	g := make([]float64, len(grad))
	for k, m := range p.experts {
		d, ok := GradientOf(m)
		if !ok {
			panic(fmt.Sprintf("discrete: product of experts: expert %d (%T) has no gradient", k, m))
		}
		d.Gradient(x, g)
		for i, v := range g {
			grad[i] += v
		}
	}
}

// OneHotDifferentiable reports whether every expert has a one-hot
// gradient (OneHotGradientOf), so that OneHotGradient can be used.
func (p *Product) OneHotDifferentiable() bool {
	for _, m := range p.experts {
		if _, ok := OneHotGradientOf(m); !ok {
			return false
		}
	}
	return true
}

// OneHotGradient sets grad to the sum of the experts' one-hot gradients.
// It panics unless OneHotDifferentiable reports true.
func (p *Product) OneHotGradient(x []int8, grad []float64) {
	clear(grad)
	g := make([]float64, len(grad))
	for k, m := range p.experts {
		d, ok := OneHotGradientOf(m)
		if !ok {
			panic(fmt.Sprintf("discrete: product of experts: expert %d (%T) has no one-hot gradient", k, m))
		}
		d.OneHotGradient(x, g)
		for i, v := range g {
			grad[i] += v
		}
	}
}

// NewLocal returns a Local that keeps one Local per expert.
func (p *Product) NewLocal(x []int8) Local {
	l := &productLocal{x: slices.Clone(x), d: p.Domain()}
	for _, m := range p.experts {
		l.parts = append(l.parts, NewLocal(m, x))
	}
	return l
}

type productLocal struct {
	x     []int8
	d     Domain
	parts []Local
}

func (l *productLocal) State() []int8 { return l.x }

func (l *productLocal) Set(x []int8) {
	copy(l.x, x)
	for _, p := range l.parts {
		p.Set(x)
	}
}

func (l *productLocal) FlipDelta(i int) float64 {
	var d float64
	for _, p := range l.parts {
		d += p.FlipDelta(i)
	}
	return d
}

func (l *productLocal) ChangeDelta(i int, v int8) float64 {
	var d float64
	for _, p := range l.parts {
		d += p.ChangeDelta(i, v)
	}
	return d
}

func (l *productLocal) Change(i int, v int8) {
	l.x[i] = v
	for _, p := range l.parts {
		p.Change(i, v)
	}
}

func (l *productLocal) Flip(i int) {
	l.x[i] = l.d.Flip(l.x[i])
	for _, p := range l.parts {
		p.Flip(i)
	}
}
