//go:build unix

package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// withUmask runs f under the given umask. The umask is process-wide, so
// this is safe only because no test in this package runs in parallel.
func withUmask(t *testing.T, mask int, f func()) {
	t.Helper()
	old := syscall.Umask(mask)
	defer syscall.Umask(old)
	f()
}

// TestWriteModeUnderUmask pins the modes down under umasks chosen so that
// the plausible wrong answers differ from the right one: under 002 a fixed
// 0644 or os.CreateTemp's 0600 is wrong, and under 077 a fixed mode that
// ignores the umask is; a replaced file's 0666 under 077 is kept only if it
// is set explicitly rather than through creation.
func TestWriteModeUnderUmask(t *testing.T) {
	for _, c := range []struct {
		umask    int
		existing fs.FileMode // 0: no file before
		want     fs.FileMode
	}{
		{0o002, 0, 0o664},
		{0o077, 0, 0o600},
		{0o022, 0, 0o644},
		{0o077, 0o666, 0o666},
		{0o002, 0o600, 0o600},
		{0o022, 0o751, 0o751},
	} {
		path := filepath.Join(t.TempDir(), "out.bin")
		withUmask(t, c.umask, func() {
			if c.existing != 0 {
				if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, c.existing); err != nil { // past the umask
					t.Fatal(err)
				}
			}
			if err := Write(path, writeString("new")); err != nil {
				t.Fatal(err)
			}
		})
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("umask %04o, existing mode %04o: got %04o, want %04o", c.umask, c.existing, got, c.want)
		}
	}
}
