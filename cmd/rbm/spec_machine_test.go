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
// naming version 2 model files: a spin×gaussian machine is read as its
// visible marginal (log Z exact, equal to the machine's own enumeration),
// and a machine with Potts visible units is refused in one line naming the
// spec, the file and the unit type.
func TestSpecNamesMachineFile(t *testing.T) {
	dir := t.TempDir()
	m := saveRandomMachine(t, filepath.Join(dir, "sg.rbm"), "spin", "gaussian", 4)
	saveRandomMachine(t, filepath.Join(dir, "pb.rbm"), "potts", "binary", 5)
	good, bad := filepath.Join(dir, "sg.json"), filepath.Join(dir, "pb.json")
	os.WriteFile(good, []byte(`{"rbm": "sg.rbm"}`), 0o644)
	os.WriteFile(bad, []byte(`{"rbm": "pb.rbm"}`), 0o644)

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

	for _, cmd := range []string{"logz", "sample"} {
		r := rbmRun(t, cmd, "--spec", bad)
		msg := strings.TrimSuffix(r.stderr, "\n")
		if r.code != 1 || strings.Contains(msg, "\n") || !strings.Contains(msg, bad+": model spec: "+filepath.Join(dir, "pb.rbm")+": ") ||
			!strings.Contains(msg, "potts units") {
			t.Errorf("%s --spec with a potts-visible machine: exit %d: %q", cmd, r.code, r.stderr)
		}
	}
}
