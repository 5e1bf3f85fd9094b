package export

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/rbmkit/rbm/export/internal/onnxpb"
	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
)

// RecognizeConfig sets how Recognize checks a foreign graph. The zero value
// checks 64 random binary rows and finds the free-energy output itself.
type RecognizeConfig struct {
	// Output names the graph output holding the free energy; empty means
	// every output with one value per row is tried.
	Output string
	// Rows is the number of random binary rows on which the graph and the
	// rebuilt model must agree; 0 means 64.
	Rows int
	// Seed seeds the draw of the rows.
	Seed uint64
}

// Recognized describes the RBM Recognize found in a graph.
type Recognized struct {
	Model *rbm.RBM
	// DType is the element type of the graph's input.
	DType DType
	// Output is the graph output computing the free energy.
	Output string
	// Weights, VisibleBias and HiddenBias name the initializers holding W,
	// b and c; Transposed is true when the weights are stored [H, V].
	Weights, VisibleBias, HiddenBias string
	Transposed                       bool
	// Rows is the number of random binary rows checked and MaxError the
	// largest difference seen between the graph's output and the model's
	// free energy, relative to the size of the terms the free energy sums
	// (see FreeEnergyTolerance).
	Rows     int
	MaxError float64
}

// FreeEnergyTolerance is the agreement Recognize demands between a graph's
// output and the rebuilt model's free energy on each checked row v:
// |F_graph(v) − F(v)| ≤ FreeEnergyTolerance·S(v), where S(v) bounds the
// sizes of the terms whose rounding reaches the free energy,
//
//	S(v) = Σᵢ|bᵢvᵢ| + Σⱼ[softplus(aⱼ) + σ(aⱼ)·(|cⱼ| + Σᵢ|Wᵢⱼvᵢ|)],  aⱼ = cⱼ + Σᵢ vᵢWᵢⱼ,
//
// or 1 when that is smaller: float32 arithmetic rounds each term to a
// relative 2⁻²⁴ ≈ 6·10⁻⁸ of its size, and an error in aⱼ reaches the free
// energy through softplus′(aⱼ) = σ(aⱼ). A correct float32 graph stays well
// inside the tolerance, while a wrong reading of the parameters (W
// transposed, b and c swapped, a sign or a factor) misses it by far.
const FreeEnergyTolerance = 1e-5

// maxCandidates bounds the parameter assignments Recognize checks
// numerically, and maxTried the combinations of initializers it examines
// (a file of thousands of tiny initializers must not take hours).
const (
	maxCandidates = 256
	maxTried      = 1 << 20
)

// Recognize reads a binary RBM out of an ONNX scoring graph that another
// tool wrote, such as torch.onnx.export: a graph with one float input v
// [N, V], a weight initializer of shape [V, H] or [H, V], bias initializers
// of V and H values, and an output of one value per row that computes the
// free energy F(v) = −bᵀv − Σⱼ softplus(cⱼ + (vᵀW)ⱼ), in any spelling.
//
// The structure proposes the candidates: every output of width 1 that
// depends on the input and on a weight and two bias initializers of those
// shapes. The numbers decide: the graph is run (through LoadGraph) on
// random binary rows, and a candidate is accepted only when its model's
// free energy (package rbm's) matches the graph's output on every row
// within FreeEnergyTolerance. Otherwise the error says why.
func Recognize(ctx context.Context, data []byte, cfg RecognizeConfig) (*Recognized, error) {
	mp, err := parseModel(data)
	if err != nil {
		return nil, err
	}
	g := mp.GetGraph()
	if err := checkDataflow(g); err != nil {
		return nil, err
	}
	in, err := findMatrixInput(g)
	if err != nil {
		return nil, err
	}
	vis := in.Cols
	params := floatInitializers(g)
	deps := dependencies(g)

	// The outputs of one value per row that depend on the input.
	var outputs []string
	for _, o := range g.GetOutput() {
		name := o.GetName()
		if cfg.Output != "" && name != cfg.Output {
			continue
		}
		if !deps[name][in.Name] {
			continue
		}
		if w := declaredWidth(o); w != 1 && w != 0 {
			continue
		}
		outputs = append(outputs, name)
	}
	switch {
	case cfg.Output != "" && len(outputs) == 0:
		return nil, fmt.Errorf("no output %q of one value per row that depends on the input %q (outputs: %v)", cfg.Output, in.Name, outputNames(g))
	case len(outputs) == 0:
		return nil, fmt.Errorf("no output of one value per row depends on the input %q (outputs: %v)", in.Name, outputNames(g))
	}

	// Parameter assignments the structure allows.
	var cands []candidate
	var weights, tried int
	for _, w := range params {
		if len(w.dims) != 2 {
			continue
		}
		for _, transposed := range []bool{false, true} {
			rows, cols := int(w.dims[0]), int(w.dims[1])
			if transposed {
				rows, cols = cols, rows
			}
			if rows != vis {
				continue
			}
			hid := cols
			weights++
			for _, b := range params {
				if b.name == w.name || !isVector(b.dims, vis) {
					continue
				}
				for _, c := range params {
					if c.name == w.name || c.name == b.name || !isVector(c.dims, hid) {
						continue
					}
					for _, out := range outputs {
						if tried++; tried > maxTried {
							return nil, fmt.Errorf("more than %d combinations of initializers to try as an RBM", maxTried)
						}
						d := deps[out]
						if d[w.name] && d[b.name] && d[c.name] {
							if len(cands) == maxCandidates {
								return nil, fmt.Errorf("more than %d ways to read the initializers as an RBM; name the free-energy output to narrow them", maxCandidates)
							}
							cands = append(cands, candidate{out, w, b, c, transposed, hid})
						}
					}
				}
			}
		}
	}
	switch {
	case weights == 0:
		return nil, fmt.Errorf("no float initializer of shape [%d, H] or [H, %d] to hold the weights", vis, vis)
	case len(cands) == 0:
		return nil, fmt.Errorf("no output of one value per row (%s) depends on the input, a weight initializer [%d, H] or [H, %d] and bias initializers of %d and H values", strings.Join(outputs, ", "), vis, vis, vis)
	}

	// The graph's own values on random binary rows.
	rows := cfg.Rows
	if rows <= 0 {
		rows = 64
	}
	v := rbm.NewMatrix(rows, vis)
	rng := seeds.Rand(cfg.Seed, seeds.Recognize)
	for i := range v.Data {
		if rng.IntN(2) == 1 {
			v.Data[i] = 1
		}
	}
	graph, err := LoadGraph(data)
	if err != nil {
		return nil, err
	}
	outs, err := graph.Run(ctx, v, 0, outputs...)
	if err != nil {
		return nil, fmt.Errorf("running the graph on %d random binary rows: %w", rows, err)
	}
	values := make(map[string][]float64)
	for _, o := range outs {
		if o.Cols == 1 {
			values[o.Name] = o.Data
		}
	}

	dtype := Float32
	if in.Elem == onnxpb.TensorProto_DOUBLE {
		dtype = Float64
	}
	var closest *mismatch
	for _, c := range cands {
		got := values[c.output]
		if got == nil {
			continue
		}
		m, err := c.model(vis)
		if err != nil {
			return nil, err
		}
		worst, miss := compareFreeEnergy(m, v, got)
		if miss == nil {
			return &Recognized{
				Model: m, DType: dtype, Output: c.output,
				Weights: c.w.name, VisibleBias: c.b.name, HiddenBias: c.c.name, Transposed: c.transposed,
				Rows: rows, MaxError: worst,
			}, nil
		}
		miss.cand = c
		if closest == nil || miss.scaled < closest.scaled {
			closest = miss
		}
	}
	if closest == nil {
		return nil, fmt.Errorf("no output of one value per row among %v", outputs)
	}
	return nil, closest.error()
}

// candidate is one reading of a graph's initializers as an RBM.
type candidate struct {
	output     string
	w, b, c    floatParam
	transposed bool
	hidden     int
}

// model builds the RBM the candidate describes.
func (c candidate) model(vis int) (*rbm.RBM, error) {
	m := rbm.New(vis, c.hidden)
	if c.transposed {
		for j := range c.hidden {
			for i := range vis {
				m.W[i*c.hidden+j] = c.w.values[j*vis+i]
			}
		}
	} else {
		copy(m.W, c.w.values)
	}
	copy(m.B, c.b.values)
	copy(m.C, c.c.values)
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("initializers %q, %q, %q: %w", c.w.name, c.b.name, c.c.name, err)
	}
	return m, nil
}

func (c candidate) String() string {
	shape := fmt.Sprintf("[V, H] = %v", c.w.dims)
	if c.transposed {
		shape = fmt.Sprintf("[H, V] = %v", c.w.dims)
	}
	return fmt.Sprintf("output %q as the free energy of W = %q %s, b = %q, c = %q", c.output, c.w.name, shape, c.b.name, c.c.name)
}

// mismatch is the worst row of a candidate that failed the check.
type mismatch struct {
	cand        candidate
	row         int
	graph, free float64
	scaled      float64
}

func (m *mismatch) error() error {
	return fmt.Errorf("not an RBM free energy: reading %v, random binary row %d gives %.7g in the graph and F = %.7g in the RBM (difference %.3g of the terms' scale, tolerance %g)",
		m.cand, m.row, m.graph, m.free, m.scaled, FreeEnergyTolerance)
}

// compareFreeEnergy compares got, a graph's output on the rows of v, with
// m's free energy, returning the largest scaled difference or the worst
// row when some row misses FreeEnergyTolerance.
func compareFreeEnergy(m *rbm.RBM, v *rbm.Matrix, got []float64) (float64, *mismatch) {
	free := make([]float64, v.Rows)
	m.FreeEnergies(free, v)
	act := make([]float64, m.Hidden)
	var worst float64
	var miss *mismatch
	for r := range v.Rows {
		row := v.Row(r)
		m.HiddenInput(act, row)
		scale := 0.0
		for i, x := range row {
			scale += math.Abs(float64(m.B[i]) * float64(x))
		}
		for j, a := range act {
			terms := math.Abs(float64(m.C[j]))
			for i, x := range row {
				if x != 0 {
					terms += math.Abs(float64(m.W[i*m.Hidden+j]) * float64(x))
				}
			}
			scale += kernel.Softplus(a) + kernel.Sigmoid(a)*terms
		}
		scale = math.Max(scale, 1)
		d := math.Abs(got[r]-free[r]) / scale
		if !(d <= FreeEnergyTolerance) { // NaN and ±Inf miss too
			if math.IsNaN(d) {
				d = math.Inf(1)
			}
			if miss == nil || d > miss.scaled {
				miss = &mismatch{row: r, graph: got[r], free: free[r], scaled: d}
			}
			continue
		}
		worst = math.Max(worst, d)
	}
	return worst, miss
}

// floatParam is a float initializer, its values rounded to float32 (the
// precision of package rbm's models).
type floatParam struct {
	name   string
	dims   []int64
	values []float32
}

// floatInitializers returns the graph's float32 and float64 initializers
// in file order.
func floatInitializers(g *onnxpb.GraphProto) []floatParam {
	var ps []floatParam
	for _, t := range g.GetInitializer() {
		if x, ok := floatValues(t); ok {
			ps = append(ps, floatParam{t.GetName(), t.GetDims(), x})
		}
	}
	return ps
}

// floatValues returns the values of a float32 or float64 initializer as
// float32 (parseModel has checked their number against the dimensions).
func floatValues(t *onnxpb.TensorProto) ([]float32, bool) {
	raw := t.GetRawData()
	switch onnxpb.TensorProto_DataType(t.GetDataType()) {
	case onnxpb.TensorProto_FLOAT:
		if t.RawData == nil {
			return append([]float32(nil), t.GetFloatData()...), true
		}
		x := make([]float32, len(raw)/4)
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return x, true
	case onnxpb.TensorProto_DOUBLE:
		d := t.GetDoubleData()
		if t.RawData != nil {
			d = make([]float64, len(raw)/8)
			for i := range d {
				d[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
			}
		}
		x := make([]float32, len(d))
		for i, f := range d {
			x[i] = float32(f)
		}
		return x, true
	}
	return nil, false
}

// isVector reports whether dims hold n values along at most one axis
// longer than 1: [n], [1, n], [n, 1], ….
func isVector(dims []int64, n int) bool {
	size := int64(1)
	long := 0
	for _, d := range dims {
		size *= d
		if d != 1 {
			long++
		}
	}
	return size == int64(n) && long <= 1
}

// declaredWidth returns the number of values per row an output declares
// (the product of its dimensions after the first), or 0 when its shape
// does not say (absent, or symbolic beyond the batch axis).
func declaredWidth(o *onnxpb.ValueInfoProto) int {
	s := o.GetType().GetTensorType().GetShape()
	if s == nil || len(s.GetDim()) == 0 {
		return 0
	}
	w := 1
	for _, d := range s.GetDim()[1:] {
		if d.GetDimParam() != "" || d.GetValue() == nil {
			return 0
		}
		w *= int(d.GetDimValue())
	}
	return w
}

// dependencies returns, for every value the graph computes, the set of
// graph inputs and initializers it is computed from.
func dependencies(g *onnxpb.GraphProto) map[string]map[string]bool {
	deps := make(map[string]map[string]bool)
	leaf := func(name string) map[string]bool { return map[string]bool{name: true} }
	for _, t := range g.GetInitializer() {
		deps[t.GetName()] = leaf(t.GetName())
	}
	for _, in := range g.GetInput() {
		if deps[in.GetName()] == nil {
			deps[in.GetName()] = leaf(in.GetName())
		}
	}
	// Nodes are in topological order (checkDataflow).
	for _, n := range g.GetNode() {
		set := make(map[string]bool)
		for _, in := range n.GetInput() {
			for k := range deps[in] {
				set[k] = true
			}
		}
		for _, out := range n.GetOutput() {
			deps[out] = set
		}
	}
	return deps
}

// checkDataflow checks that every node reads only graph inputs,
// initializers and outputs of earlier nodes (ONNX requires that order),
// and that every graph output is computed: onnx-go would read a name
// nothing defines as a zero.
func checkDataflow(g *onnxpb.GraphProto) error {
	defined := make(map[string]bool)
	for _, t := range g.GetInitializer() {
		defined[t.GetName()] = true
	}
	for _, in := range g.GetInput() {
		defined[in.GetName()] = true
	}
	for i, n := range g.GetNode() {
		for _, in := range n.GetInput() {
			if in != "" && !defined[in] {
				return fmt.Errorf("ONNX node %d %q (%s) reads %q, which is not a graph input, an initializer or the output of an earlier node", i, n.GetName(), n.GetOpType(), in)
			}
		}
		for _, out := range n.GetOutput() {
			if out == "" {
				continue
			}
			if defined[out] {
				return fmt.Errorf("ONNX node %d %q (%s) writes %q, which is already defined", i, n.GetName(), n.GetOpType(), out)
			}
			defined[out] = true
		}
	}
	for _, o := range g.GetOutput() {
		if !defined[o.GetName()] {
			return fmt.Errorf("ONNX graph output %q is computed by no node", o.GetName())
		}
	}
	return nil
}

// ErrNotRBMGraph is wrapped by every error Import returns for a file it
// cannot read as an RBM.
var ErrNotRBMGraph = errors.New("not an RBM scoring graph")

// Imported is an RBM read by Import.
type Imported struct {
	Model *rbm.RBM
	Meta  *rbm.Meta
	// Options are those of the export, for a file this toolkit wrote, or
	// the graph's element type for any other. Foreign says how any other
	// graph was read; it is nil for the toolkit's own files.
	Options Options
	Foreign *Recognized
}

// Import reads an RBM from an ONNX file: a file this toolkit exported comes
// back bit for bit with its metadata (Unmarshal), any other graph is read
// by Recognize with cfg, taking from the file only an image shape recorded
// as rbm.image_shape metadata.
func Import(ctx context.Context, data []byte, cfg RecognizeConfig) (*Imported, error) {
	m, meta, opt, err := Unmarshal(data)
	if err == nil {
		return &Imported{Model: m, Meta: meta, Options: opt}, nil
	}
	rec, err := Recognize(ctx, data, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotRBMGraph, err)
	}
	meta = new(rbm.Meta)
	if mp, err := parseModel(data); err == nil {
		for _, p := range mp.GetMetadataProps() {
			if p.GetKey() != MetaImageShape {
				continue
			}
			var r, c int
			if _, err := fmt.Sscanf(p.GetValue(), "%dx%d", &r, &c); err == nil && r > 0 && c > 0 && r*c == rec.Model.Visible {
				meta.ImageRows, meta.ImageCols = r, c
			}
		}
	}
	return &Imported{Model: rec.Model, Meta: meta, Options: Options{DType: rec.DType}, Foreign: rec}, nil
}

// ImportFile reads an ONNX file with Import; its errors name the file.
func ImportFile(ctx context.Context, path string, cfg RecognizeConfig) (*Imported, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	im, err := Import(ctx, data, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return im, nil
}
