package gorgonnx

import (
	"fmt"

	"github.com/owulveryck/onnx-go"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func init() {
	register("Gemm", newGemm)
}

func newGemm() operator {
	return &gemm{alpha: 1, beta: 1}
}

// gemm computes Y = alpha·A'·B' + beta·C, where A' is A or, with transA,
// its transpose, the same for B, and C (optional from opset 11) is
// broadcast to Y's shape.
//
// https://github.com/onnx/onnx/blob/main/docs/Operators.md#Gemm
//
// It is built from gorgonia's own transpose, product, scaling and
// broadcast addition. Upstream onnx-go had an operator of its own that
// wrote its result into C's memory whenever C had the result's size, so
// that a Gemm whose C is an initializer changed that initializer on every
// run, and that took C of rank 2 only.
type gemm struct {
	alpha, beta    float32
	transA, transB bool
}

func (o *gemm) apply(g *Graph, ns ...*Node) error {
	n := ns[0]
	children := getOrderedChildren(g.g, n)
	if err := checkMinimumCondition(children, 2); err != nil {
		return err
	}
	if len(children) > 3 {
		return fmt.Errorf("%d inputs, want 2 or 3", len(children))
	}
	a, b := children[0].gorgoniaNode, children[1].gorgoniaNode
	if a.Dims() != 2 || b.Dims() != 2 {
		return fmt.Errorf("A has shape %v and B %v, want matrices", a.Shape(), b.Shape())
	}
	var err error
	if o.transA {
		if a, err = gorgonia.Transpose(a, 1, 0); err != nil {
			return err
		}
	}
	if o.transB {
		if b, err = gorgonia.Transpose(b, 1, 0); err != nil {
			return err
		}
	}
	if a.Shape()[1] != b.Shape()[0] {
		return fmt.Errorf("A' has shape %v and B' %v: inner sizes differ", a.Shape(), b.Shape())
	}
	y, err := gorgonia.Mul(a, b)
	if err != nil {
		return err
	}
	if y, err = scale(y, o.alpha); err != nil {
		return err
	}
	if len(children) == 3 {
		c := children[2].gorgoniaNode
		if c, err = scale(c, o.beta); err != nil {
			return err
		}
		yb, cb, err := ggnBroadcast(y, c)
		if err != nil {
			return err
		}
		if !sameDim(yb, y) {
			return fmt.Errorf("C of shape %v does not broadcast to the product's shape %v", c.Shape(), y.Shape())
		}
		if y, err = gorgonia.Add(yb, cb); err != nil {
			return err
		}
	}
	n.gorgoniaNode = y
	return nil
}

// scale returns f·x, or x itself when f is 1.
func scale(x *gorgonia.Node, f float32) (*gorgonia.Node, error) {
	if f == 1 {
		return x, nil
	}
	switch x.Dtype() {
	case tensor.Float32:
		return gorgonia.HadamardProd(x, gorgonia.NewConstant(f))
	case tensor.Float64:
		return gorgonia.HadamardProd(x, gorgonia.NewConstant(float64(f)))
	}
	return nil, fmt.Errorf("cannot scale a tensor of %v", x.Dtype())
}

func (o *gemm) init(op onnx.Operation) error {
	o.alpha, o.beta = 1, 1
	for name, v := range map[string]*float32{"alpha": &o.alpha, "beta": &o.beta} {
		if a, ok := op.Attributes[name]; ok {
			f, ok := a.(float32)
			if !ok {
				return fmt.Errorf("attribute %s is %T, want a float", name, a)
			}
			*v = f
		}
	}
	for name, v := range map[string]*bool{"transA": &o.transA, "transB": &o.transB} {
		t, err := intAttribute(op.Attributes, name, 0)
		if err != nil {
			return err
		}
		*v = t != 0
	}
	return nil
}
