package discrete

import (
	"fmt"
	"math"
	"slices"
)

// Coupling is the interaction J between units I and J of a pairwise model.
type Coupling struct {
	I, J  int
	Value float64
}

// Pairwise is a pairwise model (an Ising model when its units are spins, a
// fully visible Boltzmann machine when they are binary) on any graph:
//
//	E(x) = -Σ_{i<j} J_ij x_i x_j - Σ_i h_i x_i.
//
// The couplings are symmetric and sparse: each edge is stored once in
// Couplings and twice in the adjacency lists that the local fields read.
// A Pairwise is immutable except through SetParams, and safe for concurrent
// use when SetParams is not running.
type Pairwise struct {
	domain Domain
	h      []float64
	edges  []Coupling // unique edges with I < J, sorted

	// Adjacency in compressed rows: the neighbours of unit i are
	// nbr[start[i]:start[i+1]] with couplings w[...]; slotEdge maps each
	// slot back to its edge so that SetParams can update both copies.
	start    []int32
	nbr      []int32
	w        []float64
	slotEdge []int32
}

// NewPairwise returns the pairwise model over len(fields) units of domain d
// with the given fields and couplings. Couplings between the same pair of
// units are added together (a periodic lattice two units wide couples each
// pair twice); a unit coupled to itself, an index out of range or a value
// that is not finite is an error.
func NewPairwise(d Domain, fields []float64, couplings []Coupling) (*Pairwise, error) {
	if d != Binary && d != Spin {
		return nil, fmt.Errorf("discrete: pairwise model: unknown domain %v", d)
	}
	n := len(fields)
	if n == 0 {
		return nil, fmt.Errorf("discrete: pairwise model: no units")
	}
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("discrete: pairwise model: %d units is too many", n)
	}
	for i, h := range fields {
		if !finite(h) {
			return nil, fmt.Errorf("discrete: pairwise model: field %d is %v", i, h)
		}
	}
	merged := make(map[[2]int]float64, len(couplings))
	for k, c := range couplings {
		i, j := c.I, c.J
		switch {
		case i < 0 || i >= n || j < 0 || j >= n:
			return nil, fmt.Errorf("discrete: pairwise model: coupling %d joins units %d and %d, want indices in [0, %d)", k, i, j, n)
		case i == j:
			return nil, fmt.Errorf("discrete: pairwise model: coupling %d joins unit %d to itself", k, i)
		case !finite(c.Value):
			return nil, fmt.Errorf("discrete: pairwise model: coupling %d (%d, %d) is %v", k, i, j, c.Value)
		}
		if i > j {
			i, j = j, i
		}
		merged[[2]int{i, j}] += c.Value
	}
	edges := make([]Coupling, 0, len(merged))
	for k, v := range merged {
		edges = append(edges, Coupling{I: k[0], J: k[1], Value: v})
	}
	slices.SortFunc(edges, func(a, b Coupling) int {
		if a.I != b.I {
			return a.I - b.I
		}
		return a.J - b.J
	})
	p := &Pairwise{domain: d, h: slices.Clone(fields), edges: edges}
	p.buildAdjacency()
	return p, nil
}

func (p *Pairwise) buildAdjacency() {
	var slots [][2]int32
	p.start, slots = adjacency(len(p.h), len(p.edges), func(k int) (int, int) { return p.edges[k].I, p.edges[k].J })
	p.nbr = make([]int32, 2*len(p.edges))
	p.w = make([]float64, 2*len(p.edges))
	p.slotEdge = make([]int32, 2*len(p.edges))
	for k, e := range p.edges {
		si, sj := slots[k][0], slots[k][1]
		p.nbr[si], p.w[si], p.slotEdge[si] = int32(e.J), e.Value, int32(k)
		p.nbr[sj], p.w[sj], p.slotEdge[sj] = int32(e.I), e.Value, int32(k)
	}
}

// adjacency lays out the two ends of each of m edges between n units as
// compressed rows: unit i's neighbour slots are start[i] … start[i+1]-1,
// filled in edge order, and slots[k] holds edge k's slot at its end I
// and at its end J (ends(k) returns I and J). Pairwise and Potts models
// keep their neighbours and couplings in these slots.
func adjacency(n, m int, ends func(k int) (i, j int)) (start []int32, slots [][2]int32) {
	start = make([]int32, n+1)
	for k := range m {
		i, j := ends(k)
		start[i+1]++
		start[j+1]++
	}
	for i := range n {
		start[i+1] += start[i]
	}
	fill := slices.Clone(start[:n])
	slots = make([][2]int32, m)
	for k := range m {
		i, j := ends(k)
		slots[k] = [2]int32{fill[i], fill[j]}
		fill[i]++
		fill[j]++
	}
	return start, slots
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// FullyConnected returns the fully visible Boltzmann machine over
// len(fields) units: every pair (i, j) is coupled by weights[i*n+j], which
// must equal weights[j*n+i]; the diagonal must be zero. Zero couplings are
// kept as edges so that training can move them.
func FullyConnected(d Domain, fields, weights []float64) (*Pairwise, error) {
	n := len(fields)
	if len(weights) != n*n {
		return nil, fmt.Errorf("discrete: fully connected model: %d weights for %d units, want %d", len(weights), n, n*n)
	}
	cs := make([]Coupling, 0, n*(n-1)/2)
	for i := range n {
		if weights[i*n+i] != 0 {
			return nil, fmt.Errorf("discrete: fully connected model: diagonal weight %d is %v, want 0", i, weights[i*n+i])
		}
		for j := i + 1; j < n; j++ {
			if weights[i*n+j] != weights[j*n+i] {
				return nil, fmt.Errorf("discrete: fully connected model: weights (%d, %d) = %v and (%d, %d) = %v differ", i, j, weights[i*n+j], j, i, weights[j*n+i])
			}
			cs = append(cs, Coupling{I: i, J: j, Value: weights[i*n+j]})
		}
	}
	return NewPairwise(d, fields, cs)
}

// Units returns the number of units.
func (p *Pairwise) Units() int { return len(p.h) }

// Domain returns the values the units take.
func (p *Pairwise) Domain() Domain { return p.domain }

// Fields returns a copy of the fields h.
func (p *Pairwise) Fields() []float64 { return slices.Clone(p.h) }

// Couplings returns a copy of the edges, each once with I < J, in order.
func (p *Pairwise) Couplings() []Coupling { return slices.Clone(p.edges) }

// Neighbors returns the neighbours of unit i and their couplings. The
// slices are shared with the model and must not be modified.
func (p *Pairwise) Neighbors(i int) ([]int32, []float64) {
	lo, hi := p.start[i], p.start[i+1]
	return p.nbr[lo:hi:hi], p.w[lo:hi:hi]
}

// SetParams replaces the fields and the values of the edges (in the order
// of Couplings), keeping the graph. It is how training updates a model.
func (p *Pairwise) SetParams(fields, edgeValues []float64) error {
	if len(fields) != len(p.h) || len(edgeValues) != len(p.edges) {
		return fmt.Errorf("discrete: set params: got %d fields and %d couplings, model has %d and %d", len(fields), len(edgeValues), len(p.h), len(p.edges))
	}
	for i, v := range edgeValues {
		if !finite(v) {
			return fmt.Errorf("discrete: set params: coupling %d is %v", i, v)
		}
	}
	for i, v := range fields {
		if !finite(v) {
			return fmt.Errorf("discrete: set params: field %d is %v", i, v)
		}
	}
	copy(p.h, fields)
	for k, v := range edgeValues {
		p.edges[k].Value = v
	}
	for s, k := range p.slotEdge {
		p.w[s] = edgeValues[k]
	}
	return nil
}

// Energy returns -Σ_{i<j} J_ij x_i x_j - Σ_i h_i x_i.
func (p *Pairwise) Energy(x []int8) float64 {
	p.check(x)
	var e float64
	for _, c := range p.edges {
		e -= c.Value * float64(x[c.I]) * float64(x[c.J])
	}
	for i, h := range p.h {
		e -= h * float64(x[i])
	}
	return e
}

// LocalField returns h_i + Σ_j J_ij x_j, the field unit i feels from the
// rest: E depends on x_i only through -x_i·LocalField(x, i).
func (p *Pairwise) LocalField(x []int8, i int) float64 {
	f := p.h[i]
	lo, hi := p.start[i], p.start[i+1]
	for s := lo; s < hi; s++ {
		f += p.w[s] * float64(x[p.nbr[s]])
	}
	return f
}

// FlipDelta returns E(x with unit i flipped) - E(x) = -(x'_i - x_i)·f_i
// with f_i the local field.
func (p *Pairwise) FlipDelta(x []int8, i int) float64 {
	d := float64(p.domain.Flip(x[i]) - x[i])
	return -d * p.LocalField(x, i)
}

// Gradient sets grad[i] = ∂E/∂x_i = -LocalField(x, i). E is multilinear
// with no self-couplings, so its relaxation to real x is exact along each
// coordinate: (x'_i - x_i)·grad[i] is exactly the flip's energy change.
func (p *Pairwise) Gradient(x []int8, grad []float64) {
	p.check(x)
	for i := range p.h {
		grad[i] = -p.LocalField(x, i)
	}
}

// Convert returns the same model over the other domain, with the energy
// shift that relates them: E_p(x) = E_q(y) + shift for q, shift :=
// p.Convert(d) and y the state x converted by ConvertState. With
// s = 2x - 1 a spin model (J, h) is the binary model (4J, 2h - 2Σ_j J_ij)
// shifted by Σ_i h_i - Σ_{i<j} J_ij.
func (p *Pairwise) Convert(d Domain) (q *Pairwise, shift float64) {
	if d == p.domain {
		q, _ := NewPairwise(d, p.h, p.edges)
		return q, 0
	}
	h := make([]float64, len(p.h))
	edges := slices.Clone(p.edges)
	rowSum := make([]float64, len(p.h))
	var jSum float64
	for _, e := range p.edges {
		rowSum[e.I] += e.Value
		rowSum[e.J] += e.Value
		jSum += e.Value
	}
	if p.domain == Spin { // to binary
		for i := range h {
			h[i] = 2*p.h[i] - 2*rowSum[i]
			shift += p.h[i]
		}
		for k := range edges {
			edges[k].Value *= 4
		}
		shift -= jSum
	} else { // binary to spin: x = (s+1)/2
		for i := range h {
			h[i] = p.h[i]/2 + rowSum[i]/4
			shift -= p.h[i] / 2
		}
		for k := range edges {
			edges[k].Value /= 4
		}
		shift -= jSum / 4
	}
	q, _ = NewPairwise(d, h, edges)
	return q, shift
}

func (p *Pairwise) check(x []int8) {
	if len(x) != len(p.h) {
		panic(fmt.Sprintf("discrete: state has %d units, model has %d", len(x), len(p.h)))
	}
}

// ConvertState writes into dst the state x of domain from expressed in
// domain to (0 ↔ -1, 1 ↔ +1). dst and x may be the same slice.
func ConvertState(dst, x []int8, from, to Domain) {
	for i, v := range x {
		b := uint(0)
		if _, on := from.Values(); v == on {
			b = 1
		}
		dst[i] = to.Value(b)
	}
}
