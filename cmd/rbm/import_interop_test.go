package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
)

// These tests run the exporters other tools ship: PyTorch's
// torch.onnx.export (interop/torch_rbm.py) and a scikit-learn BernoulliRBM
// converted by interop/sklearn_rbm.py, with Debian's python3-torch,
// python3-sklearn and python3-onnx (interop/setup.sh installs them). They
// skip, saying why, when those are missing, unless RBM_REQUIRE_INTEROP=1
// (as .ci/run sets), under which a missing tool is a failure.

const (
	interopDir   = "../../interop"
	shippedTest  = "../../testdata/mnist-test-500-images-idx3-ubyte.gz"
	shippedTrain = "../../testdata/mnist-train-2000-images-idx3-ubyte.gz"
	// systemPython is Debian's interpreter, where the python3-* packages
	// install their modules, never a python3 found first on PATH.
	systemPython = "/usr/bin/python3"
)

// requirePython skips or fails t unless systemPython imports every module.
func requirePython(t *testing.T, modules ...string) {
	t.Helper()
	out, err := exec.Command(systemPython, "-c", "import "+strings.Join(modules, ", ")).CombinedOutput()
	if err == nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	why := fmt.Sprintf("%s cannot import %s: %v: %s", systemPython, strings.Join(modules, ", "), err, lines[len(lines)-1])
	if os.Getenv("RBM_REQUIRE_INTEROP") == "1" {
		t.Fatalf("RBM_REQUIRE_INTEROP=1 but %s (run interop/setup.sh)", why)
	}
	t.Skipf("%s; run interop/setup.sh to install it", why)
}

// python runs an interop script with systemPython.
func python(t *testing.T, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command(systemPython, append([]string{filepath.Join(interopDir, script)}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, stderr.String())
	}
	return string(out)
}

// checkONNX has the official checker (full_check) accept every file.
func checkONNX(t *testing.T, paths ...string) {
	t.Helper()
	out, err := exec.Command(systemPython, append([]string{filepath.Join(interopDir, "check_model.py")}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ONNX checker: %v\n%s", err, out)
	}
}

// scores parses the free energies rbm score prints, one per line.
func scores(t *testing.T, out string) []float64 {
	t.Helper()
	var f []float64
	for _, s := range strings.Fields(out) {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("rbm score printed %q", s)
		}
		f = append(f, x)
	}
	return f
}

// agree fails t unless got and want agree to 1e-5 relative (of max(|want|,
// 1): both are float32 computations of values of order 10–100, so they
// differ by far less).
func agree(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	var worst float64
	for i := range want {
		d := math.Abs(got[i]-want[i]) / math.Max(math.Abs(want[i]), 1)
		if !(d <= 1e-5) {
			t.Fatalf("%s[%d] = %v, want %v (relative difference %.3g)", what, i, got[i], want[i], d)
		}
		worst = math.Max(worst, d)
	}
	t.Logf("%s: %d values agree within %.2g relative", what, len(want), worst)
}

// termScale returns, for each row v of data, max(Σᵢ|bᵢvᵢ| + Σⱼ softplus(aⱼ), 1),
// the size of the terms m's free energy sums.
func termScale(m *rbm.RBM, data *rbm.Matrix) []float64 {
	s := make([]float64, data.Rows)
	act := make([]float64, m.Hidden)
	for r := range data.Rows {
		row := data.Row(r)
		m.HiddenInput(act, row)
		for i, x := range row {
			s[r] += math.Abs(float64(m.B[i]) * float64(x))
		}
		s[r] -= rbm.FreeEnergyFromInput(make([]float32, len(row)), row, act) // Σⱼ softplus
		s[r] = math.Max(s[r], 1)
	}
	return s
}

// agreeScaled fails t unless |got−want| ≤ 1e-5·scale for every value.
func agreeScaled(t *testing.T, what string, got, want, scale []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	var worst float64
	for i := range want {
		d := math.Abs(got[i]-want[i]) / scale[i]
		if !(d <= 1e-5) {
			t.Fatalf("%s[%d] = %v, want %v (difference %.3g of the terms' scale %.4g)", what, i, got[i], want[i], d, scale[i])
		}
		worst = math.Max(worst, d)
	}
	t.Logf("%s: %d values agree within %.2g of their terms' scale", what, len(want), worst)
}

// TestPyTorchGraphs exports the free-energy graphs of interop/torch_rbm.py
// at opsets 11, 13 and 17 with PyTorch itself, has the ONNX checker accept
// them, and compares with PyTorch's own outputs on the shipped test digits
// both rbm score --onnx (every output) and rbm import followed by rbm
// score.
func TestPyTorchGraphs(t *testing.T) {
	requirePython(t, "torch", "onnx", "numpy")
	dir := t.TempDir()
	python(t, "torch_rbm.py", dir, shippedTest, "--rows", "500")
	raw, err := os.ReadFile(filepath.Join(dir, "torch_outputs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Rows   int `json:"rows"`
		Graphs map[string]struct {
			Opset   int                  `json:"opset"`
			Outputs map[string][]float64 `json:"outputs"`
		} `json:"graphs"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	var files []string
	opsets := map[int]bool{}
	for name, g := range ref.Graphs {
		files = append(files, filepath.Join(dir, name))
		opsets[g.Opset] = true
	}
	slices.Sort(files)
	if len(files) < 12 || !opsets[11] || !opsets[13] || !opsets[17] {
		t.Fatalf("torch_rbm.py wrote %d graphs at opsets %v, want four spellings at 11, 13 and 17", len(files), opsets)
	}
	checkONNX(t, files...)
	// Every spelling holds the same parameters, so every import must give
	// the same model file.
	imported := make(map[string][]byte)
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			want := ref.Graphs[name].Outputs
			// The free energy is the output of one value per row.
			var fe string
			var names []string
			for o, vals := range want {
				names = append(names, o)
				if len(vals) == ref.Rows {
					fe = o
				}
			}
			slices.Sort(names)
			for _, o := range names {
				r := rbmRun(t, "score", "--onnx", path, "--outputs", o, "--json", shippedTest)
				if r.code != 0 {
					t.Fatalf("rbm score --onnx --outputs %s: %s", o, r.stderr)
				}
				var res map[string]json.RawMessage
				if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
					t.Fatal(err)
				}
				var got []float64
				if len(want[o]) == ref.Rows {
					err = json.Unmarshal(res[o], &got)
				} else {
					var rows [][]float64
					err = json.Unmarshal(res[o], &rows)
					got = slices.Concat(rows...)
				}
				if err != nil {
					t.Fatalf("output %s: %v", o, err)
				}
				agree(t, "score --onnx "+o, got, want[o])
			}

			if len(names) == 1 {
				// With no --outputs, the single output is the score.
				r := rbmRun(t, "score", "--onnx", path, shippedTest)
				if r.code != 0 {
					t.Fatalf("rbm score --onnx: %s", r.stderr)
				}
				agree(t, "score --onnx", scores(t, r.stdout), want[fe])
			}

			model := filepath.Join(t.TempDir(), "imported.rbm")
			r := rbmRun(t, "import", "--shape", "28x28", path, "-o", model)
			if r.code != 0 {
				t.Fatalf("rbm import: %s", r.stderr)
			}
			if !strings.Contains(r.stdout, fmt.Sprintf("from output %q", fe)) {
				t.Errorf("rbm import took another output than %q: %s", fe, r.stdout)
			}
			r = rbmRun(t, "score", model, shippedTest)
			if r.code != 0 {
				t.Fatalf("rbm score: %s", r.stderr)
			}
			agree(t, "import + score", scores(t, r.stdout), want[fe])
			if imported[name], err = os.ReadFile(model); err != nil {
				t.Fatal(err)
			}
		})
	}
	for _, path := range files[1:] {
		a, b := filepath.Base(files[0]), filepath.Base(path)
		if imported[a] != nil && imported[b] != nil && !bytes.Equal(imported[a], imported[b]) {
			t.Errorf("rbm import of %s and of %s give different model files", a, b)
		}
	}
}

// TestScikitLearnRBM trains scikit-learn's BernoulliRBM on the shipped
// digits, converts it with interop/sklearn_rbm.py, and checks that rbm
// import + rbm score reproduce scikit-learn's own free energies
// (_free_energy; score_samples is a pseudo-likelihood) on the test digits,
// that rbm score --onnx does too, and that rbm logz matches log Z
// enumerated in NumPy from scikit-learn's float64 parameters.
func TestScikitLearnRBM(t *testing.T) {
	requirePython(t, "sklearn", "onnx", "numpy")
	dir := t.TempDir()
	onnx := filepath.Join(dir, "sklearn16.onnx")
	feFile, logZFile := filepath.Join(dir, "free_energy.txt"), filepath.Join(dir, "log_z.txt")
	python(t, "sklearn_rbm.py", "--train", shippedTrain, "--hidden", "16", "-o", onnx,
		"--free-energy", shippedTest, feFile, "--log-z", logZFile)
	checkONNX(t, onnx)
	readFloats := func(path string) []float64 {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return scores(t, string(b))
	}
	want := readFloats(feFile)

	model := filepath.Join(dir, "sklearn16.rbm")
	r := rbmRun(t, "import", onnx, "-o", model)
	if r.code != 0 {
		t.Fatalf("rbm import: %s", r.stderr)
	}
	r = rbmRun(t, "score", model, shippedTest)
	if r.code != 0 {
		t.Fatalf("rbm score: %s", r.stderr)
	}
	// Relative to the size of the terms the free energy adds up: some
	// digits' free energies are near 0, from terms in the hundreds, where
	// float32 and float64 differ by more than 1e-5 of the result.
	m, _, err := loadModel(model)
	if err != nil {
		t.Fatal(err)
	}
	scale := termScale(m, loadTestData(t, shippedTest))
	agreeScaled(t, "import + score", scores(t, r.stdout), want, scale)
	r = rbmRun(t, "score", "--onnx", onnx, shippedTest)
	if r.code != 0 {
		t.Fatalf("rbm score --onnx: %s", r.stderr)
	}
	agreeScaled(t, "score --onnx", scores(t, r.stdout), want, scale)

	r = rbmRun(t, "logz", "--json", model)
	if r.code != 0 {
		t.Fatalf("rbm logz: %s", r.stderr)
	}
	var lz struct {
		Method string  `json:"method"`
		LogZ   float64 `json:"log_z"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &lz); err != nil {
		t.Fatal(err)
	}
	if lz.Method != "exact" {
		t.Errorf("rbm logz used %q, want exact for 16 hidden units", lz.Method)
	}
	agree(t, "log Z", []float64{lz.LogZ}, readFloats(logZFile))
}
