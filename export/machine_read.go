package export

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/rbmkit/rbm/export/internal/onnxpb"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
	"google.golang.org/protobuf/proto"
)

// UnmarshalMachine rebuilds the machine, its metadata and the export
// options from an ONNX file written by MarshalMachine or Marshal (which it
// recognises by the rbm.visible_layer metadata a machine export carries; a
// binary export comes back as rbm.AsMachine of Unmarshal's RBM).
//
// A float64 export gives the machine back bit for bit, including the
// parameters the graph holds transformed (σ for log σ, W' = diag(σ²)W),
// which the file also keeps as written (the rbm.exact.* initializers). A
// float32 export gives the parameters as its float32 values (log σ as
// log(σ), W as W'/σ² in float64). As Unmarshal does, UnmarshalMachine
// refuses a file whose graph differs from the one MarshalMachine builds for
// the parameters it read.
func UnmarshalMachine(data []byte) (*rbm.Machine, *rbm.Meta, Options, error) {
	mp, err := parseModel(data)
	if err != nil {
		return nil, nil, Options{}, fmt.Errorf("%w: %v", ErrNotExport, err)
	}
	general := false
	for _, p := range mp.GetMetadataProps() {
		general = general || p.GetKey() == MetaVisibleLayer
	}
	if !general {
		r, meta, opt, err := Unmarshal(data)
		if err != nil {
			return nil, nil, Options{}, err
		}
		return rbm.AsMachine(r), meta, opt, nil
	}
	m, meta, opt, err := unmarshalMachine(mp)
	if err != nil {
		return nil, nil, Options{}, fmt.Errorf("%w: %v", ErrNotExport, err)
	}
	return m, meta, opt, nil
}

// ReadMachineFile reads an ONNX file with UnmarshalMachine; its errors
// name the file.
func ReadMachineFile(path string) (*rbm.Machine, *rbm.Meta, Options, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, nil, Options{}, err
	}
	m, meta, opt, err := UnmarshalMachine(data)
	if err != nil {
		return nil, nil, Options{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, meta, opt, nil
}

// IsMachineExport reports whether data is an ONNX model whose metadata
// marks it as a machine export of this toolkit (of any pair of unit types
// but two binary layers).
func IsMachineExport(data []byte) bool {
	mp, err := parseModel(data)
	if err != nil {
		return false
	}
	for _, p := range mp.GetMetadataProps() {
		if p.GetKey() == MetaVisibleLayer {
			return true
		}
	}
	return false
}

func unmarshalMachine(mp *onnxpb.ModelProto) (*rbm.Machine, *rbm.Meta, Options, error) {
	var opt Options
	g := mp.GetGraph()
	props := make(map[string]string)
	for _, p := range mp.GetMetadataProps() {
		props[p.GetKey()] = p.GetValue()
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
	if meta.Layers == nil {
		return nil, nil, opt, fmt.Errorf("%s metadata does not describe the layers", MetaModel)
	}
	in, err := findMatrixInput(g)
	if err != nil {
		return nil, nil, opt, err
	}
	if in.Name != InputName {
		return nil, nil, opt, fmt.Errorf("input is named %q, want %q", in.Name, InputName)
	}
	// Check the layers' widths against the file before allocating them.
	vw, err := layerWidth(meta.Layers.Visible)
	if err != nil {
		return nil, nil, opt, fmt.Errorf("%s metadata: visible %v", MetaModel, err)
	}
	hw, err := layerWidth(meta.Layers.Hidden)
	if err != nil {
		return nil, nil, opt, fmt.Errorf("%s metadata: hidden %v", MetaModel, err)
	}
	if in.Cols != vw {
		return nil, nil, opt, fmt.Errorf("input %q has %d columns but the %s visible layer takes %d", in.Name, in.Cols, meta.Layers.Visible.Type, vw)
	}
	wi := slices.IndexFunc(g.GetInitializer(), func(t *onnxpb.TensorProto) bool { return t.GetName() == paramW })
	if wi < 0 {
		return nil, nil, opt, fmt.Errorf("no initializer %q", paramW)
	}
	if dims := g.GetInitializer()[wi].GetDims(); !equalDims(dims, []int64{int64(vw), int64(hw)}) {
		return nil, nil, opt, fmt.Errorf("initializer %q has shape %v, want [%d %d]", paramW, dims, vw, hw)
	}
	vis, err := meta.Layers.Visible.NewLayer()
	if err != nil {
		return nil, nil, opt, fmt.Errorf("%s metadata: visible %v", MetaModel, err)
	}
	hid, err := meta.Layers.Hidden.NewLayer()
	if err != nil {
		return nil, nil, opt, fmt.Errorf("%s metadata: hidden %v", MetaModel, err)
	}
	if props[MetaVisibleLayer] != vis.Kind() || props[MetaHiddenLayer] != hid.Kind() {
		return nil, nil, opt, fmt.Errorf("metadata %s=%q and %s=%q disagree with the layers %s describes (%s, %s)",
			MetaVisibleLayer, props[MetaVisibleLayer], MetaHiddenLayer, props[MetaHiddenLayer], MetaModel, vis.Kind(), hid.Kind())
	}
	if vis.Width() != vw || hid.Width() != hw {
		return nil, nil, opt, fmt.Errorf("%s metadata: layers of widths %d and %d, want %d and %d", MetaModel, vis.Width(), hid.Width(), vw, hw)
	}
	opt.DType = Float32
	if in.Elem == onnxpb.TensorProto_DOUBLE {
		opt.DType = Float64
	}
	for _, name := range outputNames(g) {
		if !slices.Contains(AllOutputs, name) {
			return nil, nil, opt, fmt.Errorf("unexpected output %q (an export has some of %v)", name, AllOutputs)
		}
	}
	opt.Outputs = outputNames(g)

	inits := make(map[string]*onnxpb.TensorProto)
	for _, t := range g.GetInitializer() {
		inits[t.GetName()] = t
	}
	read := func(name string, dims []int64, dt DType) ([]float64, error) {
		t := inits[name]
		if t == nil {
			return nil, fmt.Errorf("no initializer %q", name)
		}
		return tensorFloat64s(t, dims, dt)
	}
	// exact returns the toolkit's own value of a transformed parameter:
	// from its rbm.exact initializer in a float64 export, otherwise by
	// inverting the transformation.
	exact := func(name string, dims []int64, invert func() ([]float64, error)) ([]float64, error) {
		if opt.DType == Float64 {
			return read(exactPrefix+name, dims, Float64)
		}
		return invert()
	}
	logOf := func(name string, dims []int64) func() ([]float64, error) {
		return func() ([]float64, error) {
			x, err := read(name, dims, opt.DType)
			if err != nil {
				return nil, err
			}
			for i, v := range x {
				if !(v > 0) {
					return nil, fmt.Errorf("initializer %q: value %d is %v, want a positive scale", name, i, v)
				}
				x[i] = math.Log(v)
			}
			return x, nil
		}
	}
	row := func(n int) []int64 { return []int64{1, int64(n)} }

	pair := vis.Kind() + "×" + hid.Kind() + " machine"
	vu, err := unitsFor(vis.Kind(), visibleRole, pair)
	if err != nil {
		return nil, nil, opt, err
	}
	hu, err := unitsFor(hid.Kind(), hiddenRole, pair)
	if err != nil {
		return nil, nil, opt, err
	}
	// readParams reads the parameters u holds in role r, beside its
	// bias, into p.
	readParams := func(u onnxUnits, r role, p map[string][]float64, width int) error {
		for _, fp := range u.params(r) {
			var x []float64
			var err error
			if fp.exp {
				x, err = exact(r.String()+"."+fp.param, row(width), logOf(fp.init, row(width)))
			} else {
				x, err = read(fp.init, row(width), opt.DType)
			}
			if err != nil {
				return err
			}
			p[fp.param] = x
		}
		return nil
	}

	m := rbm.NewMachine(vis, hid)
	vp := map[string][]float64{}
	if vp["bias"], err = read(paramB, row(vw), opt.DType); err != nil {
		return nil, nil, opt, err
	}
	if err := readParams(vu, visibleRole, vp, vw); err != nil {
		return nil, nil, opt, err
	}
	wDims := []int64{int64(vw), int64(hw)}
	if scale := vu.weightScale(vp); scale != nil {
		m.W, err = exact(paramW, wDims, func() ([]float64, error) {
			w, err := read(paramW, wDims, opt.DType)
			if err != nil {
				return nil, err
			}
			for i := range vw {
				for j := range hw {
					w[i*hw+j] /= scale[i]
				}
			}
			return w, nil
		})
	} else {
		m.W, err = read(paramW, wDims, opt.DType)
	}
	if err != nil {
		return nil, nil, opt, err
	}
	hp := map[string][]float64{}
	if hp["bias"], err = read(paramC, row(hw), opt.DType); err != nil {
		return nil, nil, opt, err
	}
	if err := readParams(hu, hiddenRole, hp, hw); err != nil {
		return nil, nil, opt, err
	}
	if err := layer.SetParams(vis, vp); err != nil {
		return nil, nil, opt, fmt.Errorf("visible layer: %v", err)
	}
	if err := layer.SetParams(hid, hp); err != nil {
		return nil, nil, opt, fmt.Errorf("hidden layer: %v", err)
	}
	if err := m.Validate(); err != nil {
		return nil, nil, opt, err
	}

	// The graph must be the one MarshalMachine builds for these
	// parameters: the parameters alone do not say what the file computes.
	want, err := buildMachineModel(m, meta, opt)
	if err != nil {
		return nil, nil, opt, err
	}
	if !proto.Equal(want.GetGraph(), g) {
		return nil, nil, opt, fmt.Errorf("graph differs from the %s×%s scoring graph this toolkit writes (%s); run it with rbm score --onnx instead",
			vis.Kind(), hid.Kind(), graphDiff(want.GetGraph(), g))
	}
	return m, meta, opt, nil
}

// layerWidth returns the number of values of a state of the layer info
// describes, refusing sizes no model file holds.
func layerWidth(info rbm.LayerInfo) (int, error) {
	const maxWidth = 1 << 24
	if info.Units <= 0 || info.Units > maxWidth || info.States < 0 || info.States > maxWidth {
		return 0, fmt.Errorf("%s layer of %d units of %d states", info.Type, info.Units, info.States)
	}
	w := info.Units
	if u, ok := unitsRegistry[info.Type]; ok && u.oneHot() {
		w *= info.States
	}
	if w <= 0 || w > maxWidth {
		return 0, fmt.Errorf("%s layer of %d units of %d states is %d values wide, more than %d", info.Type, info.Units, info.States, w, maxWidth)
	}
	return w, nil
}

// tensorFloat64s returns the values of initializer t, which must have
// shape dims and the element type of dt, as float64.
func tensorFloat64s(t *onnxpb.TensorProto, dims []int64, dt DType) ([]float64, error) {
	if !equalDims(t.GetDims(), dims) {
		return nil, fmt.Errorf("initializer %q has shape %v, want %v", t.GetName(), t.GetDims(), dims)
	}
	if got := onnxpb.TensorProto_DataType(t.GetDataType()); got != dt.elemType() {
		return nil, fmt.Errorf("initializer %q has element type %v, want %v", t.GetName(), got, dt.elemType())
	}
	n := 1
	for _, d := range dims {
		n *= int(d)
	}
	x := make([]float64, n)
	raw := t.GetRawData()
	switch {
	case dt == Float32 && raw != nil && len(raw) == 4*n:
		for i := range x {
			x[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
		}
	case dt == Float64 && raw != nil && len(raw) == 8*n:
		for i := range x {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	case dt == Float32 && raw == nil && len(t.GetFloatData()) == n:
		for i, f := range t.GetFloatData() {
			x[i] = float64(f)
		}
	case dt == Float64 && raw == nil && len(t.GetDoubleData()) == n:
		copy(x, t.GetDoubleData())
	default:
		return nil, fmt.Errorf("initializer %q does not hold %d values", t.GetName(), n)
	}
	return x, nil
}

// ImportedMachine is what ImportMachine read: a machine export of this
// toolkit (Machine set), or any file Import reads (Imported set).
type ImportedMachine struct {
	// Machine, Meta and Options are those of a machine export.
	Machine *rbm.Machine
	Meta    *rbm.Meta
	Options Options
	// Imported is Import's result for any other file.
	Imported *Imported
}

// ImportMachine reads a model from an ONNX file: a machine export (see
// IsMachineExport) with UnmarshalMachine, any other file with Import.
func ImportMachine(ctx context.Context, data []byte, cfg RecognizeConfig) (*ImportedMachine, error) {
	if IsMachineExport(data) {
		m, meta, opt, err := UnmarshalMachine(data)
		if err != nil {
			return nil, err
		}
		return &ImportedMachine{Machine: m, Meta: meta, Options: opt}, nil
	}
	im, err := Import(ctx, data, cfg)
	if err != nil {
		return nil, err
	}
	return &ImportedMachine{Imported: im}, nil
}

// ImportMachineFile reads an ONNX file with ImportMachine; its errors name
// the file.
func ImportMachineFile(ctx context.Context, path string, cfg RecognizeConfig) (*ImportedMachine, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	im, err := ImportMachine(ctx, data, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return im, nil
}
