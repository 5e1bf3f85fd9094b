package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
	"google.golang.org/protobuf/proto"
)

// unitTypes lists every registered unit type: first the five the tests
// began with, in their order, and then the others by name. The seeds of
// the random machines follow the order of allPairs, so that a new type
// leaves the machines (and golden exports) of the others as they were.
var unitTypes = func() []string {
	first := []string{"binary", "spin", "potts", "gaussian", "relu"}
	types := slices.Clone(first)
	for _, name := range layer.Names() {
		if !slices.Contains(first, name) {
			types = append(types, name)
		}
	}
	return types
}()

// firstTypes is how many of unitTypes the tests began with.
const firstTypes = 5

// testStates is the number of states of Potts units in these tests.
const testStates = 3

// allPairs returns every pair of unit types: first the pairs of the types
// the tests began with, in their order, then every pair involving a type
// added later.
func allPairs() []machinePair {
	var first, later []machinePair
	for i, v := range unitTypes {
		for j, h := range unitTypes {
			if i < firstTypes && j < firstTypes {
				first = append(first, machinePair{v, h, nil})
			} else {
				later = append(later, machinePair{v, h, nil})
			}
		}
	}
	return append(first, later...)
}

// machinePair is one pair of unit types and the outputs its export holds.
type machinePair struct {
	visible, hidden string
	outputs         []string // nil: all
}

func (p machinePair) String() string { return p.visible + "x" + p.hidden }

// expressiblePairs returns every pair MarshalMachine writes, as the
// types' units say (refusal): with every output, or, for visible units
// whose reconstruction is refused (ReLU, dReLU), without it. Pairs whose
// hidden units are refused (ReLU, dReLU) are left out.
func expressiblePairs() []machinePair {
	all := []string{OutputFreeEnergy, OutputHidden, OutputReconstruction}
	noRecon := []string{OutputFreeEnergy, OutputHidden}
	var ps []machinePair
	for _, p := range allPairs() {
		vu, hu := unitsRegistry[p.visible], unitsRegistry[p.hidden]
		switch {
		case hu.refusal(hiddenRole, all) != "":
		case vu.refusal(visibleRole, all) == "":
			ps = append(ps, p)
		case vu.refusal(visibleRole, noRecon) == "":
			ps = append(ps, machinePair{p.visible, p.hidden, noRecon})
		}
	}
	return ps
}

// reconstructs reports whether exports of visible units of the kind hold
// the reconstruction.
func reconstructs(kind string) bool {
	return unitsRegistry[kind].refusal(visibleRole, []string{OutputReconstruction}) == ""
}

// randomMachine returns a machine of 5 visible and 3 hidden units of the
// given types with random parameters (scales learned for Gaussian and ReLU
// units), seeded.
func randomMachine(t testing.TB, vk, hk string, seed uint64) *rbm.Machine {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	mk := func(kind string, n int) layer.Layer {
		l, err := layer.New(kind, n, layer.Settings{States: testStates, LearnScale: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range l.Params() {
			for i := range p.Values {
				if strings.HasPrefix(p.Name, "log_") { // log σ, log γ
					p.Values[i] = 0.4 * rng.NormFloat64()
				} else {
					p.Values[i] = rng.NormFloat64()
				}
			}
		}
		return l
	}
	m := rbm.NewMachine(mk(vk, 5), mk(hk, 3))
	scale := 0.7
	switch {
	case vk == "gaussian" && hk == "gaussian":
		// Weak enough for a joint density (rbm.Machine.Validate).
		scale = 0.1
	case vk == "gaussian" || hk == "gaussian":
		scale = 0.3
	}
	for i := range m.W {
		m.W[i] = scale * rng.NormFloat64()
	}
	if vk == "binary" && hk == "binary" {
		// Binary machines are stored in float32, as in version 1 model
		// files.
		for _, p := range [][]float64{m.W, m.Visible.Params()[0].Values, m.Hidden.Params()[0].Values} {
			for i, x := range p {
				p[i] = float64(float32(x))
			}
		}
	}
	return m
}

// randomStates returns rows states of the machine's visible layer, each
// value exactly a float32 (Graph.Run takes float32 rows).
func randomStates(m *rbm.Machine, rows int, seed uint64) *rbm.Matrix {
	rng := rand.New(rand.NewPCG(seed, 8))
	l := m.Visible
	x := rbm.NewMatrix(rows, l.Width())
	for r := range rows {
		row := x.Row(r)
		switch l.Kind() {
		case "binary":
			for i := range row {
				row[i] = float32(rng.IntN(2))
			}
		case "spin":
			for i := range row {
				row[i] = float32(2*rng.IntN(2) - 1)
			}
		case "potts":
			q := l.States()
			for u := range l.Units() {
				row[u*q+rng.IntN(q)] = 1
			}
		case "gaussian":
			for i := range row {
				row[i] = float32(1.5 * rng.NormFloat64())
			}
		case "relu":
			for i := range row {
				row[i] = float32(math.Max(0, 2*rng.NormFloat64()))
			}
		default:
			// A type added later: a draw of its own units at zero
			// input, rounded.
			xs := make([]float64, l.Width())
			l.Sample(xs, make([]float64, l.Width()), rng)
			for i, x := range xs {
				row[i] = float32(x)
			}
		}
	}
	return x
}

// machineOutputs returns the library's free energies, hidden means and
// reconstructions of the rows of v, and the scale of each free energy:
// max(|E_v(v)| + |Γ_h(Wᵀv)|, 1), the size of the terms it is the
// difference of.
func machineOutputs(m *rbm.Machine, v *rbm.Matrix) (want map[string][]float64, feScale []float64) {
	data := mat.NewDense(v.Rows, v.Cols, widen(v.Data))
	fe := make([]float64, v.Rows)
	feScale = make([]float64, v.Rows)
	in := make([]float64, m.Hidden.Width())
	for r := range v.Rows {
		row := data.RawRowView(r)
		fe[r] = m.FreeEnergy(row)
		m.HiddenInput(in, row)
		feScale[r] = math.Max(math.Abs(m.Visible.Energy(row))+math.Abs(m.Hidden.LogPartition(in)), 1)
	}
	want = map[string][]float64{
		OutputFreeEnergy: fe,
		OutputHidden:     m.HiddenMeans(data).RawMatrix().Data,
	}
	if reconstructs(m.Visible.Kind()) {
		want[OutputReconstruction] = m.Reconstruct(data).RawMatrix().Data
	}
	return want, feScale
}

// compareMachine returns the largest scaled difference between got and
// the library's outputs, failing t beyond tol. Means are compared relative
// to max(|want|, 1), free energies to their scale.
func compareMachine(t *testing.T, got, want map[string][]float64, feScale []float64, tol float64) float64 {
	t.Helper()
	var worst float64
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Fatalf("no output %s", name)
		}
		if len(g) != len(w) {
			t.Fatalf("%s: %d values, want %d", name, len(g), len(w))
		}
		for i := range w {
			sc := math.Max(math.Abs(w[i]), 1)
			if name == OutputFreeEnergy {
				sc = feScale[i]
			}
			d := math.Abs(g[i]-w[i]) / sc
			if !(d <= tol) {
				t.Fatalf("%s[%d] = %v, library %v (scaled difference %.3g > %g)", name, i, g[i], w[i], d, tol)
			}
			worst = math.Max(worst, d)
		}
	}
	return worst
}

// tolerance is the agreement demanded of a runtime, by dtype.
func tolerance(dt DType) float64 {
	if dt == Float64 {
		return 1e-9
	}
	return 1e-5
}

// TestMachineGraphMatchesLibrary runs the export of every expressible
// pair of unit types with onnx-go, in both dtypes, and compares each
// output with rbm.Machine's FreeEnergy, HiddenMeans and Reconstruct.
func TestMachineGraphMatchesLibrary(t *testing.T) {
	for k, p := range expressiblePairs() {
		for _, dt := range []DType{Float32, Float64} {
			t.Run(fmt.Sprintf("%v/%v", p, dt), func(t *testing.T) {
				m := randomMachine(t, p.visible, p.hidden, uint64(100+k))
				data, err := MarshalMachine(m, nil, Options{DType: dt, Outputs: p.outputs})
				if err != nil {
					t.Fatal(err)
				}
				g, err := LoadGraph(data)
				if err != nil {
					t.Fatal(err)
				}
				v := randomStates(m, 9, uint64(k))
				outs, err := g.Run(context.Background(), v, 4)
				if err != nil {
					t.Fatal(err)
				}
				got := make(map[string][]float64)
				for _, o := range outs {
					got[o.Name] = o.Data
				}
				want, feScale := machineOutputs(m, v)
				worst := compareMachine(t, got, want, feScale, tolerance(dt))
				t.Logf("largest scaled difference from rbm.Machine: %.2g", worst)
			})
		}
	}
}

// TestMachineExtremeInputs checks that the stable forms hold where naive
// ones overflow: hidden inputs in the hundreds (float32 e^x overflows past
// 88) for spin and Potts hidden units, in float32.
func TestMachineExtremeInputs(t *testing.T) {
	for _, hk := range []string{"binary", "spin", "potts"} {
		for _, dt := range []DType{Float32, Float64} {
			t.Run(hk+"/"+dt.String(), func(t *testing.T) {
				m := extremeMachine(t, hk)
				data, err := MarshalMachine(m, nil, Options{DType: dt})
				if err != nil {
					t.Fatal(err)
				}
				g, err := LoadGraph(data)
				if err != nil {
					t.Fatal(err)
				}
				v := randomStates(m, 8, 4)
				outs, err := g.Run(context.Background(), v, 0)
				if err != nil {
					t.Fatal(err)
				}
				got := make(map[string][]float64)
				for _, o := range outs {
					got[o.Name] = o.Data
				}
				want, feScale := machineOutputs(m, v)
				// float32 parameters times 300 are off by 300·2⁻²⁴ in the
				// inputs, which is what the means see.
				tol := tolerance(dt)
				if dt == Float32 {
					tol = 1e-4
				}
				t.Logf("largest scaled difference: %.2g", compareMachine(t, got, want, feScale, tol))
			})
		}
	}
}

// extremeMachine returns a machine of Potts visible units whose weights
// are in the hundreds.
func extremeMachine(t testing.TB, hidden string) *rbm.Machine {
	m := randomMachine(t, "potts", hidden, 3)
	for i := range m.W {
		m.W[i] *= 300
	}
	return m
}

// TestMachineBinaryIsBinaryExport checks that a machine of two binary
// layers is written byte for byte as Marshal writes its RBM.
func TestMachineBinaryIsBinaryExport(t *testing.T) {
	r := randomModel(6, 4, 1, 9)
	meta := &rbm.Meta{Epochs: 3, ImageRows: 2, ImageCols: 3}
	for _, dt := range []DType{Float32, Float64} {
		want, err := Marshal(r, meta, Options{DType: dt})
		if err != nil {
			t.Fatal(err)
		}
		mmeta := *meta
		mmeta.Layers = &rbm.Layers{Visible: rbm.LayerInfo{Type: "binary", Units: 6, Params: []string{"bias"}}}
		got, err := MarshalMachine(rbm.AsMachine(r), &mmeta, Options{DType: dt})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%v: machine export of a binary RBM differs from Marshal's", dt)
		}
		back, _, _, err := UnmarshalMachine(got)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(back.W, rbm.AsMachine(r).W) {
			t.Fatalf("%v: weights differ after import", dt)
		}
	}
}

// TestMachineRoundTrip exports every expressible pair in both dtypes and
// reads it back: float64 exports give the parameters bit for bit, float32
// ones their float32 values; exporting the result again gives the same
// bytes.
func TestMachineRoundTrip(t *testing.T) {
	for k, p := range expressiblePairs() {
		for _, dt := range []DType{Float32, Float64} {
			t.Run(fmt.Sprintf("%v/%v", p, dt), func(t *testing.T) {
				m := randomMachine(t, p.visible, p.hidden, uint64(200+k))
				if gl, ok := m.Visible.(*layer.Gaussian); ok && k%2 == 0 {
					gl.LearnSigma = false // a fixed scale must come back fixed
				}
				meta := &rbm.Meta{Epochs: 7, Rows: 100}
				opt := Options{DType: dt, Outputs: p.outputs}
				data, err := MarshalMachine(m, meta, opt)
				if err != nil {
					t.Fatal(err)
				}
				back, bmeta, bopt, err := UnmarshalMachine(data)
				if err != nil {
					t.Fatal(err)
				}
				if bopt.DType != dt || bmeta.Epochs != 7 || bmeta.Rows != 100 {
					t.Fatalf("options %+v, metadata %+v", bopt, bmeta)
				}
				again, err := MarshalMachine(back, bmeta, bopt)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(again, data) {
					t.Fatal("exporting the imported machine gives different bytes")
				}
				checkSameMachine(t, back, m, dt)
			})
		}
	}
}

// checkSameMachine fails t unless got has want's layers and parameters:
// bit for bit for Float64, as float32 values for Float32.
func checkSameMachine(t *testing.T, got, want *rbm.Machine, dt DType) {
	t.Helper()
	if rbm.DescribeLayer(got.Visible).Type != rbm.DescribeLayer(want.Visible).Type || fmt.Sprint(rbm.DescribeLayer(got.Visible)) != fmt.Sprint(rbm.DescribeLayer(want.Visible)) ||
		fmt.Sprint(rbm.DescribeLayer(got.Hidden)) != fmt.Sprint(rbm.DescribeLayer(want.Hidden)) {
		t.Fatalf("layers %+v × %+v, want %+v × %+v", rbm.DescribeLayer(got.Visible), rbm.DescribeLayer(got.Hidden), rbm.DescribeLayer(want.Visible), rbm.DescribeLayer(want.Hidden))
	}
	same := func(what string, g, w []float64) {
		t.Helper()
		for i := range w {
			if dt == Float64 {
				if math.Float64bits(g[i]) != math.Float64bits(w[i]) {
					t.Fatalf("%s[%d] = %v, want %v bit for bit", what, i, g[i], w[i])
				}
				continue
			}
			// The file holds float32(x), or float32(exp(x)) for a log
			// scale, or float32(σ²w).
			if d := math.Abs(g[i] - w[i]); d > 2e-7*math.Max(math.Abs(w[i]), 1) {
				t.Fatalf("%s[%d] = %v, want %v within float32 rounding", what, i, g[i], w[i])
			}
		}
	}
	same("W", got.W, want.W)
	for _, side := range []struct {
		name string
		g, w layer.Layer
	}{{"visible", got.Visible, want.Visible}, {"hidden", got.Hidden, want.Hidden}} {
		gp, wp := side.g.Params(), side.w.Params()
		for k := range wp {
			same(side.name+" "+wp[k].Name, gp[k].Values, wp[k].Values)
		}
	}
}

// TestMachineRefusals checks the pairs that cannot be written and the
// reasons given.
func TestMachineRefusals(t *testing.T) {
	for _, vk := range unitTypes {
		m := randomMachine(t, vk, "relu", 1)
		_, err := MarshalMachine(m, nil, Options{})
		if !errors.Is(err, ErrNotExpressible) || !strings.Contains(err.Error(), "log erfc") {
			t.Errorf("%s×relu: %v, want a refusal naming log erfc", vk, err)
		}
	}
	m := randomMachine(t, "relu", "binary", 1)
	_, err := MarshalMachine(m, nil, Options{})
	if !errors.Is(err, ErrNotExpressible) || !strings.Contains(err.Error(), "reconstruction") {
		t.Errorf("relu×binary with a reconstruction: %v, want a refusal naming the reconstruction", err)
	}
	if _, err := MarshalMachine(m, nil, Options{Outputs: []string{OutputFreeEnergy}}); err != nil {
		t.Errorf("relu×binary free energy only: %v", err)
	}
}

// TestMachineMetadata checks the metadata_props of a machine export.
func TestMachineMetadata(t *testing.T) {
	m := randomMachine(t, "potts", "potts", 2)
	data, err := MarshalMachine(m, &rbm.Meta{ImageRows: 3, ImageCols: 5}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mp, err := parseModel(data)
	if err != nil {
		t.Fatal(err)
	}
	props := make(map[string]string)
	for _, p := range mp.GetMetadataProps() {
		props[p.GetKey()] = p.GetValue()
	}
	for k, want := range map[string]string{
		MetaVisibleLayer: "potts", MetaHiddenLayer: "potts", MetaStates: "3", MetaHiddenStates: "3",
		MetaVisible: "15", MetaHidden: "9", MetaImageShape: "3x5",
	} {
		if props[k] != want {
			t.Errorf("%s = %q, want %q", k, props[k], want)
		}
	}
	if !IsMachineExport(data) {
		t.Error("IsMachineExport is false for a machine export")
	}
	m = randomMachine(t, "gaussian", "binary", 2)
	data, err = MarshalMachine(m, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mp, _ = parseModel(data)
	for _, p := range mp.GetMetadataProps() {
		if p.GetKey() == MetaStates && p.GetValue() != "0" {
			t.Errorf("%s = %q for Gaussian units, want 0", MetaStates, p.GetValue())
		}
		if p.GetKey() == MetaHiddenStates {
			t.Errorf("%s present for binary hidden units", MetaHiddenStates)
		}
	}
}

// TestMachineGaussianChoEnergy checks the file's parameterisation of
// Gaussian visible units: Cho, Raiko & Ilin's energy
// Σᵢ (vᵢ-bᵢ)²/(2σᵢ²) - Σᵢⱼ (vᵢ/σᵢ²)W'ᵢⱼhⱼ - Σⱼ cⱼhⱼ computed from the
// initializers equals rbm.Machine's energy, constant included, so their
// free energies are equal too.
func TestMachineGaussianChoEnergy(t *testing.T) {
	m := randomMachine(t, "gaussian", "binary", 5)
	data, err := MarshalMachine(m, nil, Options{DType: Float64})
	if err != nil {
		t.Fatal(err)
	}
	mp, err := parseModel(data)
	if err != nil {
		t.Fatal(err)
	}
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	p := make(map[string][]float64)
	for _, ti := range mp.GetGraph().GetInitializer() {
		if x, err := tensorFloat64s(ti, ti.GetDims(), Float64); err == nil {
			p[ti.GetName()] = x
		}
	}
	W, b, c, sigma := p[paramW], p[paramB], p[paramC], p[paramSigma]
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		v, h := make([]float64, vw), make([]float64, hw)
		for i := range v {
			v[i] = 2 * rng.NormFloat64()
		}
		for j := range h {
			h[j] = float64(rng.IntN(2))
		}
		var e float64
		for i := range vw {
			d := v[i] - b[i]
			e += d * d / (2 * sigma[i] * sigma[i])
			for j := range hw {
				e -= v[i] / (sigma[i] * sigma[i]) * W[i*hw+j] * h[j]
			}
		}
		for j := range hw {
			e -= c[j] * h[j]
		}
		want := m.Energy(v, h)
		if d := math.Abs(e - want); d > 1e-12*math.Max(math.Abs(want), 1) {
			t.Fatalf("Cho energy %v, machine energy %v", e, want)
		}
	}
}

// TestMachineImportRefusesEditedGraph checks that a machine export whose
// graph was changed is refused rather than reinterpreted.
func TestMachineImportRefusesEditedGraph(t *testing.T) {
	m := randomMachine(t, "spin", "potts", 4)
	data, err := MarshalMachine(m, nil, Options{DType: Float64})
	if err != nil {
		t.Fatal(err)
	}
	mp, err := parseModel(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range mp.GetGraph().GetNode() {
		if n.GetOpType() == "Tanh" {
			*n.OpType = "Sigmoid"
		}
	}
	edited, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := UnmarshalMachine(edited); !errors.Is(err, ErrNotExport) || !strings.Contains(err.Error(), "graph differs") {
		t.Fatalf("edited graph: %v, want a refusal", err)
	}
}

// TestMachineOutputSubsets exports each output alone, and the
// reconstruction without the hidden means, for every pair with a
// reconstruction, and checks the values and the round trip.
func TestMachineOutputSubsets(t *testing.T) {
	subsets := [][]string{{OutputFreeEnergy}, {OutputHidden}, {OutputReconstruction}, {OutputFreeEnergy, OutputReconstruction}}
	for k, p := range expressiblePairs() {
		if p.outputs != nil {
			continue
		}
		for _, outs := range subsets {
			t.Run(fmt.Sprintf("%v/%v", p, outs), func(t *testing.T) {
				m := randomMachine(t, p.visible, p.hidden, uint64(300+k))
				opt := Options{DType: Float64, Outputs: outs}
				data, err := MarshalMachine(m, nil, opt)
				if err != nil {
					t.Fatal(err)
				}
				g, err := LoadGraph(data)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(g.Outputs(), outs) {
					t.Fatalf("outputs %v, want %v", g.Outputs(), outs)
				}
				v := randomStates(m, 5, uint64(k))
				res, err := g.Run(context.Background(), v, 0)
				if err != nil {
					t.Fatal(err)
				}
				all, feScale := machineOutputs(m, v)
				got, want := map[string][]float64{}, map[string][]float64{}
				for _, o := range res {
					got[o.Name], want[o.Name] = o.Data, all[o.Name]
				}
				compareMachine(t, got, want, feScale, 1e-9)
				back, _, bopt, err := UnmarshalMachine(data)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(bopt.Outputs, outs) {
					t.Fatalf("imported outputs %v, want %v", bopt.Outputs, outs)
				}
				checkSameMachine(t, back, m, Float64)
			})
		}
	}
}

// FuzzUnmarshalMachine feeds arbitrary bytes to UnmarshalMachine: it must
// return an error or a machine, never panic, and a machine it accepts must
// export back to the same bytes.
func FuzzUnmarshalMachine(f *testing.F) {
	for k, p := range expressiblePairs() {
		if k%4 != 0 {
			continue
		}
		for _, dt := range []DType{Float32, Float64} {
			good, err := MarshalMachine(randomMachine(f, p.visible, p.hidden, 1), testMeta(), Options{DType: dt, Outputs: p.outputs})
			if err != nil {
				f.Fatal(err)
			}
			f.Add(good)
			f.Add(good[:len(good)/2])
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, meta, opt, err := UnmarshalMachine(data)
		if err != nil {
			return
		}
		again, err := MarshalMachine(m, meta, opt)
		if err != nil {
			t.Fatalf("accepted machine does not export: %v", err)
		}
		if IsMachineExport(data) && !bytes.Equal(again, data) {
			// Unknown fields or a different field order would be dropped
			// or changed; the graph, which UnmarshalMachine compared, is
			// what must survive.
			if _, _, _, err := UnmarshalMachine(again); err != nil {
				t.Fatalf("re-export does not import back: %v", err)
			}
		}
	})
}
