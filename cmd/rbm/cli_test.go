package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEmptyDataIsAnError feeds files with no rows or no columns to the
// commands that read data: each must give one line naming the file.
func TestEmptyDataIsAnError(t *testing.T) {
	f := newFixture(t)
	path := func(name string) string { return filepath.Join(f.dir, name) }
	// 10 rows of 0 values, and 0 images of 4×5.
	os.WriteFile(path("nocols.idx"), []byte("\x00\x00\x08\x02\x00\x00\x00\x0a\x00\x00\x00\x00"), 0o644)
	os.WriteFile(path("norows.idx"), []byte("\x00\x00\x08\x03\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x05"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", path("nocols.idx")}, "nocols.idx: no data"},
		{[]string{"train", path("norows.idx")}, "norows.idx: no data"},
		{[]string{"train", "--val", path("norows.idx"), f.data}, "norows.idx: no rows"},
		{[]string{"denoise", f.model, path("norows.idx"), "-o", path("d.png")}, "norows.idx: no rows"},
		{[]string{"denoise", f.model, path("norows.idx"), "--corrupt", "0.1", "--json"}, "norows.idx: no rows"},
		{[]string{"features", f.model, path("norows.idx"), "-o", path("h.npy")}, "norows.idx: no rows"},
		{[]string{"sample", f.model, "--from", path("norows.idx"), "-o", path("s.png")}, "norows.idx: no rows"},
		{[]string{"score", f.model, path("norows.idx")}, "norows.idx: no rows"},
	} {
		r := rbmRun(t, tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and one line saying %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// TestMemoryLimit checks that sizes that would exhaust memory are refused
// at once, and that --max-memory sets the limit.
func TestMemoryLimit(t *testing.T) {
	f := newFixture(t)
	out := filepath.Join(f.dir, "out.npy")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sample", f.model, "-n", "10000000000", "--steps", "1", "-o", out}, 1, "would need about"},
		{[]string{"train", "--hidden", "100000000", f.data}, 2, "does not fit the model file format"},
		{[]string{"train", "--hidden", "1000000", "--max-memory", "1G", f.data}, 1, "more than --max-memory 1GiB"},
		{[]string{"train", "--hidden", "6", "--max-memory", "10K", f.data}, 1, "more than --max-memory 10KiB"},
		{[]string{"sample", "--ising", "4x4", "--sweeps", "100000000000"}, 1, "recording 4 chains × 100000000000 sweeps would need"},
		{[]string{"logz", "--ising", "4x4", "--method", "ais", "--runs", "100000000000"}, 1, "AIS with 100000000000 runs would need"},
		{[]string{"logz", "--method", "ais", "--runs", "100000000000", f.model}, 1, "AIS with 100000000000 runs would need"},
		{[]string{"eval", "--method", "ais", "--runs", "100000000000", f.model, f.data}, 1, "AIS with 100000000000 runs would need"},
		{[]string{"logz", "--method", "ais", "--runs", "10", "--max-memory", "1K", f.model}, 1, "more than --max-memory 1KiB"},
		// The held-out estimates during training count too: AIS's runs,
		// the tempering's chains of every rung, RAISE's chain per row.
		{[]string{"train", "--hidden", "6", "--val", f.data, "--eval-every", "1", "--eval-runs", "100000000000", f.data}, 1,
			"with held-out estimates of 100000000000 AIS runs (--eval-upper tempering) would need"},
		{[]string{"train", "--visible", "gaussian", "--hidden", "6", "--val", f.data, "--eval-every", "1", "--eval-runs", "100000000000", f.data}, 1,
			"with held-out estimates of 100000000000 AIS runs (--eval-upper tempering) would need"},
		{[]string{"sample", f.model, "--max-memory", "lots", "-o", out}, 2, "want a positive size"},
		{[]string{"sample", f.model, "--max-memory", "-1G", "-o", out}, 2, "want a positive size"},
	} {
		start := time.Now()
		r := rbmRun(t, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line saying %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%v: took %v to refuse", tc.args, d)
		}
	}
	if r := rbmRun(t, "train", "--hidden", "6", "--epochs", "1", "--max-memory", "64MiB", "-o", filepath.Join(f.dir, "ok.rbm"), f.data); r.code != 0 {
		t.Errorf("a small model under --max-memory 64MiB: exit %d: %s", r.code, r.stderr)
	}
}

func TestParseByteSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"1", 1}, {"512", 512}, {"1K", 1 << 10}, {"1k", 1 << 10}, {"1KiB", 1 << 10}, {"1KB", 1 << 10},
		{"1.5M", 1.5 * (1 << 20)}, {"8G", 8 << 30}, {"8gb", 8 << 30}, {"2T", 2 << 40}, {" 3G ", 3 << 30},
	} {
		got, err := parseByteSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseByteSize(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "G", "0", "-1G", "1X", "NaN", "Inf", "1e400", ".1", "1e308T"} {
		if got, err := parseByteSize(bad); err == nil {
			t.Errorf("parseByteSize(%q) = %v, want an error", bad, got)
		}
	}
	for _, tc := range []struct {
		n    float64
		want string
	}{{512, "512B"}, {1 << 10, "1KiB"}, {1.5 * (1 << 30), "1.5GiB"}, {22.4 * (1 << 30), "22.4GiB"}} {
		if got := formatBytes(tc.n); got != tc.want {
			t.Errorf("formatBytes(%v) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if d := defaultMaxMemory(); !(d >= 1<<20) {
		t.Errorf("default --max-memory %v is implausible", d)
	}
}

// TestFlagsCheckedBeforeAnyFileIsRead gives flags no data can make right
// with a data file that does not exist: the flag must be reported, as a
// usage error, not the file.
func TestFlagsCheckedBeforeAnyFileIsRead(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.idx")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--lr", "-1", missing}, "--lr -1"},
		{[]string{"train", "--lr", "NaN", missing}, "--lr NaN"},
		{[]string{"train", "--momentum", "5", missing}, "momentum"},
		{[]string{"train", "--weight-decay", "-1", missing}, "weight decay"},
		{[]string{"train", "--l1", "-1", missing}, "L1 penalty"},
		{[]string{"train", "--l1", "NaN", missing}, "L1 penalty NaN must be a number ≥ 0"},
		{[]string{"train", "--hidden-states", "3", missing}, "--hidden-states applies to categorical hidden units"},
		{[]string{"train", "--visible", "potts", "--learn-scale", missing}, "no scale to learn"},
		{[]string{"train", "--visible", "gaussian", "--binarize", "prob", missing}, "--binarize and --threshold"},
		{[]string{"train", "--visible", "potts", "--alphabet", "ACGT", missing}, "--alphabet applies to aligned sequences"},
		{[]string{"train", "--lr-schedule", "cosine", missing}, "cosine"},
		{[]string{"train", "--workers", "-1", missing}, "--workers"},
		{[]string{"train", "--monitor", "-1", missing}, "--monitor"},
		{[]string{"train", "--limit", "-1", missing}, "--limit"},
		{[]string{"train", "--threshold", "0", missing}, "--threshold"},
		{[]string{"train", "--binarize", "bogus", missing}, "--binarize"},
		{[]string{"features", "--workers", "-2", missing, missing, "-o", "x.npy"}, "--workers"},
		{[]string{"sample", "--workers", "-1", missing, "-o", "x.png"}, "--workers"},
		{[]string{"sample", missing, "-o", "x.bogus"}, "unknown output format"},
		{[]string{"denoise", "--missing", "middle", missing, missing}, "--missing"},
		{[]string{"denoise", "--shape", "banana", missing, missing}, "banana"},
		{[]string{"denoise", missing, missing, "-o", "x.txt"}, "unknown output format"},
		{[]string{"gradcheck", "--workers", "-1", missing, missing}, "--workers"},
		{[]string{"logz", "--runs", "1", missing}, "--runs"},
		{[]string{"logz", "--method", "guess", missing}, "--method"},
		{[]string{"logz", "--schedule", "0.5/10", missing}, "--schedule"},
		{[]string{"eval", "--max-units", "0", missing, missing}, "--max-units"},
		{[]string{"eval", "--workers", "-1", missing, missing}, "--workers"},
		{[]string{"score", "--limit", "-1", missing, missing}, "--limit"},
		{[]string{"classify", "--limit", "-5", "--train-labels", missing, "--test-labels", missing, missing, missing}, "--limit"},
	} {
		r := rbmRun(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "missing.idx") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q and not the file", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// TestOneLetterLongFlags checks that "-k 5" means "--k 5" where k is a long
// flag without a shorthand, as "-hidden 64" means "--hidden 64", while
// real shorthands ("-n", "-o") keep their meaning.
func TestOneLetterLongFlags(t *testing.T) {
	f := newFixture(t)
	model := filepath.Join(f.dir, "k.rbm")
	if r := rbmRun(t, "train", "-hidden", "4", "-k", "3", "-epochs", "1", "-o", model, f.data); r.code != 0 {
		t.Fatalf("train -k 3: exit %d: %s", r.code, r.stderr)
	}
	if r := rbmRun(t, "info", "--json", model); !strings.Contains(r.stdout, `"k": 3`) {
		t.Errorf("train -k 3 did not train with k = 3: %s", r.stdout)
	}
	if r := rbmRun(t, "train", "-hidden", "4", "-k=2", "-epochs", "1", "-o", model, f.data); r.code != 0 {
		t.Errorf("train -k=2: exit %d: %s", r.code, r.stderr)
	}
	if r := rbmRun(t, "gradcheck", "-k", "1,2", "-chains", "2", f.model, f.data); r.code != 0 {
		t.Errorf("gradcheck -k 1,2: exit %d: %s", r.code, r.stderr)
	}
	if r := rbmRun(t, "sample", f.model, "-n", "3", "-steps", "2", "-o", filepath.Join(f.dir, "s.npy")); r.code != 0 {
		t.Errorf("sample -n 3: exit %d: %s", r.code, r.stderr)
	}
}

// TestHelpAndVersion checks where help goes and what it exits with:
// asked for, to stdout with exit 0; forced by a wrong command line, to
// stderr with exit 2.
func TestHelpAndVersion(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		code       int
		stdout     string // wanted in stdout
		stderr     string // wanted in stderr
		emptyOther bool
	}{
		{[]string{"help"}, 0, "Commands:", "", true},
		{[]string{"--help"}, 0, "Commands:", "", true},
		{[]string{"-h"}, 0, "Commands:", "", true},
		{[]string{"help", "train"}, 0, "--lr float", "", true},
		{[]string{"train", "--help"}, 0, "--lr float", "", true},
		{[]string{"train", "-h"}, 0, "Example:", "", true},
		{[]string{"sample", "--ising", "4x4", "--help"}, 0, "--replicas", "", true},
		{[]string{"help", "nosuch"}, 2, "", `unknown command "nosuch"`, true},
		{[]string{"help", "train", "extra"}, 2, "", "one command at a time", true},
		{[]string{}, 2, "", "Commands:", true},
		{[]string{"nosuch"}, 2, "", "unknown command", true},
		{[]string{"--version"}, 0, "rbm 0.1.0 (", "", true},
		{[]string{"version"}, 0, "rbm 0.1.0 (", "", true},
	} {
		r := rbmRun(t, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tc.args, r.code, r.stdout, r.stderr)
		}
		if tc.emptyOther && (tc.stdout != "" && r.stderr != "" || tc.stderr != "" && r.stdout != "") {
			t.Errorf("%v: output on both streams: stdout %q, stderr %q", tc.args, r.stdout, r.stderr)
		}
	}
}

// TestCommandListSummaries checks that the command list shows each
// command's first clause whole: parenthetical asides are left out, not
// cut into, and nothing stops mid-phrase.
func TestCommandListSummaries(t *testing.T) {
	for _, tc := range []struct{ summary, want string }{
		{"Fit a softmax (multinomial logistic-regression) classifier with an L2 penalty. More.", "Fit a softmax classifier with an L2 penalty"},
		{"Write a model as ONNX (input v [N, V]; outputs p(h|v) [N, H]) for ONNX Runtime.", "Write a model as ONNX for ONNX Runtime"},
		{"Write p(h|v), the probabilities, for every row: more.", "Write p(h|v), the probabilities, for every row"},
		{"Draw particles; OUT's extension picks the format.", "Draw particles"},
		{"Version 1.5 files (the old ones).", "Version 1.5 files"},
	} {
		if got := brief(tc.summary); got != tc.want {
			t.Errorf("brief(%q) = %q, want %q", tc.summary, got, tc.want)
		}
	}
	r := rbmRun(t, "help")
	for _, c := range commands {
		b := brief(c.summary)
		if strings.Count(b, "(") != strings.Count(b, ")") || len(strings.Fields(b)) < 4 {
			t.Errorf("%s: summary in the command list %q", c.name, b)
		}
		if !strings.Contains(r.stdout, "  "+c.name) {
			t.Errorf("command list lacks %s", c.name)
		}
	}
}

// TestModelMetadataIsChecked gives commands model files whose metadata
// lies (rewritten with a valid checksum): each must name the file and the
// field, not draw a blank image or blame a flag that was not given.
func TestModelMetadataIsChecked(t *testing.T) {
	f := newFixture(t)
	b, err := os.ReadFile(f.model)
	if err != nil {
		t.Fatal(err)
	}
	metaLen := binary.LittleEndian.Uint32(b[20:])
	meta := string(b[24 : 24+metaLen])
	rewrite := func(name, old, new string) string {
		js := strings.Replace(meta, old, new, 1)
		if js == meta {
			t.Fatalf("metadata %s lacks %s", meta, old)
		}
		out := binary.LittleEndian.AppendUint32(append([]byte(nil), b[:20]...), uint32(len(js)))
		out = append(append(out, js...), b[24+metaLen:len(b)-4]...)
		out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, crc32.MakeTable(crc32.Castagnoli)))
		path := filepath.Join(f.dir, name)
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	negative := rewrite("negative.rbm", `"image_rows":4,"image_cols":5`, `"image_rows":-4,"image_cols":-5`)
	bogus := rewrite("bogus.rbm", `"binarize":"threshold"`, `"binarize":"bogus"`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"filters", negative, "-o", filepath.Join(f.dir, "f.png")}, "negative.rbm: not a valid model file: metadata: image shape -4×-5"},
		{[]string{"info", negative}, "negative.rbm: not a valid model file: metadata: image shape"},
		{[]string{"score", bogus, f.data}, `bogus.rbm: not a valid model file: metadata: binarize "bogus"`},
		{[]string{"features", bogus, f.data, "-o", filepath.Join(f.dir, "h.npy")}, `bogus.rbm: not a valid model file: metadata: binarize "bogus"`},
	} {
		r := rbmRun(t, tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "--binarize") {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 saying %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(f.dir, "f.png")); err == nil {
		t.Error("filters drew a model with a negative image shape")
	}
}

// TestExactLimitNamesTheFlag checks that the refusal of a model too large
// to enumerate names the flag that sets the limit, not a Go field.
func TestExactLimitNamesTheFlag(t *testing.T) {
	f := newFixture(t) // 20×6
	for _, args := range [][]string{
		{"logz", "--method", "exact", "--max-units", "3", f.model},
		{"eval", "--method", "exact", "--max-units", "3", f.model, f.data},
		{"gradcheck", "--max-units", "3", f.model, f.data},
	} {
		r := rbmRun(t, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "the limit is 3") || !strings.Contains(r.stderr, "--max-units") || strings.Contains(r.stderr, "Options.") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// TestInterruptedDenoiseSaysSo cancels denoising as Ctrl-C or SIGTERM
// would: the error says it was interrupted and nothing is written.
func TestInterruptedDenoiseSaysSo(t *testing.T) {
	f := newFixture(t)
	out := filepath.Join(f.dir, "d.png")
	for _, sampler := range []string{"block", "gibbs"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var stdout, stderr bytes.Buffer
		code := run(ctx, &env{stdout: &stdout, stderr: &stderr}, []string{"denoise", "--sampler", sampler, f.model, f.data, "-o", out})
		if code != 1 || stderr.String() != "rbm denoise: interrupted; nothing written\n" {
			t.Errorf("%s: exit %d, stderr %q", sampler, code, stderr.String())
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: an interrupted run wrote %s", sampler, out)
		}
	}
}

// TestInterruptedCommandsSaySo cancels long commands as Ctrl-C or SIGTERM
// would: each reports the interruption, not "context canceled".
func TestInterruptedCommandsSaySo(t *testing.T) {
	f := newFixture(t)
	for _, args := range [][]string{
		{"logz", "--method", "ais", "--runs", "10", f.model},
		{"eval", "--method", "ais", "--runs", "10", f.model, f.data},
		{"sample", "--ising", "8x8"},
		{"logz", "--ising", "8x8", "--method", "ais"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var stdout, stderr bytes.Buffer
		code := run(ctx, &env{stdout: &stdout, stderr: &stderr}, args)
		if code != 1 || stderr.String() != "rbm "+args[0]+": interrupted\n" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}

// FuzzParseByteSize checks that every accepted --max-memory is a positive,
// finite number of bytes whose printed form reads back to within the
// printed precision.
func FuzzParseByteSize(f *testing.F) {
	for _, s := range []string{"1", "512M", "1.5GiB", "8gb", "2T", "0", "-1G", "1e400", "NaN", "K", " 3 G"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := parseByteSize(s)
		if err != nil {
			return
		}
		if !(x > 0) || math.IsInf(x, 0) {
			t.Fatalf("parseByteSize(%q) = %v", s, x)
		}
		back, err := parseByteSize(formatBytes(x))
		if err != nil || math.Abs(back-x) > 0.005*x+0.5 {
			t.Fatalf("parseByteSize(%q) = %v, printed %q, read back as %v (%v)", s, x, formatBytes(x), back, err)
		}
	})
}
