package export

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/export/internal/onnxpb"
	"github.com/rbmkit/rbm/rbm"
	"google.golang.org/protobuf/proto"
)

// The graphs below are spelled the way torch.onnx.export writes an RBM's
// free energy (interop/torch_rbm.py exports the same modules from PyTorch
// itself, and the interop tests run those files).

// foreignBuilder assembles a foreign scoring graph.
type foreignBuilder struct {
	nodes   []*onnxpb.NodeProto
	inits   []*onnxpb.TensorProto
	outputs []*onnxpb.ValueInfoProto
}

func (b *foreignBuilder) op(op, out string, in ...string) string {
	b.nodes = append(b.nodes, &onnxpb.NodeProto{Name: proto.String("/" + op + "_" + out), OpType: proto.String(op), Input: in, Output: []string{out}})
	return out
}

func (b *foreignBuilder) opAttr(op, out string, attrs []*onnxpb.AttributeProto, in ...string) string {
	b.op(op, out, in...)
	b.nodes[len(b.nodes)-1].Attribute = attrs
	return out
}

func intsAttr(name string, v ...int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: v}
}

func intAttr(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

// constant appends a Constant node holding a tensor.
func (b *foreignBuilder) constant(out string, t *onnxpb.TensorProto) string {
	attr := &onnxpb.AttributeProto{Name: proto.String("value"), Type: onnxpb.AttributeProto_TENSOR.Enum(), T: t}
	return b.opAttr("Constant", out, []*onnxpb.AttributeProto{attr})
}

func int64Const(v ...int64) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)), Dims: []int64{int64(len(v))}, Int64Data: v}
}

func scalarConst(x float32) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), FloatData: []float32{x}}
}

// sum appends ReduceSum over axis 1, with the axes as an attribute (opset
// 11) or a Constant input (opset 13).
func (b *foreignBuilder) sum(out, x string, keep int64, opset int) string {
	if opset < 13 {
		return b.opAttr("ReduceSum", out, []*onnxpb.AttributeProto{intsAttr("axes", 1), intAttr("keepdims", keep)}, x)
	}
	axes := b.constant(out+"_axes", int64Const(1))
	return b.opAttr("ReduceSum", out, []*onnxpb.AttributeProto{intAttr("keepdims", keep)}, x, axes)
}

// unsqueeze1 appends Unsqueeze(x, axes=[1]) in the opset's form.
func (b *foreignBuilder) unsqueeze1(out, x string, opset int) string {
	if opset < 13 {
		return b.opAttr("Unsqueeze", out, []*onnxpb.AttributeProto{intsAttr("axes", 1)}, x)
	}
	return b.op("Unsqueeze", out, x, b.constant(out+"_axes", int64Const(1)))
}

func (b *foreignBuilder) output(name string, cols int64) {
	vi := valueInfo(name, onnxpb.TensorProto_FLOAT, cols, "")
	if cols == 0 { // a free energy of shape [N]
		vi.GetType().GetTensorType().GetShape().Dim = vi.GetType().GetTensorType().GetShape().GetDim()[:1]
	}
	b.outputs = append(b.outputs, vi)
}

func (b *foreignBuilder) model(t testing.TB, visible int, opset int) []byte {
	t.Helper()
	mp := &onnxpb.ModelProto{
		IrVersion:    proto.Int64(8),
		ProducerName: proto.String("pytorch"),
		OpsetImport:  []*onnxpb.OperatorSetIdProto{{Version: proto.Int64(int64(opset))}},
		Graph: &onnxpb.GraphProto{
			Name:        proto.String("torch_jit"),
			Node:        b.nodes,
			Initializer: b.inits,
			Input:       []*onnxpb.ValueInfoProto{valueInfo("input", onnxpb.TensorProto_FLOAT, int64(visible), "")},
			Output:      b.outputs,
		},
	}
	data, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// transposed returns W [V, H] stored as [H, V].
func transposed(m *rbm.RBM) []float32 {
	wt := make([]float32, len(m.W))
	for i := range m.Visible {
		for j := range m.Hidden {
			wt[j*m.Visible+i] = m.W[i*m.Hidden+j]
		}
	}
	return wt
}

// matmulSoftplus spells F = -(v@b)[:,None] - softplus(v@W + c).sum(1, keepdim=True), W [V,H].
func matmulSoftplus(t testing.TB, m *rbm.RBM, opset int) []byte {
	v, h := int64(m.Visible), int64(m.Hidden)
	var b foreignBuilder
	b.inits = []*onnxpb.TensorProto{
		tensorProto("W", Float32, []int64{v, h}, m.W),
		tensorProto("b", Float32, []int64{v}, m.B),
		tensorProto("c", Float32, []int64{h}, m.C),
	}
	vb := b.op("MatMul", "vb", "input", "b")
	neg := b.op("Neg", "neg_vb", b.unsqueeze1("vb_col", vb, opset))
	act := b.op("Add", "act", b.op("MatMul", "vW", "input", "W"), "c")
	sp := b.sum("sp_sum", b.op("Softplus", "sp", act), 1, opset)
	b.op("Sub", "free_energy", neg, sp)
	b.output("free_energy", 1)
	return b.model(t, m.Visible, opset)
}

// linearLog1p spells -v.mv(b)[:,None] - log1p(exp(linear(v, W, c))).sum(1, keepdim=True),
// W [H,V], with PyTorch's default output name.
func linearLog1p(t testing.TB, m *rbm.RBM, opset int) []byte {
	v, h := int64(m.Visible), int64(m.Hidden)
	var b foreignBuilder
	b.inits = []*onnxpb.TensorProto{
		tensorProto("W", Float32, []int64{h, v}, transposed(m)),
		tensorProto("v_bias", Float32, []int64{v}, m.B),
		tensorProto("h_bias", Float32, []int64{h}, m.C),
	}
	lin := b.opAttr("Gemm", "lin", []*onnxpb.AttributeProto{intAttr("transB", 1)}, "input", "W", "h_bias")
	one := b.constant("one", scalarConst(1))
	lp := b.op("Log", "log1p", b.op("Add", "one_plus", one, b.op("Exp", "exp", lin)))
	hs := b.sum("hidden_term", lp, 1, opset)
	vb := b.unsqueeze1("vb_col", b.op("MatMul", "vb", "input", "v_bias"), opset)
	b.op("Sub", "13", b.op("Neg", "neg_vb", vb), hs)
	b.output("13", 1)
	return b.model(t, m.Visible, opset)
}

// stableWithProbs spells nn.Linear, softplus as relu(x) + log1p(exp(-|x|)),
// a free energy of shape [N], and p(h|v) and a reconstruction as further
// outputs, the hidden probabilities feeding the reconstruction.
func stableWithProbs(t testing.TB, m *rbm.RBM, opset int) []byte {
	v, h := int64(m.Visible), int64(m.Hidden)
	var b foreignBuilder
	b.inits = []*onnxpb.TensorProto{
		tensorProto("b", Float32, []int64{v}, m.B),
		tensorProto("linear.weight", Float32, []int64{h, v}, transposed(m)),
		tensorProto("linear.bias", Float32, []int64{h}, m.C),
	}
	pre := b.opAttr("Gemm", "pre", []*onnxpb.AttributeProto{intAttr("transB", 1)}, "input", "linear.weight", "linear.bias")
	tail := b.op("Exp", "exp", b.op("Neg", "neg_abs", b.op("Abs", "abs", pre)))
	lp := b.op("Log", "log1p", b.op("Add", "one_plus", b.constant("one", scalarConst(1)), tail))
	sp := b.op("Add", "softplus", b.op("Relu", "relu", pre), lp)
	vterm := b.op("Neg", "neg_vb", b.sum("vb", b.op("Mul", "v_times_b", "input", "b"), 0, opset))
	b.op("Sub", "free_energy", vterm, b.sum("sp_sum", sp, 0, opset))
	hid := b.op("Sigmoid", "hidden", pre)
	b.op("Sigmoid", "reconstruction", b.op("Add", "recon_in", b.op("MatMul", "hW", hid, "linear.weight"), "b"))
	b.output("free_energy", 0)
	b.output("hidden", h)
	b.output("reconstruction", v)
	return b.model(t, m.Visible, opset)
}

var spellings = map[string]func(testing.TB, *rbm.RBM, int) []byte{
	"matmul_softplus":   matmulSoftplus,
	"linear_log1p":      linearLog1p,
	"stable_with_probs": stableWithProbs,
}

// TestRecognize recognises each spelling at opsets 11 and 13, for a
// square model (V = H, where W's orientation and the biases' roles are
// ambiguous by shape) and others, and checks that the parameters come back
// exactly.
func TestRecognize(t *testing.T) {
	ctx := context.Background()
	for name, spell := range spellings {
		for _, opset := range []int{11, 13} {
			for _, size := range [][2]int{{7, 3}, {5, 5}, {30, 17}} {
				m := randomModel(size[0], size[1], 1, uint64(size[0]*100+size[1]))
				data := spell(t, m, opset)
				rec, err := Recognize(ctx, data, RecognizeConfig{})
				if err != nil {
					t.Fatalf("%s opset %d %v: %v", name, opset, size, err)
				}
				got := rec.Model
				if !slices.Equal(got.W, m.W) || !slices.Equal(got.B, m.B) || !slices.Equal(got.C, m.C) {
					t.Errorf("%s opset %d %v: parameters differ (read %v)", name, opset, size, rec)
				}
				if rec.Rows != 64 || rec.MaxError > FreeEnergyTolerance {
					t.Errorf("%s opset %d %v: %d rows, max error %g", name, opset, size, rec.Rows, rec.MaxError)
				}
			}
		}
	}
}

// TestRecognizeRefuses checks graphs that look like an RBM's free energy
// but compute something else, and graphs without the parameters.
func TestRecognizeRefuses(t *testing.T) {
	ctx := context.Background()
	m := randomModel(9, 4, 1, 3)
	negated := func(scale bool) []byte {
		var b foreignBuilder
		b.inits = []*onnxpb.TensorProto{
			tensorProto("W", Float32, []int64{9, 4}, m.W),
			tensorProto("b", Float32, []int64{9}, m.B),
			tensorProto("c", Float32, []int64{4}, m.C),
		}
		act := b.op("Add", "act", b.op("MatMul", "vW", "input", "W"), "c")
		sp := b.sum("sp_sum", b.op("Softplus", "sp", act), 1, 13)
		vb := b.unsqueeze1("vb_col", b.op("MatMul", "vb", "input", "b"), 13)
		logp := b.op("Add", "log_p", vb, sp) // −F, a log-probability up to log Z
		if scale {
			b.op("Div", "out", b.op("Neg", "f", logp), b.constant("two", scalarConst(2)))
		} else {
			b.op("Identity", "out", logp)
		}
		b.output("out", 1)
		return b.model(t, 9, 13)
	}
	noWeights := func() []byte {
		var b foreignBuilder
		b.inits = []*onnxpb.TensorProto{tensorProto("b", Float32, []int64{9}, m.B)}
		b.op("MatMul", "out", "input", "b")
		b.output("out", 0)
		return b.model(t, 9, 13)
	}
	for _, tc := range []struct {
		name string
		data []byte
		cfg  RecognizeConfig
		want string
	}{
		{"negated", negated(false), RecognizeConfig{}, "not an RBM free energy"},
		{"halved", negated(true), RecognizeConfig{}, "not an RBM free energy"},
		{"no weights", noWeights(), RecognizeConfig{}, "no float initializer of shape [9, H] or [H, 9]"},
		{"wrong output", matmulSoftplus(t, m, 13), RecognizeConfig{Output: "hidden"}, `no output "hidden"`},
		{"truncated", matmulSoftplus(t, m, 13)[:100], RecognizeConfig{}, "not a valid ONNX model"},
	} {
		_, err := Recognize(ctx, tc.data, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestImport checks that Import gives the toolkit's own exports back bit
// for bit with their metadata, as Unmarshal does, and reads a foreign
// graph through Recognize.
func TestImport(t *testing.T) {
	ctx := context.Background()
	m := randomModel(12, 5, 1, 8)
	own, err := Marshal(m, testMeta(), Options{DType: Float64})
	if err != nil {
		t.Fatal(err)
	}
	im, err := Import(ctx, own, RecognizeConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if im.Foreign != nil || im.Options.DType != Float64 || !slices.Equal(im.Model.W, m.W) || im.Meta.Epochs != testMeta().Epochs {
		t.Errorf("own export: %+v", im)
	}
	again, err := Marshal(im.Model, im.Meta, im.Options)
	if err != nil || !slices.Equal(again, own) {
		t.Errorf("own export does not re-export to the same bytes: %v", err)
	}

	im, err = Import(ctx, stableWithProbs(t, m, 13), RecognizeConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if im.Foreign == nil || im.Foreign.Output != OutputFreeEnergy || !im.Foreign.Transposed || !slices.Equal(im.Model.C, m.C) {
		t.Errorf("foreign graph: %+v", im.Foreign)
	}
	if _, err := Import(ctx, own[:50], RecognizeConfig{}); !errors.Is(err, ErrNotRBMGraph) {
		t.Errorf("truncated file: %v", err)
	}
}

// FuzzRecognize feeds mutated foreign graphs to the recogniser: it must
// return an error or a model, never panic, and a model it accepts must
// also match the graph on rows it did not check.
func FuzzRecognize(f *testing.F) {
	m := randomModel(6, 3, 1, 2)
	for _, spell := range spellings {
		for _, opset := range []int{11, 13} {
			f.Add(spell(f, m, opset))
		}
	}
	own, err := Marshal(m, nil, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(own)
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := LoadGraph(data)
		if err != nil {
			return
		}
		if _, cols := g.Input(); cols > 64 {
			return // keep each run small
		}
		ctx := context.Background()
		rec, err := Recognize(ctx, data, RecognizeConfig{})
		if err != nil {
			return
		}
		outs, err := g.Run(ctx, randomBinary(16, rec.Model.Visible, 99), 0, rec.Output)
		if err != nil {
			t.Fatalf("accepted graph fails on other rows: %v", err)
		}
		if _, miss := compareFreeEnergy(rec.Model, randomBinary(16, rec.Model.Visible, 99), outs[0].Data); miss != nil {
			t.Fatalf("accepted graph differs from its model on other rows: %v", miss.error())
		}
	})
}

// TestScoreOutput checks which output a graph is scored by by default.
func TestScoreOutput(t *testing.T) {
	m := randomModel(6, 3, 1, 4)
	hiddenOnly, err := Marshal(m, nil, Options{Outputs: []string{OutputHidden}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		data []byte
		want string
	}{
		{linearLog1p(t, m, 13), "13"},
		{stableWithProbs(t, m, 13), OutputFreeEnergy},
		{hiddenOnly, ""},
	} {
		g, err := LoadGraph(tc.data)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.ScoreOutput(); got != tc.want {
			t.Errorf("ScoreOutput() = %q, want %q (outputs %v)", got, tc.want, g.Outputs())
		}
	}
}

// TestRecognizeBoundsCandidates checks that a graph whose output depends
// on many initializers of the right shapes is refused quickly rather than
// checked reading by reading.
func TestRecognizeBoundsCandidates(t *testing.T) {
	var b foreignBuilder
	acc := b.op("MatMul", "acc0", "input", "m0")
	for i := range 10 {
		m := fmt.Sprintf("m%d", i)
		vec := fmt.Sprintf("v%d", i)
		b.inits = append(b.inits,
			tensorProto(m, Float32, []int64{2, 2}, []float32{1, 2, 3, 4}),
			tensorProto(vec, Float32, []int64{2}, []float32{1, 2}))
		if i > 0 {
			acc = b.op("Add", fmt.Sprintf("acc%d_m", i), acc, b.op("MatMul", fmt.Sprintf("x%d", i), "input", m))
		}
		acc = b.op("Add", fmt.Sprintf("acc%d_v", i), acc, vec)
	}
	b.opAttr("ReduceSum", "out", []*onnxpb.AttributeProto{intsAttr("axes", 1), intAttr("keepdims", 1)}, acc)
	b.output("out", 1)
	_, err := Recognize(context.Background(), b.model(t, 2, 11), RecognizeConfig{})
	if err == nil || !strings.Contains(err.Error(), "ways to read the initializers") {
		t.Errorf("error %v, want a refusal of too many readings", err)
	}
}
