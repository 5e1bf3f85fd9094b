package export

import (
	"fmt"
	"slices"

	"github.com/rbmkit/rbm/rbm/layer"
)

// The initializers of dReLU visible units beside b (θ), each [1, V]: Δ,
// the coefficient of |v|, and the precisions γ⁺ = exp(log γ⁺) and
// γ⁻ = exp(log γ⁻) of the two halves.
const (
	paramKink         = "kink"
	paramPrecisionPos = "precision_pos"
	paramPrecisionNeg = "precision_neg"
)

// dreluUnits is the ONNX side of dReLU units, energy
// γ⁺(v⁺)²/2 + γ⁻(v⁻)²/2 - θv + Δ|v| (θ in b): visible units without a
// reconstruction only, hidden units not at all, for the reasons ReLU
// units have (see refusal).
type dreluUnits struct{}

func init() { registerUnits("drelu", dreluUnits{}) }

func (dreluUnits) refusal(r role, outputs []string) string {
	if r == hiddenRole {
		return "the free energy of drelu hidden units needs log erfc, which ONNX has no operator for and which log(Erf) cannot give stably (erfc underflows for large arguments)"
	}
	if slices.Contains(outputs, OutputReconstruction) {
		return fmt.Sprintf("the reconstruction E[v|h] of drelu visible units is a mixture of truncated normal means, whose ratios φ(x)/Φ(x) underflow to 0/0 for large inputs with the standard operators (ONNX has no erfcx); export without it (outputs %s, %s)",
			OutputFreeEnergy, OutputHidden)
	}
	return ""
}

func (dreluUnits) params(r role) []fileParam {
	if r == hiddenRole {
		return nil
	}
	return []fileParam{
		{param: "kink", init: paramKink},
		{param: "log_precision_pos", init: paramPrecisionPos, exp: true},
		{param: "log_precision_neg", init: paramPrecisionNeg, exp: true},
	}
}

func (dreluUnits) weightScale(map[string][]float64) []float64 { return nil }
func (dreluUnits) oneHot() bool                               { return false }

func (dreluUnits) inputDoc(layer.Layer) string {
	return "visible drelu units, one row per example"
}

func (dreluUnits) field(*machineGraph, layer.Layer) string { return InputName }

// energy writes Σᵢ (γᵢ⁺(vᵢ⁺)² + γᵢ⁻(vᵢ⁻)²)/2 - bᵀv + Δᵀ|v|, with
// v⁻ = v - max(v, 0), which is exact in floating point.
func (dreluUnits) energy(g *machineGraph, l layer.Layer) string {
	pos := g.op("Relu", "v_positive", InputName)
	neg := g.op("Sub", "v_negative", InputName, pos)
	qPos := g.op("Mul", "v_positive_precision", g.op("Mul", "v_positive_squared", pos, pos), paramPrecisionPos)
	qNeg := g.op("Mul", "v_negative_precision", g.op("Mul", "v_negative_squared", neg, neg), paramPrecisionNeg)
	quad := g.op("MatMul", "visible_quadratic", g.op("Add", "v_squared_precision", qPos, qNeg), g.column("halves_visible", l.Width(), 0.5))
	lin := g.op("MatMul", "v_b", InputName, g.transpose2("b_transposed", paramB))
	kink := g.op("MatMul", "abs_v_kink", g.op("Abs", "abs_v", InputName), g.transpose2("kink_transposed", paramKink))
	return g.op("Add", "visible_energy", g.op("Sub", "visible_energy_smooth", quad, lin), kink)
}

func (dreluUnits) reconstruction(*machineGraph, layer.Layer, string) string {
	panic("export: drelu visible reconstruction is refused")
}

func (dreluUnits) logPartition(*machineGraph, layer.Layer) string {
	panic("export: drelu hidden units are refused")
}

func (dreluUnits) mean(*machineGraph, layer.Layer, string) string {
	panic("export: drelu hidden units are refused")
}
