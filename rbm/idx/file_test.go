package idx

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dirNames returns the names in dir, to show that no temporary file is
// left behind.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileReadFile(t *testing.T) {
	for _, compress := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "images.idx")
		a := sampleArray(t, Float32, 4, 3, 2)
		if err := WriteFile(path, a, compress); err != nil {
			t.Fatalf("WriteFile(compress=%v): %v", compress, err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.HasPrefix(raw, gzipMagic); got != compress {
			t.Errorf("WriteFile(compress=%v) wrote a file starting % x", compress, raw[:2])
		}
		got, err := ReadFile(path)
		if err != nil {
			t.Fatalf("ReadFile: %v", err)
		}
		if !sameArray(t, got, a) {
			t.Errorf("ReadFile = %+v, want %+v", got, a)
		}
		if names := dirNames(t, dir); !slices.Equal(names, []string{"images.idx"}) {
			t.Errorf("directory holds %q, want only the file", names)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o644 {
			t.Errorf("new file has permissions %v, want 0644", perm)
		}
	}
}

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "labels.idx")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := sampleArray(t, UByte, 10)
	if err := WriteFile(path, a, false); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(path); !bytes.Equal(raw, encoded(t, a)) {
		t.Errorf("file holds % x, want % x", raw, encoded(t, a))
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"labels.idx"}) {
		t.Errorf("directory holds %q, want only the file", names)
	}
}

// TestWriteFileFailures checks that a failed write names the file, leaves
// what was at the destination as it was, and leaves no temporary file.
func TestWriteFileFailures(t *testing.T) {
	valid := sampleArray(t, UByte, 2, 2)
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the destination
		a     *Array
	}{
		{"nonexistent directory", func(t *testing.T, dir string) string {
			return filepath.Join(dir, "missing", "out.idx")
		}, valid},
		{"destination is a directory", func(t *testing.T, dir string) string {
			// The temporary file is written in full; the rename fails.
			dest := filepath.Join(dir, "out.idx")
			mustWrite(t, filepath.Join(dest, "keep"), "precious")
			return dest
		}, valid},
		{"invalid array over an old file", func(t *testing.T, dir string) string {
			dest := filepath.Join(dir, "out.idx")
			mustWrite(t, dest, "precious")
			return dest
		}, &Array{Type: UByte, Dims: []int{5}, Data: []uint8{1}}},
		{"read-only directory", func(t *testing.T, dir string) string {
			if os.Geteuid() == 0 {
				t.Skip("root ignores directory permissions")
			}
			dest := filepath.Join(dir, "out.idx")
			mustWrite(t, dest, "precious")
			if err := os.Chmod(dir, 0o555); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o755) })
			return dest
		}, valid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dest := tt.setup(t, dir)
			before := snapshot(t, dir)
			err := WriteFile(dest, tt.a, false)
			if err == nil {
				t.Fatal("WriteFile succeeded, want error")
			}
			if !strings.HasPrefix(err.Error(), "idx: "+dest+": ") {
				t.Errorf("error %q does not start with %q", err, "idx: "+dest+": ")
			}
			if after := snapshot(t, dir); !mapsEqual(before, after) {
				t.Errorf("directory changed from %v to %v", before, after)
			}
		})
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot maps every path under dir to its content ("/" for directories).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			files[path] = "/"
			return nil
		}
		content, err := os.ReadFile(path)
		files[path] = string(content)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestWriteFileRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := WriteFile("bare.idx", sampleArray(t, SByte, 3), true); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"bare.idx"}) {
		t.Errorf("directory holds %q, want only the file", names)
	}
}

func TestReadFileErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "train.idx")
	mustWrite(t, short, string(append(header(UByte, 60000, 28, 28), make([]byte, 1200)...)))
	_, err := ReadFile(short)
	want := "idx: " + short + ": header claims 47040000 bytes of ubyte data, file has 1200"
	if err == nil || err.Error() != want {
		t.Errorf("ReadFile error %v, want %q", err, want)
	}
	if !errors.Is(err, ErrFormat) {
		t.Errorf("error %v does not match ErrFormat", err)
	}

	zipped := filepath.Join(dir, "train.idx.gz")
	mustWrite(t, zipped, string(gzipped(header(UByte, 60000, 28, 28))))
	_, err = ReadFile(zipped)
	want = "idx: " + zipped + ": header claims 47040000 bytes of ubyte data, decompressed file has 0"
	if err == nil || err.Error() != want {
		t.Errorf("ReadFile error %v, want %q", err, want)
	}

	missing := filepath.Join(dir, "missing.idx")
	_, err = ReadFile(missing)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReadFile of a missing file: %v, want fs.ErrNotExist naming the file", err)
	}
}

// TestReadFileIgnoresName shows that compression is detected from the
// content: a plain file named .gz and a gzip file named .idx both read.
func TestReadFileIgnoresName(t *testing.T) {
	dir := t.TempDir()
	a := sampleArray(t, Int16, 2, 2)
	plain, zipped := filepath.Join(dir, "plain.gz"), filepath.Join(dir, "zipped.idx")
	mustWrite(t, plain, string(encoded(t, a)))
	mustWrite(t, zipped, string(gzipped(encoded(t, a))))
	for _, path := range []string{plain, zipped} {
		got, err := ReadFile(path)
		if err != nil {
			t.Fatalf("ReadFile(%s): %v", path, err)
		}
		if !sameArray(t, got, a) {
			t.Errorf("ReadFile(%s) = %+v, want %+v", path, got, a)
		}
	}
}
