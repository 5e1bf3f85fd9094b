package export

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rbmkit/rbm/rbm"
)

// The interop tests run exports in real ONNX tooling: ONNX Runtime through
// onnxruntime-node (interop/run.js) and the official checker from Debian's
// python3-onnx (interop/check_model.py). interop/check.sh installs both.
// Without them these tests skip, unless RBM_REQUIRE_INTEROP=1, under which
// a missing tool is a failure so that CI cannot pass without the real
// runtime.

const interopDir = "../interop"

// requireTool skips or fails t, depending on RBM_REQUIRE_INTEROP, when
// check reports that a tool is missing.
func requireTool(t *testing.T, what string, check func() error) {
	t.Helper()
	if err := check(); err != nil {
		if os.Getenv("RBM_REQUIRE_INTEROP") == "1" {
			t.Fatalf("RBM_REQUIRE_INTEROP=1 but %s is unavailable: %v (run interop/check.sh)", what, err)
		}
		t.Skipf("%s is unavailable (%v); run interop/check.sh to install it", what, err)
	}
}

// requireOnnxRuntime returns the path of node once onnxruntime-node is
// installed in interop/node_modules.
func requireOnnxRuntime(t *testing.T) string {
	var node string
	requireTool(t, "onnxruntime-node", func() error {
		var err error
		if node, err = exec.LookPath("node"); err != nil {
			return err
		}
		cmd := exec.Command(node, "-e", `require("onnxruntime-node")`)
		cmd.Dir = interopDir
		if out, err := cmd.CombinedOutput(); err != nil {
			first, _, _ := bytes.Cut(bytes.TrimSpace(out), []byte("\n"))
			return fmt.Errorf("node cannot load onnxruntime-node from %s/node_modules: %v: %s", interopDir, err, first)
		}
		return nil
	})
	return node
}

// The checker is run with Debian's interpreter, where python3-onnx
// installs the onnx module, never a python3 found first on PATH.
const systemPython = "/usr/bin/python3"

func requireChecker(t *testing.T) {
	requireTool(t, "the ONNX checker (python3-onnx)", func() error {
		out, err := exec.Command(systemPython, "-c", "import onnx").CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s cannot import onnx: %v: %s", systemPython, err, bytes.TrimSpace(out))
		}
		return nil
	})
}

// runOnnxRuntime runs model on v in ONNX Runtime and returns its outputs.
func runOnnxRuntime(t *testing.T, node, model string, v [][]float64, cols int, dt DType) map[string][]float64 {
	t.Helper()
	var buf bytes.Buffer
	for _, row := range v {
		for _, x := range row {
			if dt == Float64 {
				binary.Write(&buf, binary.LittleEndian, x)
			} else {
				binary.Write(&buf, binary.LittleEndian, float32(x))
			}
		}
	}
	in := filepath.Join(t.TempDir(), "input.bin")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "run.js", model, in, fmt.Sprint(len(v)), fmt.Sprint(cols), dt.String())
	cmd.Dir = interopDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("onnxruntime-node on %s: %v: %s", model, err, stderr.String())
	}
	var res struct {
		Outputs map[string]struct {
			Dims []int     `json:"dims"`
			Data []float64 `json:"data"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("onnxruntime-node output: %v", err)
	}
	got := make(map[string][]float64)
	for name, o := range res.Outputs {
		if len(o.Dims) != 2 || o.Dims[0] != len(v) || o.Dims[0]*o.Dims[1] != len(o.Data) {
			t.Fatalf("ONNX Runtime output %s has dims %v and %d values for %d rows", name, o.Dims, len(o.Data), len(v))
		}
		got[name] = o.Data
	}
	return got
}

// exportCases writes every model case in both dtypes to dir.
func exportCases(t *testing.T, dir string) (files []exported) {
	t.Helper()
	for i := range modelCases {
		mc := &modelCases[i]
		for _, dt := range []DType{Float32, Float64} {
			path := filepath.Join(dir, fmt.Sprintf("rbm_%dx%d_scale%g_%v.onnx", mc.v, mc.h, mc.scale, dt))
			if err := WriteFile(path, mc.model(), nil, Options{DType: dt}); err != nil {
				t.Fatal(err)
			}
			files = append(files, exported{path, mc, dt})
		}
	}
	return files
}

// exported is one file of exportCases.
type exported struct {
	path string
	m    *modelCase
	dt   DType
}

// TestOnnxCheckerAcceptsExports has the official ONNX checker
// (onnx.checker.check_model with full_check) accept every export, in both
// dtypes. It needs Python's onnx package only, not ONNX Runtime.
func TestOnnxCheckerAcceptsExports(t *testing.T) {
	requireChecker(t)
	var paths []string
	for _, f := range exportCases(t, t.TempDir()) {
		paths = append(paths, f.path)
	}
	out, err := exec.Command(systemPython, append([]string{filepath.Join(interopDir, "check_model.py")}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ONNX checker: %v\n%s", err, out)
	}
}

// TestOnnxRuntimeMatchesLibrary runs every export in ONNX Runtime and
// compares all three outputs with package rbm (tolerance: relTol).
func TestOnnxRuntimeMatchesLibrary(t *testing.T) {
	node := requireOnnxRuntime(t)
	for _, f := range exportCases(t, t.TempDir()) {
		t.Run(filepath.Base(f.path), func(t *testing.T) {
			m := f.m.model()
			v := randomBinary(f.m.rows, m.Visible, uint64(m.Hidden))
			rows := make([][]float64, v.Rows)
			for r := range rows {
				rows[r] = widen(v.Row(r))
			}
			got := runOnnxRuntime(t, node, f.path, rows, m.Visible, f.dt)
			want, scale := libraryOutputs(m, v), scales(m, v)
			var worst float64
			for _, name := range AllOutputs {
				if got[name] == nil {
					t.Fatalf("ONNX Runtime returned no %s", name)
				}
				worst = math.Max(worst, compareValues(t, name, got[name], want[name], scale[name]))
			}
			t.Logf("largest scaled difference from the library: %.2g", worst)
		})
	}
}

// modelCase is one exported model of the interop tests.
type modelCase struct {
	v, h, rows int
	scale      float64
}

func (mc *modelCase) model() *rbm.RBM {
	return randomModel(mc.v, mc.h, mc.scale, uint64(mc.v*1000+mc.h))
}

// modelCases spans a single unit, odd sizes, an MNIST-sized layer, and
// weights large enough (scale 60) that hidden inputs pass 88, where e^x
// overflows float32 and a naive softplus would return +Inf.
var modelCases = []modelCase{
	{v: 1, h: 1, rows: 3, scale: 1},
	{v: 7, h: 3, rows: 11, scale: 1},
	{v: 30, h: 17, rows: 17, scale: 2},
	{v: 784, h: 64, rows: 50, scale: 0.1},
	{v: 12, h: 8, rows: 20, scale: 60},
}
