package discrete

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// stubFiles resolves every "rbm" member to one pairwise model over 4 binary
// units, recording the paths it was asked for: the spec side of file
// references, without package rbm (rbm's TestParseSpec reads real files).
type stubFiles struct {
	model Model
	paths []string
}

func (f *stubFiles) options() SpecOptions {
	return SpecOptions{RBM: func(path string) (Model, error) {
		f.paths = append(f.paths, path)
		if filepath.Base(path) != "m.rbm" {
			return nil, fmt.Errorf("open %s: no such file", path)
		}
		return f.model, nil
	}}
}

func TestParseSpec(t *testing.T) {
	dir := t.TempDir()
	stub, err := NewPairwise(Binary, []float64{0.5, -1, 2, 0.25}, []Coupling{{I: 1, J: 3, Value: 3}})
	if err != nil {
		t.Fatal(err)
	}
	files := &stubFiles{model: stub}
	x := []int8{1, 0, 1, 1}
	for _, tc := range []struct {
		spec   string
		units  int
		domain Domain
		energy float64 // of x converted to the domain
	}{
		{`{"units": 4, "fields": [1, 0, 0, 0], "couplings": [[0, 2, 2], [2, 3, -1]]}`, 4, Binary, -1 - 2 + 1},
		{`{"units": 4, "domain": "spin", "couplings": [[0, 1, 1]]}`, 4, Spin, 1},
		{`{"ising": {"rows": 2, "cols": 2, "boundary": "open", "field": 0.5}}`, 4, Spin, 0 - 0.5*2},
		{`{"rbm": "m.rbm"}`, 4, Binary, stub.Energy(x)},
		{`{"product": [{"rbm": "m.rbm"}, {"units": 4, "fields": [1, 1, 1, 1]}]}`, 4, Binary, stub.Energy(x) - 3},
	} {
		m, err := ParseSpec(strings.NewReader(tc.spec), dir, files.options())
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if m.Units() != tc.units || m.Domain() != tc.domain {
			t.Errorf("%s: %d %v units, want %d %v", tc.spec, m.Units(), m.Domain(), tc.units, tc.domain)
		}
		y := make([]int8, 4)
		ConvertState(y, x, Binary, m.Domain())
		if !math.IsNaN(tc.energy) && m.Energy(y) != tc.energy {
			t.Errorf("%s: E = %v, want %v", tc.spec, m.Energy(y), tc.energy)
		}
	}
	want := filepath.Join(dir, "m.rbm")
	if len(files.paths) != 2 || files.paths[0] != want || files.paths[1] != want {
		t.Errorf("model files read: %q, want %q twice", files.paths, want)
	}
	abs := filepath.Join(t.TempDir(), "m.rbm")
	files.paths = nil
	if _, err := ParseSpec(strings.NewReader(`{"rbm": `+strconv.Quote(abs)+`}`), dir, files.options()); err != nil || len(files.paths) != 1 || files.paths[0] != abs {
		t.Errorf("absolute path: read %q (error %v), want %q", files.paths, err, abs)
	}
	// Without a reader, and with one that fails, a file reference is an
	// error that says which.
	if _, err := ParseSpec(strings.NewReader(`{"rbm": "m.rbm"}`), dir, SpecOptions{}); err == nil || !strings.Contains(err.Error(), `"m.rbm" names an RBM model file`) {
		t.Errorf("no reader: error %v", err)
	}
	_, err = ParseSpec(strings.NewReader(`{"product": [{"units": 4}, {"rbm": "missing.rbm"}]}`), dir, files.options())
	if want := "product expert 1: model spec: open " + filepath.Join(dir, "missing.rbm") + ": no such file"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestParseSpecErrors(t *testing.T) {
	for _, spec := range []string{
		``,
		`{`,
		`{}`,
		`{"units": 2, "ising": {"rows": 2, "cols": 2}}`,
		`{"units": 0}`,
		`{"units": 2, "domain": "ternary"}`,
		`{"units": 2, "fields": [1]}`,
		`{"units": 2, "couplings": [[0, 0, 1]]}`,
		`{"units": 2, "couplings": [[0, 1.5, 1]]}`,
		`{"units": 2, "couplings": [[0, 7, 1]]}`,
		`{"units": 2, "colour": 3}`,
		`{"ising": {"rows": 0, "cols": 2}}`,
		`{"ising": {"rows": 2, "cols": 2, "boundary": "twisted"}}`,
		`{"rbm": "missing.rbm"}`,
		`{"product": []}`,
		`{"product": [{"units": 2}, {"units": 3}]}`,
		`{"product": [{"units": 2}, {"units": 2, "domain": "spin"}]}`,
		`{"ising": {"rows": 2, "cols": 2}, "domain": "spin"}`,
		`{"units": 2} {"units": 2}`,
	} {
		if _, err := ParseSpec(strings.NewReader(spec), t.TempDir(), (&stubFiles{}).options()); err == nil {
			t.Errorf("%q accepted", spec)
		}
	}
	path := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(path, []byte(`{"units": -1}`), 0o644)
	if _, err := LoadSpec(path, SpecOptions{}); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v does not name %s", err, path)
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{
		`{"units": 3, "domain": "spin", "fields": [0, 0.1, 0], "couplings": [[0, 1, 1.0], [1, 2, -0.5]]}`,
		`{"ising": {"rows": 4, "cols": 4, "coupling": 1, "field": 0.1}}`,
		`{"product": [{"units": 2}, {"units": 2, "fields": [1, 2]}]}`,
		`{"units":3,"couplings":[[0,1]]}`, `{"units":3,"couplings":[[0,1,1,5]]}`, `{"units":3,"couplings":[[0,1,null]]}`,
		`{"potts": {"units": 3, "states": 3, "fields": [[0, 0.5, 0], [0, 0, 0], [0.2, 0, 0]], "couplings": [{"i": 0, "j": 1, "weights": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}]}}`,
		`{"potts": {"units": 2, "states": 2, "couplings": [{"i": 1, "j": 0, "weights": [[1, 0], [0]]}]}}`,
		`{"product": [{"potts": {"units": 2, "states": 4}}, {"potts": {"units": 2, "states": 4}}]}`,
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseSpec(strings.NewReader(s), dir, SpecOptions{})
		if err != nil {
			return
		}
		if m.Units() > 1<<12 {
			return
		}
		x := make([]int8, m.Units())
		ConvertState(x, x, Binary, m.Domain())
		if e := m.Energy(x); math.IsNaN(e) {
			t.Errorf("%q: energy NaN", s)
		}
	})
}

func TestFlipNoise(t *testing.T) {
	const rate = 0.1
	lambda := math.Log(0.9 / 0.1)
	for _, d := range []Domain{Binary, Spin} {
		y := make([]int8, 5)
		ConvertState(y, []int8{1, 0, 0, 1, 1}, Binary, d)
		m, err := FlipNoise(d, y, rate)
		if err != nil {
			t.Fatal(err)
		}
		base := m.Energy(y)
		for code := range uint(1 << 5) {
			x := state(d, 5, code)
			diff := 0
			for i := range x {
				if x[i] != y[i] {
					diff++
				}
			}
			if got, want := m.Energy(x)-base, lambda*float64(diff); math.Abs(got-want) > 1e-12 {
				t.Fatalf("%v: energy above the observation %v, want %v", d, got, want)
			}
		}
	}
	if _, err := FlipNoise(Binary, []int8{0}, 0.5); err == nil {
		t.Error("rate 0.5 accepted")
	}
}

// TestParseSpecRefusesWhatJSONWouldFillIn checks the entries encoding/json
// would quietly complete, cut or zero: each must be an error naming it.
func TestParseSpecRefusesWhatJSONWouldFillIn(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{`{"units":3,"couplings":[[0,1]]}`, "couplings[0] is [0,1]"},
		{`{"units":3,"couplings":[[0,1,1,5]]}`, "couplings[0] is [0,1,1,5]"},
		{`{"units":3,"couplings":[[0,1,2],[0,1,null]]}`, "couplings[1] is [0,1,null]"},
		{`{"units":3,"couplings":[[]]}`, "couplings[0] is []"},
		{`{"product":[{"units":3},{"units":3,"couplings":[[0,2]]}]}`, "product[1].couplings[0] is [0,2]"},
		{`{"units":3,"fields":[1,null,0]}`, "fields[1] is null"},
		{`{"units":null}`, "units is null"},
		{`{"ising":{"rows":2,"cols":2,"coupling":null}}`, "ising.coupling is null"},
	} {
		_, err := ParseSpec(strings.NewReader(tc.spec), t.TempDir(), SpecOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.spec, err, tc.want)
		}
	}
	if _, err := ParseSpec(strings.NewReader(`{"units":3,"couplings":[[0,1,-2.5e-1],[1,2,3]]}`), t.TempDir(), SpecOptions{}); err != nil {
		t.Errorf("valid couplings refused: %v", err)
	}
}

func TestParseSpecPotts(t *testing.T) {
	spec := `{"potts": {"units": 3, "states": 3,
	  "fields": [[0, 0.5, 0], [0, 0, 0], [0.2, 0, -1]],
	  "couplings": [{"i": 0, "j": 1, "weights": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]},
	                {"i": 2, "j": 1, "weights": [[0, 2, 0], [0, 0, 0], [0, 0, 3]]}]}}`
	m, err := ParseSpec(strings.NewReader(spec), t.TempDir(), SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := Categorical(3); m.Units() != 3 || m.Domain() != d {
		t.Fatalf("%d %v units, want 3 3-state", m.Units(), m.Domain())
	}
	// E(x) = -h_0(x_0) - h_1(x_1) - h_2(x_2) - [x_0 = x_1] - J_21(x_2, x_1).
	for _, tc := range []struct {
		x []int8
		e float64
	}{
		{[]int8{0, 0, 0}, -0.2 - 1},
		{[]int8{1, 1, 2}, -0.5 + 1 - 1 - 3 + 3},
		{[]int8{1, 2, 0}, -0.5 - 0.2},
		{[]int8{2, 1, 0}, -0.2 - 2},
	} {
		if got := m.Energy(tc.x); math.Abs(got-tc.e) > 1e-12 {
			t.Errorf("E(%v) = %v, want %v", tc.x, got, tc.e)
		}
	}
	// A product of Potts models is a q-state model too.
	m, err = ParseSpec(strings.NewReader(`{"product": [{"potts": {"units": 2, "states": 4}}, {"potts": {"units": 2, "states": 4, "fields": [[0, 0, 0, 1], [0, 0, 0, 0]]}}]}`), t.TempDir(), SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e := m.Energy([]int8{3, 0}); e != -1 || m.Domain().States() != 4 {
		t.Errorf("product: E = %v over %v units, want -1 over 4-state units", e, m.Domain())
	}
}

// TestParseSpecPottsErrors checks that every malformed Potts entry is an
// error naming it.
func TestParseSpecPottsErrors(t *testing.T) {
	eye := `[[1, 0, 0], [0, 1, 0], [0, 0, 1]]`
	for _, tc := range []struct{ spec, want string }{
		{`{"potts": {"states": 3}}`, `potts: "units" is missing`},
		{`{"potts": {"units": 2}}`, `potts: "states" is missing`},
		{`{"potts": {"units": 2, "states": 1}}`, "states = 1 must lie in [2, 127]"},
		{`{"potts": {"units": 2, "states": 128}}`, "states = 128 must lie in [2, 127]"},
		{`{"potts": {"units": 0, "states": 3}}`, "units = 0"},
		{`{"potts": {"units": 16777216, "states": 127}}`, "units × states = 16777216 × 127 must be at most 2^24"},
		{`{"potts": {"units": 2, "states": 3, "fields": [[0, 0, 0]]}}`, "1 rows of fields for 2 units"},
		{`{"potts": {"units": 2, "states": 3, "fields": [[0, 0, 0], [0, 0]]}}`, "fields[1] has 2 values"},
		{`{"potts": {"units": 2, "states": 3, "fields": [[0, 0, 0], [0, null, 0]]}}`, "potts.fields[1][1] is null"},
		{`{"potts": {"units": 2, "states": 3, "fields": [[0, 0, 0], [0, 1e999, 0]]}}`, "1e999"},
		{`{"potts": {"units": 2, "states": 3, "couplings": [{"i": 0, "weights": ` + eye + `}]}}`, `couplings[0]: give both units`},
		{`{"potts": {"units": 2, "states": 3, "couplings": [{"i": 0, "j": 2, "weights": ` + eye + `}]}}`, "couplings[0] joins units 0 and 2"},
		{`{"potts": {"units": 2, "states": 3, "couplings": [{"i": 0, "j": -1, "weights": ` + eye + `}]}}`, "couplings[0] joins units 0 and -1"},
		{`{"potts": {"units": 2, "states": 3, "couplings": [{"i": 1, "j": 1, "weights": ` + eye + `}]}}`, "couplings[0] joins unit 1 to itself"},
		{`{"potts": {"units": 2, "states": 3, "couplings": [{"i": 0, "j": 1, "weights": ` + eye + `}, {"i": 0, "j": 1, "weights": [[1, 0, 0], [0, 1, 0]]}]}}`, "couplings[1].weights has 2 rows, want 3×3"},
		{`{"potts": {"units": 2, "states": 3, "couplings": [{"i": 0, "j": 1, "weights": [[1, 0, 0], [0, 1], [0, 0, 1]]}]}}`, "couplings[0].weights[1] has 2 values, want 3"},
		{`{"potts": {"units": 2, "states": 3, "couplings": [{"i": 0, "j": 1}]}}`, "couplings[0].weights has 0 rows"},
		{`{"potts": {"units": 2, "states": 3, "couplings": [{"i": 0, "j": 1, "weights": null}]}}`, "potts.couplings[0].weights is null"},
		{`{"potts": {"units": 2, "states": 3, "couplings": [null]}}`, "potts.couplings[0] is null"},
		{`{"potts": {"units": 2, "states": 3, "couplings": [{"i": 0.5, "j": 1, "weights": ` + eye + `}]}}`, "number 0.5"},
		{`{"potts": {"units": 2, "states": 3, "colour": 1}}`, `unknown field "colour"`},
		{`{"potts": {"units": 2, "states": 3}, "units": 2}`, "exactly one of"},
		{`{"potts": null}`, "potts is null"},
	} {
		_, err := ParseSpec(strings.NewReader(tc.spec), t.TempDir(), SpecOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.spec, err, tc.want)
		}
	}
}
