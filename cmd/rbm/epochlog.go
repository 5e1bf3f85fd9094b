package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/rbmkit/rbm/rbm"
)

// epochLog is rbm train's --log: each epoch's statistics as one JSON
// line, written as the epoch ends, so that a crash or a kill leaves the
// record of what happened up to then. A nil *epochLog (no --log) does
// nothing.
type epochLog struct {
	path string
	f    *os.File
	err  error // the first write error; later epochs are not written
}

// openEpochLog creates the log at path, or returns nil for no path.
func openEpochLog(path string) (*epochLog, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &epochLog{path: path, f: f}, nil
}

// write appends one epoch's statistics.
func (l *epochLog) write(st rbm.EpochStats) {
	if l == nil || l.err != nil {
		return
	}
	line, _ := json.Marshal(st)
	if _, err := l.f.Write(append(line, '\n')); err != nil {
		l.err = fmt.Errorf("%s: %w", l.path, err)
	}
}

// close closes the log and reports any write error, saying that the
// model (at out) is saved nonetheless.
func (l *epochLog) close(out string) error {
	if l == nil {
		return nil
	}
	if err := l.f.Close(); err != nil && l.err == nil {
		l.err = fmt.Errorf("%s: %w", l.path, err)
	}
	if l.err != nil {
		return fmt.Errorf("the model is saved in %s, but writing the log failed: %w", out, l.err)
	}
	return nil
}

// abandon closes the log on a path that returns early; the epochs written
// so far stay.
func (l *epochLog) abandon() {
	if l != nil {
		l.f.Close()
	}
}
