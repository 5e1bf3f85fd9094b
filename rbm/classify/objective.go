package classify

import (
	"slices"

	"github.com/rbmkit/rbm/rbm"
	"gonum.org/v1/gonum/mat"
)

// objective evaluates the penalised cross-entropy L and its gradient over
// the parameter vector θ = (W row-major, b), of length classes·(cols+1).
//
// L-BFGS asks for the value and the gradient at the same point one after
// the other; both come out of one pass over the data, so the pass is
// cached for the last point it was made at.
type objective struct {
	x       *rbm.Matrix
	labels  []int
	classes int
	l2      float64

	c     chunker
	gW    *mat.Dense // scratch for one chunk's contribution to ∂L/∂W
	at    []float64  // the point of the cached evaluation (nil: none)
	loss  float64
	grad  []float64
	evals int
}

func newObjective(x *rbm.Matrix, labels []int, classes int, l2 float64) *objective {
	return &objective{
		x: x, labels: labels, classes: classes, l2: l2,
		gW:   mat.NewDense(classes, x.Cols, nil),
		grad: make([]float64, classes*(x.Cols+1)),
	}
}

// Func returns L(θ).
func (o *objective) Func(theta []float64) float64 {
	o.evaluate(theta)
	return o.loss
}

// Grad sets grad to ∇L(θ).
func (o *objective) Grad(grad, theta []float64) {
	o.evaluate(theta)
	copy(grad, o.grad)
}

// evaluate sets o.loss and o.grad to L(θ) and ∇L(θ), unless they hold the
// values at θ already.
func (o *objective) evaluate(theta []float64) {
	if o.at != nil && slices.Equal(o.at, theta) {
		return
	}
	o.evals++
	d := o.x.Cols
	nw := o.classes * d
	w := mat.NewDense(o.classes, d, theta[:nw])
	b := theta[nw:]
	gradW := mat.NewDense(o.classes, d, o.grad[:nw])
	gradB := o.grad[nw:]
	gradW.Zero()
	clear(gradB)

	// Sum over the rows of -log p(y|x) and of (p - e_y) xᵀ; the scaling by
	// 1/N and the penalty come after.
	var loss float64
	o.c.each(o.x, func(lo int, xc *mat.Dense) {
		z := logits(&o.c, xc, w, b)
		for r := range z.RawMatrix().Rows {
			row := z.RawRowView(r)
			y := o.labels[lo+r]
			zy := row[y]
			loss += softmaxRow(row) - zy // -log p(y|x) = logΣexp(z) - z_y
			row[y]--                     // now p - e_y
			for k, v := range row {
				gradB[k] += v
			}
		}
		o.gW.Mul(z.T(), xc)
		gradW.Add(gradW, o.gW)
	})

	n := float64(o.x.Rows)
	var penalty float64
	for _, v := range theta[:nw] {
		penalty += v * v
	}
	o.loss = loss/n + o.l2/2*penalty
	gradW.Scale(1/n, gradW)
	for i, v := range theta[:nw] {
		o.grad[i] += o.l2 * v
	}
	for k := range gradB {
		gradB[k] /= n
	}
	o.at = append(o.at[:0], theta...)
}
