package export

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/export/internal/onnxpb"
	"github.com/rbmkit/rbm/rbm"
	"google.golang.org/protobuf/proto"
)

func testMeta() *rbm.Meta {
	cfg := rbm.DefaultConfig()
	cfg.Seed = 7
	return &rbm.Meta{ImageRows: 2, ImageCols: 3, Binarize: "threshold", Training: &cfg, Epochs: 4, Rows: 100}
}

// TestRoundTrip checks export → import → export: identical parameters bit
// for bit, identical metadata and options, identical bytes.
func TestRoundTrip(t *testing.T) {
	m := randomModel(6, 5, 1, 3)
	for _, opt := range []Options{
		{},
		{DType: Float64},
		{Outputs: []string{OutputFreeEnergy}},
		{Outputs: []string{OutputReconstruction, OutputHidden}},
		{DType: Float64, Outputs: []string{OutputReconstruction}},
	} {
		first, err := Marshal(m, testMeta(), opt)
		if err != nil {
			t.Fatal(err)
		}
		got, meta, gotOpt, err := Unmarshal(first)
		if err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		for _, p := range []struct {
			name      string
			got, want []float32
		}{{"W", got.W, m.W}, {"b", got.B, m.B}, {"c", got.C, m.C}} {
			if !slices.Equal(p.got, p.want) {
				t.Errorf("%+v: %s differs after the round trip", opt, p.name)
			}
		}
		if meta.ImageRows != 2 || meta.Training == nil || meta.Training.Seed != 7 {
			t.Errorf("%+v: metadata came back as %+v", opt, meta)
		}
		second, err := Marshal(got, meta, gotOpt)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Errorf("%+v: export → import → export changed the file (options back as %+v)", opt, gotOpt)
		}
	}
}

func TestWriteReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.onnx")
	m := randomModel(4, 3, 1, 9)
	if err := WriteFile(path, m, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	got, _, _, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.W, m.W) {
		t.Error("W differs")
	}
	if _, _, _, err := ReadFile(filepath.Join(t.TempDir(), "missing.onnx")); err == nil {
		t.Error("reading a missing file succeeded")
	}
}

// TestExportShapes pins the layout that works around onnx-go: biases
// [1, n], parameters as initializers and not graph inputs, a symbolic
// batch dimension.
func TestExportShapes(t *testing.T) {
	data, err := Marshal(randomModel(5, 3, 1, 1), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(data, &mp); err != nil {
		t.Fatal(err)
	}
	if mp.GetIrVersion() != 8 || mp.GetOpsetImport()[0].GetVersion() != 13 {
		t.Errorf("IR %d opset %d, want 8 and 13", mp.GetIrVersion(), mp.GetOpsetImport()[0].GetVersion())
	}
	dims := map[string][]int64{}
	for _, ini := range mp.GetGraph().GetInitializer() {
		dims[ini.GetName()] = ini.GetDims()
	}
	for name, want := range map[string][]int64{"W": {5, 3}, "b": {1, 5}, "c": {1, 3}} {
		if !slices.Equal(dims[name], want) {
			t.Errorf("initializer %s has dims %v, want %v", name, dims[name], want)
		}
	}
	if names := outputNames(mp.GetGraph()); !slices.Equal(names, AllOutputs) {
		t.Errorf("outputs %v, want %v", names, AllOutputs)
	}
	if in := mp.GetGraph().GetInput(); len(in) != 1 || in[0].GetName() != "v" ||
		shapeString(in[0].GetType().GetTensorType().GetShape()) != "[N, 5]" {
		t.Errorf("inputs %v, want only v [N, 5]", in)
	}
}

// mutate returns the export of a small model with f applied to its proto.
func mutate(t *testing.T, f func(*onnxpb.ModelProto)) []byte {
	t.Helper()
	data, err := Marshal(randomModel(4, 3, 1, 2), testMeta(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(data, &mp); err != nil {
		t.Fatal(err)
	}
	f(&mp)
	out, err := proto.Marshal(&mp)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func initializer(mp *onnxpb.ModelProto, name string) *onnxpb.TensorProto {
	for _, t := range mp.GetGraph().GetInitializer() {
		if t.GetName() == name {
			return t
		}
	}
	return nil
}

// TestUnmarshalBadFiles checks that damaged or foreign files give a clear
// error (and never a panic) from both the importer and LoadGraph.
func TestUnmarshalBadFiles(t *testing.T) {
	good, err := Marshal(randomModel(4, 3, 1, 2), testMeta(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		wantErr string // in Unmarshal's error
	}{
		{"empty", nil, "empty file"},
		{"truncated", good[:len(good)/2], "truncated or corrupt"},
		{"garbage", []byte("this is not protobuf at all \xff\xff\xff"), "truncated or corrupt"},
		{"no graph", mutate(t, func(mp *onnxpb.ModelProto) { mp.Graph = nil }), "no graph"},
		{"W wrong shape", mutate(t, func(mp *onnxpb.ModelProto) {
			initializer(mp, "W").Dims = []int64{3, 4}
		}), `initializer "W" has shape [3 4], want [4 3]`},
		{"1-D bias", mutate(t, func(mp *onnxpb.ModelProto) {
			initializer(mp, "c").Dims = []int64{3}
		}), `initializer "c" has shape [3]`},
		{"short data", mutate(t, func(mp *onnxpb.ModelProto) {
			w := initializer(mp, "W")
			w.RawData = w.RawData[:8]
		}), "holds 8 bytes, want 48 for shape [4 3]"},
		{"missing c", mutate(t, func(mp *onnxpb.ModelProto) {
			g := mp.GetGraph()
			g.Initializer = slices.DeleteFunc(g.Initializer, func(x *onnxpb.TensorProto) bool { return x.GetName() == "c" })
		}), `no initializer "c"`},
		{"input width", mutate(t, func(mp *onnxpb.ModelProto) {
			mp.GetGraph().GetInput()[0].GetType().GetTensorType().GetShape().GetDim()[1].Value =
				&onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 9}
		}), "9 columns but the metadata says 4"},
		{"unknown op", mutate(t, func(mp *onnxpb.ModelProto) {
			mp.GetGraph().GetNode()[2].OpType = proto.String("FancyOp")
		}), "graph differs"},
		{"no outputs", mutate(t, func(mp *onnxpb.ModelProto) { mp.GetGraph().Output = nil }), "no outputs"},
		{"foreign output", mutate(t, func(mp *onnxpb.ModelProto) {
			mp.GetGraph().GetOutput()[0].Name = proto.String("logits")
		}), `unexpected output "logits"`},
		{"no metadata", mutate(t, func(mp *onnxpb.ModelProto) { mp.MetadataProps = nil }), "no rbm.visible metadata"},
		{"NaN weight", mutate(t, func(mp *onnxpb.ModelProto) {
			copy(initializer(mp, "W").RawData, []byte{0, 0, 0xc0, 0x7f})
		}), "W[0] is NaN"},
		{"integer input", mutate(t, func(mp *onnxpb.ModelProto) {
			mp.GetGraph().GetInput()[0].GetType().GetTensorType().ElemType = proto.Int32(int32(onnxpb.TensorProto_INT64))
		}), "element type INT64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := Unmarshal(tc.data)
			if err == nil || !errors.Is(err, ErrNotExport) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Unmarshal error %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

// TestImportRejectsSwappedShapes exports a model, swaps W for its
// transpose and declares the transposed sizes in the metadata: every
// shape is then self-consistent except against the graph's data input.
func TestImportRejectsSwappedShapes(t *testing.T) {
	m := randomModel(4, 3, 1, 2)
	tr := m.Transpose()
	a, err := Marshal(m, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(tr, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ma, mb onnxpb.ModelProto
	if err := proto.Unmarshal(a, &ma); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(b, &mb); err != nil {
		t.Fatal(err)
	}
	ma.Graph.Initializer = mb.Graph.Initializer
	ma.MetadataProps = mb.MetadataProps
	data, err := proto.Marshal(&ma)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = Unmarshal(data)
	if err == nil || !strings.Contains(err.Error(), "columns but the metadata says 3") {
		t.Errorf("Unmarshal of mismatched shapes: %v", err)
	}
}

func TestMarshalRejects(t *testing.T) {
	m := randomModel(3, 2, 1, 1)
	if _, err := Marshal(m, nil, Options{Outputs: []string{"logits"}}); err == nil {
		t.Error("unknown output accepted")
	}
	if _, err := Marshal(m, nil, Options{DType: 7}); err == nil {
		t.Error("unknown dtype accepted")
	}
	bad := m.Clone()
	bad.W = bad.W[:1]
	if _, err := Marshal(bad, nil, Options{}); err == nil {
		t.Error("invalid model accepted")
	}
	if err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "dir.onnx"), m, nil, Options{}); err == nil {
		t.Error("write into a missing directory succeeded")
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "no")); err == nil {
		t.Error("write created directories")
	}
}
