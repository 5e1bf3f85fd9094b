package dataset

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
)

// TestLoadBits reads the same bits from every format, in 0/1 form and, for
// spins, in ±1 form, and refuses values that are neither, naming the file
// and the row and column from 1.
func TestLoadBits(t *testing.T) {
	dir := t.TempDir()
	// writeAll writes values in each format and returns the paths.
	writeAll := func(name string, rows, cols int, values []float32) []string {
		m := &rbm.Matrix{Rows: rows, Cols: cols, Data: values}
		var npy, csv bytes.Buffer
		if err := WriteNPY(&npy, m); err != nil {
			t.Fatal(err)
		}
		csv.WriteString("# a comment and a header: row r is on line r+2\nx,y,z\n")
		for r := range rows {
			for j, v := range m.Row(r) {
				if j > 0 {
					csv.WriteString(",")
				}
				csv.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32))
			}
			csv.WriteString("\n")
		}
		paths := []string{filepath.Join(dir, name+".npy"), filepath.Join(dir, name+".csv"), filepath.Join(dir, name+".csv.gz"), filepath.Join(dir, name+".idx"), filepath.Join(dir, name+".idx.gz")}
		for _, w := range []struct {
			path string
			data []byte
		}{{paths[0], npy.Bytes()}, {paths[1], csv.Bytes()}, {paths[2], gzipped(t, csv.String())}} {
			if err := os.WriteFile(w.path, w.data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		a, err := idx.New([]int{rows, cols}, slices.Clone(values))
		if err != nil {
			t.Fatal(err)
		}
		for i, compress := range []bool{false, true} {
			if err := idx.WriteFile(paths[3+i], a, compress); err != nil {
				t.Fatal(err)
			}
		}
		return paths
	}
	bits := []float32{0, 1, 1, 0, 0, 0}
	spins := []float32{-1, 1, 1, -1, -1, -1}
	grey := []float32{0.25, 1, 0.75, 0, 0.5, 0}
	for _, c := range []struct {
		name   string
		values []float32
		opt    Options
		spins  bool
		want   []float32 // nil: an error containing err
		err    string
	}{
		{"bits", bits, Options{}, false, bits, ""},
		{"bits for spins", bits, Options{}, true, bits, ""},
		{"spins", spins, Options{}, true, bits, ""},
		{"spins, kept as probabilities", spins, Options{Binarize: Probabilities}, true, bits, ""},
		{"grey levels thresholded", grey, Options{}, false, []float32{0, 1, 1, 0, 1, 0}, ""},
		{"grey levels kept", grey, Options{Binarize: Probabilities}, false, grey, ""},
		{"spins for binary units", spins, Options{}, false, nil, "row 1, column 1: "},
		{"above 1", []float32{0, 1, 2, 0, 0, 0}, Options{}, true, nil, "row 1, column 3: "},
		{"bits and spins mixed", []float32{-1, 1, 1, -1, 0, 1}, Options{}, true, nil, "row 2, column 2: 0 is not a spin, -1 or +1"},
		{"a spin mean", []float32{-1, 1, 1, -1, 0.5, 1}, Options{}, true, nil, "row 2, column 2: 0.5 is not a spin"},
	} {
		for _, path := range writeAll(strings.ReplaceAll(c.name, " ", "_"), 2, 3, c.values) {
			t.Run(c.name+"/"+filepath.Base(path), func(t *testing.T) {
				m, _, err := LoadBits(path, c.opt, c.spins)
				if c.want == nil {
					want := c.err
					var r int
					if n, _ := fmt.Sscanf(want, "row %d,", &r); n == 1 && strings.Contains(path, ".csv") {
						want = fmt.Sprintf("line %d,", r+2) + strings.TrimPrefix(want, fmt.Sprintf("row %d,", r))
					}
					if err == nil || !strings.Contains(err.Error(), path+": ") || !strings.Contains(err.Error(), want) {
						t.Fatalf("error %v, want one naming the file and containing %q", err, want)
					}
					// The error says what the units take.
					takes := "outside [0,1]"
					if c.spins {
						takes = "+1"
					}
					if !strings.Contains(err.Error(), takes) {
						t.Errorf("error %v does not say %q", err, takes)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if m.Rows != 2 || m.Cols != 3 || !slices.Equal(m.Data, c.want) {
					t.Errorf("read %d×%d %v, want 2×3 %v", m.Rows, m.Cols, m.Data, c.want)
				}
			})
		}
	}
}

// TestLoadBitsIDXAsLoad checks that LoadBits reads IDX files as Load does,
// stochastic draws included, so that a model trained on them is the same.
func TestLoadBitsIDXAsLoad(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "mnist-test-500-images-idx3-ubyte.gz")
	for _, spins := range []bool{false, true} {
		for _, mode := range []Binarize{Threshold, Stochastic, Probabilities} {
			opt := func() Options { return Options{Binarize: mode, Rand: rand.New(rand.NewPCG(1, 2))} }
			want, wshape, err := Load(path, opt())
			if err != nil {
				t.Fatal(err)
			}
			got, shape, err := LoadBits(path, opt(), spins)
			if err != nil {
				t.Fatal(err)
			}
			if shape != wshape || got.Rows != want.Rows || got.Cols != want.Cols || !slices.Equal(got.Data, want.Data) {
				t.Errorf("%v, spins %v: LoadBits and Load differ", mode, spins)
			}
		}
	}
}

// TestLoadCategories reads the same categories from IDX, CSV and .npy
// files, and names the line of a bad value in a CSV file and its row in
// a .npy one.
func TestLoadCategories(t *testing.T) {
	dir := t.TempDir()
	cats := []uint8{0, 2, 1, 1, 0, 2}
	a, _ := idx.New([]int{2, 3}, cats)
	ref := filepath.Join(dir, "cats.idx")
	if err := idx.WriteFile(ref, a, false); err != nil {
		t.Fatal(err)
	}
	want, _, wq, err := LoadCategories(ref, 0)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ints := func(name string, v ...float32) string {
		var b bytes.Buffer
		WriteNPY(&b, &rbm.Matrix{Rows: 2, Cols: 3, Data: v})
		return write(name, b.String())
	}
	for _, path := range []string{
		write("cats.csv", "# c\nu,v,w\n0,2,1\n1,0,2\n"),
		write("cats.csv.gz", string(gzipped(t, "0,2,1\n1,0,2\n"))),
		ints("cats.npy", 0, 2, 1, 1, 0, 2),
		ints("cats.npy.gz", 0, 2, 1, 1, 0, 2),
	} {
		if strings.HasSuffix(path, ".npy.gz") {
			b, _ := os.ReadFile(strings.TrimSuffix(path, ".gz"))
			write(filepath.Base(path), string(gzipped(t, string(b))))
		}
		got, _, q, err := LoadCategories(path, 0)
		if err != nil {
			t.Fatal(err)
		}
		if q != wq || !slices.Equal(got.Data, want.Data) {
			t.Errorf("%s: %d states, %v; want %d, %v", filepath.Base(path), q, got.Data, wq, want.Data)
		}
	}
	for _, c := range []struct {
		path   string
		states int
		err    string
	}{
		{write("frac.csv", "# c\nu,v,w\n0,2,1\n1,0.5,2\n"), 0, "frac.csv: line 4, column 2: 0.5 is not a category"},
		{write("neg.csv", "0,2,1\n\n1,-1,2\n"), 0, "neg.csv: line 3, column 2: -1 is not a category"},
		{write("big.csv", "0,2,1\n1,0,3\n"), 3, "big.csv: line 2, column 3: category 3 is outside [0, 3)"},
		{ints("big.npy", 0, 2, 1, 1, 0, 3), 3, "big.npy: row 2, column 3: category 3 is outside [0, 3)"},
	} {
		if _, _, _, err := LoadCategories(c.path, c.states); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("error %v, want one containing %q", err, c.err)
		}
	}
}
