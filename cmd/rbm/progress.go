package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a one-line progress bar on a terminal. On anything else
// (a file, a pipe, CI logs) it stays silent, so logs hold only the
// per-epoch lines.
type progress struct {
	w     io.Writer
	tty   bool
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// update redraws the bar at most ten times a second.
func (p *progress) update(label string, done, total int) {
	if !p.tty || total <= 0 || (done < total && time.Since(p.last) < 100*time.Millisecond) {
		return
	}
	p.last = time.Now()
	const width = 30
	n := width * done / total
	fmt.Fprintf(p.w, "\r%s [%s>%s] %3d%%", label, strings.Repeat("=", n), strings.Repeat(" ", width-n), 100*done/total)
	p.drawn = true
}

// clear erases the bar so the next line starts clean.
func (p *progress) clear() {
	if p.drawn {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 79))
		p.drawn = false
	}
}
