package export

import (
	"fmt"
	"slices"

	"github.com/rbmkit/rbm/rbm/layer"
)

// paramPrecision names the initializer holding γ = exp(log γ) of ReLU
// visible units, [1, V].
const paramPrecision = "precision"

// reluUnits is the ONNX side of ReLU units, energy γv²/2 - θv (θ in b):
// visible units without a reconstruction only, hidden units not at all
// (see refusal).
type reluUnits struct{}

func init() { registerUnits("relu", reluUnits{}) }

func (reluUnits) refusal(r role, outputs []string) string {
	if r == hiddenRole {
		return "the free energy of relu hidden units needs log erfc, which ONNX has no operator for and which log(Erf) cannot give stably (erfc underflows for large arguments)"
	}
	if slices.Contains(outputs, OutputReconstruction) {
		return fmt.Sprintf("the reconstruction E[v|h] of relu visible units is a truncated normal mean, whose ratio φ(x)/Φ(x) underflows to 0/0 for large negative inputs with the standard operators (ONNX has no erfcx); export without it (outputs %s, %s)",
			OutputFreeEnergy, OutputHidden)
	}
	return ""
}

func (reluUnits) params(r role) []fileParam {
	if r == hiddenRole {
		return nil
	}
	return []fileParam{{param: "log_precision", init: paramPrecision, exp: true}}
}

func (reluUnits) weightScale(map[string][]float64) []float64 { return nil }
func (reluUnits) oneHot() bool                               { return false }

func (reluUnits) inputDoc(layer.Layer) string {
	return "visible relu units, one row per example"
}

func (reluUnits) field(*machineGraph, layer.Layer) string { return InputName }

// energy writes Σᵢ γᵢvᵢ²/2 - bᵀv.
func (reluUnits) energy(g *machineGraph, l layer.Layer) string {
	v2 := g.op("Mul", "v_squared", InputName, InputName)
	q := g.op("Mul", "v_squared_precision", v2, paramPrecision)
	quad := g.op("MatMul", "visible_quadratic", q, g.column("halves_visible", l.Width(), 0.5))
	lin := g.op("MatMul", "v_b", InputName, g.transpose2("b_transposed", paramB))
	return g.op("Sub", "visible_energy", quad, lin)
}

func (reluUnits) reconstruction(*machineGraph, layer.Layer, string) string {
	panic("export: relu visible reconstruction is refused")
}

func (reluUnits) logPartition(*machineGraph, layer.Layer) string {
	panic("export: relu hidden units are refused")
}

func (reluUnits) mean(*machineGraph, layer.Layer, string) string {
	panic("export: relu hidden units are refused")
}
