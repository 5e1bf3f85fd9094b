package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImport(t *testing.T) {
	f := newFixture(t)
	onnx := filepath.Join(f.dir, "m.onnx")
	if r := rbmRun(t, "export", f.model, "-o", onnx); r.code != 0 {
		t.Fatal(r.stderr)
	}
	good, err := os.ReadFile(onnx)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(f.dir, "truncated.onnx")
	if err := os.WriteFile(truncated, good[:len(good)-10], 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(f.dir, "back.rbm")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"ok", []string{"import", onnx, "-o", out}, 0, "20×6 RBM from a float32 export", ""},
		{"no -o", []string{"import", onnx}, 2, "", "-o MODEL is required"},
		{"two files", []string{"import", onnx, onnx, "-o", out}, 2, "", "expected"},
		{"truncated", []string{"import", truncated, "-o", out}, 1, "", "truncated.onnx: not an RBM scoring graph"},
		{"not onnx", []string{"import", f.model, "-o", out}, 1, "", "m.rbm: not an RBM scoring graph"},
		{"missing", []string{"import", filepath.Join(f.dir, "none.onnx"), "-o", out}, 1, "", "none.onnx"},
		{"shape", []string{"import", "--shape", "5x4", "--binarize", "prob", onnx, "-o", out}, 0, "20×6 RBM from a float32 export", ""},
		{"wrong shape", []string{"import", "--shape", "3x3", onnx, "-o", out}, 2, "", "--shape 3x3 has 9 pixels, the model 20 visible units"},
		{"bad shape", []string{"import", "--shape", "3by3", onnx, "-o", out}, 2, "", "--shape"},
		{"bad binarize", []string{"import", "--binarize", "maybe", onnx, "-o", out}, 2, "", "--binarize"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rbmRun(t, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout ∋ %q, stderr ∋ %q",
					r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
			}
			if strings.Count(r.stderr, "\n") > 1 {
				t.Errorf("error spans several lines: %q", r.stderr)
			}
		})
	}
	// --shape and --binarize are recorded in the model.
	if r := rbmRun(t, "import", "--shape", "5x4", "--binarize", "prob", onnx, "-o", out); r.code != 0 {
		t.Fatal(r.stderr)
	}
	_, meta, err := loadModel(out)
	if err != nil {
		t.Fatal(err)
	}
	if meta.ImageRows != 5 || meta.ImageCols != 4 || meta.Binarize != "prob" {
		t.Errorf("imported with --shape 5x4 --binarize prob: metadata %+v", meta)
	}
}
