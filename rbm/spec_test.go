package rbm_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/rbm"
)

// Specs that name model files: discrete's TestParseSpec checks the rest of
// the format.
func TestParseSpec(t *testing.T) {
	dir := t.TempDir()
	r := marginalTestRBM(3, 4, 2)
	if err := rbm.SaveFile(filepath.Join(dir, "m.rbm"), r, nil); err != nil {
		t.Fatal(err)
	}
	x := []int8{1, 0, 1, 1}
	v := []float32{1, 0, 1, 1}
	for _, tc := range []struct {
		spec   string
		energy float64
	}{
		{`{"rbm": "m.rbm"}`, r.FreeEnergy(v)},
		{`{"product": [{"rbm": "m.rbm"}, {"units": 4, "fields": [1, 1, 1, 1]}]}`, r.FreeEnergy(v) - 3},
	} {
		m, err := rbm.ParseSpec(strings.NewReader(tc.spec), dir)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if m.Units() != 4 || m.Domain() != discrete.Binary {
			t.Errorf("%s: %d %v units, want 4 binary", tc.spec, m.Units(), m.Domain())
		}
		if got := m.Energy(x); math.Abs(got-tc.energy) > 1e-12 {
			t.Errorf("%s: E = %v, want %v", tc.spec, got, tc.energy)
		}
	}
	m, err := rbm.ParseSpec(strings.NewReader(`{"rbm": "m.rbm"}`), dir)
	if err != nil {
		t.Fatal(err)
	}
	if mg, ok := m.(*rbm.Marginal); !ok || mg.Units() != r.Visible {
		t.Errorf("{\"rbm\": ...} built a %T, want the *rbm.Marginal of the file", m)
	}
	s := discrete.Spec{Product: []discrete.Spec{{RBM: "m.rbm"}, {RBM: "m.rbm"}}}
	if m, err := s.Build(dir, rbm.SpecOptions()); err != nil || m.Units() != 4 {
		t.Errorf("Build with rbm.SpecOptions: %v", err)
	}

	path := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(path, []byte(`{"product": [{"units": 4}, {"rbm": "m.rbm"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err := rbm.LoadSpec(path); err != nil || m.Units() != 4 {
		t.Errorf("LoadSpec: %v", err)
	}
}

func TestParseSpecErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := rbm.ParseSpec(strings.NewReader(`{"rbm": "missing.rbm"}`), dir)
	if want := "model spec: open " + filepath.Join(dir, "missing.rbm") + ": no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.rbm"), []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(path, []byte(`{"product": [{"rbm": "bad.rbm"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = rbm.LoadSpec(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": product expert 0: model spec: "+filepath.Join(dir, "bad.rbm")+": ") {
		t.Errorf("error %v does not name %s and the model file", err, path)
	}
}

// A spec naming a version 2 file reads it as the MachineMarginal of the
// machine; a binary×binary machine is saved as version 1 and still reads
// as a Marginal.
func TestParseSpecMachine(t *testing.T) {
	dir := t.TempDir()
	m := marginalTestMachine(t, "spin", 4, "gaussian", 3, 1, 5)
	if err := rbm.SaveMachine(filepath.Join(dir, "m2.rbm"), m, nil); err != nil {
		t.Fatal(err)
	}
	x := []int8{1, -1, -1, 1}
	want := m.FreeEnergy([]float64{1, -1, -1, 1})
	for _, tc := range []struct {
		spec   string
		energy float64
	}{
		{`{"rbm": "m2.rbm"}`, want},
		{`{"product": [{"rbm": "m2.rbm"}, {"units": 4, "domain": "spin", "fields": [0.5, 0, 0, 0]}]}`, want - 0.5},
	} {
		s, err := rbm.ParseSpec(strings.NewReader(tc.spec), dir)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if s.Units() != 4 || s.Domain() != discrete.Spin {
			t.Errorf("%s: %d %v units, want 4 spins", tc.spec, s.Units(), s.Domain())
		}
		if got := s.Energy(x); math.Abs(got-tc.energy) > 1e-12*math.Max(1, math.Abs(tc.energy)) {
			t.Errorf("%s: E = %v, want %v", tc.spec, got, tc.energy)
		}
	}
	s, err := rbm.ParseSpec(strings.NewReader(`{"rbm": "m2.rbm"}`), dir)
	if err != nil {
		t.Fatal(err)
	}
	if mg, ok := s.(*rbm.MachineMarginal); !ok || mg.Machine().Hidden.Kind() != "gaussian" {
		t.Errorf("{\"rbm\": version 2 file} built a %T, want a *rbm.MachineMarginal", s)
	}

	b := marginalTestMachine(t, "binary", 4, "binary", 3, 1, 6)
	if err := rbm.SaveMachine(filepath.Join(dir, "b.rbm"), b, nil); err != nil {
		t.Fatal(err)
	}
	s, err = rbm.ParseSpec(strings.NewReader(`{"rbm": "b.rbm"}`), dir)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := b.Binary()
	if mg, ok := s.(*rbm.Marginal); !ok {
		t.Errorf("a binary machine's file built a %T, want the *rbm.Marginal of version 1", s)
	} else if got, want := mg.Energy([]int8{1, 0, 0, 1}), r.FreeEnergy([]float32{1, 0, 0, 1}); got != want {
		t.Errorf("binary machine: E = %v, want the RBM's %v", got, want)
	}
}

// A version 2 file whose visible units are not discrete gives a one-line
// error naming the spec, the file and the unit type.
func TestParseSpecMachineErrors(t *testing.T) {
	dir := t.TempDir()
	for _, vk := range []string{"gaussian", "relu"} {
		model := filepath.Join(dir, vk+".rbm")
		if err := rbm.SaveMachine(model, marginalTestMachine(t, vk, 3, "binary", 2, 1, 1), nil); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, vk+".json")
		if err := os.WriteFile(path, []byte(`{"rbm": "`+vk+`.rbm"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := rbm.LoadSpec(path)
		if err == nil || strings.Contains(err.Error(), "\n") ||
			!strings.HasPrefix(err.Error(), path+": model spec: "+model+": ") || !strings.Contains(err.Error(), "has "+vk+" units") {
			t.Errorf("%s visible layer: error %v", vk, err)
		}
		t.Logf("%v", err)
	}
}

// A version 2 file with Potts visible units becomes their marginal, a
// q-state model whose energy is the machine's free energy.
func TestParseSpecPottsMachine(t *testing.T) {
	dir := t.TempDir()
	m := marginalTestMachine(t, "potts", 3, "binary", 2, 1, 1)
	if err := rbm.SaveMachine(filepath.Join(dir, "p.rbm"), m, nil); err != nil {
		t.Fatal(err)
	}
	s, err := rbm.ParseSpec(strings.NewReader(`{"rbm": "p.rbm"}`), dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Units() != 3 || s.Domain().States() != 3 {
		t.Fatalf("%d %v units, want 3 3-state", s.Units(), s.Domain())
	}
	// Unit 0 in state 2, unit 1 in state 0, unit 2 in state 1, one-hot.
	v := []float64{0, 0, 1, 1, 0, 0, 0, 1, 0}
	if got, want := s.Energy([]int8{2, 0, 1}), m.FreeEnergy(v); math.Abs(got-want) > 1e-12 {
		t.Errorf("E = %v, want F(v) = %v", got, want)
	}
}
