package gorgonnx

import (
	"fmt"

	"github.com/owulveryck/onnx-go"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SPEC: https://github.com/onnx/onnx/blob/main/docs/Operators.md#Constant
//
// The value is the attribute value (a tensor) or, from opset 12,
// value_float, value_floats, value_int or value_ints.

type constant struct {
	value *gorgonia.Node
}

func init() {
	register("Constant", newConstant)
}

func newConstant() operator {
	return &constant{}
}

func (a *constant) apply(g *Graph, ns ...*Node) error {
	n := ns[0]
	n.gorgoniaNode = a.value
	return nil
}

func (a *constant) init(o onnx.Operation) error {
	var value interface{}
	found := 0
	for name, v := range o.Attributes {
		switch name {
		case "value":
			t, ok := v.(tensor.Tensor)
			if !ok {
				return fmt.Errorf("attribute value is %T, want a tensor", v)
			}
			value = scalarOrTensor(t)
		case "value_float", "value_int":
			value = v
		case "value_floats":
			f, ok := v.([]float32)
			if !ok || len(f) == 0 {
				return fmt.Errorf("attribute value_floats is empty")
			}
			value = tensor.New(tensor.WithShape(len(f)), tensor.WithBacking(append([]float32(nil), f...)))
		case "value_ints":
			i, ok := v.([]int64)
			if !ok || len(i) == 0 {
				return fmt.Errorf("attribute value_ints is empty")
			}
			value = tensor.New(tensor.WithShape(len(i)), tensor.WithBacking(append([]int64(nil), i...)))
		default:
			return &onnx.ErrUnsupported{Operator: "Constant", AttributeName: name, Message: "onnx-go takes value, value_float(s) and value_int(s)"}
		}
		found++
	}
	if found != 1 {
		return fmt.Errorf("%d value attributes, want exactly one", found)
	}
	a.value = gorgonia.NewConstant(value)
	return nil
}

// scalarOrTensor returns the value of a tensor of rank 0 as a Go scalar,
// which gorgonia treats as a scalar (and broadcasts in element-wise
// operators), and any other tensor as it is.
func scalarOrTensor(t tensor.Tensor) interface{} {
	if t.Dims() > 0 {
		return t
	}
	switch d := t.Data().(type) {
	case []float32:
		return d[0]
	case []float64:
		return d[0]
	case []int64:
		return d[0]
	case []int32:
		return d[0]
	case float32, float64, int64, int32:
		return d
	}
	return t
}
