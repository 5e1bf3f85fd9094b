package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/exact"
)

// TestSpecNamesMachineFile runs rbm logz and rbm sample on JSON specs
// naming version 2 model files: a spin×gaussian and a potts×binary
// machine are read as their visible marginals (log Z exact, equal to the
// machine's own enumeration), and a machine with Gaussian visible units
// is refused in one line naming the spec, the file and the unit type.
func TestSpecNamesMachineFile(t *testing.T) {
	dir := t.TempDir()
	m := saveRandomMachine(t, filepath.Join(dir, "sg.rbm"), "spin", "gaussian", 4)
	pb := saveRandomMachine(t, filepath.Join(dir, "pb.rbm"), "potts", "binary", 5)
	saveRandomMachine(t, filepath.Join(dir, "gb.rbm"), "gaussian", "binary", 5)
	good, potts, bad := filepath.Join(dir, "sg.json"), filepath.Join(dir, "pb.json"), filepath.Join(dir, "gb.json")
	os.WriteFile(good, []byte(`{"rbm": "sg.rbm"}`), 0o644)
	os.WriteFile(potts, []byte(`{"rbm": "pb.rbm"}`), 0o644)
	os.WriteFile(bad, []byte(`{"rbm": "gb.rbm"}`), 0o644)

	want, err := m.LogZ(context.Background(), exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rbmRun(t, "logz", "--spec", good, "--json")
	var got logzDiscreteResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("logz --spec: exit %d, %v: %s", r.code, err, r.stderr)
	}
	if math.Abs(got.LogZ-want) > 1e-9*math.Max(1, math.Abs(want)) || got.Method != "exact" {
		t.Errorf("logz --spec: log Z = %v (%s), the machine's %v", got.LogZ, got.Method, want)
	}
	r = rbmRun(t, "sample", "--spec", good, "--sampler", "gwg", "--sweeps", "200", "--workers", "1", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"energy"`) {
		t.Errorf("sample --spec: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}

	want, err = pb.LogZ(context.Background(), exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r = rbmRun(t, "logz", "--spec", potts, "--json")
	got = logzDiscreteResult{}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("logz --spec, potts: exit %d, %v: %s", r.code, err, r.stderr)
	}
	if math.Abs(got.LogZ-want) > 1e-9*math.Max(1, math.Abs(want)) || got.Method != "exact" || got.Domain != "3-state" {
		t.Errorf("logz --spec, potts: log Z = %v (%s, %s units), the machine's %v", got.LogZ, got.Method, got.Domain, want)
	}
	r = rbmRun(t, "sample", "--spec", potts, "--sampler", "mh", "--sweeps", "200", "--workers", "1", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"energy"`) {
		t.Errorf("sample --spec, potts: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}

	for _, cmd := range []string{"logz", "sample"} {
		r := rbmRun(t, cmd, "--spec", bad)
		msg := strings.TrimSuffix(r.stderr, "\n")
		if r.code != 1 || strings.Contains(msg, "\n") || !strings.Contains(msg, bad+": model spec: "+filepath.Join(dir, "gb.rbm")+": ") ||
			!strings.Contains(msg, "gaussian units") {
			t.Errorf("%s --spec with a gaussian-visible machine: exit %d: %q", cmd, r.code, r.stderr)
		}
	}
}
