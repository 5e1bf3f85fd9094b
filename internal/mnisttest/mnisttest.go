// Package mnisttest locates the MNIST files for end-to-end tests, which
// are long tests: they run only in the full suite (see package testenv),
// where missing data is a failure rather than a skip.
package mnisttest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rbmkit/rbm/internal/testenv"
)

// Path returns the path of the named MNIST file (for instance
// "train-images-idx3-ubyte.gz") in $RBM_MNIST_DIR or, when that is unset,
// in shared/data/mnist beside the repository (found by walking up from the
// test's directory). It skips the test unless the full suite runs, and
// then fails it when the file is absent.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	testenv.Long(tb)
	dir := os.Getenv("RBM_MNIST_DIR")
	if dir == "" {
		dir = find()
	}
	path := filepath.Join(dir, name)
	testenv.Require(tb, path, "set RBM_MNIST_DIR to the directory holding the official MNIST files, or put them in ../shared/data/mnist")
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
