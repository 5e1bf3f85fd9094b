package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// TestOutputNeverOverwritesAnInput runs every command that writes a file
// with an output that is one of its inputs, under the same name, another
// spelling, a hard link or a symbolic link, and with two outputs in one
// file. Each must be refused as a usage error before any work, and leave
// every file as it was.
func TestOutputNeverOverwritesAnInput(t *testing.T) {
	f := newFixture(t)
	path := func(name string) string { return filepath.Join(f.dir, name) }
	if r := rbmRun(t, "export", f.model, "-o", path("m.onnx")); r.code != 0 {
		t.Fatalf("export: %s", r.stderr)
	}
	if err := os.Link(f.data, path("hard.idx.gz")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(f.model, path("sym.rbm")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := os.Symlink(".", path("here")); err != nil {
		t.Fatal(err)
	}
	dotted := f.dir + "/./" + filepath.Base(f.data)
	before := snapshot(t, f.dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "-o", f.data, f.data}, "is also an input"},
		{[]string{"train", "-o", dotted, f.data}, "is also an input"},
		{[]string{"train", "-o", path("hard.idx.gz"), f.data}, "same file as the input"},
		{[]string{"train", "--log", f.data, "-o", path("new.rbm"), f.data}, "is also an input"},
		{[]string{"train", "--val", f.data, "--log", path("v.log"), "-o", path("here/v.log"), path("hard.idx.gz")}, "are the same file"},
		{[]string{"train", "--log", path("x.rbm"), "-o", path("x.rbm"), f.data}, "are the same file"},
		{[]string{"train", "--val", path("hard.idx.gz"), "-o", path("hard.idx.gz"), f.model}, "is also an input"},
		{[]string{"features", f.model, f.data, "-o", path("here/data.idx.gz")}, "same file as the input"},
		{[]string{"features", path("sym.rbm"), path("hard.idx.gz"), "-o", f.data}, "same file as the input"},
		{[]string{"denoise", f.model, f.data, "-o", path("hard.idx.gz")}, "same file as the input"},
		{[]string{"sample", f.model, "--from", f.data, "-o", path("hard.idx.gz")}, "same file as the input"},
		{[]string{"sample", path("sym.rbm"), "-o", f.model + ".png"}, ""}, // a different file: allowed
		{[]string{"filters", f.model, "-o", f.model}, "is also an input"},
		{[]string{"filters", f.model, "-o", path("sym.rbm")}, "same file as the input"},
		{[]string{"export", f.model, "-o", f.model}, "is also an input"},
		{[]string{"export", path("sym.rbm"), "-o", f.model}, "same file as the input"},
		{[]string{"import", path("m.onnx"), "-o", path("m.onnx")}, "is also an input"},
	} {
		r := rbmRun(t, tc.args...)
		if tc.want == "" {
			if r.code != 0 {
				t.Errorf("%v: exit %d: %s", tc.args, r.code, r.stderr)
			}
			os.Remove(f.model + ".png")
			continue
		}
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line saying %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if changed := changedFiles(before, snapshot(t, f.dir)); len(changed) > 0 {
		t.Errorf("files changed: %v", changed)
	}
}

// snapshot maps each regular file in dir to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, de := range des {
		if de.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join(dir, de.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[de.Name()] = string(b)
		}
	}
	return files
}

// changedFiles lists the files added, removed or changed from a to b.
func changedFiles(a, b map[string]string) []string {
	var changed []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			changed = append(changed, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			changed = append(changed, k)
		}
	}
	return changed
}

// TestUnwritableOutputFailsBeforeWork checks that an output that cannot be
// created stops a command before it trains or reads anything.
func TestUnwritableOutputFailsBeforeWork(t *testing.T) {
	f := newFixture(t)
	notDir := filepath.Join(f.dir, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	blocked := filepath.Join(notDir, "m.rbm")
	cases := [][]string{
		{"train", "--epochs", "1000", "-o", blocked, f.data},
		{"train", "--epochs", "1000", "--log", blocked, "-o", filepath.Join(f.dir, "ok.rbm"), f.data},
		{"train", "--epochs", "1000", "-o", f.dir, f.data},
		{"features", f.model, f.data, "-o", filepath.Join(notDir, "h.npy")},
		{"sample", f.model, "--steps", "200000", "-o", filepath.Join(notDir, "s.png")},
		{"denoise", f.model, f.data, "-o", filepath.Join(notDir, "d.png")},
		{"filters", f.model, "-o", filepath.Join(notDir, "f.png")},
		{"export", f.model, "-o", filepath.Join(notDir, "m.onnx")},
	}
	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		ro := filepath.Join(f.dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, []string{"train", "--epochs", "1000", "-o", filepath.Join(ro, "m.rbm"), f.data},
			[]string{"train", "--epochs", "1000", "--log", filepath.Join(ro, "log"), f.data})
	}
	for _, args := range cases {
		r := rbmRun(t, args...)
		if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || strings.Contains(r.stderr, "epoch") {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and one line, before any training", args, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(f.dir, "ok.rbm")); err == nil {
		t.Errorf("a model was written although its log could not be")
	}
}

// TestTrainLogIsWrittenAsEachEpochEnds reads the --log file while training
// runs: once epoch 2 has been reported, epoch 1's line must be in it.
func TestTrainLogIsWrittenAsEachEpochEnds(t *testing.T) {
	f := newFixture(t)
	logPath := filepath.Join(f.dir, "train.log")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watch := &lineWatcher{match: "epoch 2/", do: func() {
		b, _ := os.ReadFile(logPath)
		if n := strings.Count(string(b), "\n"); n < 1 {
			t.Errorf("after epoch 2 is reported the log holds %d lines: %q", n, b)
		}
		cancel() // and an interrupted run keeps its log too
	}}
	var out bytes.Buffer
	code := run(ctx, &env{stdout: &out, stderr: watch}, []string{"train", "-hidden", "4", "--epochs", "50", "--log", logPath, "-o", filepath.Join(f.dir, "l.rbm"), f.data})
	if code != 1 || !watch.seen {
		t.Fatalf("exit %d, epoch 2 seen %v: %s", code, watch.seen, watch.buf.String())
	}
	b, err := os.ReadFile(logPath)
	if err != nil || !strings.HasPrefix(string(b), `{"epoch":1,`) || strings.Count(string(b), "\n") < 2 {
		t.Errorf("log of the interrupted run: %q, %v", b, err)
	}
}

// lineWatcher is a stderr that calls do once when a line containing match
// is written.
type lineWatcher struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	match string
	do    func()
	seen  bool
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.seen && strings.Contains(w.buf.String(), w.match) {
		w.seen = true
		w.do()
	}
	return len(p), nil
}
