package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExport(t *testing.T) {
	f := newFixture(t)
	onnx := filepath.Join(f.dir, "m.onnx")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"default", []string{"export", f.model, "-o", onnx}, 0, "20×6 RBM, float32, outputs free_energy, hidden, reconstruction", ""},
		{"float64 subset", []string{"export", "-dtype", "float64", "--outputs", "hidden,free_energy", f.model, "-o", onnx}, 0, "float64, outputs free_energy, hidden", ""},
		{"json", []string{"export", "--json", f.model, "-o", onnx}, 0, `"outputs":["free_energy","hidden","reconstruction"]`, ""},
		{"no -o", []string{"export", f.model}, 2, "", "-o FILE.onnx is required"},
		{"bad dtype", []string{"export", "--dtype", "int8", f.model, "-o", onnx}, 2, "", `unknown dtype "int8"`},
		{"bad output", []string{"export", "--outputs", "logits", f.model, "-o", onnx}, 2, "", `unknown output "logits"`},
		{"missing model", []string{"export", filepath.Join(f.dir, "none.rbm"), "-o", onnx}, 1, "", "none.rbm"},
		{"not a model", []string{"export", f.data, "-o", onnx}, 1, "", "data.idx.gz: not a valid model file"},
		{"help", []string{"export", "--help"}, 0, "--dtype string", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rbmRun(t, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout ∋ %q, stderr ∋ %q",
					r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

// TestExportImportExport runs the round trip through the commands:
// export → import → export gives the same ONNX bytes, and the imported
// model scores like the original.
func TestExportImportExport(t *testing.T) {
	f := newFixture(t)
	first, second := filepath.Join(f.dir, "a.onnx"), filepath.Join(f.dir, "b.onnx")
	back := filepath.Join(f.dir, "back.rbm")
	for _, dtype := range []string{"float32", "float64"} {
		steps := [][]string{
			{"export", "--dtype", dtype, f.model, "-o", first},
			{"import", first, "-o", back},
			{"export", "--dtype", dtype, back, "-o", second},
		}
		for _, args := range steps {
			if r := rbmRun(t, args...); r.code != 0 {
				t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
			}
		}
		a, _ := os.ReadFile(first)
		b, _ := os.ReadFile(second)
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: export → import → export changed the file (%d → %d bytes)", dtype, len(a), len(b))
		}
		orig := rbmRun(t, "score", f.model, f.data)
		again := rbmRun(t, "score", back, f.data)
		if orig.code != 0 || orig.stdout != again.stdout {
			t.Errorf("%s: imported model scores differently", dtype)
		}
	}
	var res onnxFileResult
	r := rbmRun(t, "import", "--json", first, "-o", back)
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Visible != 20 || res.Hidden != 6 || res.DType != "float64" {
		t.Errorf("import --json: %q (%v)", r.stdout, err)
	}
}
