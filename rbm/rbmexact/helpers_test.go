package rbmexact

import (
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/rbm"
)

// joint is an RBM seen as a discrete model over its n = V + H units
// (v first), with the energy -vᵀWh - bᵀv - cᵀh written out independently.
type joint struct{ m *rbm.RBM }

func (j joint) Units() int              { return j.m.Visible + j.m.Hidden }
func (j joint) Domain() discrete.Domain { return discrete.Binary }
func (j joint) Energy(x []int8) float64 {
	m := j.m
	var e float64
	for i := range m.Visible {
		e -= float64(m.B[i]) * float64(x[i])
		for k := range m.Hidden {
			e -= float64(m.W[i*m.Hidden+k]) * float64(x[i]) * float64(x[m.Visible+k])
		}
	}
	for k := range m.Hidden {
		e -= float64(m.C[k]) * float64(x[m.Visible+k])
	}
	return e
}

func randomRBM(rng *rand.Rand, v, h int, scale float64) *rbm.RBM {
	return rbm.NewRandom(v, h, scale, rng)
}

func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}
