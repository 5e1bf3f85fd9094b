package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/rbmkit/rbm/rbm"

	"github.com/rbmkit/rbm/rbm/dataset"
)

func init() {
	register(&command{
		name:    "features",
		usage:   "[flags] MODEL DATA -o OUT",
		summary: "Write E[h|v] (for binary hidden units p(h=1|v)), the hidden-unit means, for every row of DATA; OUT's extension picks the format: .npy, .csv, .idx or .idx.gz.",
		example: "  rbm features mnist64.rbm t10k-images-idx3-ubyte.gz -o test-features.npy",
		run:     runFeatures,
	})
}

func runFeatures(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, lookup("features"))
	var (
		out     string
		workers int
		data    dataFlags
	)
	fs.StringVarP(&out, "out", "o", "", "output file: .npy, .csv, .idx or .idx.gz (required)")
	nonNegativeIntVar(fs, &workers, "workers", 0, "goroutines sharing the work (0: one per core)")
	fs.Uint64Var(&data.seed, "seed", 1, "seed of --binarize stochastic")
	data.register(fs)
	pos, err := parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	if out == "" {
		return usagef("-o OUT is required")
	}
	if out == "-" {
		return usagef("-o -: features are written to a file, not standard output; its name ends in .npy, .csv, .idx or .idx.gz")
	}
	if f := outputFormat(out); f != "npy" && f != "csv" && f != "idx" && f != "idx.gz" {
		return usagef("%s: unknown feature format %q (use .npy, .csv, .idx or .idx.gz)", out, f)
	}
	if err := checkFiles(pos, []string{out}); err != nil {
		return err
	}
	var h *rbm.Matrix
	m, meta, err := loadModel(pos[0])
	switch {
	case errors.Is(err, rbm.ErrMachine):
		mm, meta, err := loadMachineModel(pos[0])
		if err != nil {
			return err
		}
		v, err := loadMachineDataFor(&data, pos[1], mm, meta)
		if err != nil {
			return err
		}
		h = machineFeatures(mm, v)
	case err != nil:
		return err
	default:
		v, err := data.loadFor(pos[1], m, meta)
		if err != nil {
			return err
		}
		if h, err = m.Transform(v, workers); err != nil {
			return err
		}
	}
	if err := writeMatrix(out, h, dataset.Shape{}); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d×%d features to %s\n", h.Rows, h.Cols, out)
	return nil
}
