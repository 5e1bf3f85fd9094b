package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
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
