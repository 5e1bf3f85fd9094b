//go:build !unix

package atomicfile

// syncDir does nothing where directories cannot be opened and synced.
func syncDir(string) error { return nil }
