package testenv

import (
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records how a helper ended the test.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Skip(args ...any)                  { r.skipped = true; r.msg = args[0].(string) }
func (r *recorder) Skipf(format string, args ...any)  { r.skipped = true; r.msg = format }
func (r *recorder) Fatalf(format string, args ...any) { r.failed = true; r.msg = format }

func TestLongAndRequire(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.gz")
	for _, long := range []string{"", "0", "1"} {
		t.Setenv(Var, long)
		var r recorder
		Long(&r)
		if r.skipped == (long == "1") || r.failed {
			t.Errorf("%s=%q: Long skipped %v, failed %v", Var, long, r.skipped, r.failed)
		}
		r = recorder{}
		Require(&r, missing, "set X")
		if long == "1" && (!r.failed || r.skipped) || long != "1" && (!r.skipped || r.failed) {
			t.Errorf("%s=%q: Require of a missing file skipped %v, failed %v", Var, long, r.skipped, r.failed)
		}
		r = recorder{}
		Require(&r, t.TempDir(), "set X")
		if r.skipped || r.failed {
			t.Errorf("%s=%q: Require of a present file ended the test", Var, long)
		}
	}
}
