//go:build unix

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for the rbm binary, for tests
// that need a separate process (signals): with RBM_TEST_MAIN=1 it runs
// main on the lines of RBM_TEST_ARGS.
func TestMain(m *testing.M) {
	if os.Getenv("RBM_TEST_MAIN") == "1" {
		os.Args = append(os.Args[:1], strings.Split(os.Getenv("RBM_TEST_ARGS"), "\n")...)
		main()
		return
	}
	os.Exit(m.Run())
}

// TestSIGTERMSavesTheModel sends SIGTERM to a training process after its
// first epoch: it must stop as on Ctrl-C, saving the last complete update
// marked interrupted, and keep the log of the epochs done.
func TestSIGTERMSavesTheModel(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data.idx")
	writeImages(t, data, 500, 8, 8, 7)
	model, logPath := filepath.Join(dir, "m.rbm"), filepath.Join(dir, "train.log")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RBM_TEST_MAIN=1",
		"RBM_TEST_ARGS="+strings.Join([]string{"train", "-hidden", "32", "--epochs", "100000", "--batch", "10", "--log", logPath, "-o", model, data}, "\n"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "epoch 2/") {
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("still running a minute after SIGTERM:\n%s", strings.Join(lines, "\n"))
	}
	last := lines[len(lines)-1]
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(last, "interrupted") {
		t.Fatalf("exit %d (%v), last line %q; want exit 1 and the interruption reported", code, err, last)
	}
	r := rbmRun(t, "info", "--json", model)
	if r.code != 0 || !strings.Contains(r.stdout, `"interrupted": true`) {
		t.Errorf("saved model: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	if b, err := os.ReadFile(logPath); err != nil || strings.Count(string(b), "\n") < 2 {
		t.Errorf("log after SIGTERM: %q, %v", b, err)
	}
}
