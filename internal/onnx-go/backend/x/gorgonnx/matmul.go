package gorgonnx

import (
	"fmt"

	"github.com/owulveryck/onnx-go"
	"gorgonia.org/gorgonia"
)

// SPEC: https://github.com/onnx/onnx/blob/main/docs/Operators.md#MatMul
//
// Operands of rank 1 and 2 only, with NumPy's rules for rank 1: [N, K]
// times [K] is [N], [K] times [K, M] is [M], and [K] times [K] a scalar.

type matMul struct{}

func init() {
	register("MatMul", newMatMul)
}

func newMatMul() operator {
	return &matMul{}
}

func (a *matMul) apply(g *Graph, ns ...*Node) error {
	n := ns[0]
	children := getOrderedChildren(g.g, n)
	err := checkCondition(children, 2)
	if err != nil {
		return err
	}
	x, y := children[0].gorgoniaNode, children[1].gorgoniaNode
	if x.Dims() < 1 || x.Dims() > 2 || y.Dims() < 1 || y.Dims() > 2 {
		return &onnx.ErrUnsupported{
			Operator: "MatMul",
			Message:  fmt.Sprintf("shapes %v and %v: onnx-go multiplies operands of rank 1 and 2 only", x.Shape(), y.Shape()),
		}
	}
	k1 := x.Shape()[x.Dims()-1]
	k2 := y.Shape()[0]
	if k1 != k2 {
		return fmt.Errorf("shapes %v and %v cannot be multiplied: inner sizes %d and %d differ", x.Shape(), y.Shape(), k1, k2)
	}
	n.gorgoniaNode, err = gorgonia.Mul(x, y)
	return err
}

func (a *matMul) init(o onnx.Operation) error {
	return nil
}
