package export

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// exportMachines writes every expressible pair of unit types in both
// dtypes to dir.
func exportMachines(t *testing.T, dir string) (files []exportedMachine) {
	t.Helper()
	for k, p := range expressiblePairs() {
		for _, dt := range []DType{Float32, Float64} {
			path := filepath.Join(dir, fmt.Sprintf("%v_%v.onnx", p, dt))
			m := randomMachine(t, p.visible, p.hidden, uint64(100+k))
			if err := WriteMachineFile(path, m, nil, Options{DType: dt, Outputs: p.outputs}); err != nil {
				t.Fatal(err)
			}
			files = append(files, exportedMachine{path: path, pair: p, seed: uint64(100 + k), dt: dt})
		}
	}
	// Hidden inputs in the hundreds, where a naive e^x overflows float32.
	for _, hk := range []string{"binary", "spin", "potts"} {
		for _, dt := range []DType{Float32, Float64} {
			path := filepath.Join(dir, fmt.Sprintf("potts_x%s_extreme_%v.onnx", hk, dt))
			if err := WriteMachineFile(path, extremeMachine(t, hk), nil, Options{DType: dt}); err != nil {
				t.Fatal(err)
			}
			files = append(files, exportedMachine{path: path, pair: machinePair{"potts", hk, nil}, extreme: true, dt: dt})
		}
	}
	return files
}

// exportedMachine is one file of exportMachines.
type exportedMachine struct {
	path string
	pair machinePair
	seed uint64
	dt   DType
	// extreme marks extremeMachine's machines.
	extreme bool
}

// TestOnnxCheckerAcceptsMachineExports has the official ONNX checker
// (full_check, with strict shape inference) accept the export of every
// expressible pair of unit types, in both dtypes.
func TestOnnxCheckerAcceptsMachineExports(t *testing.T) {
	requireChecker(t)
	var paths []string
	for _, f := range exportMachines(t, t.TempDir()) {
		paths = append(paths, f.path)
	}
	out, err := exec.Command(systemPython, append([]string{filepath.Join(interopDir, "check_model.py")}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ONNX checker: %v\n%s", err, out)
	}
}

// TestOnnxRuntimeMatchesMachine runs the export of every expressible pair
// in ONNX Runtime, in both dtypes, and compares all its outputs with
// rbm.Machine (to 1e-9 in float64, 1e-5 in float32).
func TestOnnxRuntimeMatchesMachine(t *testing.T) {
	node := requireOnnxRuntime(t)
	for _, f := range exportMachines(t, t.TempDir()) {
		t.Run(filepath.Base(f.path), func(t *testing.T) {
			m := randomMachine(t, f.pair.visible, f.pair.hidden, f.seed)
			tol := tolerance(f.dt)
			if f.extreme {
				m = extremeMachine(t, f.pair.hidden)
				if f.dt == Float32 {
					tol = 1e-4 // see TestMachineExtremeInputs
				}
			}
			v := randomStates(m, 9, f.seed)
			rows := make([][]float64, v.Rows)
			for r := range rows {
				rows[r] = widen(v.Row(r))
			}
			got := runOnnxRuntime(t, node, f.path, rows, v.Cols, f.dt)
			want, feScale := machineOutputs(m, v)
			t.Logf("largest scaled difference from rbm.Machine: %.2g", compareMachine(t, got, want, feScale, tol))
		})
	}
}

// TestNumPyReferenceMatchesMachine scores every float64 machine export
// with interop/machine_reference.py, a NumPy implementation of the
// conventions of the package documentation that reads only the file's
// initializers and metadata, and compares it with rbm.Machine to 1e-9: the
// file format, not just the graph, says what the library computes.
func TestNumPyReferenceMatchesMachine(t *testing.T) {
	requireChecker(t) // the same interpreter and onnx module
	for _, f := range exportMachines(t, t.TempDir()) {
		if f.dt != Float64 {
			continue
		}
		t.Run(filepath.Base(f.path), func(t *testing.T) {
			m := randomMachine(t, f.pair.visible, f.pair.hidden, f.seed)
			if f.extreme {
				m = extremeMachine(t, f.pair.hidden)
			}
			v := randomStates(m, 9, f.seed)
			var buf bytes.Buffer
			for _, x := range widen(v.Data) {
				binary.Write(&buf, binary.LittleEndian, x)
			}
			in := filepath.Join(t.TempDir(), "input.bin")
			if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(systemPython, filepath.Join(interopDir, "machine_reference.py"), f.path, in, fmt.Sprint(v.Rows), fmt.Sprint(v.Cols))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("machine_reference.py: %v: %s", err, stderr.String())
			}
			var res struct {
				Outputs map[string]struct {
					Data []float64 `json:"data"`
				} `json:"outputs"`
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("machine_reference.py output: %v", err)
			}
			got := make(map[string][]float64)
			for name, o := range res.Outputs {
				got[name] = o.Data
			}
			want, feScale := machineOutputs(m, v)
			t.Logf("largest scaled difference from rbm.Machine: %.2g", compareMachine(t, got, want, feScale, 1e-9))
		})
	}
}
