package rbm

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/rbm/layer"
)

// gaussianCheck tells whether a machine of two Gaussian layers has a
// joint density. With x = v - b and y = h - c its energy is
//
//	E = xᵀD_v x/2 + yᵀD_h y/2 - vᵀWh + const,   D = diag(1/σ²),
//
// a quadratic form whose integral is finite exactly when the precision
// [[D_v, -W], [-Wᵀ, D_h]] is positive definite, that is when
// A = diag(σ_v)·W·diag(σ_h) has every singular value below 1: when
// I - AᵀA (or I - AAᵀ, whichever is smaller) has a Cholesky factor.
// Training can cross that line with a large step, after which the
// free energy is unbounded below and every estimate is NaN or infinite;
// a machine across it is invalid, and a step that would cross it is
// refused like one that overflows.
//
// Other pairs of layers whose log-partitions grow quadratically (ReLU and
// dReLU units, against a Gaussian, ReLU or dReLU layer) can be
// unnormalisable too, but over cones of states rather than a subspace,
// with no matrix test: their estimates come out non-finite, which the
// callers report as such.
type gaussianCheck struct {
	a, c []float64 // the scaled weights A, and the k×k I - AᵀA or I - AAᵀ
}

// check reports an error when m has two Gaussian layers and no joint
// density; machines of other layers pass. Its buffers are allocated at
// the first call and reused, so that a trainer's checks do not allocate.
func (g *gaussianCheck) check(m *Machine) error {
	gv, ok1 := m.Visible.(*layer.Gaussian)
	gh, ok2 := m.Hidden.(*layer.Gaussian)
	if !ok1 || !ok2 {
		return nil
	}
	nv, nh := gv.Units(), gh.Units()
	if len(g.a) != nv*nh {
		g.a = make([]float64, nv*nh)
	}
	for i, lsv := range gv.LogSigma {
		sv := math.Exp(lsv)
		row, w := g.a[i*nh:(i+1)*nh], m.W[i*nh:(i+1)*nh]
		for j, lsh := range gh.LogSigma {
			row[j] = sv * w[j] * math.Exp(lsh)
		}
	}
	// C = I - AᵀA when the hidden layer is the smaller, else I - AAᵀ.
	k, t := nh, blas.Trans
	if nv < nh {
		k, t = nv, blas.NoTrans
	}
	if len(g.c) != k*k {
		g.c = make([]float64, k*k)
	}
	clear(g.c)
	for i := range k {
		g.c[i*k+i] = 1
	}
	c := blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: g.c}
	blas64.Syrk(t, -1, blas64.General{Rows: nv, Cols: nh, Stride: nh, Data: g.a}, 1, c)
	if _, ok := lapack64.Potrf(c); ok {
		return nil
	}
	return fmt.Errorf("a gaussian×gaussian machine whose couplings are too strong for its units' σ has no joint density: diag(σ_v)·W·diag(σ_h) has the singular value %.6g, which must be below 1", largestSingularValue(nv, nh, g.a))
}

// largestSingularValue returns the largest singular value of the
// rows×cols matrix a (row-major), or NaN when it cannot be computed.
func largestSingularValue(rows, cols int, a []float64) float64 {
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(rows, cols, append([]float64(nil), a...)), mat.SVDNone) {
		return math.NaN()
	}
	return svd.Values(nil)[0]
}
