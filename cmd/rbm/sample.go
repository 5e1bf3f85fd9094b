package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/rbmkit/rbm/rbm"
)

func init() {
	register(&command{
		name:    "sample",
		usage:   "[flags] MODEL -n N --steps K -o OUT",
		summary: "Draw fantasy particles from an RBM by block Gibbs sampling; OUT's extension picks the format: .png (image grid), .idx, .idx.gz, .npy or .csv. With --ising or --spec, sample a discrete model instead (see rbm sample --ising 4x4 --help).",
		example: "  rbm sample mnist64.rbm -n 100 --steps 1000 -o fantasies.png",
		run:     runSample,
	})
}

func runSample(ctx context.Context, e *env, args []string) error {
	if hasDiscreteFlag(args) {
		return runSampleDiscrete(ctx, e, args)
	}
	fs := newFlags(e, lookup("sample"))
	var (
		n, steps, workers int
		seed              uint64
		out, from, shapeF string
		binary            bool
		maxMem            float64
		data              dataFlags
	)
	fs.IntVarP(&n, "n", "n", 64, "number of independent chains (samples)")
	fs.IntVar(&steps, "steps", 1000, "block Gibbs steps per chain")
	fs.StringVarP(&out, "out", "o", "", "output file: .png, .idx, .idx.gz, .npy or .csv (required)")
	fs.StringVar(&from, "from", "", "start the chains at the first N rows of this IDX file (default: random states drawn from the visible biases)")
	fs.BoolVar(&binary, "binary", false, "write the sampled states instead of the means E[v|h] of the last step (for binary units the probabilities p(v=1|h); for Potts units the states are written as category numbers)")
	fs.StringVar(&shapeF, "shape", "", "image shape HxW for .png and image IDX output (default: the one recorded in the model)")
	fs.Uint64Var(&seed, "seed", 1, "random seed")
	nonNegativeIntVar(fs, &workers, "workers", 0, "goroutines sharing the work (0: one per core); never changes the result")
	data.register(fs)
	registerMaxMemory(fs, &maxMem)
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if out == "" {
		return usagef("-o OUT is required")
	}
	if n <= 0 || steps <= 0 {
		return usagef("-n and --steps must be positive")
	}
	if err := checkOutputFormat(out); err != nil {
		return err
	}
	if err := checkFiles([]string{pos[0], from}, []string{out}); err != nil {
		return err
	}
	m, meta, err := loadModel(pos[0])
	if errors.Is(err, rbm.ErrMachine) {
		return sampleMachine(ctx, e, &machineSampling{path: pos[0], n: n, steps: steps, seed: seed, out: out, from: from,
			states: binary, shapeFlag: shapeF, maxMem: maxMem, data: &data})
	}
	if err != nil {
		return err
	}
	if err := checkMemory(sampleBytes(n, 0, m.Visible, m.Hidden), maxMem, fmt.Sprintf("sampling %d chains of a %d×%d RBM", n, m.Visible, m.Hidden)); err != nil {
		return err
	}
	shape, err := imageShape(shapeF, meta, m.Visible)
	if err != nil && (shapeF != "" || outputFormat(out) == "png") {
		return err
	}
	v := rbm.NewMatrix(n, m.Visible)
	if from != "" {
		data.seed = seed
		init, err := data.loadFor(from, m, meta)
		if err != nil {
			return err
		}
		if init.Rows < n {
			return fmt.Errorf("%s: has %d rows, -n asks for %d chains", from, init.Rows, n)
		}
		copy(v.Data, init.Data)
	} else {
		m.BaseRateStates(v, seed)
	}
	s := rbm.NewSampler(m, n, seed, workers)
	defer s.Close()
	bar := newProgress(e.stderr)
	for i := range steps {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted after %d of %d steps; nothing written", i, steps)
		}
		s.Step(v)
		bar.update("sampling", i+1, steps)
	}
	bar.clear()
	result := v
	if !binary {
		result = s.VisibleProbs.Slice(0, n)
	}
	if err := writeMatrix(out, result, shape); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d samples after %d Gibbs steps to %s\n", n, steps, out)
	return nil
}
