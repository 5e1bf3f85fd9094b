package export

import (
	"fmt"

	"github.com/rbmkit/rbm/rbm/layer"
)

// onnxUnits is the ONNX side of one unit type (one rbm/layer kind): the
// pieces of the scoring graph its units contribute as the visible or the
// hidden layer of a machine, the initializers its parameters become, and
// how UnmarshalMachine reads them back. Each type implements it in its own
// file, units_<kind>.go, and registers itself there with registerUnits, so
// that exporting a new layer type touches no other file. The graph around
// the pieces (W, b, c, F = E_v - Γ_h, the outputs and the metadata) is
// MarshalMachine's.
//
// The graph methods append nodes to g and return the name of the node
// holding the result; their node and initializer names are part of the
// file (UnmarshalMachine compares graphs), so two types may share a name
// only for the same value. A method for a role the type refuses (see
// refusal) is never called.
type onnxUnits interface {
	// refusal returns why units of this type cannot be written as the
	// r layer of an export holding outputs (the text after "not
	// expressible in ONNX: "), or "" if they can.
	refusal(r role, outputs []string) string
	// params lists the parameters of the layer in role r, other than its
	// bias (b or c), that the file holds, each as an initializer
	// [1, width] of its own, most of them scales held as their
	// exponential (σ = exp(log σ) of Gaussian units): MarshalMachine
	// writes them, and in a float64 export the exact values of the
	// exponentiated ones, and UnmarshalMachine reads them back.
	params(r role) []fileParam
	// weightScale returns, for a visible layer with parameters p (by
	// name), the factor each row of W is multiplied by in the file
	// (σᵢ² for Gaussian units, whose file holds W' = diag(σ²)W), or nil
	// if the file holds W as it is. UnmarshalMachine divides by it.
	weightScale(p map[string][]float64) []float64
	// oneHot reports units of q states written as q columns each, whose
	// width is units·q and whose q the metadata records (rbm.states,
	// rbm.hidden_states).
	oneHot() bool
	// inputDoc is the doc string of the input v of a visible layer l.
	inputDoc(l layer.Layer) string

	// field returns the node W multiplies to give the hidden units'
	// input, [N, V]: v, or v/σ² where the file holds W' = diag(σ²)W.
	field(g *machineGraph, l layer.Layer) string
	// energy appends the visible layer's energy E_v(v) as [N, 1].
	energy(g *machineGraph, l layer.Layer) string
	// reconstruction appends E[v|h] as the output reconstruction [N, V],
	// given the node hW = h·Wᵀ [N, V] of the file's W.
	reconstruction(g *machineGraph, l layer.Layer, hW string) string

	// logPartition appends the hidden layer's Γ_h(Wᵀv) as [N, 1]
	// (g.hiddenField is Wᵀv, g.hiddenInput c + Wᵀv).
	logPartition(g *machineGraph, l layer.Layer) string
	// mean appends E[h|v] as [N, H] named output.
	mean(g *machineGraph, l layer.Layer, output string) string
}

// role is the layer of a machine units are: visible or hidden.
type role int

const (
	visibleRole role = iota
	hiddenRole
)

// String returns "visible" or "hidden", as error messages and the
// rbm.exact.* initializers name the layers.
func (r role) String() string {
	if r == hiddenRole {
		return "hidden"
	}
	return "visible"
}

// A fileParam is a layer parameter a file holds as initializer init
// [1, width]: the parameter itself, or, with exp set, a positive scale
// held as the exponential of the parameter, exp(param), of which a
// float64 export keeps the exact value as rbm.exact.<role>.<param>.
type fileParam struct {
	param string // the layer's parameter, "log_sigma"
	init  string // the initializer the graph reads, "sigma"
	exp   bool   // init holds exp(param)
}

// unitsRegistry holds the ONNX side of each unit type, by layer kind.
// It is filled by the init functions of the units_*.go files and only
// read afterwards.
var unitsRegistry = map[string]onnxUnits{}

// registerUnits makes kind's units exportable. It panics if kind is
// registered twice.
func registerUnits(kind string, u onnxUnits) {
	if _, dup := unitsRegistry[kind]; dup {
		panic("export: registerUnits called twice for " + kind)
	}
	unitsRegistry[kind] = u
}

// unitsFor returns the ONNX units of kind as the r layer of the machine
// pair names, refusing, with an error wrapping ErrNotExpressible, a kind
// none is registered for.
func unitsFor(kind string, r role, pair string) (onnxUnits, error) {
	u, ok := unitsRegistry[kind]
	if !ok {
		return nil, fmt.Errorf("export: %s: %w: unknown %v unit type %q", pair, ErrNotExpressible, r, kind)
	}
	return u, nil
}
