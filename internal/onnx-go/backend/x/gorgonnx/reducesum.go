package gorgonnx

import (
	"fmt"

	"github.com/owulveryck/onnx-go"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SPEC: https://github.com/onnx/onnx/blob/main/docs/Operators.md#ReduceSum
//
// The axes are an optional attribute up to opset 11 and an optional second
// input from opset 13, which also adds noop_with_empty_axes; without axes
// the sum runs over every axis (or, with noop_with_empty_axes, nowhere).

type reduceSum struct {
	axes     []int64
	attrOK   bool
	keepDims bool
	noop     bool
}

func init() {
	register("ReduceSum", newReduceSum)
}

func newReduceSum() operator {
	return &reduceSum{}
}

func (r *reduceSum) init(o onnx.Operation) error {
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

func (r *reduceSum) apply(g *Graph, ns ...*Node) error {
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
	if len(along) == len(shape) && !r.keepDims {
		return fmt.Errorf("summing every axis of shape %v to a scalar is not supported by onnx-go", shape)
	}
	var sum *gorgonia.Node
	if len(along) == len(shape) {
		// gorgonia sums every axis to a scalar, which it cannot reshape:
		// multiply a [1, total] view by a column of ones instead, to
		// [1, 1].
		total := shape.TotalSize()
		flat, err := gorgonia.Reshape(x, []int{1, total})
		if err != nil {
			return err
		}
		var ones tensor.Tensor
		switch x.Dtype() {
		case tensor.Float32:
			ones = tensor.New(tensor.WithShape(total, 1), tensor.WithBacking(tensor.Ones(tensor.Float32, total).Data()))
		case tensor.Float64:
			ones = tensor.New(tensor.WithShape(total, 1), tensor.WithBacking(tensor.Ones(tensor.Float64, total).Data()))
		default:
			return fmt.Errorf("cannot sum elements of %v", x.Dtype())
		}
		if sum, err = gorgonia.Mul(flat, gorgonia.NewConstant(ones)); err != nil {
			return err
		}
	} else if sum, err = gorgonia.Sum(x, along...); err != nil {
		return err
	}
	if r.keepDims {
		kept := append([]int(nil), shape...)
		for _, i := range along {
			kept[i] = 1
		}
		if sum, err = gorgonia.Reshape(sum, kept); err != nil {
			return err
		}
	}
	n.gorgoniaNode = sum
	return nil
}
