package export

import "github.com/rbmkit/rbm/rbm/layer"

// binaryUnits is the ONNX side of binary units (0 or 1): E = -bᵀv,
// Γ = Σ softplus(c + Wᵀv), means σ(c + Wᵀv) and σ(b + Wh). (A machine of
// two binary layers is written by Marshal, not with these pieces.)
type binaryUnits struct{}

func init() { registerUnits("binary", binaryUnits{}) }

func (binaryUnits) refusal(role, []string) string              { return "" }
func (binaryUnits) params(role) []fileParam                    { return nil }
func (binaryUnits) weightScale(map[string][]float64) []float64 { return nil }
func (binaryUnits) oneHot() bool                               { return false }

func (binaryUnits) inputDoc(layer.Layer) string {
	return "visible binary units, one row per example"
}

func (binaryUnits) field(*machineGraph, layer.Layer) string { return InputName }

func (binaryUnits) energy(g *machineGraph, _ layer.Layer) string { return g.negBiasEnergy() }

func (binaryUnits) reconstruction(g *machineGraph, _ layer.Layer, hW string) string {
	return g.op("Sigmoid", OutputReconstruction, g.visibleInput(hW))
}

func (binaryUnits) logPartition(g *machineGraph, l layer.Layer) string {
	sp := g.softplus("hidden_softplus", g.hiddenInput())
	return g.op("MatMul", "hidden_log_partition", sp, g.column("ones_hidden", l.Width(), 1))
}

func (binaryUnits) mean(g *machineGraph, _ layer.Layer, output string) string {
	return g.op("Sigmoid", output, g.hiddenInput())
}
