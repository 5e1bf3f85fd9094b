package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/rbmkit/rbm/export/internal/onnxpb"
	"github.com/rbmkit/rbm/internal/version"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
	"google.golang.org/protobuf/proto"
)

// Metadata keys a machine export adds to those of a binary export.
const (
	// MetaVisibleLayer and MetaHiddenLayer name the unit types ("gaussian",
	// "potts", …); their presence marks a machine export.
	MetaVisibleLayer = "rbm.visible_layer"
	MetaHiddenLayer  = "rbm.hidden_layer"
	// MetaStates is q for Potts visible units and "0" otherwise;
	// MetaHiddenStates is q for Potts hidden units and absent otherwise.
	MetaStates       = "rbm.states"
	MetaHiddenStates = "rbm.hidden_states"
)

// ErrNotExpressible is wrapped by the error MarshalMachine returns for a
// machine whose scoring graph cannot be written faithfully with standard
// ONNX operators.
var ErrNotExpressible = errors.New("not expressible in ONNX")

// exactPrefix starts the names of the initializers that hold, in a
// float64 export, the toolkit's own parameters where the graph's are
// derived from them (σ = exp(log σ), W' = diag(σ²)W): no node reads them,
// and UnmarshalMachine restores the machine from them bit for bit. (The
// names of the initializers each unit type adds to W, b and c are in its
// units_*.go file.)
const exactPrefix = "rbm.exact."

// MarshalMachine returns m as an ONNX model computing the outputs opt
// selects (see the package documentation for the graphs of each unit
// type). meta may be nil.
//
// A machine of two binary layers is written exactly as Marshal writes the
// binary RBM of its parameters rounded to float32, the precision of the
// binary model file. Machines with ReLU hidden units, and ReLU visible units
// when the reconstruction is requested, are refused with an error wrapping
// ErrNotExpressible.
func MarshalMachine(m *rbm.Machine, meta *rbm.Meta, opt Options) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if r, ok := m.Binary(); ok {
		if meta != nil && meta.Layers != nil {
			c := *meta
			c.Layers = nil // binary exports, like version 1 files, describe no layers
			meta = &c
		}
		return Marshal(r, meta, opt)
	}
	mp, err := buildMachineModel(m, meta, opt)
	if err != nil {
		return nil, err
	}
	return encode(mp)
}

// WriteMachine writes m as an ONNX model to w.
func WriteMachine(w io.Writer, m *rbm.Machine, meta *rbm.Meta, opt Options) error {
	return writeTo(w, func() ([]byte, error) { return MarshalMachine(m, meta, opt) })
}

// WriteMachineFile writes m as an ONNX model to path atomically.
func WriteMachineFile(path string, m *rbm.Machine, meta *rbm.Meta, opt Options) error {
	return writeFile(path, func() ([]byte, error) { return MarshalMachine(m, meta, opt) })
}

// machineUnits returns the ONNX units of m's layers, refusing a pair
// (and outputs) this package cannot write: the hidden type's refusal
// first, then the visible type's.
func machineUnits(m *rbm.Machine, outputs []string) (vis, hid onnxUnits, err error) {
	pair := m.Visible.Kind() + "×" + m.Hidden.Kind() + " machine"
	refuse := func(why string) error {
		return fmt.Errorf("export: %s: %w: %s", pair, ErrNotExpressible, why)
	}
	if hid, err = unitsFor(m.Hidden.Kind(), hiddenRole, pair); err != nil {
		return nil, nil, err
	}
	if why := hid.refusal(hiddenRole, outputs); why != "" {
		return nil, nil, refuse(why)
	}
	if vis, err = unitsFor(m.Visible.Kind(), visibleRole, pair); err != nil {
		return nil, nil, err
	}
	if why := vis.refusal(visibleRole, outputs); why != "" {
		return nil, nil, refuse(why)
	}
	return vis, hid, nil
}

// machineGraph builds the scoring graph of a machine: its nodes and the
// initializers they read, each added once, in order of first use.
type machineGraph struct {
	graphBuilder
	m        *rbm.Machine
	vis, hid onnxUnits // the ONNX side of m's layers
	dtype    DType
	inits    []*onnxpb.TensorProto
	have     map[string]bool
}

// init adds a float initializer of the given shape unless it is present.
func (g *machineGraph) init(name string, dims []int64, x []float64) string {
	if !g.have[name] {
		g.have[name] = true
		g.inits = append(g.inits, float64Tensor(name, g.dtype, dims, x))
	}
	return name
}

// shape adds an int64 initializer holding a shape for Reshape.
func (g *machineGraph) shape(name string, dims ...int64) string {
	if !g.have[name] {
		g.have[name] = true
		raw := make([]byte, 8*len(dims))
		for i, d := range dims {
			binary.LittleEndian.PutUint64(raw[8*i:], uint64(d))
		}
		g.inits = append(g.inits, &onnxpb.TensorProto{
			Name:     proto.String(name),
			DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)),
			Dims:     []int64{int64(len(dims))},
			RawData:  raw,
		})
	}
	return name
}

// column adds an [n, 1] initializer of the value x: Σ as a MatMul.
func (g *machineGraph) column(name string, n int, x float64) string {
	col := make([]float64, n)
	for i := range col {
		col[i] = x
	}
	return g.init(name, []int64{int64(n), 1}, col)
}

// once returns name, after calling build to append its nodes the first
// time.
func (g *machineGraph) once(name string, build func()) string {
	if !g.have[name] {
		g.have[name] = true
		build()
	}
	return name
}

func (g *machineGraph) softmaxAttr(output, x string) string {
	axis := &onnxpb.AttributeProto{Name: proto.String("axis"), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(1)}
	return g.opAttr("Softmax", output, []*onnxpb.AttributeProto{axis}, x)
}

// unitSoftmax appends the softmax over the q states of each Potts unit of
// x [N, width]: Reshape to [N·units, q], Softmax on axis 1, Reshape back.
// (Reshape to [N, units, q] and Softmax on axis 2 is the same function,
// and ONNX Runtime computes it alike, but with onnx-go the free energy's
// log-sum-exp, which reads the same x, came out wrong beside a
// three-dimensional Softmax, whose gorgonnx operator reshapes through
// gorgonia; the two-dimensional form is right in both runtimes.)
func (g *machineGraph) unitSoftmax(output, x string, width, q int) string {
	byUnit := g.op("Reshape", output+"_by_unit", x, g.shape(fmt.Sprintf("shape_states_%d", q), -1, int64(q)))
	sm := g.softmaxAttr(output+"_softmax", byUnit)
	return g.op("Reshape", output, sm, g.shape(fmt.Sprintf("shape_width_%d", width), -1, int64(width)))
}

// unitLogSumExp appends Σ over the Potts units of x [N, width] of
// log Σₐ exp(xₐ), each unit's term computed as m + log Σₐ exp(xₐ - m) at
// its maximum m (ReduceMax), which neither overflows nor underflows; the
// result is [N, 1].
func (g *machineGraph) unitLogSumExp(output, x string, width, q int) string {
	units := width / q
	byUnit := g.op("Reshape", output+"_by_unit", x, g.shape(fmt.Sprintf("shape_states_%d", q), -1, int64(q)))
	axes := &onnxpb.AttributeProto{Name: proto.String("axes"), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: []int64{1}}
	keep := &onnxpb.AttributeProto{Name: proto.String("keepdims"), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(1)}
	mx := g.opAttr("ReduceMax", output+"_max", []*onnxpb.AttributeProto{axes, keep}, byUnit)
	shifted := g.op("Sub", output+"_shifted", byUnit, mx)
	e := g.op("Exp", output+"_exp", shifted)
	s := g.op("MatMul", output+"_sum_exp", e, g.column(fmt.Sprintf("ones_%d", q), q, 1))
	lse := g.op("Add", output+"_unit", g.op("Log", output+"_log_sum_exp", s), mx)
	perRow := g.op("Reshape", output+"_by_row", lse, g.shape(fmt.Sprintf("shape_width_%d", units), -1, int64(units)))
	return g.op("MatMul", output, perRow, g.column(fmt.Sprintf("ones_%d", units), units, 1))
}

// hiddenField appends the input the hidden units receive, vᵀW as [N, H]
// (computed from the file's W as the visible units' field says: for
// Gaussian visible units (v/σ²)ᵀW', which is the same).
func (g *machineGraph) hiddenField() string {
	return g.once("v_W", func() { g.op("MatMul", "v_W", g.vis.field(g, g.m.Visible), paramW) })
}

// hiddenInput appends c + vᵀW, the argument of the hidden units' Γ and
// means for the types whose bias is linear.
func (g *machineGraph) hiddenInput() string {
	return g.once("hidden_input", func() { g.op("Add", "hidden_input", g.hiddenField(), paramC) })
}

// visibleInput appends b + Wh from the node hW = h·Wᵀ, the argument of
// the visible units' means for the types whose bias is linear.
func (g *machineGraph) visibleInput(hW string) string {
	return g.op("Add", "visible_input", hW, paramB)
}

// negBiasEnergy appends E_v(v) = -bᵀv as [N, 1], the energy of the units
// whose only parameter is a linear bias.
func (g *machineGraph) negBiasEnergy() string {
	return g.op("Neg", "visible_energy", g.op("MatMul", "v_b", InputName, g.transpose2("b_transposed", paramB)))
}

// reconstruction appends E[v|h] as [N, V] for the hidden means h.
func (g *machineGraph) reconstruction(h string) string {
	wT := g.transpose2("W_transposed", paramW)
	hw := g.op("MatMul", "h_W_transposed", h, wT)
	return g.vis.reconstruction(g, g.m.Visible, hw)
}

// buildMachineModel assembles the ModelProto of a machine export (of any
// pair but two binary layers, which Marshal writes).
func buildMachineModel(m *rbm.Machine, meta *rbm.Meta, opt Options) (*onnxpb.ModelProto, error) {
	outputs, err := opt.normalize()
	if err != nil {
		return nil, err
	}
	vu, hu, err := machineUnits(m, outputs)
	if err != nil {
		return nil, err
	}
	c := rbm.Meta{}
	if meta != nil {
		c = *meta
	}
	c.Layers = &rbm.Layers{Visible: rbm.DescribeLayer(m.Visible), Hidden: rbm.DescribeLayer(m.Hidden)}
	props, err := machineProps(m, vu, hu, &c)
	if err != nil {
		return nil, err
	}
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	v, h := int64(vw), int64(hw)
	g := &machineGraph{m: m, vis: vu, hid: hu, dtype: opt.DType, have: make(map[string]bool)}

	// Parameters in the file's parameterisation, then the toolkit's own
	// where they differ (float64 only), then the graph's constants.
	w := m.W
	vp, hp := paramMap(m.Visible), paramMap(m.Hidden)
	scale := vu.weightScale(vp)
	if scale != nil {
		w = make([]float64, len(m.W))
		for i := range vw {
			for j := range hw {
				w[i*hw+j] = m.W[i*hw+j] * scale[i]
			}
		}
	}
	g.init(paramW, []int64{v, h}, w)
	g.init(paramB, []int64{1, v}, vp["bias"])
	g.init(paramC, []int64{1, h}, hp["bias"])
	exp := func(x []float64) []float64 {
		y := make([]float64, len(x))
		for i, xi := range x {
			y[i] = math.Exp(xi)
		}
		return y
	}
	var exact []*onnxpb.TensorProto
	addExact := func(name string, dims []int64, x []float64) {
		if opt.DType == Float64 {
			exact = append(exact, float64Tensor(exactPrefix+name, Float64, dims, x))
		}
	}
	if scale != nil {
		addExact(paramW, []int64{v, h}, m.W)
	}
	for _, side := range []struct {
		u     onnxUnits
		r     role
		p     map[string][]float64
		width int64
	}{{vu, visibleRole, vp, v}, {hu, hiddenRole, hp, h}} {
		for _, fp := range side.u.params(side.r) {
			if !fp.exp {
				g.init(fp.init, []int64{1, side.width}, side.p[fp.param])
				continue
			}
			g.init(fp.init, []int64{1, side.width}, exp(side.p[fp.param]))
			addExact(side.r.String()+"."+fp.param, []int64{1, side.width}, side.p[fp.param])
		}
	}
	g.inits = append(g.inits, exact...)

	want := make(map[string]bool, len(outputs))
	for _, o := range outputs {
		want[o] = true
	}
	if want[OutputFreeEnergy] {
		e := vu.energy(g, m.Visible)
		gam := hu.logPartition(g, m.Hidden)
		g.op("Sub", OutputFreeEnergy, e, gam)
	}
	if want[OutputHidden] || want[OutputReconstruction] {
		name := OutputHidden
		if !want[OutputHidden] {
			name = "hidden_mean"
		}
		hm := hu.mean(g, m.Hidden, name)
		if want[OutputReconstruction] {
			g.reconstruction(hm)
		}
	}

	elem := opt.DType.elemType()
	vk, hk := m.Visible.Kind(), m.Hidden.Kind()
	graph := &onnxpb.GraphProto{
		Name:        proto.String("rbm_scoring"),
		Node:        g.nodes,
		Initializer: g.inits,
		Input:       []*onnxpb.ValueInfoProto{valueInfo(InputName, elem, v, vu.inputDoc(m.Visible))},
	}
	docs := map[string]string{
		OutputFreeEnergy:     fmt.Sprintf("free energy F(v) = E_v(v) - Gamma_h(W^T v) of %s visible and %s hidden units", vk, hk),
		OutputHidden:         fmt.Sprintf("hidden means E[h|v] of %s units", hk),
		OutputReconstruction: fmt.Sprintf("reconstruction E[v|h] of %s units at h = E[h|v]", vk),
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
		DocString: proto.String(fmt.Sprintf("Restricted Boltzmann machine, %d %s visible × %d %s hidden units.",
			m.Visible.Units(), vk, m.Hidden.Units(), hk)),
		Graph:         graph,
		MetadataProps: props,
	}, nil
}

// paramMap returns a layer's parameters by name.
func paramMap(l layer.Layer) map[string][]float64 {
	ps := make(map[string][]float64)
	for _, p := range l.Params() {
		ps[p.Name] = p.Values
	}
	return ps
}

// machineProps returns the metadata_props of a machine export: those of a
// binary export, with rbm.visible and rbm.hidden the layers' widths (the
// columns of v and of hidden), and the unit types.
func machineProps(m *rbm.Machine, vu, hu onnxUnits, meta *rbm.Meta) ([]*onnxpb.StringStringEntryProto, error) {
	states := 0
	if vu.oneHot() {
		states = m.Visible.States()
	}
	shape := []*onnxpb.StringStringEntryProto{
		kv(MetaVisible, strconv.Itoa(m.Visible.Width())),
		kv(MetaHidden, strconv.Itoa(m.Hidden.Width())),
		kv(MetaVisibleLayer, m.Visible.Kind()),
		kv(MetaHiddenLayer, m.Hidden.Kind()),
		kv(MetaStates, strconv.Itoa(states)),
	}
	if hu.oneHot() {
		shape = append(shape, kv(MetaHiddenStates, strconv.Itoa(m.Hidden.States())))
	}
	return props(meta, shape...)
}

// float64Tensor returns a named initializer holding x in dtype d
// (rounded to float32 for Float32), little-endian in raw_data.
func float64Tensor(name string, d DType, dims []int64, x []float64) *onnxpb.TensorProto {
	var raw []byte
	if d == Float64 {
		raw = make([]byte, 8*len(x))
		for i, f := range x {
			binary.LittleEndian.PutUint64(raw[8*i:], math.Float64bits(f))
		}
	} else {
		raw = make([]byte, 4*len(x))
		for i, f := range x {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(f)))
		}
	}
	return &onnxpb.TensorProto{
		Name:     proto.String(name),
		DataType: proto.Int32(int32(d.elemType())),
		Dims:     dims,
		RawData:  raw,
	}
}
