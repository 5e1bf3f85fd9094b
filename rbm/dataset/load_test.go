package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm/idx"
)

func TestLoad(t *testing.T) {
	images := mustArray(t, []int{2, 2, 3}, []uint8{0, 255, 0, 255, 0, 255, 200, 200, 200, 10, 10, 10})
	for _, compress := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "images.idx")
		if err := idx.WriteFile(path, images, compress); err != nil {
			t.Fatal(err)
		}
		m, shape, err := Load(path, Options{})
		if err != nil {
			t.Fatalf("Load(compress=%v): %v", compress, err)
		}
		want := []float32{0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0}
		if m.Rows != 2 || m.Cols != 6 || !slices.Equal(m.Data, want) || shape != (Shape{Height: 2, Width: 3}) {
			t.Errorf("Load(compress=%v) = %d×%d %v shape %+v", compress, m.Rows, m.Cols, m.Data, shape)
		}
	}
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels.idx")
	if err := idx.WriteFile(labels, mustArray(t, []int{3}, []uint8{1, 2, 3}), false); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.idx")
	if err := os.WriteFile(truncated, []byte{0, 0, 8, 2, 0, 0, 0, 9, 0, 0, 0, 9, 1}, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.idx")

	tests := []struct {
		path string
		want string
		is   error
	}{
		{labels, "dataset: " + labels + ": a 1-D array of 3 values, such as a label file, is not training data", nil},
		{truncated, "idx: " + truncated + ": header claims 81 bytes of ubyte data, file has 1", idx.ErrFormat},
		{missing, missing, os.ErrNotExist},
	}
	for _, tt := range tests {
		_, _, err := Load(tt.path, Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%s) error %v, want one containing %q", tt.path, err, tt.want)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("Load(%s) error %v does not match %v", tt.path, err, tt.is)
		}
	}
}

// TestLoadTextNamedAsIDX checks that a text file whose name gives no
// format, read as IDX, is refused with a hint about extensions, by every
// loader, while a binary file that is not IDX gets no hint.
func TestLoadTextNamedAsIDX(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	text := write("data.tsv", []byte("0\t1\t1\n1\t0\t1\n"))
	gz := write("data.txt.gz", gzipped(t, "0,1,1\n1,0,1\n"))
	binary := write("data.bin", []byte{1, 2, 3, 4, 0, 0xff, 7, 8, 9})
	loaders := map[string]func(string) error{
		"Load":           func(p string) error { _, _, err := Load(p, Options{}); return err },
		"LoadCompact":    func(p string) error { _, _, err := LoadCompact(p, Options{}); return err },
		"LoadBits":       func(p string) error { _, _, err := LoadBits(p, Options{}, true); return err },
		"LoadValues":     func(p string) error { _, _, err := LoadValues(p, nil); return err },
		"LoadCategories": func(p string) error { _, _, _, err := LoadCategories(p, 0); return err },
	}
	const hint = "it holds text: CSV files are read by the extension .csv"
	for name, load := range loaders {
		for _, path := range []string{text, gz, binary} {
			err := load(path)
			if err == nil || !errors.Is(err, idx.ErrFormat) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s(%s): error %v, want an IDX format error naming the file", name, filepath.Base(path), err)
				continue
			}
			if got := strings.Contains(err.Error(), hint); got != (path != binary) {
				t.Errorf("%s(%s): error %v; hint given: %v", name, filepath.Base(path), err, got)
			}
		}
	}
}
