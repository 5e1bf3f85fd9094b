package exact

import (
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/discrete"
)

// pairwise is a test model written independently of the discrete package's
// own: E(x) = -Σᵢ fᵢxᵢ - Σ_{i<j} Jᵢⱼxᵢxⱼ, J stored n×n (upper triangle).
type pairwise struct {
	n      int
	dom    discrete.Domain
	fields []float64
	j      []float64
}

func randomPairwise(rng *rand.Rand, n int, dom discrete.Domain, scale float64) *pairwise {
	m := &pairwise{n: n, dom: dom, fields: make([]float64, n), j: make([]float64, n*n)}
	for i := range n {
		m.fields[i] = scale * rng.NormFloat64()
		for k := i + 1; k < n; k++ {
			m.j[i*n+k] = scale * rng.NormFloat64()
		}
	}
	return m
}

func (m *pairwise) Units() int              { return m.n }
func (m *pairwise) Domain() discrete.Domain { return m.dom }
func (m *pairwise) Energy(x []int8) float64 {
	var e float64
	for i := range m.n {
		e -= m.fields[i] * float64(x[i])
		for k := i + 1; k < m.n; k++ {
			e -= m.j[i*m.n+k] * float64(x[i]) * float64(x[k])
		}
	}
	return e
}

// flipping adds the local-field FlipDelta to a pairwise model.
type flipping struct{ *pairwise }

func (m flipping) FlipDelta(x []int8, i int) float64 {
	local := m.fields[i]
	for k := range m.n {
		switch {
		case k < i:
			local += m.j[k*m.n+i] * float64(x[k])
		case k > i:
			local += m.j[i*m.n+k] * float64(x[k])
		}
	}
	return -local * float64(m.dom.Flip(x[i])-x[i])
}

func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}
