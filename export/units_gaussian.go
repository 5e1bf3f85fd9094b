package export

import (
	"math"

	"github.com/rbmkit/rbm/rbm/layer"
)

// Names of the initializers of Gaussian units.
const (
	paramSigma       = "sigma"        // σ of Gaussian visible units, [1, V]
	paramSigmaHidden = "sigma_hidden" // σ of Gaussian hidden units, [1, H]

	halfLogTwoPi = "half_log_two_pi" // [1, 1] ½ log 2π
)

// gaussianUnits is the ONNX side of Gaussian units. Visible units use the
// parameterisation of Cho, Raiko & Ilin (2011): the file's W holds
// W' = diag(σ²)W, the hidden input is (v/σ²)ᵀW', E_v = Σᵢ (vᵢ-bᵢ)²/(2σᵢ²)
// and the reconstruction b + W'h. Hidden units have mean c and scale
// sigma_hidden: Γ = Σⱼ cⱼIⱼ + σⱼ²Iⱼ²/2 + log σⱼ + ½ log 2π at I = Wᵀv, and
// E[h|v] = c + σ²I.
type gaussianUnits struct{}

func init() { registerUnits("gaussian", gaussianUnits{}) }

func (gaussianUnits) refusal(role, []string) string { return "" }

func (gaussianUnits) params(r role) []fileParam {
	if r == hiddenRole {
		return []fileParam{{param: "log_sigma", init: paramSigmaHidden, exp: true}}
	}
	return []fileParam{{param: "log_sigma", init: paramSigma, exp: true}}
}

// weightScale returns σᵢ² = exp(2 log σᵢ): the file's W is W' = diag(σ²)W.
func (gaussianUnits) weightScale(p map[string][]float64) []float64 {
	ls := p["log_sigma"]
	s := make([]float64, len(ls))
	for i, x := range ls {
		s[i] = math.Exp(2 * x)
	}
	return s
}

func (gaussianUnits) oneHot() bool { return false }

func (gaussianUnits) inputDoc(layer.Layer) string {
	return "visible gaussian units, one row per example"
}

// field is v/σ², which W' turns into the toolkit's vᵀW.
func (gaussianUnits) field(g *machineGraph, _ layer.Layer) string {
	sq := g.once("sigma_squared", func() { g.op("Mul", "sigma_squared", paramSigma, paramSigma) })
	return g.op("Div", "v_over_sigma_squared", InputName, sq)
}

// energy writes Σᵢ ((vᵢ-bᵢ)/σᵢ)²/2.
func (gaussianUnits) energy(g *machineGraph, l layer.Layer) string {
	d := g.op("Sub", "v_minus_b", InputName, paramB)
	z := g.op("Div", "v_standardized", d, paramSigma)
	z2 := g.op("Mul", "v_standardized_squared", z, z)
	return g.op("MatMul", "visible_energy", z2, g.column("halves_visible", l.Width(), 0.5))
}

// reconstruction is b + σ²(W h) = b + W'h.
func (gaussianUnits) reconstruction(g *machineGraph, _ layer.Layer, hW string) string {
	return g.op("Add", OutputReconstruction, hW, paramB)
}

func (gaussianUnits) logPartition(g *machineGraph, l layer.Layer) string {
	hw := l.Width()
	ones := g.column("ones_hidden", hw, 1)
	in := g.hiddenField()
	lin := g.op("MatMul", "hidden_linear", g.op("Mul", "c_field", in, paramC), ones)
	sq := g.op("Mul", "hidden_field_squared", in, in)
	quad := g.op("MatMul", "hidden_quadratic", g.op("Mul", "hidden_field_squared_variance", sq, hiddenVariance(g)),
		g.column("halves_hidden", hw, 0.5))
	logs := g.op("Add", "hidden_log_normalizer", g.op("Log", "log_sigma_hidden", paramSigmaHidden),
		g.init(halfLogTwoPi, []int64{1, 1}, []float64{0.5 * math.Log(2*math.Pi)}))
	norm := g.op("MatMul", "hidden_log_normalizer_sum", logs, ones)
	return g.op("Add", "hidden_log_partition", g.op("Add", "hidden_linear_quadratic", lin, quad), norm)
}

func (gaussianUnits) mean(g *machineGraph, _ layer.Layer, output string) string {
	return g.op("Add", output, paramC, g.op("Mul", "hidden_field_variance", g.hiddenField(), hiddenVariance(g)))
}

// hiddenVariance appends σ² of Gaussian hidden units, once.
func hiddenVariance(g *machineGraph) string {
	return g.once("sigma_hidden_squared", func() { g.op("Mul", "sigma_hidden_squared", paramSigmaHidden, paramSigmaHidden) })
}
