package gorgonnx

import (
	"fmt"

	"github.com/owulveryck/onnx-go"
	"gorgonia.org/gorgonia"
)

// reduceMax is ReduceMax: the largest element along the given axes,
// keeping them as axes of size 1 unless keepdims is 0. Only the reduction
// of one axis of a matrix is supported.
// Opset 13 takes the axes as an attribute, opset 18 as an optional input;
// both are accepted.
// https://github.com/onnx/onnx/blob/main/docs/Operators.md#ReduceMax
type reduceMax struct {
	axes     []int64
	attrOK   bool
	keepDims bool
	noop     bool
}

func init() {
	register("ReduceMax", newReduceMax)
}

func newReduceMax() operator {
	return &reduceMax{}
}

func (r *reduceMax) init(o onnx.Operation) error {
	var err error
	if r.axes, r.attrOK, err = intsAttribute(o.Attributes, "axes"); err != nil {
		return err
	}
	keep, err := intAttribute(o.Attributes, "keepdims", 1)
	if err != nil {
		return err
	}
	noop, err := intAttribute(o.Attributes, "noop_with_empty_axes", 0)
	if err != nil {
		return err
	}
	r.keepDims, r.noop = keep != 0, noop != 0
	return nil
}

func (r *reduceMax) apply(g *Graph, ns ...*Node) error {
	n := ns[0]
	children := getOrderedChildren(g.g, n)
	if err := checkMinimumCondition(children, 1); err != nil {
		return err
	}
	if len(children) > 2 {
		return fmt.Errorf("%d inputs, want at most 2", len(children))
	}
	axes, _, err := axesInput(children, r.axes, r.attrOK)
	if err != nil {
		return err
	}
	x := children[0].gorgoniaNode
	shape := x.Shape()
	if len(axes) == 0 {
		if r.noop {
			n.gorgoniaNode = x
			return nil
		}
		for i := range shape {
			axes = append(axes, int64(i))
		}
	}
	along, err := normalizeAxes(axes, len(shape))
	if err != nil {
		return err
	}
	// gorgonia's Max along axes mis-infers shapes beyond one axis of a
	// matrix, which is what the stable log-sum-exp and softmax graphs need.
	if len(shape) != 2 || len(along) != 1 {
		return fmt.Errorf("reducing axes %v of shape %v is not supported by onnx-go (only one axis of a matrix)", axes, shape)
	}
	m, err := gorgonia.Max(x, along...)
	if err != nil {
		return err
	}
	if r.keepDims {
		kept := append([]int(nil), shape...)
		for _, i := range along {
			kept[i] = 1
		}
		if m, err = gorgonia.Reshape(m, kept); err != nil {
			return err
		}
	}
	n.gorgoniaNode = m
	return nil
}
