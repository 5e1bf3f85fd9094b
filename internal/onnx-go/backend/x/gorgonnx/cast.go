package gorgonnx

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/owulveryck/onnx-go"
	"github.com/owulveryck/onnx-go/internal/onnx/ir"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SPEC: https://github.com/onnx/onnx/blob/main/docs/Operators.md#Cast
//
// Casts between float32, float64, int32 and int64 tensors; a cast to the
// input's own type is the input itself. Conversions to integers truncate
// toward zero, as ONNX Runtime's do.

func init() {
	register("Cast", newCast)
}

func newCast() operator {
	return &cast{}
}

type cast struct {
	to tensor.Dtype
}

func (c *cast) init(o onnx.Operation) error {
	to, err := intAttribute(o.Attributes, "to", -1)
	if err != nil {
		return err
	}
	if to < 0 {
		return fmt.Errorf("no attribute to")
	}
	dt, err := ir.TensorProto_DataType(to).Dtype()
	if err != nil {
		return fmt.Errorf("cast to %v: %v", ir.TensorProto_DataType(to), err)
	}
	if !castable(dt) {
		return &onnx.ErrUnsupported{Operator: "Cast", AttributeName: "to", AttributeValue: ir.TensorProto_DataType(to).String(), Message: "onnx-go casts only to float, double, int32 and int64"}
	}
	c.to = dt
	return nil
}

func castable(dt tensor.Dtype) bool {
	return dt == tensor.Float32 || dt == tensor.Float64 || dt == tensor.Int32 || dt == tensor.Int64
}

func (c *cast) apply(g *Graph, ns ...*Node) error {
	n := ns[0]
	children := getOrderedChildren(g.g, n)
	if err := checkCondition(children, 1); err != nil {
		return err
	}
	x := children[0].gorgoniaNode
	if x.Dtype() == c.to {
		n.gorgoniaNode = x
		return nil
	}
	if !castable(x.Dtype()) {
		return fmt.Errorf("cannot cast from %v", x.Dtype())
	}
	if x.IsScalar() || x.Dims() == 0 {
		return fmt.Errorf("casting a scalar is not supported by onnx-go")
	}
	var err error
	n.gorgoniaNode, err = gorgonia.ApplyOp(&castOp{from: x.Dtype(), to: c.to, dims: x.Dims()}, x)
	return err
}

// castOp is the gorgonia operator converting a tensor's elements.
type castOp struct {
	from, to tensor.Dtype
	dims     int
}

func (o *castOp) Arity() int { return 1 }

func (o *castOp) Type() hm.Type {
	return hm.NewFnType(gorgonia.TensorType{Dims: o.dims, Of: o.from}, gorgonia.TensorType{Dims: o.dims, Of: o.to})
}

func (o *castOp) InferShape(inputs ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := inputs[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("cast: input shape is a %T", inputs[0])
	}
	return s.Clone(), nil
}

func (o *castOp) Do(inputs ...gorgonia.Value) (gorgonia.Value, error) {
	t, ok := inputs[0].(tensor.Tensor)
	if !ok {
		return nil, fmt.Errorf("cast: input is a %T, not a tensor", inputs[0])
	}
	if !t.IsNativelyAccessible() || !t.DataOrder().IsRowMajor() {
		return nil, fmt.Errorf("cast: input is not a row-major tensor in memory")
	}
	var src []float64
	switch d := t.Data().(type) {
	case []float32:
		src = make([]float64, len(d))
		for i, x := range d {
			src[i] = float64(x)
		}
	case []float64:
		src = d
	case []int32:
		src = make([]float64, len(d))
		for i, x := range d {
			src[i] = float64(x)
		}
	case []int64:
		// Through float64 would lose integers beyond 2⁵³.
		if o.to == tensor.Int32 {
			dst := make([]int32, len(d))
			for i, x := range d {
				dst[i] = int32(x)
			}
			return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(dst)), nil
		}
		src = make([]float64, len(d))
		for i, x := range d {
			src[i] = float64(x)
		}
	default:
		return nil, fmt.Errorf("cast: cannot cast %T", d)
	}
	var backing interface{}
	switch o.to {
	case tensor.Float32:
		dst := make([]float32, len(src))
		for i, x := range src {
			dst[i] = float32(x)
		}
		backing = dst
	case tensor.Float64:
		backing = append([]float64(nil), src...)
	case tensor.Int32:
		dst := make([]int32, len(src))
		for i, x := range src {
			dst[i] = int32(x)
		}
		backing = dst
	case tensor.Int64:
		dst := make([]int64, len(src))
		for i, x := range src {
			dst[i] = int64(x)
		}
		backing = dst
	}
	return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(backing)), nil
}

func (o *castOp) ReturnsPtr() bool     { return false }
func (o *castOp) CallsExtern() bool    { return false }
func (o *castOp) OverwritesInput() int { return -1 }
func (o *castOp) String() string       { return fmt.Sprintf("cast-%v-%v", o.from, o.to) }

func (o *castOp) WriteHash(h hash.Hash) { fmt.Fprint(h, o.String()) }

func (o *castOp) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}
