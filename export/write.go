package export

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/rbmkit/rbm/export/internal/onnxpb"
	"github.com/rbmkit/rbm/internal/atomicfile"
	"github.com/rbmkit/rbm/internal/version"
	"github.com/rbmkit/rbm/rbm"
	"google.golang.org/protobuf/proto"
)

// The IR version and opset of every export: ONNX Runtime 1.x and the ONNX
// checker (1.12 onwards) accept both.
const (
	irVersion    = 8
	opsetVersion = 13
	producerName = "rbm"
)

// DType is the element type of an export's tensors.
type DType int

const (
	// Float32 stores parameters and computes in float32, the precision the
	// model was trained in; it is the default.
	Float32 DType = iota
	// Float64 stores the float32 parameters exactly as float64 and computes
	// in float64.
	Float64
)

// String returns "float32" or "float64".
func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("DType(%d)", int(d))
}

// ParseDType parses "float32" or "float64".
func ParseDType(s string) (DType, error) {
	switch s {
	case "float32":
		return Float32, nil
	case "float64":
		return Float64, nil
	}
	return 0, fmt.Errorf("unknown dtype %q (want float32 or float64)", s)
}

func (d DType) elemType() onnxpb.TensorProto_DataType {
	if d == Float64 {
		return onnxpb.TensorProto_DOUBLE
	}
	return onnxpb.TensorProto_FLOAT
}

// Options selects what an export holds. The zero value exports every
// output in float32.
type Options struct {
	// DType is the element type of the parameters and the computation;
	// the zero value is Float32.
	DType DType
	// Outputs is a subset of AllOutputs, written in the order of
	// AllOutputs; nil or empty means all of them.
	Outputs []string
}

// normalize validates o and returns its outputs in graph order.
func (o Options) normalize() ([]string, error) {
	if o.DType != Float32 && o.DType != Float64 {
		return nil, fmt.Errorf("export: unknown dtype %v", o.DType)
	}
	if len(o.Outputs) == 0 {
		return slices.Clone(AllOutputs), nil
	}
	for _, name := range o.Outputs {
		if !slices.Contains(AllOutputs, name) {
			return nil, fmt.Errorf("export: unknown output %q (want some of %v)", name, AllOutputs)
		}
	}
	var outs []string
	for _, name := range AllOutputs {
		if slices.Contains(o.Outputs, name) {
			outs = append(outs, name)
		}
	}
	return outs, nil
}

// Metadata keys written to metadata_props.
const (
	MetaVisible        = "rbm.visible"
	MetaHidden         = "rbm.hidden"
	MetaImageShape     = "rbm.image_shape"
	MetaTraining       = "rbm.training"
	MetaModel          = "rbm.meta"
	MetaToolkitVersion = "rbm.toolkit_version"
)

// Marshal returns m as an ONNX model. meta may be nil. The bytes are
// deterministic: the same model, metadata and options give the same file.
func Marshal(m *rbm.RBM, meta *rbm.Meta, opt Options) ([]byte, error) {
	mp, err := buildModel(m, meta, opt)
	if err != nil {
		return nil, err
	}
	return encode(mp)
}

// encode serialises a model deterministically.
func encode(mp *onnxpb.ModelProto) ([]byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(mp)
	if err != nil {
		return nil, fmt.Errorf("export: encode: %w", err)
	}
	return b, nil
}

// Write writes m as an ONNX model to w.
func Write(w io.Writer, m *rbm.RBM, meta *rbm.Meta, opt Options) error {
	return writeTo(w, func() ([]byte, error) { return Marshal(m, meta, opt) })
}

// WriteFile writes m as an ONNX model to path atomically.
func WriteFile(path string, m *rbm.RBM, meta *rbm.Meta, opt Options) error {
	return writeFile(path, func() ([]byte, error) { return Marshal(m, meta, opt) })
}

// writeTo writes the bytes marshal returns to w.
func writeTo(w io.Writer, marshal func() ([]byte, error)) error {
	b, err := marshal()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// writeFile writes the bytes marshal returns to path atomically; an
// error in marshalling names the file.
func writeFile(path string, marshal func() ([]byte, error)) error {
	b, err := marshal()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// buildModel assembles the ModelProto of an export.
func buildModel(m *rbm.RBM, meta *rbm.Meta, opt Options) (*onnxpb.ModelProto, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	outputs, err := opt.normalize()
	if err != nil {
		return nil, err
	}
	if meta == nil {
		meta = &rbm.Meta{}
	}
	props, err := metadataProps(m, meta)
	if err != nil {
		return nil, err
	}
	elem := opt.DType.elemType()
	v, h := int64(m.Visible), int64(m.Hidden)
	graph := &onnxpb.GraphProto{
		Name: proto.String("rbm_scoring"),
		Node: buildNodes(outputs),
		Initializer: []*onnxpb.TensorProto{
			tensorProto(paramW, opt.DType, []int64{v, h}, m.W),
			tensorProto(paramB, opt.DType, []int64{1, v}, m.B),
			tensorProto(paramC, opt.DType, []int64{1, h}, m.C),
		},
		Input: []*onnxpb.ValueInfoProto{valueInfo(InputName, elem, v, "visible units, one row per example")},
	}
	if slices.Contains(outputs, OutputFreeEnergy) {
		ones := make([]float32, m.Hidden)
		for i := range ones {
			ones[i] = 1
		}
		graph.Initializer = append(graph.Initializer, tensorProto(onesHidden, opt.DType, []int64{h, 1}, ones))
	}
	docs := map[string]string{
		OutputFreeEnergy:     "free energy F(v) = -b'v - sum_j softplus(c_j + (v'W)_j)",
		OutputHidden:         "hidden probabilities p(h=1|v) = sigmoid(c + v'W)",
		OutputReconstruction: "reconstruction p(v=1|h) = sigmoid(b + Wh) with h = p(h=1|v)",
	}
	width := map[string]int64{OutputFreeEnergy: 1, OutputHidden: h, OutputReconstruction: v}
	for _, name := range outputs {
		graph.Output = append(graph.Output, valueInfo(name, elem, width[name], docs[name]))
	}
	return &onnxpb.ModelProto{
		IrVersion:       proto.Int64(irVersion),
		OpsetImport:     []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(opsetVersion)}},
		ProducerName:    proto.String(producerName),
		ProducerVersion: proto.String(version.Version),
		DocString:       proto.String(fmt.Sprintf("Binary restricted Boltzmann machine, %d visible × %d hidden units.", m.Visible, m.Hidden)),
		Graph:           graph,
		MetadataProps:   props,
	}, nil
}

// metadataProps returns the model's sizes, training settings and the
// toolkit's version as key-value pairs; rbm.meta holds the complete
// metadata, from which Unmarshal restores it.
func metadataProps(m *rbm.RBM, meta *rbm.Meta) ([]*onnxpb.StringStringEntryProto, error) {
	return props(meta, kv(MetaVisible, strconv.Itoa(m.Visible)), kv(MetaHidden, strconv.Itoa(m.Hidden)))
}

// kv is one metadata_props entry.
func kv(k, v string) *onnxpb.StringStringEntryProto {
	return &onnxpb.StringStringEntryProto{Key: proto.String(k), Value: proto.String(v)}
}

// props returns the metadata_props of an export: the given entries that
// describe the model's shape, then the image shape, the training settings,
// the complete metadata and the toolkit's version.
func props(meta *rbm.Meta, shape ...*onnxpb.StringStringEntryProto) ([]*onnxpb.StringStringEntryProto, error) {
	js, err := json.Marshal(meta)
	if err != nil {
		return nil, fmt.Errorf("export: encode metadata: %w", err)
	}
	ps := shape
	if meta.ImageRows > 0 && meta.ImageCols > 0 {
		ps = append(ps, kv(MetaImageShape, fmt.Sprintf("%dx%d", meta.ImageRows, meta.ImageCols)))
	}
	if meta.Training != nil {
		tr, err := json.Marshal(meta.Training)
		if err != nil {
			return nil, fmt.Errorf("export: encode training settings: %w", err)
		}
		ps = append(ps, kv(MetaTraining, string(tr)))
	}
	return append(ps, kv(MetaModel, string(js)), kv(MetaToolkitVersion, version.Version)), nil
}

// tensorProto returns a named initializer holding x (float32 values) in
// dtype d, little-endian in raw_data as the ONNX specification requires.
func tensorProto(name string, d DType, dims []int64, x []float32) *onnxpb.TensorProto {
	var raw []byte
	if d == Float64 {
		raw = make([]byte, 8*len(x))
		for i, f := range x {
			binary.LittleEndian.PutUint64(raw[8*i:], math.Float64bits(float64(f)))
		}
	} else {
		raw = make([]byte, 4*len(x))
		for i, f := range x {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
		}
	}
	return &onnxpb.TensorProto{
		Name:     proto.String(name),
		DataType: proto.Int32(int32(d.elemType())),
		Dims:     dims,
		RawData:  raw,
	}
}

// valueInfo describes a float tensor of shape [N, cols].
func valueInfo(name string, elem onnxpb.TensorProto_DataType, cols int64, doc string) *onnxpb.ValueInfoProto {
	return &onnxpb.ValueInfoProto{
		Name:      proto.String(name),
		DocString: proto.String(doc),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(elem)),
			Shape: &onnxpb.TensorShapeProto{Dim: []*onnxpb.TensorShapeProto_Dimension{
				{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: batchDimParam}},
				{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: cols}},
			}},
		}}},
	}
}
