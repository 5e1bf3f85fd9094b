package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

// saveRandomMachine writes a version 2 model file of 4 visible and 3
// hidden units of the given types with random parameters.
func saveRandomMachine(t *testing.T, path, vk, hk string, seed uint64) *rbm.Machine {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	mk := func(kind string, n int) layer.Layer {
		l, err := layer.New(kind, n, layer.Settings{States: 3, LearnScale: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range l.Params() {
			for i := range p.Values {
				p.Values[i] = 0.5 * rng.NormFloat64()
			}
		}
		return l
	}
	m := rbm.NewMachine(mk(vk, 4), mk(hk, 3))
	for i := range m.W {
		m.W[i] = 0.3 * rng.NormFloat64()
	}
	if err := rbm.SaveMachine(path, m, &rbm.Meta{Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestExportImportMachine runs rbm export and rbm import on version 2
// model files: export → import gives the machine back bit for bit from a
// float64 export, and export → import → export the same ONNX bytes in
// both dtypes.
func TestExportImportMachine(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		visible, hidden string
		outputs         string
		text            string
	}{
		{"gaussian", "binary", "", "4 gaussian × 3 binary machine"},
		{"potts", "spin", "", "4 potts(3) × 3 spin machine"},
		{"spin", "gaussian", "", "4 spin × 3 gaussian machine"},
		{"binary", "potts", "hidden,free_energy", "4 binary × 3 potts(3) machine"},
		{"relu", "binary", "free_energy,hidden", "4 relu × 3 binary machine"},
	} {
		t.Run(tc.visible+"x"+tc.hidden, func(t *testing.T) {
			model := filepath.Join(dir, tc.visible+tc.hidden+".rbm")
			m := saveRandomMachine(t, model, tc.visible, tc.hidden, 1)
			first, second := filepath.Join(dir, "a.onnx"), filepath.Join(dir, "b.onnx")
			back := filepath.Join(dir, "back.rbm")
			for _, dtype := range []string{"float32", "float64"} {
				exportArgs := func(from, to string) []string {
					args := []string{"export", "--dtype", dtype, from, "-o", to}
					if tc.outputs != "" {
						args = append(args, "--outputs", tc.outputs)
					}
					return args
				}
				args := exportArgs(model, first)
				r := rbmRun(t, args...)
				if r.code != 0 || !strings.Contains(r.stdout, tc.text) {
					t.Fatalf("%v: exit %d, stdout %q, stderr %q; want stdout ∋ %q", args, r.code, r.stdout, r.stderr, tc.text)
				}
				r = rbmRun(t, "import", first, "-o", back)
				if r.code != 0 || !strings.Contains(r.stdout, tc.text) {
					t.Fatalf("import: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
				}
				args = exportArgs(back, second)
				if r := rbmRun(t, args...); r.code != 0 {
					t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
				}
				a, _ := os.ReadFile(first)
				b, _ := os.ReadFile(second)
				if len(a) == 0 || !bytes.Equal(a, b) {
					t.Errorf("%s: export → import → export changed the file (%d → %d bytes)", dtype, len(a), len(b))
				}
				got, meta, err := rbm.LoadMachine(back)
				if err != nil {
					t.Fatal(err)
				}
				if meta.Epochs != 2 || got.Visible.Kind() != tc.visible || got.Hidden.Kind() != tc.hidden {
					t.Fatalf("%s: imported %s×%s, metadata %+v", dtype, got.Visible.Kind(), got.Hidden.Kind(), meta)
				}
				if dtype == "float64" {
					sameBits(t, "W", got.W, m.W)
					for k, p := range m.Visible.Params() {
						sameBits(t, "visible "+p.Name, got.Visible.Params()[k].Values, p.Values)
					}
					for k, p := range m.Hidden.Params() {
						sameBits(t, "hidden "+p.Name, got.Hidden.Params()[k].Values, p.Values)
					}
				}
			}
		})
	}
}

func sameBits(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s[%d] = %v, want %v bit for bit", what, i, got[i], want[i])
		}
	}
}

// TestExportMachineRefusals checks that rbm export names why a machine
// cannot be written, and describes machines in its JSON.
func TestExportMachineRefusals(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.onnx")
	relu := filepath.Join(dir, "relu.rbm")
	saveRandomMachine(t, relu, "binary", "relu", 2)
	if r := rbmRun(t, "export", relu, "-o", out); r.code != 1 || !strings.Contains(r.stderr, "log erfc") {
		t.Errorf("relu hidden: exit %d, stderr %q; want exit 1 naming log erfc", r.code, r.stderr)
	}
	saveRandomMachine(t, relu, "relu", "spin", 2)
	if r := rbmRun(t, "export", relu, "-o", out); r.code != 1 || !strings.Contains(r.stderr, "reconstruction") {
		t.Errorf("relu visible: exit %d, stderr %q; want exit 1 naming the reconstruction", r.code, r.stderr)
	}
	potts := filepath.Join(dir, "potts.rbm")
	saveRandomMachine(t, potts, "potts", "potts", 3)
	r := rbmRun(t, "export", "--json", potts, "-o", out)
	var res onnxFileResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Visible != 12 || res.Hidden != 9 ||
		res.VisibleLayer != "potts" || res.HiddenLayer != "potts" || res.States != 3 || res.HiddenStates != 3 {
		t.Errorf("export --json: %q (%v)", r.stdout, err)
	}
}

// TestScoreONNXReadsDataAsTheMachine checks that rbm score --onnx on a
// machine this toolkit exported reads the data as the machine does (real
// values with the recorded dequantisation or standardisation, ±1 spins,
// one-hot categories), so that it prints the free energies rbm score
// prints. It read them as binary data before, and printed other numbers.
func TestScoreONNXReadsDataAsTheMachine(t *testing.T) {
	dir := t.TempDir()
	images := filepath.Join(dir, "images.idx.gz")
	writeImages(t, images, 40, 3, 4, 7)
	cats := filepath.Join(dir, "cats.idx")
	writeCategoryFile(t, cats, 40, 6, 3, 8)
	for _, c := range []struct {
		name  string
		train []string
		data  string
	}{
		{"dequantized", []string{"--visible", "gaussian", "--dequantize", "--learn-scale"}, images},
		{"standardized", []string{"--visible", "gaussian", "--standardize"}, images},
		{"spin", []string{"--visible", "spin"}, images},
		{"potts", []string{"--visible", "potts"}, cats},
	} {
		model, onnx := filepath.Join(dir, c.name+".rbm"), filepath.Join(dir, c.name+".onnx")
		if r := rbmRun(t, append([]string{"train", "-hidden", "3", "--epochs", "2", "--batch", "10", "--monitor", "0", "-o", model}, append(c.train, c.data)...)...); r.code != 0 {
			t.Fatalf("%s: train: exit %d: %s", c.name, r.code, r.stderr)
		}
		if r := rbmRun(t, "export", model, "--dtype", "float64", "-o", onnx); r.code != 0 {
			t.Fatalf("%s: export: exit %d: %s", c.name, r.code, r.stderr)
		}
		want, got := rbmRun(t, "score", model, c.data), rbmRun(t, "score", "--onnx", onnx, c.data)
		if want.code != 0 || got.code != 0 {
			t.Fatalf("%s: score: exit %d (%s), --onnx: exit %d (%s)", c.name, want.code, want.stderr, got.code, got.stderr)
		}
		w, g := strings.Fields(want.stdout), strings.Fields(got.stdout)
		if len(w) != 40 || len(g) != len(w) {
			t.Fatalf("%s: %d free energies from the model, %d from the ONNX graph", c.name, len(w), len(g))
		}
		for i := range w {
			a, _ := strconv.ParseFloat(w[i], 64)
			b, _ := strconv.ParseFloat(g[i], 64)
			// Both print 10 significant digits of float64 computations.
			if math.Abs(a-b) > 1e-8*math.Max(1, math.Abs(a)) {
				t.Fatalf("%s: row %d: rbm score %v, rbm score --onnx %v", c.name, i, a, b)
			}
		}
	}
}

// TestScoreONNXFollowsBinarization checks that rbm score --onnx on a
// binary RBM this toolkit exported reads grey-level data with the
// binarisation the model was trained with, as rbm score does.
func TestScoreONNXFollowsBinarization(t *testing.T) {
	dir := t.TempDir()
	// Grey levels, on which the binarisations differ.
	images := filepath.Join("..", "..", "testdata", "mnist-test-500-images-idx3-ubyte.gz")
	model, onnx := filepath.Join(dir, "prob.rbm"), filepath.Join(dir, "prob.onnx")
	if r := rbmRun(t, "train", "-hidden", "3", "--epochs", "1", "--limit", "40", "--batch", "10", "--monitor", "0", "--binarize", "prob", "-o", model, images); r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	if r := rbmRun(t, "export", model, "--dtype", "float64", "-o", onnx); r.code != 0 {
		t.Fatalf("export: exit %d: %s", r.code, r.stderr)
	}
	want, got := rbmRun(t, "score", "--limit", "40", model, images), rbmRun(t, "score", "--limit", "40", "--onnx", onnx, images)
	w, g := strings.Fields(want.stdout), strings.Fields(got.stdout)
	if want.code != 0 || got.code != 0 || len(w) != 40 || len(g) != 40 {
		t.Fatalf("score: exit %d, %d rows (%s); --onnx: exit %d, %d rows (%s)", want.code, len(w), want.stderr, got.code, len(g), got.stderr)
	}
	for i := range w {
		a, _ := strconv.ParseFloat(w[i], 64)
		b, _ := strconv.ParseFloat(g[i], 64)
		// The model computes in float32, the float64 graph in float64.
		if math.Abs(a-b) > 1e-5*math.Max(1, math.Abs(a)) {
			t.Fatalf("row %d: rbm score %v, rbm score --onnx %v", i, a, b)
		}
	}
}
