package export

import (
	"github.com/rbmkit/rbm/export/internal/onnxpb"
	"google.golang.org/protobuf/proto"
)

// Names of the graph's input, outputs and parameters.
const (
	InputName = "v"

	OutputFreeEnergy     = "free_energy"
	OutputHidden         = "hidden"
	OutputReconstruction = "reconstruction"

	paramW        = "W"
	paramB        = "b"
	paramC        = "c"
	onesHidden    = "ones_hidden" // [H, 1] column of ones: Σⱼ as a MatMul
	batchDimParam = "N"
)

// AllOutputs lists every output an export can carry, in graph order.
var AllOutputs = []string{OutputFreeEnergy, OutputHidden, OutputReconstruction}

// graphBuilder accumulates the nodes of a scoring graph. Each value is
// named after what it holds so that the file reads like the formulas.
type graphBuilder struct {
	nodes []*onnxpb.NodeProto
}

// op appends a node computing output = opType(inputs...) and returns the
// output's name.
func (g *graphBuilder) op(opType, output string, inputs ...string) string {
	return g.opAttr(opType, output, nil, inputs...)
}

func (g *graphBuilder) opAttr(opType, output string, attrs []*onnxpb.AttributeProto, inputs ...string) string {
	g.nodes = append(g.nodes, &onnxpb.NodeProto{
		Name:      proto.String(output),
		OpType:    proto.String(opType),
		Input:     inputs,
		Output:    []string{output},
		Attribute: attrs,
	})
	return output
}

// transpose2 appends Transpose(x) with perm [1, 0].
func (g *graphBuilder) transpose2(output, x string) string {
	perm := &onnxpb.AttributeProto{
		Name: proto.String("perm"),
		Type: onnxpb.AttributeProto_INTS.Enum(),
		Ints: []int64{1, 0},
	}
	return g.opAttr("Transpose", output, []*onnxpb.AttributeProto{perm}, x)
}

// hiddenInput appends the total input of the hidden units,
// c + vᵀW as [N, H]; it mirrors rbm.(*RBM).HiddenInput.
func (g *graphBuilder) hiddenInput() string {
	vw := g.op("MatMul", "v_W", InputName, paramW)
	return g.op("Add", "hidden_input", vw, paramC)
}

// softplus appends softplus(x) = max(x, 0) + log(1 + e^-|x|)
// = Relu(x) - Log(Sigmoid(|x|)), the same stable split as
// kernel.Softplus: Sigmoid only ever sees |x| ≥ 0, where it lies in
// [½, 1), so no operator can overflow, and each operator has float32 and
// float64 kernels in ONNX Runtime.
func (g *graphBuilder) softplus(output, x string) string {
	abs := g.op("Abs", output+"_abs", x)
	sig := g.op("Sigmoid", output+"_sigmoid_abs", abs)
	logSig := g.op("Log", output+"_log_sigmoid_abs", sig)
	relu := g.op("Relu", output+"_relu", x)
	return g.op("Sub", output, relu, logSig)
}

// freeEnergy appends F(v) = -bᵀv - Σⱼ softplus(act_j) as [N, 1], given the
// hidden input act; it mirrors rbm.FreeEnergyFromInput.
func (g *graphBuilder) freeEnergy(act string) string {
	sp := g.softplus("hidden_softplus", act)
	spSum := g.op("MatMul", "hidden_softplus_sum", sp, onesHidden)
	bT := g.transpose2("b_transposed", paramB)
	vb := g.op("MatMul", "v_b", InputName, bT)
	negF := g.op("Add", "negative_free_energy", vb, spSum)
	return g.op("Neg", OutputFreeEnergy, negF)
}

// hidden appends p(h=1|v) = σ(act) as [N, H]; it mirrors
// rbm.(*RBM).HiddenProbs.
func (g *graphBuilder) hidden(act, output string) string {
	return g.op("Sigmoid", output, act)
}

// reconstruction appends p(v=1|h) = σ(b + hWᵀ) as [N, V] for the hidden
// probabilities h; it mirrors rbm.(*RBM).VisibleProbs.
func (g *graphBuilder) reconstruction(h string) string {
	wT := g.transpose2("W_transposed", paramW)
	hw := g.op("MatMul", "h_W_transposed", h, wT)
	in := g.op("Add", "visible_input", hw, paramB)
	return g.op("Sigmoid", OutputReconstruction, in)
}

// buildNodes returns the nodes computing the requested outputs (a subset of
// AllOutputs, already validated).
func buildNodes(outputs []string) []*onnxpb.NodeProto {
	want := make(map[string]bool, len(outputs))
	for _, o := range outputs {
		want[o] = true
	}
	var g graphBuilder
	act := g.hiddenInput()
	if want[OutputFreeEnergy] {
		g.freeEnergy(act)
	}
	if want[OutputHidden] || want[OutputReconstruction] {
		name := OutputHidden
		if !want[OutputHidden] {
			name = "hidden_probs"
		}
		h := g.hidden(act, name)
		if want[OutputReconstruction] {
			g.reconstruction(h)
		}
	}
	return g.nodes
}
