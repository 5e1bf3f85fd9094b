// Package mnisttest locates the MNIST files for end-to-end tests, which
// run only where the data is present and never under -short.
package mnisttest

import (
	"os"
	"path/filepath"
	"testing"
)

// Path returns the path of the named MNIST file (for instance
// "train-images-idx3-ubyte.gz") in $RBM_MNIST_DIR or, when that is unset,
// in shared/data/mnist beside the repository (found by walking up from the
// test's directory). It skips the test under -short or when the file is
// absent.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("end-to-end MNIST check (skipped under -short)")
	}
	dir := os.Getenv("RBM_MNIST_DIR")
	if dir == "" {
		dir = find()
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("MNIST not found (set RBM_MNIST_DIR): %v", err)
	}
	return path
}

func find() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		candidate := filepath.Join(dir, "shared", "data", "mnist")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}
