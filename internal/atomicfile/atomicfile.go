// Package atomicfile writes files so that readers see either the old
// content or the complete new content, never a partial file.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Write creates path with the bytes write produces, through a temporary
// file in the same directory that is synced and renamed into place only
// when write succeeds; the directory is synced after the rename, so the
// new file survives a crash once Write returns. On failure the temporary
// file is removed and any existing file at path is left as it was.
//
// A file that replaces another keeps its permission bits; a new one gets
// 0666 less the process umask, as with os.Create. A path that names a
// directory or another non-regular file is an error.
//
// The temporary file is named .NAME.tmpNNN and, where the system has
// advisory locks, locked while it exists. A writer killed before its
// rename leaves that file behind; the next Write to the same name removes
// such leftovers once they are unlocked (their writer is gone) and
// untouched for StaleAfter.
func Write(path string, write func(io.Writer) error) (err error) {
	mode, keep, err := modeFor(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Dir(path)
	prefix := tempPrefix(path)
	tmp, err := createTemp(dir, prefix)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	renamed, closed := false, false
	defer func() {
		// After the rename the temporary name is free again and may be
		// another writer's by now, so only remove it before.
		if !closed {
			tmp.Close()
		}
		if err != nil && !renamed {
			os.Remove(tmp.Name())
		}
	}()
	if canLock && lock(tmp) == nil {
		// A file system without locks (some network ones) fails here;
		// leftovers there are left alone, their writers' liveness unknown.
		removeStale(dir, prefix, tmp)
	}
	bw := bufio.NewWriter(tmp)
	if err = write(bw); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if keep {
		if err = tmp.Chmod(mode); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !canLock {
		// Without locks nothing needs the file open, and some systems
		// cannot rename an open file.
		closed = true
		if err = tmp.Close(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	// With locks the file stays open, and so locked, until it has its
	// final name, so no other writer takes it for a leftover.
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	renamed = true
	if !closed {
		closed = true
		if err = tmp.Close(); err != nil {
			// The content was synced before the rename.
			return fmt.Errorf("%s: written, but closing it failed: %w", path, err)
		}
	}
	if err := syncDir(dir); err != nil {
		// The file is in place and complete; only its durability across a
		// crash is in doubt, which the caller should hear about.
		return fmt.Errorf("%s: written, but syncing its directory failed: %w", path, err)
	}
	return nil
}

// modeFor returns the permission bits of the file at path, and keep =
// true, when there is one to replace. A path that exists but is not a
// regular file is an error, since renaming over it would replace a
// directory entry of another kind.
func modeFor(path string) (mode fs.FileMode, keep bool, err error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	case fi.IsDir():
		return 0, false, errors.New("is a directory, not a file")
	case !fi.Mode().IsRegular():
		return 0, false, fmt.Errorf("exists and is not a regular file but a %s", fileKind(fi.Mode()))
	}
	return fi.Mode().Perm(), true, nil
}

// createTemp is os.CreateTemp with mode 0666 instead of 0600: the
// operating system applies the umask at creation, so a new file gets the
// permissions os.Create would give it without the process reading (and so
// briefly changing) its umask.
func createTemp(dir, prefix string) (*os.File, error) {
	for range 10000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			// The temporary name means nothing to the user; the directory does.
			return nil, fmt.Errorf("cannot create a file in %s: %w", dir, pe.Err)
		}
		return f, err
	}
	return nil, fmt.Errorf("no unused temporary name %s* in %s", prefix, dir)
}

// Check reports, without changing anything, whether Write could write
// path: that path is not a directory or other non-regular file and that a
// file can be created beside it. Commands call it for every output before
// long work, so that an unwritable path fails at once rather than after.
func Check(path string) error {
	if _, _, err := modeFor(path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tmp, err := createTemp(filepath.Dir(path), tempPrefix(path))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

// tempPrefix is the start of the temporary names of path's writers:
// ".NAME.tmp", followed by decimal digits.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp" }

// StaleAfter is how long a leftover temporary file must have gone
// unmodified before Write removes it. A live writer holds its file locked,
// which alone tells it apart; the delay only covers the instant between
// its creating the file and locking it.
const StaleAfter = time.Minute

// removeStale removes the temporary files of earlier writers to the same
// name, in dir, that no process holds locked and that have not been
// modified for StaleAfter: the leftovers of writers that were killed.
// Failures are ignored; a leftover that stays is harmless.
func removeStale(dir, prefix string, own *os.File) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	ownInfo, err := own.Stat()
	if err != nil {
		return
	}
	for _, e := range entries {
		digits, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !isDigits(digits) || !e.Type().IsRegular() {
			continue
		}
		removeIfStale(filepath.Join(dir, e.Name()), ownInfo)
	}
}

func removeIfStale(name string, own os.FileInfo) {
	f, err := os.Open(name)
	if err != nil {
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || os.SameFile(fi, own) || time.Since(fi.ModTime()) < StaleAfter {
		return
	}
	if locked, err := tryLock(f); err != nil || !locked {
		return // a live writer's, or the lock cannot be had
	}
	// The name may have moved on since it was opened: only remove it if
	// it still names the file now locked.
	if now, err := os.Lstat(name); err == nil && os.SameFile(now, fi) {
		os.Remove(name)
	}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// fileKind names the type of a file that is not a regular file or a
// directory.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
