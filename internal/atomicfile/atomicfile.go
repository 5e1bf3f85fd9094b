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
func Write(path string, write func(io.Writer) error) (err error) {
	mode, keep, err := modeFor(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Dir(path)
	tmp, err := createTemp(dir, "."+filepath.Base(path)+".tmp")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	renamed := false
	defer func() {
		// After the rename the temporary name is free again and may be
		// another writer's by now, so only remove it before.
		if err != nil && !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
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
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	renamed = true
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
	case !fi.Mode().IsRegular():
		return 0, false, fmt.Errorf("exists and is not a regular file (%v)", fi.Mode().Type())
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
