package idx

import (
	"fmt"
	"io"
	"os"

	"github.com/rbmkit/rbm/internal/atomicfile"
)

// ReadFile reads the IDX array in the named file, which may be
// gzip-compressed (see Decode). Its errors name the file.
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	defer f.Close()
	a, err := decode(f, "file")
	if err != nil {
		return nil, fmt.Errorf("idx: %s: %w", path, err)
	}
	return a, nil
}

// WriteFile writes a to the named file as IDX, gzip-compressed if compress
// is set. It replaces the file atomically: it writes a temporary file in
// the same directory, syncs it to disk and renames it over path, so that
// readers see the old content or the new, never a part. On error it
// removes the temporary file and leaves any existing file untouched.
// Its errors name the file.
//
// The file gets permissions 0644. Since the rename replaces path itself,
// a symbolic link at path is replaced by the file rather than followed.
func WriteFile(path string, a *Array, compress bool) error {
	if err := a.validate(); err != nil {
		return fmt.Errorf("idx: %s: %w", path, err)
	}
	err := atomicfile.Write(path, func(w io.Writer) error { return encode(w, a, compress) })
	if err != nil {
		return fmt.Errorf("idx: %w", err) // atomicfile names the file
	}
	return nil
}
