package gorgonnx

import (
	"fmt"

	"github.com/owulveryck/onnx-go"
	"gorgonia.org/gorgonia"
)

// SPEC: https://github.com/onnx/onnx/blob/main/docs/Operators.md#Unsqueeze
//
// The axes are an attribute up to opset 11 and the second input from
// opset 13; either may hold negative axes, counted from the end of the
// output's shape.

type unsqueeze struct {
	axes   []int64
	attrOK bool
}

func init() {
	register("Unsqueeze", newUnsqueeze)
}
func newUnsqueeze() operator {
	return &unsqueeze{}
}

func (a *unsqueeze) apply(g *Graph, ns ...*Node) error {
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
	if !ok || len(axes) == 0 {
		return fmt.Errorf("no axes to insert")
	}
	x := children[0].gorgoniaNode
	in := x.Shape()
	rank := len(in) + len(axes)
	at, err := normalizeAxes(axes, rank)
	if err != nil {
		return err
	}
	inserted := make([]bool, rank)
	for _, i := range at {
		inserted[i] = true
	}
	out := make([]int, rank)
	next := 0
	for i := range out {
		if inserted[i] {
			out[i] = 1
		} else {
			out[i] = in[next]
			next++
		}
	}
	n.gorgoniaNode, err = gorgonia.Reshape(x, out)
	return err
}

func (a *unsqueeze) init(o onnx.Operation) error {
	var err error
	a.axes, a.attrOK, err = intsAttribute(o.Attributes, "axes")
	return err
}
