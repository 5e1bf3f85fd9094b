package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/idx"
)

// classifyFixture writes, in dir, a tiny labelled problem both as IDX
// images and as .npy features: 4×4 ubyte images whose class (0, 1 or 2)
// is the quarter of the image that is lit, which a linear classifier
// separates perfectly. It returns the paths by name.
func classifyFixture(t *testing.T, dir string) map[string]string {
	t.Helper()
	paths := map[string]string{}
	write := func(name string, n int) {
		images := make([]uint8, n*16)
		labels := make([]uint8, n)
		features := rbm.NewMatrix(n, 16)
		for i := range n {
			c := i % 3
			labels[i] = uint8(c)
			for p := range 16 {
				lit := (p%4)/2+2*(p/8) == c // quarters 0, 1 and 2 of the image
				v := uint8(30 + (i*7+p*13)%40)
				if lit {
					v = 200 + uint8((i+p)%50)
				}
				images[i*16+p] = v
				features.Data[i*16+p] = float32(v) / 255
			}
		}
		a, err := idx.New([]int{n, 4, 4}, images)
		if err != nil {
			t.Fatal(err)
		}
		l, err := idx.New([]int{n}, labels)
		if err != nil {
			t.Fatal(err)
		}
		for suffix, write := range map[string]func(string) error{
			"-images.idx.gz": func(p string) error { return idx.WriteFile(p, a, true) },
			"-labels.idx":    func(p string) error { return idx.WriteFile(p, l, false) },
			".npy": func(p string) error {
				var buf bytes.Buffer
				if err := dataset.WriteNPY(&buf, features); err != nil {
					return err
				}
				return os.WriteFile(p, buf.Bytes(), 0o644)
			},
		} {
			p := filepath.Join(dir, name+suffix)
			if err := write(p); err != nil {
				t.Fatal(err)
			}
			paths[name+suffix] = p
		}
	}
	write("train", 60)
	write("test", 30)
	return paths
}

func TestClassifyCommand(t *testing.T) {
	dir := t.TempDir()
	p := classifyFixture(t, dir)
	badShape := filepath.Join(dir, "wide.npy")
	var buf bytes.Buffer
	dataset.WriteNPY(&buf, rbm.NewMatrix(30, 5))
	os.WriteFile(badShape, buf.Bytes(), 0o644)
	huge := make([]int32, 60)
	huge[7] = 2e9
	if a, err := idx.New([]int{60}, huge); err != nil || idx.WriteFile(filepath.Join(dir, "huge-labels.idx"), a, false) != nil {
		t.Fatal("cannot write huge-labels.idx")
	}
	p["huge-labels.idx"] = filepath.Join(dir, "huge-labels.idx")
	labels := []string{"--train-labels", p["train-labels.idx"], "--test-labels", p["test-labels.idx"]}

	for _, c := range []struct {
		name   string
		args   []string
		code   int
		stdout string // substring of stdout (exit 0) or stderr (otherwise)
	}{
		{"npy features", append(slices.Clone(labels), p["train.npy"], p["test.npy"]), 0, "test accuracy  1.0000  (30/30 correct)"},
		{"IDX pixels", append(slices.Clone(labels), "--binarize", "prob", p["train-images.idx.gz"], p["test-images.idx.gz"]), 0, "test accuracy  1.0000"},
		{"limit", append(slices.Clone(labels), "--limit", "12", p["train.npy"], p["test.npy"]), 0, "(12/12 correct)"},
		{"single-dash flags", []string{"-train-labels", p["train-labels.idx"], "-test-labels", p["test-labels.idx"], p["train.npy"], p["test.npy"]}, 0, "train accuracy 1.0000"},
		{"no labels", []string{p["train.npy"], p["test.npy"]}, 2, "--train-labels and --test-labels are required"},
		{"one file", append(slices.Clone(labels), p["train.npy"]), 2, "expected"},
		{"bad max-iter", append(slices.Clone(labels), "--max-iter", "0", p["train.npy"], p["test.npy"]), 2, "--max-iter 0"},
		{"bad l2", append(slices.Clone(labels), "--l2", "-1", p["train.npy"], p["test.npy"]), 2, "--l2"},
		{"label count", []string{"--train-labels", p["test-labels.idx"], "--test-labels", p["test-labels.idx"], p["train.npy"], p["test.npy"]}, 1,
			"test-labels.idx: 30 labels for the 60 rows of " + p["train.npy"]},
		{"width", append(slices.Clone(labels), p["train.npy"], badShape), 1, "wide.npy: rows have 5 values, those of " + p["train.npy"] + " 16"},
		{"images as labels", []string{"--train-labels", p["train-images.idx.gz"], "--test-labels", p["test-labels.idx"], p["train.npy"], p["test.npy"]}, 1,
			"train-images.idx.gz: dataset: labels must be a 1-D array"},
		{"label too large", []string{"--train-labels", p["huge-labels.idx"], "--test-labels", p["test-labels.idx"], p["train.npy"], p["test.npy"]}, 1,
			"huge-labels.idx: label 2000000000 implies 2000000001 classes, more than the 60 training rows"},
		{"missing file", append(slices.Clone(labels), filepath.Join(dir, "none.npy"), p["test.npy"]), 1, "none.npy"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), &env{stdout: &stdout, stderr: &stderr}, append([]string{"classify"}, c.args...))
			out := stdout.String()
			if code != 0 {
				out = stderr.String()
			}
			if code != c.code || !strings.Contains(out, c.stdout) {
				t.Errorf("exit %d, want %d; output %q, want it to contain %q", code, c.code, out, c.stdout)
			}
		})
	}
}

func TestClassifyJSON(t *testing.T) {
	p := classifyFixture(t, t.TempDir())
	var stdout, stderr bytes.Buffer
	args := []string{"classify", "--json", "--train-labels", p["train-labels.idx"], "--test-labels", p["test-labels.idx"], p["train.npy"], p["test.npy"]}
	if code := run(context.Background(), &env{stdout: &stdout, stderr: &stderr}, args); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "}\n") {
		t.Errorf("output is not one JSON line: %q", out)
	}
	var res classifyResult
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		t.Fatal(err)
	}
	if res.TrainRows != 60 || res.TestRows != 30 || res.Features != 16 || res.Classes != 3 ||
		res.TestAccuracy != 1 || res.TrainAccuracy != 1 || res.TestCorrect != 30 || res.L2 != 1e-4 || res.Iterations == 0 {
		t.Errorf("result %+v", res)
	}
}

// npyFile builds a .npy file (version 1.0) with the given header
// dictionary and data bytes, padding the header as the format requires.
func npyFile(dict string, data []byte) []byte {
	pad := (64 - (10+len(dict)+1)%64) % 64
	header := dict + strings.Repeat(" ", pad) + "\n"
	out := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	return append(append(out, header...), data...)
}

func float64Bytes(order binary.AppendByteOrder, v ...float64) []byte {
	var out []byte
	for _, x := range v {
		out = order.AppendUint64(out, math.Float64bits(x))
	}
	return out
}

func TestReadNPY(t *testing.T) {
	dir := t.TempDir()
	m := &rbm.Matrix{Rows: 2, Cols: 3, Data: []float32{1, 2, 3, 4, 5, 6}}
	var written bytes.Buffer
	if err := dataset.WriteNPY(&written, m); err != nil {
		t.Fatal(err)
	}
	big := rbm.NewMatrix(3000, 7) // many buffer refills
	for i := range big.Data {
		big.Data[i] = float32(i) / 7
	}
	var bigFile bytes.Buffer
	dataset.WriteNPY(&bigFile, big)
	full := written.Bytes()
	for _, c := range []struct {
		name string
		file []byte
		want *rbm.Matrix // nil: an error containing err
		err  string
	}{
		{"WriteNPY output", full, m, ""},
		{"large", bigFile.Bytes(), big, ""},
		{"float64", npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", float64Bytes(binary.LittleEndian, 1, 2, 3, 4, 5, 6)), m, ""},
		{"big-endian", npyFile("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", float64Bytes(binary.BigEndian, 1, 2, 3, 4, 5, 6)), m, ""},
		{"Fortran order", npyFile("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", float64Bytes(binary.LittleEndian, 1, 4, 2, 5, 3, 6)), m, ""},
		{"truncated data", full[:len(full)-1], nil, "the header announces 2×3 <f4 values, the file holds 23 bytes"},
		{"truncated at element", full[:len(full)-4], nil, "holds 20 bytes"},
		{"extra data", append(slices.Clone(full), 0, 0, 0, 0), nil, "holds 28 bytes"},
		{"huge shape", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (4000000000000, 4000000000000), }", nil), nil, "the header announces"},
		{"1-D", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", make([]byte, 24)), nil, "shape [6]: want two dimensions"},
		{"negative", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", nil), nil, "want two dimensions"},
		{"integers", npyFile("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1), }", make([]byte, 4)), nil, `element type "<i4"`},
		{"not npy", []byte("hello, world"), nil, "no NumPy magic"},
		{"short", []byte("\x93NUM"), nil, "not a .npy file: 4 bytes"},
		{"version 3", append([]byte("\x93NUMPY\x03\x00"), 0, 0), nil, "version 3.0"},
		{"header past end", []byte("\x93NUMPY\x01\x00\xff\x00{}"), nil, "truncated .npy header: 265 bytes"},
		{"garbled dictionary", npyFile("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4', }", make([]byte, 24)), nil, "malformed .npy header"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".npy")
			if err := os.WriteFile(path, c.file, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readNPY(path)
			if c.want == nil {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), path+": ") {
					t.Errorf("error %v, want one naming the file and containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Rows != c.want.Rows || got.Cols != c.want.Cols || !slices.Equal(got.Data, c.want.Data) {
				t.Errorf("read %d×%d %v, want %d×%d %v", got.Rows, got.Cols, head(got.Data), c.want.Rows, c.want.Cols, head(c.want.Data))
			}
		})
	}
}

func head(x []float32) string {
	if len(x) > 8 {
		return fmt.Sprint(x[:8], "…")
	}
	return fmt.Sprint(x)
}

// FuzzReadNPY checks that no file makes the reader panic or return a
// matrix whose size disagrees with its shape.
func FuzzReadNPY(f *testing.F) {
	var b bytes.Buffer
	dataset.WriteNPY(&b, &rbm.Matrix{Rows: 2, Cols: 2, Data: []float32{1, 2, 3, 4}})
	f.Add(b.Bytes())
	f.Add(npyFile("{'descr': '<f8', 'fortran_order': True, 'shape': (1, 2), }", float64Bytes(binary.LittleEndian, 1, 2)))
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", make([]byte, 4)))
	f.Add([]byte("\x93NUMPY\x02\x00\x10\x00\x00\x00{'descr': '<f4'}\n"))
	f.Fuzz(func(t *testing.T, file []byte) {
		m, err := decodeNPY(bytes.NewReader(file), int64(len(file)))
		if err == nil && len(m.Data) != m.Rows*m.Cols {
			t.Fatalf("%d×%d matrix with %d values", m.Rows, m.Cols, len(m.Data))
		}
	})
}
