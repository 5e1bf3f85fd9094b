package gorgonnx

import (
	"fmt"
	"sort"
)

// constantInts returns the values of child, an input such as the axes of
// ReduceSum or the shape of Reshape that the graph must know when it is
// built (an initializer or the output of a Constant node): gorgonia fixes
// every shape before it runs. what names the input in errors.
func constantInts(child *Node, what string) ([]int64, error) {
	v := child.gorgoniaNode.Value()
	if v == nil {
		return nil, fmt.Errorf("%s %q is computed by the graph; onnx-go needs it constant (an initializer or a Constant node)", what, child.name)
	}
	switch d := v.Data().(type) {
	case []int64:
		return append([]int64(nil), d...), nil
	case int64:
		return []int64{d}, nil
	case []int32:
		out := make([]int64, len(d))
		for i, x := range d {
			out[i] = int64(x)
		}
		return out, nil
	case int32:
		return []int64{int64(d)}, nil
	}
	return nil, fmt.Errorf("%s %q has element type %v, want int64", what, child.name, v.Dtype())
}

// intsAttribute returns the attribute name of o as []int64, with ok false
// when o does not have it.
func intsAttribute(attrs map[string]interface{}, name string) (values []int64, ok bool, err error) {
	a, ok := attrs[name]
	if !ok {
		return nil, false, nil
	}
	switch a := a.(type) {
	case []int64:
		return a, true, nil
	case int64:
		return []int64{a}, true, nil
	}
	return nil, true, fmt.Errorf("attribute %s is %T, want a list of integers", name, a)
}

// intAttribute returns the integer attribute name, or def when absent.
func intAttribute(attrs map[string]interface{}, name string, def int64) (int64, error) {
	a, ok := attrs[name]
	if !ok {
		return def, nil
	}
	i, ok := a.(int64)
	if !ok {
		return 0, fmt.Errorf("attribute %s is %T, want an integer", name, a)
	}
	return i, nil
}

// normalizeAxes maps axes in [-rank, rank) to [0, rank), sorted, and
// rejects axes out of range and repeated axes.
func normalizeAxes(axes []int64, rank int) ([]int, error) {
	out := make([]int, len(axes))
	for i, a := range axes {
		if a < -int64(rank) || a >= int64(rank) {
			return nil, fmt.Errorf("axis %d is out of range for rank %d", a, rank)
		}
		if a < 0 {
			a += int64(rank)
		}
		out[i] = int(a)
	}
	sort.Ints(out)
	for i := 1; i < len(out); i++ {
		if out[i] == out[i-1] {
			return nil, fmt.Errorf("axis %d is given twice in %v", out[i], axes)
		}
	}
	return out, nil
}

// axesInput returns the axes of an operator that takes them as an
// attribute (attrAxes, set when attrOK) up to some opset and as the
// optional input at index 1 from then on; present is false when neither
// gives any.
func axesInput(children []*Node, attrAxes []int64, attrOK bool) (axes []int64, present bool, err error) {
	switch {
	case attrOK && len(children) > 1:
		return nil, false, fmt.Errorf("axes given both as an attribute and as an input")
	case attrOK:
		return attrAxes, true, nil
	case len(children) > 1:
		axes, err := constantInts(children[1], "axes")
		return axes, err == nil, err
	}
	return nil, false, nil
}
