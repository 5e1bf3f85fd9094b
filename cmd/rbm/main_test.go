package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm/idx"
)

// result is what one in-process run of the command produced.
type result struct {
	code           int
	stdout, stderr string
}

func rbmRun(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb}, args)
	return result{code, out.String(), errb.String()}
}

// writeImages writes n random binary-ish h×w ubyte images as IDX.
func writeImages(t *testing.T, path string, n, h, w int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	pix := make([]uint8, n*h*w)
	for i := range pix {
		if rng.IntN(3) == 0 {
			pix[i] = 255
		}
	}
	a, err := idx.New([]int{n, h, w}, pix)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.WriteFile(path, a, strings.HasSuffix(path, ".gz")); err != nil {
		t.Fatal(err)
	}
}

// fixture holds a small data set and a model trained on it.
type fixture struct {
	dir, data, model, labels string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	dir := t.TempDir()
	f := fixture{dir: dir, data: filepath.Join(dir, "data.idx.gz"), model: filepath.Join(dir, "m.rbm"), labels: filepath.Join(dir, "labels.idx")}
	writeImages(t, f.data, 120, 4, 5, 1)
	lab, _ := idx.New([]int{120}, make([]uint8, 120))
	if err := idx.WriteFile(f.labels, lab, false); err != nil {
		t.Fatal(err)
	}
	if r := rbmRun(t, "train", "-hidden", "6", "--epochs", "2", "--batch", "16", "-o", f.model, f.data); r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	return f
}

func TestTrainAcceptsEveryLongFlagSpelling(t *testing.T) {
	f := newFixture(t)
	want, err := os.ReadFile(f.model)
	if err != nil {
		t.Fatal(err)
	}
	for i, spelling := range [][]string{
		{"-hidden", "6", "-epochs=2", "-batch", "16"},
		{"--hidden", "6", "--epochs", "2", "--batch=16"},
		{"--hidden=6", "-epochs", "2", "--batch", "16", "--workers", "3"},
	} {
		out := filepath.Join(f.dir, "spelling.rbm")
		args := append(append([]string{"train"}, spelling...), "-o", out, f.data)
		if r := rbmRun(t, args...); r.code != 0 {
			t.Fatalf("spelling %d %v: exit %d: %s", i, spelling, r.code, r.stderr)
		}
		got, _ := os.ReadFile(out)
		if !bytes.Equal(got, want) {
			t.Errorf("spelling %d %v: model differs from the reference run", i, spelling)
		}
	}
}

func TestTrainDefaultOutputName(t *testing.T) {
	f := newFixture(t)
	wd, _ := os.Getwd()
	t.Chdir(f.dir)
	defer os.Chdir(wd)
	if r := rbmRun(t, "train", "-hidden", "3", "--epochs", "1", f.data); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "data.rbm")); err != nil {
		t.Errorf("default output: %v", err)
	}
}

func TestHelpShowsFlagsDefaultsAndExample(t *testing.T) {
	r := rbmRun(t, "train", "--help")
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	for _, want := range []string{"--hidden int", "(default 64)", "--persistent", "--lr float", "(default 0.1)", "Example:", "--val", "--workers", "--log"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("train --help lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestSubcommandsProduceOutputs(t *testing.T) {
	f := newFixture(t)
	out := func(name string) string { return filepath.Join(f.dir, name) }
	for _, args := range [][]string{
		{"info", f.model},
		{"info", "--json", f.model},
		{"features", f.model, f.data, "-o", out("h.npy")},
		{"features", f.model, f.data, "-o", out("h.csv")},
		{"features", f.model, f.data, "-o", out("h.idx")},
		{"sample", f.model, "-n", "9", "--steps", "5", "-o", out("s.png")},
		{"sample", f.model, "-n", "4", "--steps", "5", "--binary", "-o", out("s.idx.gz")},
		{"sample", f.model, "-n", "4", "--steps", "5", "--from", f.data, "-o", out("s.npy")},
		{"filters", f.model, "-o", out("f.png")},
		{"score", f.model, f.data},
		{"score", "--json", f.model, f.data},
	} {
		if r := rbmRun(t, args...); r.code != 0 {
			t.Errorf("%v: exit %d: %s", args, r.code, r.stderr)
		}
	}
	csv, _ := os.ReadFile(out("h.csv"))
	if lines := strings.Count(string(csv), "\n"); lines != 120 || strings.Count(strings.SplitN(string(csv), "\n", 2)[0], ",") != 5 {
		t.Errorf("features CSV has %d lines, first %q", lines, strings.SplitN(string(csv), "\n", 2)[0])
	}
	a, err := idx.ReadFile(out("h.idx"))
	if err != nil || a.Type != idx.Float32 || len(a.Dims) != 2 || a.Dims[0] != 120 || a.Dims[1] != 6 {
		t.Errorf("features IDX: %v %+v", err, a)
	}
	s, err := idx.ReadFile(out("s.idx.gz"))
	if err != nil || len(s.Dims) != 3 || s.Dims[0] != 4 || s.Dims[1] != 4 || s.Dims[2] != 5 {
		t.Errorf("samples IDX: %v %+v", err, s)
	}
	r := rbmRun(t, "score", f.model, f.data)
	if lines := strings.Count(r.stdout, "\n"); lines != 120 {
		t.Errorf("score printed %d lines for 120 rows", lines)
	}
}

// corruptModel writes a copy of a model file with one weight set to NaN and
// the checksum recomputed, the way a buggy writer would.
func corruptModel(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	metaLen := binary.LittleEndian.Uint32(b[20:])
	binary.LittleEndian.PutUint32(b[24+metaLen:], math.Float32bits(float32(math.NaN())))
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], crc32.MakeTable(crc32.Castagnoli)))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBadInputGivesOneLineErrorAndExitCode(t *testing.T) {
	f := newFixture(t)
	path := func(name string) string { return filepath.Join(f.dir, name) }
	full, _ := os.ReadFile(f.data)
	os.WriteFile(path("truncated.idx.gz"), full[:len(full)/2], 0o644)
	os.WriteFile(path("liar.idx"), []byte{0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3}, 0o644)
	os.WriteFile(path("text.idx"), []byte("hello, world\n"), 0o644)
	model, _ := os.ReadFile(f.model)
	os.WriteFile(path("short.rbm"), model[:len(model)-9], 0o644)
	corruptModel(t, f.model, path("nan.rbm"))
	writeImages(t, path("wide.idx"), 10, 5, 5, 2)

	for _, tc := range []struct {
		args []string
		code int
		want string // in the error line
	}{
		{[]string{"train"}, 2, "expected [flags] DATA"},
		{[]string{"train", "--bogus", f.data}, 2, "unknown flag"},
		{[]string{"train", "-hidden", "0", f.data}, 2, "-hidden 0"},
		{[]string{"train", "-hidden", "x", f.data}, 2, "invalid argument"},
		{[]string{"train", path("missing.idx")}, 1, "missing.idx"},
		{[]string{"train", path("truncated.idx.gz")}, 1, "truncated.idx.gz"},
		{[]string{"train", path("liar.idx")}, 1, "liar.idx"},
		{[]string{"train", path("text.idx")}, 1, "text.idx"},
		{[]string{"train", f.labels}, 1, "labels.idx"},
		{[]string{"train", "--binarize", "fuzzy", f.data}, 2, "fuzzy"},
		{[]string{"train", "--lr", "NaN", "-o", path("nan-lr.rbm"), f.data}, 2, "--lr NaN"},
		{[]string{"train", "--val", path("wide.idx"), f.data}, 1, "wide.idx"},
		{[]string{"train", "-o", path("no/such/dir/m.rbm"), f.data}, 1, "no/such/dir/m.rbm"},
		{[]string{"info", path("short.rbm")}, 1, "short.rbm: not a valid model file: the header describes a 20×6 model"},
		{[]string{"info", path("nan.rbm")}, 1, "nan.rbm"},
		{[]string{"info", f.data}, 1, "bad magic"},
		{[]string{"features", f.model, path("wide.idx"), "-o", path("x.npy")}, 1, "wide.idx: rows have 25 values, the model has 20 visible units"},
		{[]string{"features", f.model, f.data, "-o", path("x.txt")}, 2, "unknown feature format"},
		{[]string{"features", f.model, f.data}, 2, "-o OUT is required"},
		{[]string{"features", f.model, f.data, "-o", path("no/dir/x.npy")}, 1, "no/dir/x.npy"},
		{[]string{"sample", f.model, "-n", "0", "-o", path("s.png")}, 2, "must be positive"},
		{[]string{"sample", f.model, "--shape", "3x3", "-o", path("s.png")}, 2, "does not cover"},
		{[]string{"score", f.model, path("wide.idx")}, 1, "wide.idx"},
		{[]string{"filters", f.model, "--shape", "banana"}, 2, "banana"},
		{[]string{"frobnicate"}, 2, "unknown command"},
	} {
		r := rbmRun(t, tc.args...)
		if r.code != tc.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.args, r.code, tc.code, r.stderr)
			continue
		}
		msg := strings.TrimSpace(r.stderr)
		if i := strings.LastIndex(msg, "\n"); i >= 0 && tc.code == 1 {
			msg = msg[i+1:] // progress lines may precede the error
		}
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%v: error %q does not mention %q", tc.args, msg, tc.want)
		}
	}
	for _, leftover := range []string{"nan-lr.rbm", "x.npy", "s.png"} {
		if _, err := os.Stat(path(leftover)); err == nil {
			t.Errorf("a failed command left %s behind", leftover)
		}
	}
	entries, _ := os.ReadDir(f.dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestInterruptedTrainingSavesConsistentModel(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	model := filepath.Join(f.dir, "interrupted.rbm")
	code := run(ctx, &env{stdout: &out, stderr: &errb}, []string{"train", "-hidden", "4", "-o", model, f.data})
	if code != 1 || !strings.Contains(errb.String(), "interrupted") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	r := rbmRun(t, "info", "--json", model)
	if r.code != 0 || !strings.Contains(r.stdout, `"interrupted": true`) {
		t.Errorf("interrupted model: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
}

func TestDataFollowsTheModelsBinarisation(t *testing.T) {
	f := newFixture(t)
	grey := filepath.Join(f.dir, "grey.idx")
	rng := rand.New(rand.NewPCG(4, 4))
	pix := make([]uint8, 30*4*5)
	for i := range pix {
		pix[i] = uint8(rng.IntN(256))
	}
	a, _ := idx.New([]int{30, 4, 5}, pix)
	if err := idx.WriteFile(grey, a, false); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(f.dir, "prob.rbm")
	if r := rbmRun(t, "train", "-hidden", "4", "--epochs", "1", "--binarize", "prob", "-o", model, grey); r.code != 0 {
		t.Fatal(r.stderr)
	}
	def := rbmRun(t, "score", model, grey)
	prob := rbmRun(t, "score", "--binarize", "prob", model, grey)
	thr := rbmRun(t, "score", "--binarize", "threshold", model, grey)
	if def.stdout != prob.stdout || def.stdout == thr.stdout {
		t.Errorf("score of a model trained on probabilities does not default to --binarize prob")
	}
}
