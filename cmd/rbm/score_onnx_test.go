package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"google.golang.org/protobuf/encoding/protowire"
)

// TestScoreONNX checks that rbm score --onnx on an export prints the free
// energies rbm score prints for the model, in text and JSON.
func TestScoreONNX(t *testing.T) {
	f := newFixture(t)
	onnx := filepath.Join(f.dir, "m.onnx")
	if r := rbmRun(t, "export", f.model, "-o", onnx); r.code != 0 {
		t.Fatal(r.stderr)
	}
	want := rbmRun(t, "score", f.model, f.data)
	if want.code != 0 {
		t.Fatal(want.stderr)
	}
	ctx := context.Background()
	r := rbmRun(t, "score", "--onnx", onnx, f.data)
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	got, ref := strings.Fields(r.stdout), strings.Fields(want.stdout)
	if len(got) != 120 || len(got) != len(ref) {
		t.Fatalf("%d scores, rbm score printed %d", len(got), len(ref))
	}
	for i := range got {
		g, _ := strconv.ParseFloat(got[i], 64)
		w, _ := strconv.ParseFloat(ref[i], 64)
		// float32 arithmetic in onnx-go against float64 accumulation in
		// package rbm: see export's relTol; these free energies are of
		// order 10, their terms of order 10 too.
		if math.Abs(g-w) > 1e-5*math.Max(1, math.Abs(w)) {
			t.Fatalf("row %d: ONNX %v, rbm score %v", i, g, w)
		}
	}

	r = rbmRun(t, "score", "-onnx", onnx, "--json", f.data)
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	var res struct {
		Rows       int       `json:"rows"`
		Mean       float64   `json:"mean"`
		FreeEnergy []float64 `json:"free_energy"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Rows != 120 || len(res.FreeEnergy) != 120 {
		t.Fatalf("--json: %v: %.200s", err, r.stdout)
	}

	// Other outputs, text form: a row's hidden and reconstruction values.
	var out bytes.Buffer
	v := loadTestData(t, f.data)
	if err := scoreONNX(ctx, &env{stdout: &out, stderr: &out}, onnx, f.data, v, []string{"hidden", "reconstruction"}, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 120 || len(strings.Fields(lines[0])) != 6+20 {
		t.Errorf("hidden+reconstruction: %d lines, first has %d fields", len(lines), len(strings.Fields(lines[0])))
	}
}

func TestScoreONNXErrors(t *testing.T) {
	f := newFixture(t)
	onnx := filepath.Join(f.dir, "m.onnx")
	if r := rbmRun(t, "export", "--outputs", "hidden", f.model, "-o", onnx); r.code != 0 {
		t.Fatal(r.stderr)
	}
	narrow := filepath.Join(f.dir, "narrow.idx")
	writeImages(t, narrow, 5, 3, 3, 2)
	for _, tc := range []struct {
		model, data, want string
	}{
		{onnx, f.data, `no output "free_energy"`},
		{onnx, narrow, "narrow.idx: rows have 9 values, the ONNX model"},
		{f.model, f.data, "m.rbm: not a valid ONNX model"},
		{onnx, filepath.Join(f.dir, "none.idx"), "none.idx"},
	} {
		r := rbmRun(t, "score", "--onnx", tc.model, tc.data)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("score --onnx %s %s: exit %d, %q; want one error line containing %q", filepath.Base(tc.model), filepath.Base(tc.data), r.code, r.stderr, tc.want)
		}
	}
}

func loadTestData(t *testing.T, path string) *rbm.Matrix {
	t.Helper()
	v, _, err := dataset.Load(path, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// identityGraph returns an ONNX model, written field by field with
// protowire, whose one output free_energy is its input v [N, cols]
// passed through Identity: a "free energy" of cols values per row.
func identityGraph(cols int) []byte {
	msg := func(field protowire.Number, body []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, field, protowire.BytesType), body)
	}
	str := func(field protowire.Number, s string) []byte { return msg(field, []byte(s)) }
	varint := func(field protowire.Number, x uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, field, protowire.VarintType), x)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	// ValueInfoProto{name, type{tensor_type{elem_type FLOAT, shape{dim N, dim cols}}}}
	value := func(name string) []byte {
		shape := cat(msg(1, str(2, "N")), msg(1, varint(1, uint64(cols))))
		tensor := cat(varint(1, 1), msg(2, shape))
		return cat(str(1, name), msg(2, msg(1, tensor)))
	}
	node := cat(str(1, "v"), str(2, "free_energy"), str(3, "identity"), str(4, "Identity"))
	graph := cat(msg(1, node), str(2, "wide"), msg(11, value("v")), msg(12, value("free_energy")))
	return cat(varint(1, 8), msg(8, varint(2, 13)), msg(7, graph))
}

// TestScoreONNXRefusesWideFreeEnergy: a graph whose free_energy output has
// a value per visible unit is refused, not printed as 20 numbers a line.
func TestScoreONNXRefusesWideFreeEnergy(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(f.dir, "wide.onnx")
	if err := os.WriteFile(path, identityGraph(20), 0o644); err != nil {
		t.Fatal(err)
	}
	r := rbmRun(t, "score", "--onnx", path, f.data)
	if r.code != 1 || !strings.Contains(r.stderr, `output "free_energy" has 20 values per row`) || r.stdout != "" {
		t.Errorf("exit %d, stdout %.80q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
