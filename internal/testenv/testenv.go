// Package testenv is the switch between the quick test suite, which
// `go test ./...` runs in a couple of minutes, and the full one, which
// also runs the long statistical and end-to-end tests: RBM_LONG=1 in the
// environment selects the full suite, and .ci/run always sets it.
//
// A long test starts with Long(t). Under the quick suite it skips, saying
// how to run it (go test -v shows the reasons; go test ./... prints only a
// line per package for packages that pass). Under the full suite nothing
// may skip for want of data: a test that needs a file calls Require,
// which fails rather than skips when the file is missing.
package testenv

import (
	"os"
	"testing"
)

// Var is the environment variable that selects the full suite.
const Var = "RBM_LONG"

// IsLong reports whether the full suite was asked for.
func IsLong() bool { return os.Getenv(Var) == "1" }

// Long skips tb, a long test, unless the full suite was asked for.
func Long(tb testing.TB) {
	tb.Helper()
	if !IsLong() {
		tb.Skip("long test: runs with " + Var + "=1 (as .ci/run does)")
	}
}

// Require checks that the file at path, which tb needs, is present. If
// not, tb fails under the full suite, whose promise is that everything
// ran, and skips otherwise; either way the message says what is missing
// and how to provide it.
func Require(tb testing.TB, path, how string) {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		if IsLong() {
			tb.Fatalf("%s=1 but a file this test needs is missing: %v (%s)", Var, err, how)
		} else {
			tb.Skipf("needs %s: %v (%s)", path, err, how)
		}
	}
}
