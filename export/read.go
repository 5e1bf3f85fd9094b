package export

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/rbmkit/rbm/export/internal/onnxpb"
	"github.com/rbmkit/rbm/rbm"
	"google.golang.org/protobuf/proto"
)

// ErrNotExport is wrapped by every error Unmarshal returns for a file that
// is not an RBM exported by this toolkit (or is damaged).
var ErrNotExport = errors.New("not an rbm ONNX export")

// Unmarshal rebuilds the RBM, its metadata and the export options from an
// ONNX file written by Marshal. The parameters come back bit for bit (a
// float64 export holds the float32 values exactly), so Marshal of the
// result with the returned options reproduces the file when it was written
// by this version of the toolkit.
//
// The file's graph must be exactly the graph Marshal builds for those
// parameters and options: a file that computes anything else — edited,
// produced elsewhere, or by a toolkit version that built a different graph
// — is refused rather than silently reinterpreted. Run such files with
// LoadGraph.
func Unmarshal(data []byte) (*rbm.RBM, *rbm.Meta, Options, error) {
	m, meta, opt, err := unmarshal(data)
	if err != nil {
		return nil, nil, Options{}, fmt.Errorf("%w: %v", ErrNotExport, err)
	}
	return m, meta, opt, nil
}

// ReadFile reads an ONNX file with Unmarshal; its errors name the file.
func ReadFile(path string) (*rbm.RBM, *rbm.Meta, Options, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, nil, Options{}, err
	}
	m, meta, opt, err := Unmarshal(data)
	if err != nil {
		return nil, nil, Options{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, meta, opt, nil
}

func unmarshal(data []byte) (*rbm.RBM, *rbm.Meta, Options, error) {
	var opt Options
	mp, err := parseModel(data)
	if err != nil {
		return nil, nil, opt, err
	}
	g := mp.GetGraph()
	props := make(map[string]string)
	for _, p := range mp.GetMetadataProps() {
		props[p.GetKey()] = p.GetValue()
	}
	vis, err := sizeProp(props, MetaVisible)
	if err != nil {
		return nil, nil, opt, err
	}
	hid, err := sizeProp(props, MetaHidden)
	if err != nil {
		return nil, nil, opt, err
	}
	in, err := findMatrixInput(g)
	if err != nil {
		return nil, nil, opt, err
	}
	if in.Name != InputName {
		return nil, nil, opt, fmt.Errorf("input is named %q, want %q", in.Name, InputName)
	}
	if in.Cols != vis {
		return nil, nil, opt, fmt.Errorf("input %q has %d columns but the metadata says %d visible units", in.Name, in.Cols, vis)
	}
	opt.DType = Float32
	if in.Elem == onnxpb.TensorProto_DOUBLE {
		opt.DType = Float64
	}
	for _, name := range outputNames(g) {
		found := false
		for _, known := range AllOutputs {
			found = found || name == known
		}
		if !found {
			return nil, nil, opt, fmt.Errorf("unexpected output %q (an export has some of %v)", name, AllOutputs)
		}
	}
	opt.Outputs = outputNames(g)

	inits := make(map[string]*onnxpb.TensorProto)
	for _, t := range g.GetInitializer() {
		inits[t.GetName()] = t
	}
	m := &rbm.RBM{Visible: vis, Hidden: hid}
	for _, p := range []struct {
		name string
		dims []int64
		dst  *[]float32
	}{
		{paramW, []int64{int64(vis), int64(hid)}, &m.W},
		{paramB, []int64{1, int64(vis)}, &m.B},
		{paramC, []int64{1, int64(hid)}, &m.C},
	} {
		t := inits[p.name]
		if t == nil {
			return nil, nil, opt, fmt.Errorf("no initializer %q", p.name)
		}
		if *p.dst, err = tensorValues(t, p.dims, opt.DType); err != nil {
			return nil, nil, opt, err
		}
	}
	if err := m.Validate(); err != nil {
		return nil, nil, opt, err
	}

	meta := new(rbm.Meta)
	js, ok := props[MetaModel]
	if !ok {
		return nil, nil, opt, fmt.Errorf("no %s metadata", MetaModel)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(js)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(meta); err != nil {
		return nil, nil, opt, fmt.Errorf("%s metadata: %v", MetaModel, err)
	}

	// The graph must be the one Marshal builds for these parameters: the
	// parameters alone do not say what the file computes.
	want, err := buildModel(m, meta, opt)
	if err != nil {
		return nil, nil, opt, err
	}
	if !proto.Equal(want.GetGraph(), g) {
		return nil, nil, opt, fmt.Errorf("graph differs from the RBM scoring graph this toolkit writes (%s); run it with rbm score --onnx instead", graphDiff(want.GetGraph(), g))
	}
	return m, meta, opt, nil
}

// sizeProp reads a positive layer size from the metadata.
func sizeProp(props map[string]string, key string) (int, error) {
	s, ok := props[key]
	if !ok {
		return 0, fmt.Errorf("no %s metadata", key)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 1<<24 {
		return 0, fmt.Errorf("metadata %s = %q is not a plausible layer size", key, s)
	}
	return n, nil
}

// tensorValues returns the values of initializer t, which must have shape
// dims and the element type of dt, as float32.
func tensorValues(t *onnxpb.TensorProto, dims []int64, dt DType) ([]float32, error) {
	if !equalDims(t.GetDims(), dims) {
		return nil, fmt.Errorf("initializer %q has shape %v, want %v", t.GetName(), t.GetDims(), dims)
	}
	if got := onnxpb.TensorProto_DataType(t.GetDataType()); got != dt.elemType() {
		return nil, fmt.Errorf("initializer %q has element type %v, want %v like the input", t.GetName(), got, dt.elemType())
	}
	// parseModel has checked that the data holds as many values as the
	// dimensions declare (checkTensorSize), so n is bounded by the file.
	n := 1
	for _, d := range dims {
		n *= int(d)
	}
	x := make([]float32, n)
	raw := t.GetRawData()
	switch {
	case dt == Float32 && raw != nil:
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case dt == Float64 && raw != nil:
		for i := range x {
			x[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	case dt == Float32 && len(t.GetFloatData()) == n:
		copy(x, t.GetFloatData())
	case dt == Float64 && len(t.GetDoubleData()) == n:
		for i, f := range t.GetDoubleData() {
			x[i] = float32(f)
		}
	default:
		return nil, fmt.Errorf("initializer %q does not hold %d values", t.GetName(), n)
	}
	return x, nil
}

func equalDims(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// graphDiff names the first difference between two graphs, for an error
// message.
func graphDiff(want, got *onnxpb.GraphProto) string {
	wn, gn := want.GetNode(), got.GetNode()
	for i := range min(len(wn), len(gn)) {
		if !proto.Equal(wn[i], gn[i]) {
			return fmt.Sprintf("node %d is %s %v→%v, want %s %v→%v", i,
				gn[i].GetOpType(), gn[i].GetInput(), gn[i].GetOutput(),
				wn[i].GetOpType(), wn[i].GetInput(), wn[i].GetOutput())
		}
	}
	if len(wn) != len(gn) {
		return fmt.Sprintf("%d nodes, want %d", len(gn), len(wn))
	}
	if len(want.GetInitializer()) != len(got.GetInitializer()) {
		return fmt.Sprintf("%d initializers, want %d", len(got.GetInitializer()), len(want.GetInitializer()))
	}
	return "inputs, outputs or initializers differ"
}
