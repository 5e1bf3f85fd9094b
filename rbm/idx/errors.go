package idx

import (
	"errors"
	"fmt"
)

var (
	// ErrFormat reports input that is not a well-formed IDX file: a magic
	// number that does not start with two zero bytes, an unknown element
	// type, a header or data section cut short, or bytes after the data.
	// Test for it with errors.Is; the error's text says what was wrong.
	ErrFormat = errors.New("idx: invalid format")

	// ErrTooLarge reports an array whose data section would exceed
	// MaxDataSize bytes, or whose dimensions cannot be represented: more
	// than 255 of them, or one that does not fit in 32 bits.
	ErrTooLarge = errors.New("idx: array too large")
)

// kindError carries a specific message while unwrapping to one of the
// sentinels above, so callers test a single value and users read details.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// formatErrorf returns an error matching ErrFormat. Like every error built
// inside the package, its text has no "idx:" prefix: the exported entry
// points add the prefix, and the file name when there is one.
func formatErrorf(format string, args ...any) error {
	return &kindError{kind: ErrFormat, msg: fmt.Sprintf(format, args...)}
}

// tooLargeErrorf returns an error matching ErrTooLarge.
func tooLargeErrorf(format string, args ...any) error {
	return &kindError{kind: ErrTooLarge, msg: fmt.Sprintf(format, args...)}
}
