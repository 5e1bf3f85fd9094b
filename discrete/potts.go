package discrete

import (
	"fmt"
	"math"
	"slices"
)

// PottsCoupling is the interaction between units I and J of a Potts
// model: Value[a*q+b] is J_IJ(a, b), the coupling of unit I in state a
// with unit J in state b (a q×q matrix in row-major order).
type PottsCoupling struct {
	I, J  int
	Value []float64
}

// Potts is a pairwise model of units with q states (a Potts model, or a
// fully visible Boltzmann machine of categorical units) on any graph:
//
//	E(x) = -Σ_i h_i(x_i) - Σ_(i,j) J_ij(x_i, x_j),
//
// the sum running over the edges, each once. Its domain is
// Categorical(q). The ferromagnetic Potts model is J_ij(a, b) = J·[a = b].
//
// A unit's energy terms are its local field f_i(a) = h_i(a) +
// Σ_j J_ij(a, x_j) over its neighbours j, so setting x_i to v changes the
// energy by f_i(x_i) - f_i(v) at a cost of O(degree). A Potts model is
// immutable and safe for concurrent use.
type Potts struct {
	q      int
	domain Domain
	h      []float64 // h[i*q+a] = h_i(a)
	edges  []PottsCoupling

	// Adjacency in compressed rows, as Pairwise's: the neighbours of unit
	// i are nbr[start[i]:start[i+1]]; coupling[s] is the edge of slot s
	// as seen from unit i, the matrix M with M[a*q+b] = J_ij(a, b) for
	// unit i in state a and the neighbour in state b (the edge's matrix,
	// or its transpose when i is the edge's J).
	start    []int32
	nbr      []int32
	coupling [][]float64
}

// NewPotts returns the Potts model of q-state units with the given fields,
// q per unit (fields[i*q+a] = h_i(a), so len(fields)/q units), and
// couplings, each a q×q matrix. Couplings between the same pair of units
// are added together (J_ji(b, a) counts as J_ij(a, b)); a unit coupled to
// itself, an index out of range, a matrix of the wrong size or a value
// that is not finite is an error, and so is q outside [2, MaxStates].
func NewPotts(q int, fields []float64, couplings []PottsCoupling) (*Potts, error) {
	d, err := Categorical(q)
	if err != nil {
		return nil, fmt.Errorf("discrete: potts model: %w", err)
	}
	if len(fields) == 0 || len(fields)%q != 0 {
		return nil, fmt.Errorf("discrete: potts model: %d fields are not a positive multiple of %d states", len(fields), q)
	}
	n := len(fields) / q
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("discrete: potts model: %d units is too many", n)
	}
	for k, h := range fields {
		if !finite(h) {
			return nil, fmt.Errorf("discrete: potts model: field of unit %d, state %d is %v", k/q, k%q, h)
		}
	}
	merged := make(map[[2]int][]float64, len(couplings))
	var order [][2]int
	for k, c := range couplings {
		i, j := c.I, c.J
		switch {
		case i < 0 || i >= n || j < 0 || j >= n:
			return nil, fmt.Errorf("discrete: potts model: coupling %d joins units %d and %d, want indices in [0, %d)", k, i, j, n)
		case i == j:
			return nil, fmt.Errorf("discrete: potts model: coupling %d joins unit %d to itself", k, i)
		case len(c.Value) != q*q:
			return nil, fmt.Errorf("discrete: potts model: coupling %d (%d, %d) has %d values, want %d×%d = %d", k, i, j, len(c.Value), q, q, q*q)
		}
		for ab, v := range c.Value {
			if !finite(v) {
				return nil, fmt.Errorf("discrete: potts model: coupling %d (%d, %d) is %v at states (%d, %d)", k, i, j, v, ab/q, ab%q)
			}
		}
		key, transpose := [2]int{i, j}, false
		if i > j {
			key, transpose = [2]int{j, i}, true
		}
		m, ok := merged[key]
		if !ok {
			m = make([]float64, q*q)
			merged[key] = m
			order = append(order, key)
		}
		for a := range q {
			for b := range q {
				if transpose {
					m[b*q+a] += c.Value[a*q+b]
				} else {
					m[a*q+b] += c.Value[a*q+b]
				}
			}
		}
	}
	slices.SortFunc(order, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	p := &Potts{q: q, domain: d, h: slices.Clone(fields), edges: make([]PottsCoupling, len(order))}
	for k, key := range order {
		p.edges[k] = PottsCoupling{I: key[0], J: key[1], Value: merged[key]}
	}
	p.buildAdjacency(n)
	return p, nil
}

func (p *Potts) buildAdjacency(n int) {
	q := p.q
	var slots [][2]int32
	p.start, slots = adjacency(n, len(p.edges), func(k int) (int, int) { return p.edges[k].I, p.edges[k].J })
	p.nbr = make([]int32, 2*len(p.edges))
	p.coupling = make([][]float64, 2*len(p.edges))
	for k, e := range p.edges {
		t := make([]float64, q*q) // the matrix seen from e.J
		for a := range q {
			for b := range q {
				t[b*q+a] = e.Value[a*q+b]
			}
		}
		si, sj := slots[k][0], slots[k][1]
		p.nbr[si], p.coupling[si] = int32(e.J), e.Value
		p.nbr[sj], p.coupling[sj] = int32(e.I), t
	}
}

// Units returns the number of units.
func (p *Potts) Units() int { return len(p.h) / p.q }

// Domain returns Categorical(q).
func (p *Potts) Domain() Domain { return p.domain }

// States returns q, the number of states of each unit.
func (p *Potts) States() int { return p.q }

// Fields returns a copy of the fields, h_i(a) at index i*q+a.
func (p *Potts) Fields() []float64 { return slices.Clone(p.h) }

// Couplings returns a copy of the edges, each once with I < J, in order.
func (p *Potts) Couplings() []PottsCoupling {
	cs := slices.Clone(p.edges)
	for k := range cs {
		cs[k].Value = slices.Clone(cs[k].Value)
	}
	return cs
}

// Energy returns -Σ_i h_i(x_i) - Σ_(i,j) J_ij(x_i, x_j).
func (p *Potts) Energy(x []int8) float64 {
	p.check(x)
	q := p.q
	var e float64
	for _, c := range p.edges {
		e -= c.Value[int(x[c.I])*q+int(x[c.J])]
	}
	for i, a := range x {
		e -= p.h[i*q+int(a)]
	}
	return e
}

// LocalField returns f_i(a) = h_i(a) + Σ_j J_ij(a, x_j), the field unit i
// in state a feels from the rest: E depends on x_i only through
// -LocalField(x, i, x_i).
func (p *Potts) LocalField(x []int8, i int, a int8) float64 {
	q := p.q
	f := p.h[i*q+int(a)]
	lo, hi := p.start[i], p.start[i+1]
	for s := lo; s < hi; s++ {
		f += p.coupling[s][int(a)*q+int(x[p.nbr[s]])]
	}
	return f
}

// ChangeDelta returns E(x with x_i = v) - E(x) = f_i(x_i) - f_i(v), with
// f_i the local field.
func (p *Potts) ChangeDelta(x []int8, i int, v int8) float64 {
	if v == x[i] {
		return 0
	}
	q := p.q
	a, b := int(x[i]), int(v)
	d := p.h[i*q+a] - p.h[i*q+b]
	lo, hi := p.start[i], p.start[i+1]
	for s := lo; s < hi; s++ {
		xj := int(x[p.nbr[s]])
		m := p.coupling[s]
		d += m[a*q+xj] - m[b*q+xj]
	}
	return d
}

// OneHotGradient sets grad[i*q+a] = ∂E/∂o_ia = -f_i(a), minus the local
// field of unit i in state a: the energy is linear in each unit's one-hot
// encoding, so grad[i*q+a] - grad[i*q+x_i] is exactly ChangeDelta(x, i, a).
func (p *Potts) OneHotGradient(x []int8, grad []float64) {
	p.check(x)
	q := p.q
	if len(grad) != len(p.h) {
		panic(fmt.Sprintf("discrete: one-hot gradient has %d values, model has %d units of %d states", len(grad), p.Units(), q))
	}
	for i := range p.Units() {
		for a := range q {
			grad[i*q+a] = -p.LocalField(x, i, int8(a))
		}
	}
}

// FlipDelta returns the energy change of Domain's Flip of unit i, the
// move to the next state cyclically.
func (p *Potts) FlipDelta(x []int8, i int) float64 {
	return p.ChangeDelta(x, i, p.domain.Flip(x[i]))
}

func (p *Potts) check(x []int8) {
	if len(x) != p.Units() {
		panic(fmt.Sprintf("discrete: state has %d units, model has %d", len(x), p.Units()))
	}
}
