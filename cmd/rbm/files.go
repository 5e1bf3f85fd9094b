package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rbmkit/rbm/internal/atomicfile"
)

// checkFiles is called by every command that writes files, after its flags
// are checked and before it reads anything. It refuses an output that is
// the same file as an input or as another output, whatever the names or
// links that lead to it (an output must never overwrite an input, and two
// outputs in one file would leave only the last), and an output that
// cannot be created. Empty names are skipped.
func checkFiles(inputs, outputs []string) error {
	ins := identities(inputs)
	outs := identities(outputs)
	for i, o := range outs {
		for _, in := range ins {
			if o.same(in) {
				return usagef("output %s is %s: refusing to overwrite an input", o.path, describe(in, o))
			}
		}
		for _, p := range outs[:i] {
			if o.same(p) {
				return usagef("outputs %s and %s are the same file: give each its own", p.path, o.path)
			}
		}
	}
	for _, o := range outs {
		if err := atomicfile.Check(o.path); err != nil {
			return err
		}
	}
	return nil
}

// fileIdentity tells whether two paths name the same file: an existing
// file by its identity on disk (so hard and symbolic links to it match),
// a file yet to be created by its directory's identity and its name.
type fileIdentity struct {
	path string
	file fs.FileInfo // the file, when it exists
	dir  fs.FileInfo // its directory, when the file does not exist
}

func identities(paths []string) []fileIdentity {
	var ids []fileIdentity
	for _, p := range paths {
		if p == "" {
			continue
		}
		id := fileIdentity{path: p}
		if fi, err := os.Stat(p); err == nil {
			id.file = fi
		} else if errors.Is(err, fs.ErrNotExist) {
			id.dir, _ = os.Stat(filepath.Dir(p))
		}
		ids = append(ids, id)
	}
	return ids
}

func (a fileIdentity) same(b fileIdentity) bool {
	switch {
	case a.file != nil && b.file != nil:
		return os.SameFile(a.file, b.file)
	case a.file == nil && b.file == nil && a.dir != nil && b.dir != nil:
		return filepath.Base(a.path) == filepath.Base(b.path) && os.SameFile(a.dir, b.dir)
	}
	return false
}

// describe names input in for the message about output out, which is the
// same file, perhaps under another name.
func describe(in, out fileIdentity) string {
	if filepath.Clean(in.path) == filepath.Clean(out.path) {
		return "also an input"
	}
	return fmt.Sprintf("the same file as the input %s", in.path)
}
