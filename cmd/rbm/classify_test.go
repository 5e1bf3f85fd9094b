package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/idx"
)

// classifyFixture writes, in dir, a tiny labelled problem both as IDX
// images and as .npy features: 4×4 ubyte images whose class (0, 1 or 2)
// is the quarter of the image that is lit, which a linear classifier
// separates perfectly. It returns the paths by name.
func classifyFixture(t *testing.T, dir string) map[string]string {
	t.Helper()
	paths := map[string]string{}
	write := func(name string, n int) {
		images := make([]uint8, n*16)
		labels := make([]uint8, n)
		features := rbm.NewMatrix(n, 16)
		for i := range n {
			c := i % 3
			labels[i] = uint8(c)
			for p := range 16 {
				lit := (p%4)/2+2*(p/8) == c // quarters 0, 1 and 2 of the image
				v := uint8(30 + (i*7+p*13)%40)
				if lit {
					v = 200 + uint8((i+p)%50)
				}
				images[i*16+p] = v
				features.Data[i*16+p] = float32(v) / 255
			}
		}
		a, err := idx.New([]int{n, 4, 4}, images)
		if err != nil {
			t.Fatal(err)
		}
		l, err := idx.New([]int{n}, labels)
		if err != nil {
			t.Fatal(err)
		}
		for suffix, write := range map[string]func(string) error{
			"-images.idx.gz": func(p string) error { return idx.WriteFile(p, a, true) },
			"-labels.idx":    func(p string) error { return idx.WriteFile(p, l, false) },
			".npy": func(p string) error {
				var buf bytes.Buffer
				if err := dataset.WriteNPY(&buf, features); err != nil {
					return err
				}
				return os.WriteFile(p, buf.Bytes(), 0o644)
			},
			".csv": func(p string) error {
				var buf bytes.Buffer
				if err := writeCSV(&buf, features); err != nil {
					return err
				}
				return os.WriteFile(p, buf.Bytes(), 0o644)
			},
		} {
			p := filepath.Join(dir, name+suffix)
			if err := write(p); err != nil {
				t.Fatal(err)
			}
			paths[name+suffix] = p
		}
	}
	write("train", 60)
	write("test", 30)
	return paths
}

func TestClassifyCommand(t *testing.T) {
	dir := t.TempDir()
	p := classifyFixture(t, dir)
	badShape := filepath.Join(dir, "wide.npy")
	var buf bytes.Buffer
	dataset.WriteNPY(&buf, rbm.NewMatrix(30, 5))
	os.WriteFile(badShape, buf.Bytes(), 0o644)
	huge := make([]int32, 60)
	huge[7] = 2e9
	if a, err := idx.New([]int{60}, huge); err != nil || idx.WriteFile(filepath.Join(dir, "huge-labels.idx"), a, false) != nil {
		t.Fatal("cannot write huge-labels.idx")
	}
	p["huge-labels.idx"] = filepath.Join(dir, "huge-labels.idx")
	labels := []string{"--train-labels", p["train-labels.idx"], "--test-labels", p["test-labels.idx"]}

	for _, c := range []struct {
		name   string
		args   []string
		code   int
		stdout string // substring of stdout (exit 0) or stderr (otherwise)
	}{
		{"npy features", append(slices.Clone(labels), p["train.npy"], p["test.npy"]), 0, "test accuracy  1.0000  (30/30 correct)"},
		{"CSV features, taken as they are", append(slices.Clone(labels), p["train.csv"], p["test.csv"]), 0, "test accuracy  1.0000  (30/30 correct)"},
		{"IDX pixels", append(slices.Clone(labels), "--binarize", "prob", p["train-images.idx.gz"], p["test-images.idx.gz"]), 0, "test accuracy  1.0000"},
		{"limit", append(slices.Clone(labels), "--limit", "12", p["train.npy"], p["test.npy"]), 0, "(12/12 correct)"},
		{"single-dash flags", []string{"-train-labels", p["train-labels.idx"], "-test-labels", p["test-labels.idx"], p["train.npy"], p["test.npy"]}, 0, "train accuracy 1.0000"},
		{"no labels", []string{p["train.npy"], p["test.npy"]}, 2, "--train-labels and --test-labels are required"},
		{"one file", append(slices.Clone(labels), p["train.npy"]), 2, "expected"},
		{"bad max-iter", append(slices.Clone(labels), "--max-iter", "0", p["train.npy"], p["test.npy"]), 2, "--max-iter 0"},
		{"bad l2", append(slices.Clone(labels), "--l2", "-1", p["train.npy"], p["test.npy"]), 2, "--l2"},
		{"label count", []string{"--train-labels", p["test-labels.idx"], "--test-labels", p["test-labels.idx"], p["train.npy"], p["test.npy"]}, 1,
			"test-labels.idx: 30 labels for the 60 rows of " + p["train.npy"]},
		{"width", append(slices.Clone(labels), p["train.npy"], badShape), 1, "wide.npy: rows have 5 values, those of " + p["train.npy"] + " 16"},
		{"images as labels", []string{"--train-labels", p["train-images.idx.gz"], "--test-labels", p["test-labels.idx"], p["train.npy"], p["test.npy"]}, 1,
			"train-images.idx.gz: dataset: labels must be a 1-D array"},
		{"label too large", []string{"--train-labels", p["huge-labels.idx"], "--test-labels", p["test-labels.idx"], p["train.npy"], p["test.npy"]}, 1,
			"huge-labels.idx: label 2000000000 implies 2000000001 classes, more than the 60 training rows"},
		{"missing file", append(slices.Clone(labels), filepath.Join(dir, "none.npy"), p["test.npy"]), 1, "none.npy"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), &env{stdout: &stdout, stderr: &stderr}, append([]string{"classify"}, c.args...))
			out := stdout.String()
			if code != 0 {
				out = stderr.String()
			}
			if code != c.code || !strings.Contains(out, c.stdout) {
				t.Errorf("exit %d, want %d; output %q, want it to contain %q", code, c.code, out, c.stdout)
			}
		})
	}
}

func TestClassifyJSON(t *testing.T) {
	p := classifyFixture(t, t.TempDir())
	var stdout, stderr bytes.Buffer
	args := []string{"classify", "--json", "--train-labels", p["train-labels.idx"], "--test-labels", p["test-labels.idx"], p["train.npy"], p["test.npy"]}
	if code := run(context.Background(), &env{stdout: &stdout, stderr: &stderr}, args); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "}\n") {
		t.Errorf("output is not one JSON line: %q", out)
	}
	var res classifyResult
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		t.Fatal(err)
	}
	if res.TrainRows != 60 || res.TestRows != 30 || res.Features != 16 || res.Classes != 3 ||
		res.TestAccuracy != 1 || res.TrainAccuracy != 1 || res.TestCorrect != 30 || res.L2 != 1e-4 || res.Iterations == 0 {
		t.Errorf("result %+v", res)
	}

	// The same features as CSV fit the same classifier: their values are
	// taken as they are, as .npy ones are, not binarized.
	stdout.Reset()
	args[len(args)-2], args[len(args)-1] = p["train.csv"], p["test.csv"]
	if code := run(context.Background(), &env{stdout: &stdout, stderr: &stderr}, args); code != 0 {
		t.Fatalf("CSV: exit %d: %s", code, stderr.String())
	}
	var csvRes classifyResult
	if err := json.Unmarshal(stdout.Bytes(), &csvRes); err != nil {
		t.Fatal(err)
	}
	if csvRes.Loss != res.Loss || csvRes.Iterations != res.Iterations {
		t.Errorf("CSV features: loss %v after %d iterations, .npy ones %v after %d", csvRes.Loss, csvRes.Iterations, res.Loss, res.Iterations)
	}
}

// npyFile builds a .npy file (version 1.0) with the given header
// dictionary and data bytes, padding the header as the format requires.

// TestClassifyRealIDX: features stored as float32 IDX (as rbm features
// writes them) are classified as the real values they are, the same as
// from .npy, and not binarised as grey levels would be: here every value
// lies below one half, so binarised they would all be 0.
func TestClassifyRealIDX(t *testing.T) {
	dir := t.TempDir()
	n := 30
	x := rbm.NewMatrix(n, 3)
	labels := make([]uint8, n)
	for i := range n {
		labels[i] = uint8(i % 3)
		for c := range 3 {
			x.Data[i*3+c] = 0.1
		}
		x.Data[i*3+i%3] = 0.3
	}
	l, _ := idx.New([]int{n}, labels)
	a := dataset.ToIDX(x, dataset.Shape{})
	var buf bytes.Buffer
	if err := dataset.WriteNPY(&buf, x); err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{"labels": filepath.Join(dir, "l.idx"), "idx": filepath.Join(dir, "f.idx"), "npy": filepath.Join(dir, "f.npy")}
	if idx.WriteFile(paths["labels"], l, false) != nil || idx.WriteFile(paths["idx"], a, false) != nil || os.WriteFile(paths["npy"], buf.Bytes(), 0o644) != nil {
		t.Fatal("cannot write the fixture")
	}
	for _, f := range []string{"idx", "npy"} {
		r := rbmRun(t, "classify", "--train-labels", paths["labels"], "--test-labels", paths["labels"], paths[f], paths[f])
		if r.code != 0 || !strings.Contains(r.stdout, "test accuracy  1.0000") {
			t.Errorf("%s features: exit %d, %s%s", f, r.code, r.stdout, r.stderr)
		}
	}
}
