package gorgonnx

import (
	"fmt"

	"github.com/owulveryck/onnx-go"
	"gorgonia.org/gorgonia"
)

// Specifications: https://github.com/onnx/onnx/blob/main/docs/Operators.md#Squeeze
//
// The axes are an optional attribute up to opset 11 and an optional second
// input from opset 13; without them every axis of size 1 goes.

type squeeze struct {
	axes   []int64
	attrOK bool
}

func init() {
	register("Squeeze", newSqueeze)
}
func newSqueeze() operator {
	return &squeeze{}
}

func (a *squeeze) apply(g *Graph, ns ...*Node) error {
	n := ns[0]
	children := getOrderedChildren(g.g, n)
	if err := checkMinimumCondition(children, 1); err != nil {
		return err
	}
	if len(children) > 2 {
		return fmt.Errorf("%d inputs, want at most 2", len(children))
	}
	axes, ok, err := axesInput(children, a.axes, a.attrOK)
	if err != nil {
		return err
	}
	x := children[0].gorgoniaNode
	shape := x.Shape()
	drop := make([]bool, len(shape))
	if ok && len(axes) > 0 {
		at, err := normalizeAxes(axes, len(shape))
		if err != nil {
			return err
		}
		for _, i := range at {
			if shape[i] != 1 {
				return fmt.Errorf("cannot squeeze axis %d of shape %v: its size is %d, not 1", i, shape, shape[i])
			}
			drop[i] = true
		}
	} else {
		for i, d := range shape {
			drop[i] = d == 1
		}
	}
	var dims []int
	for i, d := range shape {
		if !drop[i] {
			dims = append(dims, d)
		}
	}
	if len(dims) == 0 {
		return fmt.Errorf("squeezing shape %v to a scalar is not supported by onnx-go", shape)
	}
	n.gorgoniaNode, err = gorgonia.Reshape(x, dims)
	return err
}

func (a *squeeze) init(o onnx.Operation) error {
	var err error
	a.axes, a.attrOK, err = intsAttribute(o.Attributes, "axes")
	return err
}
