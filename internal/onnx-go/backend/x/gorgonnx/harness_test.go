package gorgonnx

import (
	"math"
	"testing"

	"github.com/gogo/protobuf/proto"
	"github.com/owulveryck/onnx-go"
	"github.com/owulveryck/onnx-go/internal/onnx/ir"
	"gorgonia.org/tensor"
)

// The tests build small ONNX graphs, run them through the decoder and this
// backend as a user of onnx-go does, and compare every value with a
// direct computation in float64.

// array is a dense row-major array of float64 values with a shape: the
// inputs the tests feed and the reference values they expect.
type array struct {
	shape []int
	data  []float64
}

func arr(shape []int, data ...float64) array {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(data) != n {
		panic("array: data does not fill the shape")
	}
	return array{shape, data}
}

// seq returns an array of the given shape holding f(0), f(1), ….
func seq(f func(i int) float64, shape ...int) array {
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float64, n)
	for i := range data {
		data[i] = f(i)
	}
	return array{shape, data}
}

// at returns the element at the given index.
func (a array) at(idx ...int) float64 {
	off := 0
	for i, x := range idx {
		off = off*a.shape[i] + x
	}
	return a.data[off]
}

func (a array) float32s() []float32 {
	x := make([]float32, len(a.data))
	for i, v := range a.data {
		x[i] = float32(v)
	}
	return x
}

// node returns a NodeProto; attrs are built with the attribute helpers.
func node(op string, inputs []string, output string, attrs ...*ir.AttributeProto) *ir.NodeProto {
	return &ir.NodeProto{Name: "node_" + output, OpType: op, Input: inputs, Output: []string{output}, Attribute: attrs}
}

func ints(name string, v ...int64) *ir.AttributeProto {
	return &ir.AttributeProto{Name: name, Type: ir.AttributeProto_INTS, Ints: v}
}

func integer(name string, v int64) *ir.AttributeProto {
	return &ir.AttributeProto{Name: name, Type: ir.AttributeProto_INT, I: v}
}

func float(name string, v float32) *ir.AttributeProto {
	return &ir.AttributeProto{Name: name, Type: ir.AttributeProto_FLOAT, F: v}
}

func tensorAttr(name string, t *ir.TensorProto) *ir.AttributeProto {
	return &ir.AttributeProto{Name: name, Type: ir.AttributeProto_TENSOR, T: t}
}

func floatTensor(name string, a array) *ir.TensorProto {
	dims := make([]int64, len(a.shape))
	for i, d := range a.shape {
		dims[i] = int64(d)
	}
	return &ir.TensorProto{Name: name, Dims: dims, DataType: int32(ir.TensorProto_FLOAT), FloatData: a.float32s()}
}

func int64Tensor(name string, v ...int64) *ir.TensorProto {
	return &ir.TensorProto{Name: name, Dims: []int64{int64(len(v))}, DataType: int32(ir.TensorProto_INT64), Int64Data: v}
}

func valueInfo(name string, elem ir.TensorProto_DataType) *ir.ValueInfoProto {
	return &ir.ValueInfoProto{Name: name, Type: &ir.TypeProto{Value: &ir.TypeProto_TensorType{
		TensorType: &ir.TypeProto_Tensor{ElemType: int32(elem)},
	}}}
}

// testGraph is a test graph: float32 inputs fed by name, initializers, nodes
// and the names of the outputs to read.
type testGraph struct {
	nodes   []*ir.NodeProto
	inits   []*ir.TensorProto
	inputs  map[string]array
	outputs []string
}

// run decodes g into a fresh backend and runs it runs times (so that a
// run that corrupts the graph's constants shows), returning the outputs of
// the last run.
func (g testGraph) run(runs int) (map[string]tensor.Tensor, error) {
	mp := &ir.ModelProto{
		IrVersion:   8,
		OpsetImport: []*ir.OperatorSetIdProto{{Version: 13}},
		Graph:       &ir.GraphProto{Name: "test", Node: g.nodes, Initializer: g.inits},
	}
	for name := range g.inputs {
		mp.Graph.Input = append(mp.Graph.Input, valueInfo(name, ir.TensorProto_FLOAT))
	}
	for _, name := range g.outputs {
		mp.Graph.Output = append(mp.Graph.Output, valueInfo(name, ir.TensorProto_FLOAT))
	}
	data, err := proto.Marshal(mp)
	if err != nil {
		return nil, err
	}
	backend := NewGraph()
	m := onnx.NewModel(backend)
	if err := m.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	for name, a := range g.inputs {
		n, _ := m.GetNodeByName(name)
		t := tensor.New(tensor.WithShape(a.shape...), tensor.WithBacking(a.float32s()))
		if err := n.(onnx.DataCarrier).SetTensor(t); err != nil {
			return nil, err
		}
	}
	for range runs {
		if err := backend.Run(); err != nil {
			return nil, err
		}
	}
	outs := make(map[string]tensor.Tensor)
	for _, name := range g.outputs {
		n, _ := m.GetNodeByName(name)
		outs[name] = n.(onnx.DataCarrier).GetTensor()
	}
	return outs, nil
}

// check runs g twice and compares output name with want: the same shape
// and every value within 1e-6 relative of max(|want|, 1) (float32
// arithmetic on values of order 1 to 100).
func (g testGraph) check(t *testing.T, name string, want array) {
	t.Helper()
	outs, err := g.run(2)
	if err != nil {
		t.Fatal(err)
	}
	compare(t, name, outs[name], want)
}

func compare(t *testing.T, name string, got tensor.Tensor, want array) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: no value", name)
	}
	if !equalShape(got.Shape(), want.shape) {
		t.Fatalf("%s: shape %v, want %v", name, got.Shape(), want.shape)
	}
	var values []float64
	switch d := got.Data().(type) {
	case []float32:
		for _, x := range d {
			values = append(values, float64(x))
		}
	case []float64:
		values = d
	case []int64:
		for _, x := range d {
			values = append(values, float64(x))
		}
	default:
		t.Fatalf("%s: data of type %T", name, d)
	}
	if len(values) != len(want.data) {
		t.Fatalf("%s: %d values, want %d", name, len(values), len(want.data))
	}
	for i, w := range want.data {
		if d := math.Abs(values[i] - w); !(d <= 1e-6*math.Max(1, math.Abs(w))) {
			t.Fatalf("%s[%d] = %v, want %v", name, i, values[i], w)
		}
	}
}

func equalShape(s tensor.Shape, want []int) bool {
	if len(s) != len(want) {
		return false
	}
	for i := range want {
		if s[i] != want[i] {
			return false
		}
	}
	return true
}
