package export

import (
	"fmt"

	"github.com/rbmkit/rbm/rbm/layer"
)

// pottsUnits is the ONNX side of Potts units of q states, one-hot in q
// columns each: E = -bᵀv, Γ = Σ over units of log Σₐ exp(xₐ) at
// x = c + Wᵀv, and means the softmax over each unit's states (see
// unitSoftmax and unitLogSumExp for how they are written).
type pottsUnits struct{}

func init() { registerUnits("potts", pottsUnits{}) }

func (pottsUnits) refusal(role, []string) string              { return "" }
func (pottsUnits) params(role) []fileParam                    { return nil }
func (pottsUnits) weightScale(map[string][]float64) []float64 { return nil }
func (pottsUnits) oneHot() bool                               { return true }

func (pottsUnits) inputDoc(l layer.Layer) string {
	return fmt.Sprintf("visible units one-hot, %d states per unit (unit i state a in column i*%d+a), one row per example", l.States(), l.States())
}

func (pottsUnits) field(*machineGraph, layer.Layer) string { return InputName }

func (pottsUnits) energy(g *machineGraph, _ layer.Layer) string { return g.negBiasEnergy() }

func (pottsUnits) reconstruction(g *machineGraph, l layer.Layer, hW string) string {
	return g.unitSoftmax(OutputReconstruction, g.visibleInput(hW), l.Width(), l.States())
}

func (pottsUnits) logPartition(g *machineGraph, l layer.Layer) string {
	return g.unitLogSumExp("hidden_log_partition", g.hiddenInput(), l.Width(), l.States())
}

func (pottsUnits) mean(g *machineGraph, l layer.Layer, output string) string {
	return g.unitSoftmax(output, g.hiddenInput(), l.Width(), l.States())
}
