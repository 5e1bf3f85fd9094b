package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// entries returns the names in dir, to catch temporary files left behind.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestWriteCreatesWithUmask(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no umask")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "new.bin")
	if err := Write(path, writeString("hello")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "hello" {
		t.Fatalf("read back %q, %v", got, err)
	}
	// What os.Create gives a file in the same directory.
	ref, err := os.Create(filepath.Join(dir, "reference"))
	if err != nil {
		t.Fatal(err)
	}
	ref.Close()
	fi, _ := os.Stat(path)
	rfi, _ := os.Stat(ref.Name())
	if fi.Mode().Perm() != rfi.Mode().Perm() {
		t.Errorf("new file has mode %v, os.Create gives %v", fi.Mode().Perm(), rfi.Mode().Perm())
	}
	if names := entries(t, dir); len(names) != 2 {
		t.Errorf("directory holds %v, want the file and the reference", names)
	}
}

func TestWriteReplacesAndKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.rbm")
	if err := os.WriteFile(path, []byte("old content, longer than the new"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil { // past the umask
		t.Fatal(err)
	}
	if err := Write(path, writeString("new")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "new" {
		t.Errorf("file holds %q, want %q", got, "new")
	}
	fi, _ := os.Stat(path)
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Errorf("replaced file has mode %v, want 0640 kept", fi.Mode().Perm())
	}
}

func TestWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "features.npy")
	if err := os.WriteFile(path, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("encoder failed")
	err := Write(path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v: want the callback's error, naming %s", err, path)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "precious" {
		t.Errorf("old file now holds %q", got)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v: a temporary file was left behind", names)
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, want string
	}{
		{"missing directory", filepath.Join(dir, "nope", "out.idx"), "no such file or directory"},
		{"directory in the way", sub, "is a directory, not a file"},
	}
	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ name, path, want string }{"unwritable directory", filepath.Join(ro, "out.idx"), "permission denied"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Write(c.path, writeString("x"))
			if err == nil || !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v: want one naming %s and saying %q", err, c.path, c.want)
			}
			if err != nil && strings.Contains(err.Error(), ".tmp") {
				t.Errorf("error %v names the temporary file", err)
			}
		})
	}
	if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
		t.Errorf("the directory in the way was replaced: %v", err)
	}
}

// TestSyncDir checks that a directory on the test's file system syncs and
// a missing one is reported. The EINVAL/ENOTSUP tolerance needs a file
// system that cannot sync directories and is not exercised here.
func TestSyncDir(t *testing.T) {
	if err := syncDir(t.TempDir()); err != nil {
		t.Errorf("syncing a directory: %v", err)
	}
	if err := syncDir(filepath.Join(t.TempDir(), "gone")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("syncing a missing directory: %v, want not-exist", err)
	}
}

func ExampleWrite() {
	path := filepath.Join(os.TempDir(), "atomicfile-example.txt")
	defer os.Remove(path)
	err := Write(path, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, "all or nothing")
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output: all or nothing
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.npy")
	if err := os.WriteFile(existing, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{existing, filepath.Join(dir, "new.npy")} {
		if err := Check(path); err != nil {
			t.Errorf("Check(%s): %v", path, err)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep" {
		t.Errorf("Check changed an existing file to %q", b)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("Check left %v behind", names)
	}
	cases := []struct{ path, want string }{
		{filepath.Join(dir, "nope", "out.idx"), "no such file or directory"},
		{dir, "is a directory, not a file"},
	}
	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ path, want string }{filepath.Join(ro, "out.idx"), "permission denied"})
	}
	for _, c := range cases {
		err := Check(c.path)
		if err == nil || !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Check(%s) = %v, want an error naming it and saying %q", c.path, err, c.want)
		}
	}
}
