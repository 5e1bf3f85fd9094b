package export

import "github.com/rbmkit/rbm/rbm/layer"

// spinUnits is the ONNX side of spin units (-1 or +1), which use the
// binary names b and c: E = -bᵀv, Γ = Σ log 2cosh(c + Wᵀv), means
// tanh(c + Wᵀv) and tanh(b + Wh).
type spinUnits struct{}

func init() { registerUnits("spin", spinUnits{}) }

func (spinUnits) refusal(role, []string) string              { return "" }
func (spinUnits) params(role) []fileParam                    { return nil }
func (spinUnits) weightScale(map[string][]float64) []float64 { return nil }
func (spinUnits) oneHot() bool                               { return false }

func (spinUnits) inputDoc(layer.Layer) string {
	return "visible spins (-1 or +1), one row per example"
}

func (spinUnits) field(*machineGraph, layer.Layer) string { return InputName }

func (spinUnits) energy(g *machineGraph, _ layer.Layer) string { return g.negBiasEnergy() }

func (spinUnits) reconstruction(g *machineGraph, _ layer.Layer, hW string) string {
	return g.op("Tanh", OutputReconstruction, g.visibleInput(hW))
}

// logPartition writes log 2cosh(x) = |x| + log(1 + e^-2|x|) =
// |x| - log σ(2|x|), which neither overflows nor loses the small term.
func (spinUnits) logPartition(g *machineGraph, l layer.Layer) string {
	abs := g.op("Abs", "hidden_abs", g.hiddenInput())
	twice := g.op("Add", "hidden_twice_abs", abs, abs)
	logSig := g.op("Log", "hidden_log_sigmoid_twice_abs", g.op("Sigmoid", "hidden_sigmoid_twice_abs", twice))
	l2c := g.op("Sub", "hidden_log_two_cosh", abs, logSig)
	return g.op("MatMul", "hidden_log_partition", l2c, g.column("ones_hidden", l.Width(), 1))
}

func (spinUnits) mean(g *machineGraph, _ layer.Layer, output string) string {
	return g.op("Tanh", output, g.hiddenInput())
}
