// Command rbmbench is the Go side of the benchmark harness in bench/: it
// writes a model's parameters as .npy files, so that the harness scores
// every tool's model with one NumPy function, and it times feature
// extraction in memory.
//
//	rbmbench export MODEL DIR           writes DIR/W.npy (V×H), DIR/b.npy, DIR/c.npy (float32)
//	rbmbench features MODEL DATA [-workers N] [-repeat R]
//	                                    prints {"rows":…, "seconds":…, "rows_per_second":…}
//	rbmbench score MODEL DATA [-limit N]
//	                                    prints {"rows":…, "pseudo_log_lik":…, "recon_error":…}
//	                                    by rbm's own definitions, a cross-check of peers.py evaluate
//
// DATA is an IDX file (gzipped or not), thresholded at one half like
// rbm train's default.
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/rbmkit/rbm/internal/atomicfile"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "rbmbench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: rbmbench export MODEL DIR | features MODEL DATA [-workers N] [-repeat R]")
	}
	switch args[0] {
	case "export":
		if len(args) != 3 {
			return fmt.Errorf("usage: rbmbench export MODEL DIR")
		}
		return export(args[1], args[2])
	case "features":
		fs := flag.NewFlagSet("features", flag.ContinueOnError)
		workers := fs.Int("workers", 0, "goroutines (0: every core)")
		repeat := fs.Int("repeat", 5, "timed passes; the fastest is reported")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 2 {
			return fmt.Errorf("usage: rbmbench features [-workers N] [-repeat R] MODEL DATA")
		}
		return features(fs.Arg(0), fs.Arg(1), *workers, *repeat)
	case "score":
		fs := flag.NewFlagSet("score", flag.ContinueOnError)
		limit := fs.Int("limit", 0, "score only the first N rows (0: all)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 2 {
			return fmt.Errorf("usage: rbmbench score [-limit N] MODEL DATA")
		}
		return score(fs.Arg(0), fs.Arg(1), *limit)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func export(model, dir string) error {
	m, _, err := rbm.LoadFile(model)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name  string
		shape []int
		data  []float32
	}{
		{"W.npy", []int{m.Visible, m.Hidden}, m.W},
		{"b.npy", []int{m.Visible}, m.B},
		{"c.npy", []int{m.Hidden}, m.C},
	} {
		path := filepath.Join(dir, f.name)
		if err := atomicfile.Write(path, func(w io.Writer) error { return writeNPY(w, f.shape, f.data) }); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// writeNPY writes a little-endian float32 array in NumPy's .npy format,
// version 1.0: magic, header length, a Python dict literal padded with
// spaces so that the data starts at a multiple of 64 bytes, then the data.
func writeNPY(w io.Writer, shape []int, data []float32) error {
	dims := ""
	for _, d := range shape {
		dims += fmt.Sprintf("%d, ", d)
	}
	if len(shape) > 1 {
		dims = dims[:len(dims)-2]
	}
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", dims)
	pad := 64 - (10+len(header)+1)%64
	header += fmt.Sprintf("%*s\n", pad%64, "")
	buf := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	buf = append(buf, header...)
	if _, err := w.Write(buf); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, data)
}

func features(model, data string, workers, repeat int) error {
	m, _, err := rbm.LoadFile(model)
	if err != nil {
		return err
	}
	v, _, err := dataset.Load(data, dataset.Options{})
	if err != nil {
		return err
	}
	var times []float64
	for range max(repeat, 1) {
		start := time.Now()
		if _, err := m.Transform(v, workers); err != nil {
			return err
		}
		times = append(times, time.Since(start).Seconds())
	}
	best := slices.Min(times)
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"rows": v.Rows, "seconds": best, "rows_per_second": float64(v.Rows) / best,
	})
}

func score(model, data string, limit int) error {
	m, _, err := rbm.LoadFile(model)
	if err != nil {
		return err
	}
	v, _, err := dataset.Load(data, dataset.Options{})
	if err != nil {
		return err
	}
	if limit > 0 && limit < v.Rows {
		v = v.Slice(0, limit)
	}
	var pll float64
	for r := range v.Rows {
		pll += m.PseudoLogLikelihood(v.Row(r))
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"rows": v.Rows, "pseudo_log_lik": pll / float64(v.Rows), "recon_error": m.ReconstructionError(v),
	})
}
