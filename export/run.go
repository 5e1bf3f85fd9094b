package export

import (
	"context"
	"fmt"
	"os"
	"slices"

	onnx "github.com/owulveryck/onnx-go"
	"github.com/owulveryck/onnx-go/backend/x/gorgonnx"
	"github.com/rbmkit/rbm/export/internal/onnxpb"
	"github.com/rbmkit/rbm/rbm"
	"google.golang.org/protobuf/proto"
	"gorgonia.org/tensor"
)

// DefaultBatch is the number of rows a Graph evaluates at once when Run is
// given no batch size.
const DefaultBatch = 256

// Graph is an ONNX scoring graph prepared for the pure-Go runtime onnx-go
// (its gorgonnx backend): any graph of the operators that backend supports
// (MatMul, Gemm, Add, Sigmoid, Softplus, Relu, Log, …) with one float
// input of shape [N, columns]. Rows are scored batch by batch; a graph
// whose rows interact sees exactly the rows of each batch (see Run).
type Graph struct {
	input   matrixInput
	outputs []string
	// scoreOutput is the output ScoreOutput names.
	scoreOutput string
	// data is the model, rewritten for onnx-go, as onnx-go decodes it.
	data []byte
}

// LoadGraph prepares the ONNX model in data for Run.
func LoadGraph(data []byte) (*Graph, error) {
	m, err := parseModel(data)
	if err != nil {
		return nil, err
	}
	g := m.GetGraph()
	if err := checkDataflow(g); err != nil {
		return nil, err
	}
	in, err := findMatrixInput(g)
	if err != nil {
		return nil, err
	}
	for _, name := range outputNames(g) {
		if name == "" {
			return nil, fmt.Errorf("ONNX graph has an output without a name")
		}
		if name == in.Name {
			return nil, fmt.Errorf("ONNX graph output %q is its input", name)
		}
	}
	outputs := outputNames(g)
	score := ""
	for _, o := range g.GetOutput() {
		if w := declaredWidth(o); w == 0 || w == 1 {
			if score != "" {
				score = ""
				break
			}
			score = o.GetName()
		}
	}
	if slices.Contains(outputs, OutputFreeEnergy) {
		score = OutputFreeEnergy
	}
	makeOutputsRoots(g)
	rewritten, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("re-encode ONNX model: %w", err)
	}
	return &Graph{input: in, outputs: outputs, scoreOutput: score, data: rewritten}, nil
}

// LoadGraphFile reads and prepares an ONNX file; its errors name the file.
func LoadGraphFile(path string) (*Graph, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	g, err := LoadGraph(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

func readFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("%s: file of %d bytes exceeds the %d-byte limit", path, st.Size(), maxFileSize)
	}
	return os.ReadFile(path)
}

// Input returns the name and the number of columns of the graph's input.
func (g *Graph) Input() (name string, cols int) { return g.input.Name, g.input.Cols }

// Outputs returns the names of the graph's outputs.
func (g *Graph) Outputs() []string { return slices.Clone(g.outputs) }

// ScoreOutput returns the output that holds the graph's score: free_energy
// when the graph has it, otherwise its only output declared with one value
// per row (or an undeclared width), as PyTorch names it ("13", say); "" if
// there is no such single output.
func (g *Graph) ScoreOutput() string { return g.scoreOutput }

// Output is one output of a Run: Rows×Cols values, row-major, converted
// to float64.
type Output struct {
	Name       string
	Rows, Cols int
	Data       []float64
}

// Row returns row i of o.
func (o *Output) Row(i int) []float64 { return o.Data[i*o.Cols : (i+1)*o.Cols] }

// Run evaluates the named outputs (every output when names is empty) on
// the rows of v, batch rows at a time (batch ≤ 0 means the graph's own
// batch size when its input declares one, min(DefaultBatch, v.Rows)
// otherwise).
//
// onnx-go builds its graph for the first batch size it sees, so the last,
// shorter batch gets a graph of its own size (built once more, so that a
// graph whose rows interact, such as a normalisation over the batch, sees
// no rows that are not in the data); only when the input declares a fixed
// batch size is the last batch padded with zero rows instead, and their
// outputs dropped. Graph outputs are made roots of its graph (see
// makeOutputsRoots). Inputs are set by name, not by onnx-go's SetInput,
// which indexes graph nodes.
func (g *Graph) Run(ctx context.Context, v *rbm.Matrix, batch int, names ...string) ([]*Output, error) {
	if v.Cols != g.input.Cols {
		return nil, fmt.Errorf("data has %d columns, the model's input %q wants %d", v.Cols, g.input.Name, g.input.Cols)
	}
	if len(v.Data) != v.Rows*v.Cols {
		return nil, fmt.Errorf("data matrix is %d×%d but holds %d values", v.Rows, v.Cols, len(v.Data))
	}
	if len(names) == 0 {
		names = g.outputs
	}
	for _, name := range names {
		if !slices.Contains(g.outputs, name) {
			return nil, fmt.Errorf("model has no output %q (its outputs: %v)", name, g.outputs)
		}
	}
	switch {
	case batch > 0:
	case g.input.Batch > 0:
		batch = g.input.Batch
	default:
		batch = min(DefaultBatch, max(v.Rows, 1))
	}
	if g.input.Batch > 0 && batch != g.input.Batch {
		return nil, fmt.Errorf("model's input %q has a fixed batch size %d; cannot run batches of %d", g.input.Name, g.input.Batch, batch)
	}
	outs := make([]*Output, len(names))
	for i, name := range names {
		outs[i] = &Output{Name: name, Rows: v.Rows}
	}
	if v.Rows == 0 {
		return outs, nil
	}
	s, err := g.newSession(batch)
	if err != nil {
		return nil, err
	}
	for lo := 0; lo < v.Rows; lo += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(lo+batch, v.Rows)
		if rest := hi - lo; rest < s.batch && g.input.Batch == 0 {
			if s, err = g.newSession(rest); err != nil {
				return nil, err
			}
		}
		if err := s.run(v.Slice(lo, hi)); err != nil {
			return nil, fmt.Errorf("rows %d–%d: %w", lo, hi-1, err)
		}
		for _, o := range outs {
			if err := s.appendOutput(o, hi-lo); err != nil {
				return nil, err
			}
		}
	}
	return outs, nil
}

// session is one onnx-go model built for a fixed batch size.
type session struct {
	batch   int
	elem    onnxpb.TensorProto_DataType
	backend *gorgonnx.Graph
	model   *onnx.Model
	input   onnx.DataCarrier
	in32    []float32
	in64    []float64
}

func (g *Graph) newSession(batch int) (s *session, err error) {
	defer recoverRuntime(&err)
	s = &session{batch: batch, elem: g.input.Elem, backend: gorgonnx.NewGraph()}
	s.model = onnx.NewModel(s.backend)
	if err := s.model.UnmarshalBinary(g.data); err != nil {
		return nil, fmt.Errorf("onnx-go cannot load the model: %w", err)
	}
	node, ok := s.model.GetNodeByName(g.input.Name)
	if !ok {
		return nil, fmt.Errorf("onnx-go lost the input %q", g.input.Name)
	}
	if s.input, ok = node.(onnx.DataCarrier); !ok {
		return nil, fmt.Errorf("onnx-go input %q cannot hold data", g.input.Name)
	}
	if s.elem == onnxpb.TensorProto_DOUBLE {
		s.in64 = make([]float64, batch*g.input.Cols)
	} else {
		s.in32 = make([]float32, batch*g.input.Cols)
	}
	return s, nil
}

// run evaluates one batch of at most s.batch rows, padding with zeros
// (see Run for when it must).
func (s *session) run(v *rbm.Matrix) (err error) {
	defer recoverRuntime(&err)
	var t tensor.Tensor
	if s.in64 != nil {
		clear(s.in64)
		for i, x := range v.Data {
			s.in64[i] = float64(x)
		}
		t = tensor.New(tensor.WithShape(s.batch, v.Cols), tensor.WithBacking(s.in64))
	} else {
		clear(s.in32)
		copy(s.in32, v.Data)
		t = tensor.New(tensor.WithShape(s.batch, v.Cols), tensor.WithBacking(s.in32))
	}
	if err := s.input.SetTensor(t); err != nil {
		return fmt.Errorf("onnx-go: set input: %w", err)
	}
	if err := s.backend.Run(); err != nil {
		return fmt.Errorf("onnx-go: %w", err)
	}
	return nil
}

// appendOutput copies the first rows rows of output o.Name of the last run
// to o.
func (s *session) appendOutput(o *Output, rows int) (err error) {
	defer recoverRuntime(&err)
	node, ok := s.model.GetNodeByName(o.Name)
	if !ok {
		return fmt.Errorf("onnx-go lost the output %q", o.Name)
	}
	dc, ok := node.(onnx.DataCarrier)
	if !ok || dc.GetTensor() == nil {
		return fmt.Errorf("onnx-go computed no value for output %q", o.Name)
	}
	t := dc.GetTensor()
	shape := t.Shape()
	var cols int
	switch {
	case len(shape) == 2 && shape[0] == s.batch:
		cols = shape[1]
	case len(shape) == 1 && shape[0] == s.batch:
		cols = 1
	default:
		return fmt.Errorf("output %q has shape %v for a batch of %d rows, want [%d, k]", o.Name, shape, s.batch, s.batch)
	}
	if o.Cols == 0 && len(o.Data) == 0 {
		o.Cols = cols
	} else if o.Cols != cols {
		return fmt.Errorf("output %q changed width from %d to %d", o.Name, o.Cols, cols)
	}
	n := rows * cols
	switch d := t.Data().(type) {
	case []float32:
		if len(d) < s.batch*cols {
			return fmt.Errorf("output %q holds %d values, want %d", o.Name, len(d), s.batch*cols)
		}
		for _, x := range d[:n] {
			o.Data = append(o.Data, float64(x))
		}
	case []float64:
		if len(d) < s.batch*cols {
			return fmt.Errorf("output %q holds %d values, want %d", o.Name, len(d), s.batch*cols)
		}
		o.Data = append(o.Data, d[:n]...)
	default:
		return fmt.Errorf("output %q has element type %v, want float32 or float64", o.Name, t.Dtype())
	}
	return nil
}

// recoverRuntime turns a panic inside onnx-go or gorgonia, which panic on
// some malformed graphs, into an error.
func recoverRuntime(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("onnx-go failed on this graph: %v", r)
	}
}
