package export

import (
	"fmt"
	"strings"

	"github.com/rbmkit/rbm/export/internal/onnxpb"
	"google.golang.org/protobuf/proto"
)

// maxFileSize bounds the ONNX files this package reads (1 GiB): a model
// larger than that is far beyond any RBM, and the bound keeps a hostile
// file from requesting an absurd allocation.
const maxFileSize = 1 << 30

// parseModel decodes an ONNX file and checks the parts every reader needs:
// a graph with nodes, named initializers and outputs.
func parseModel(data []byte) (*onnxpb.ModelProto, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("empty file, not an ONNX model")
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("file of %d bytes exceeds the %d-byte limit", len(data), maxFileSize)
	}
	m := new(onnxpb.ModelProto)
	if err := proto.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("not a valid ONNX model (truncated or corrupt protobuf): %v", err)
	}
	g := m.GetGraph()
	switch {
	case g == nil:
		return nil, fmt.Errorf("not a valid ONNX model: no graph (truncated or not an ONNX file)")
	case len(g.GetNode()) == 0:
		return nil, fmt.Errorf("ONNX graph has no nodes")
	case len(g.GetOutput()) == 0:
		return nil, fmt.Errorf("ONNX graph has no outputs")
	}
	for i, t := range g.GetInitializer() {
		if t.GetName() == "" {
			return nil, fmt.Errorf("ONNX initializer %d has no name", i)
		}
		if err := checkTensorSize(t); err != nil {
			return nil, err
		}
	}
	for i, n := range g.GetNode() {
		if n.GetOpType() == "" {
			return nil, fmt.Errorf("ONNX node %d has no operator", i)
		}
		if n.GetDomain() != "" && n.GetDomain() != "ai.onnx" {
			return nil, fmt.Errorf("ONNX node %d (%s) uses operator domain %q; only the default domain is supported", i, n.GetOpType(), n.GetDomain())
		}
		if len(n.GetOutput()) == 0 {
			return nil, fmt.Errorf("ONNX node %d (%s) has no outputs", i, n.GetOpType())
		}
	}
	return m, nil
}

// maxElements bounds the number of values in one initializer (2²⁸, 1 GiB
// of float32), so that dimensions alone never request a huge allocation.
const maxElements = 1 << 28

// checkTensorSize checks that t's dimensions are plausible and, for the
// float types, that its data holds exactly as many values as they declare.
func checkTensorSize(t *onnxpb.TensorProto) error {
	n := int64(1)
	for _, d := range t.GetDims() {
		if d < 0 || (d > 0 && n > maxElements/d) {
			return fmt.Errorf("ONNX initializer %q has implausible shape %v", t.GetName(), t.GetDims())
		}
		n *= d
	}
	if t.GetDataLocation() == onnxpb.TensorProto_EXTERNAL {
		return fmt.Errorf("ONNX initializer %q is stored in an external file, which this reader does not follow", t.GetName())
	}
	size, typed, ok := storage(t)
	if !ok {
		return fmt.Errorf("ONNX initializer %q has unsupported element type %v", t.GetName(), onnxpb.TensorProto_DataType(t.GetDataType()))
	}
	switch {
	case t.RawData != nil && int64(len(t.GetRawData())) != n*size:
		return fmt.Errorf("ONNX initializer %q holds %d bytes, want %d for shape %v", t.GetName(), len(t.GetRawData()), n*size, t.GetDims())
	case t.RawData == nil && int64(typed) != n:
		return fmt.Errorf("ONNX initializer %q holds %d values, want %d for shape %v", t.GetName(), typed, n, t.GetDims())
	}
	return nil
}

// storage returns the size in bytes of one element of t in raw_data and
// the number of values t holds in the typed field its element type uses
// (onnx.proto, TensorProto), or ok false for element types a scoring graph
// has no use for.
func storage(t *onnxpb.TensorProto) (size int64, typed int, ok bool) {
	switch onnxpb.TensorProto_DataType(t.GetDataType()) {
	case onnxpb.TensorProto_FLOAT:
		return 4, len(t.GetFloatData()), true
	case onnxpb.TensorProto_DOUBLE:
		return 8, len(t.GetDoubleData()), true
	case onnxpb.TensorProto_INT64:
		return 8, len(t.GetInt64Data()), true
	case onnxpb.TensorProto_INT32:
		return 4, len(t.GetInt32Data()), true
	case onnxpb.TensorProto_INT16, onnxpb.TensorProto_UINT16, onnxpb.TensorProto_FLOAT16, onnxpb.TensorProto_BFLOAT16:
		return 2, len(t.GetInt32Data()), true
	case onnxpb.TensorProto_INT8, onnxpb.TensorProto_UINT8, onnxpb.TensorProto_BOOL:
		return 1, len(t.GetInt32Data()), true
	case onnxpb.TensorProto_UINT32:
		return 4, len(t.GetUint64Data()), true
	case onnxpb.TensorProto_UINT64:
		return 8, len(t.GetUint64Data()), true
	}
	return 0, 0, false
}

// matrixInput describes the graph's one data input, a float tensor of shape
// [N, Cols].
type matrixInput struct {
	Name string
	Elem onnxpb.TensorProto_DataType
	Cols int
	// Batch is the fixed batch size the graph declares, 0 when symbolic.
	Batch int
}

// findMatrixInput returns the graph's only input that is not an initializer
// and checks that it is a float32 or float64 matrix with a known width.
func findMatrixInput(g *onnxpb.GraphProto) (matrixInput, error) {
	inits := make(map[string]bool, len(g.GetInitializer()))
	for _, t := range g.GetInitializer() {
		inits[t.GetName()] = true
	}
	var ins []*onnxpb.ValueInfoProto
	for _, in := range g.GetInput() {
		if !inits[in.GetName()] {
			ins = append(ins, in)
		}
	}
	if len(ins) != 1 {
		names := make([]string, len(ins))
		for i, in := range ins {
			names[i] = in.GetName()
		}
		return matrixInput{}, fmt.Errorf("ONNX graph has %d data inputs %v, want exactly one", len(ins), names)
	}
	in := ins[0]
	tt := in.GetType().GetTensorType()
	if tt == nil {
		return matrixInput{}, fmt.Errorf("ONNX input %q is not a tensor", in.GetName())
	}
	elem := onnxpb.TensorProto_DataType(tt.GetElemType())
	if elem != onnxpb.TensorProto_FLOAT && elem != onnxpb.TensorProto_DOUBLE {
		return matrixInput{}, fmt.Errorf("ONNX input %q has element type %v, want FLOAT or DOUBLE", in.GetName(), elem)
	}
	dims := tt.GetShape().GetDim()
	if tt.GetShape() == nil || len(dims) != 2 {
		return matrixInput{}, fmt.Errorf("ONNX input %q has shape %s, want [N, columns]", in.GetName(), shapeString(tt.GetShape()))
	}
	cols := dims[1].GetDimValue()
	if cols <= 0 || cols > 1<<24 {
		return matrixInput{}, fmt.Errorf("ONNX input %q has shape %s, want a known positive number of columns", in.GetName(), shapeString(tt.GetShape()))
	}
	batch := dims[0].GetDimValue()
	if batch < 0 || batch > 1<<24 {
		return matrixInput{}, fmt.Errorf("ONNX input %q has shape %s, want a non-negative batch size", in.GetName(), shapeString(tt.GetShape()))
	}
	return matrixInput{Name: in.GetName(), Elem: elem, Cols: int(cols), Batch: int(batch)}, nil
}

// shapeString formats a tensor shape as [N, 784].
func shapeString(s *onnxpb.TensorShapeProto) string {
	if s == nil {
		return "unknown"
	}
	parts := make([]string, len(s.GetDim()))
	for i, d := range s.GetDim() {
		switch {
		case d.GetDimParam() != "":
			parts[i] = d.GetDimParam()
		case d.GetValue() == nil:
			parts[i] = "?"
		default:
			parts[i] = fmt.Sprint(d.GetDimValue())
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// outputNames returns the names of the graph's outputs in order.
func outputNames(g *onnxpb.GraphProto) []string {
	names := make([]string, len(g.GetOutput()))
	for i, o := range g.GetOutput() {
		names[i] = o.GetName()
	}
	return names
}

// makeOutputsRoots rewrites g so that no graph output is consumed by
// another node. onnx-go's gorgonnx backend fills in the values of only
// those nodes that nothing consumes (the roots of its graph) after a run,
// and gorgonia reuses the memory of a value once its last reader has run
// (a Sigmoid may overwrite its input in place), so an output that also
// feeds another node would read stale or overwritten data. Each such
// output's producer is renamed, and Neg(Neg(·)) copies the value to the
// output's name: negation is exact for every float, needs no constant of
// the right element type, and gives the output a node of its own (an
// Identity would only alias the consumed value).
func makeOutputsRoots(g *onnxpb.GraphProto) {
	used := make(map[string]bool)
	taken := make(map[string]bool)
	for _, n := range g.GetNode() {
		for _, in := range n.GetInput() {
			used[in] = true
		}
		for _, out := range n.GetOutput() {
			taken[out] = true
		}
	}
	for _, t := range g.GetInitializer() {
		taken[t.GetName()] = true
	}
	for _, in := range g.GetInput() {
		taken[in.GetName()] = true
	}
	fresh := func(base string) string {
		name := base
		for taken[name] {
			name += "_"
		}
		taken[name] = true
		return name
	}
	for _, o := range g.GetOutput() {
		name := o.GetName()
		if !used[name] {
			continue
		}
		inner, negated := fresh(name+"_value"), fresh(name+"_negated")
		for _, n := range g.GetNode() {
			for i, in := range n.GetInput() {
				if in == name {
					n.Input[i] = inner
				}
			}
			for i, out := range n.GetOutput() {
				if out == name {
					n.Output[i] = inner
				}
			}
		}
		g.Node = append(g.Node,
			&onnxpb.NodeProto{Name: proto.String(negated), OpType: proto.String("Neg"), Input: []string{inner}, Output: []string{negated}},
			&onnxpb.NodeProto{Name: proto.String(name + "_copy"), OpType: proto.String("Neg"), Input: []string{negated}, Output: []string{name}},
		)
	}
}
