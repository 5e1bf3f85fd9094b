//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package atomicfile

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestWriteRemovesStaleTemporaries leaves the temporary files a killed
// writer would, next to some that must survive: a live writer's (locked),
// a fresh one (its writer may be between creating and locking it), and
// names outside the pattern.
func TestWriteRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.rbm")
	old := time.Now().Add(-2 * StaleAfter)
	leftover := func(name string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	leftover(".model.rbm.tmp1234", old)
	leftover(".model.rbm.tmp99", old)
	keep := []string{
		leftover(".model.rbm.tmp555", time.Now()),  // fresh
		leftover(".model.rbm.tmp12x", old),         // not digits
		leftover(".model.rbm.tmp", old),            // no digits
		leftover(".other.rbm.tmp77", old),          // another name's
		leftover("model.rbm.tmp88", old),           // not hidden: not ours
		leftover(".model.rbm.tmp777", time.Time{}), // locked below: live
	}
	live, err := os.Open(keep[len(keep)-1])
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if err := os.Chtimes(live.Name(), old, old); err != nil {
		t.Fatal(err)
	}
	if ok, err := tryLock(live); !ok || err != nil {
		t.Fatalf("locking the live writer's file: %v %v", ok, err)
	}
	sub := filepath.Join(dir, ".model.rbm.tmp31")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(sub, old, old)
	keep = append(keep, sub)

	if err := Write(path, writeString("new")); err != nil {
		t.Fatal(err)
	}
	want := []string{"model.rbm"}
	for _, k := range keep {
		want = append(want, filepath.Base(k))
	}
	got := entries(t, dir)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("after Write the directory holds\n%q\nwant\n%q", got, want)
	}
}
