package gorgonnx

import (
	"fmt"

	"github.com/owulveryck/onnx-go"
	"gorgonia.org/gorgonia"
)

// SPEC: https://github.com/onnx/onnx/blob/main/docs/Operators.md#Reshape
//
// The target shape is the second input and must be constant. A 0 copies
// the input's size on that axis (unless allowzero, opset 14), and one -1
// takes whatever size is left.

type reshape struct {
	allowZero bool
}

func init() {
	register("Reshape", newReshape)
}

func newReshape() operator {
	return &reshape{}
}

func (a *reshape) init(o onnx.Operation) error {
	allow, err := intAttribute(o.Attributes, "allowzero", 0)
	a.allowZero = allow != 0
	return err
}

// targetShape resolves the shape input to against the input's shape in.
func (a *reshape) targetShape(to []int64, in []int) ([]int, error) {
	total := 1
	for _, d := range in {
		total *= d
	}
	out := make([]int, len(to))
	inferred := -1
	known := 1
	for i, d := range to {
		switch {
		case d == -1:
			if inferred >= 0 {
				return nil, fmt.Errorf("shape %v has more than one -1", to)
			}
			inferred = i
			continue
		case d == 0 && !a.allowZero:
			if i >= len(in) {
				return nil, fmt.Errorf("shape %v copies axis %d, which the input of shape %v lacks", to, i, in)
			}
			out[i] = in[i]
		case d < 0:
			return nil, fmt.Errorf("shape %v has the negative size %d", to, d)
		default:
			out[i] = int(d)
		}
		known *= out[i]
	}
	if inferred >= 0 {
		if known == 0 || total%known != 0 {
			return nil, fmt.Errorf("cannot reshape %v to %v", in, to)
		}
		out[inferred] = total / known
		known *= out[inferred]
	}
	if known != total {
		return nil, fmt.Errorf("cannot reshape %v (%d values) to %v", in, total, to)
	}
	return out, nil
}

func (a *reshape) apply(g *Graph, ns ...*Node) error {
	n := ns[0]
	children := getOrderedChildren(g.g, n)
	if err := checkCondition(children, 2); err != nil {
		return err
	}
	to, err := constantInts(children[1], "shape")
	if err != nil {
		return err
	}
	x := children[0].gorgoniaNode
	shape, err := a.targetShape(to, x.Shape())
	if err != nil {
		return err
	}
	if len(shape) == 0 {
		return fmt.Errorf("reshaping %v to a scalar is not supported by onnx-go", x.Shape())
	}
	n.gorgoniaNode, err = gorgonia.Reshape(x, shape)
	return err
}
