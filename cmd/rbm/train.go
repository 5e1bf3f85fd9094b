package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rbmkit/rbm/rbm"
)

func init() {
	register(&command{
		name:    "train",
		usage:   "[flags] DATA",
		summary: "Train a binary RBM on the rows of an IDX file (gzipped or not) by CD-k or persistent CD.",
		example: "  rbm train -hidden 64 --epochs 10 --val t10k-images-idx3-ubyte.gz -o mnist64.rbm train-images-idx3-ubyte.gz",
		run:     runTrain,
	})
}

func runTrain(ctx context.Context, e *env, args []string) error {
	c := lookup("train")
	fs := newFlags(e, c)
	def := rbm.DefaultConfig()
	cfg := def
	var (
		hidden  int
		out     string
		val     string
		logPath string
		monitor int
		maxMem  float64
		data    dataFlags
	)
	fs.IntVar(&hidden, "hidden", 64, "number of hidden units")
	fs.StringVarP(&out, "out", "o", "", "model file to write (default: DATA's name with extension .rbm, in the current directory)")
	fs.IntVar(&cfg.Epochs, "epochs", def.Epochs, "passes over the training data")
	fs.IntVar(&cfg.BatchSize, "batch", def.BatchSize, "rows per mini-batch")
	fs.IntVar(&cfg.K, "k", def.K, "Gibbs steps per update (CD-k)")
	fs.BoolVar(&cfg.Persistent, "persistent", false, "persistent CD: negative chains (one per batch row) carry over between updates")
	fs.Float64Var(&cfg.LearningRate, "lr", def.LearningRate, "learning rate")
	fs.StringVar(&cfg.LRSchedule, "lr-schedule", "constant", "learning-rate decay per epoch e: constant, exponential (lr·decay^e) or inverse (lr/(1+decay·e))")
	fs.Float64Var(&cfg.LRDecay, "lr-decay", 0, "decay factor of --lr-schedule")
	fs.Float64Var(&cfg.Momentum, "momentum", def.Momentum, "momentum for the first --momentum-epochs epochs")
	fs.Float64Var(&cfg.FinalMomentum, "final-momentum", def.FinalMomentum, "momentum after that")
	fs.IntVar(&cfg.MomentumEpochs, "momentum-epochs", def.MomentumEpochs, "epochs at the initial momentum")
	fs.Float64Var(&cfg.WeightDecay, "weight-decay", def.WeightDecay, "L2 penalty on the weights (not the biases)")
	fs.Float64Var(&cfg.SparsityTarget, "sparsity", 0, "target mean activation of the hidden units (0: off)")
	fs.Float64Var(&cfg.SparsityCost, "sparsity-cost", 0.1, "strength of the sparsity penalty")
	fs.Float64Var(&cfg.SparsityDecay, "sparsity-decay", 0.9, "decay of the running mean activation the penalty uses")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed: the same seed gives the same model, bit for bit")
	nonNegativeIntVar(fs, &cfg.Workers, "workers", 0, "goroutines sharing the work (0: one per core); never changes the result")
	fs.StringVar(&val, "val", "", "held-out IDX data: reports the free-energy gap that shows overfitting")
	nonNegativeIntVar(fs, &monitor, "monitor", 500, "rows of training (and held-out) data the per-epoch statistics use (0: off)")
	fs.StringVar(&logPath, "log", "", "also write the per-epoch statistics to this file as JSON lines, each as its epoch ends")
	data.register(fs)
	registerMaxMemory(fs, &maxMem)
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if hidden <= 0 {
		return usagef("-hidden %d must be positive", hidden)
	}
	if cfg.Epochs <= 0 || cfg.BatchSize <= 0 || cfg.K <= 0 {
		return usagef("--epochs, --batch and --k must be positive")
	}
	if !(cfg.LearningRate > 0) {
		return usagef("--lr %v must be positive", cfg.LearningRate)
	}
	if !fs.Changed("sparsity") {
		cfg.SparsityCost = 0
		cfg.SparsityDecay = 0
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	data.seed = cfg.Seed
	path := pos[0]
	if out == "" {
		out = defaultModelName(path)
	}
	if err := checkFiles([]string{path, val}, []string{out, logPath}); err != nil {
		return err
	}
	train, shape, err := data.load(path)
	if err != nil {
		return err
	}
	if train.Rows == 0 || train.Cols == 0 {
		return fmt.Errorf("%s: no data: %d rows of %d values", path, train.Rows, train.Cols)
	}
	tr := &rbm.Trainer{Config: cfg, MonitorRows: monitor}
	if monitor == 0 {
		tr.MonitorRows = -1
	}
	if val != "" {
		if tr.Validation, _, err = data.load(val); err != nil {
			return err
		}
		if tr.Validation.Cols != train.Cols {
			return fmt.Errorf("%s: rows have %d values, the training data %d", val, tr.Validation.Cols, train.Cols)
		}
		if tr.Validation.Rows == 0 {
			return fmt.Errorf("%s: no rows", val)
		}
	}
	if err := rbm.CheckFileShape(train.Cols, hidden); err != nil {
		return usagef("-hidden %d: %v", hidden, err)
	}
	valRows := 0
	if tr.Validation != nil {
		valRows = tr.Validation.Rows
	}
	need := trainBytes(train.Rows, valRows, train.Cols, hidden, cfg.BatchSize, monitor)
	if err := checkMemory(need, maxMem, fmt.Sprintf("training a %d×%d RBM", train.Cols, hidden)); err != nil {
		return err
	}

	m := rbm.New(train.Cols, hidden)
	m.Init(train, cfg.Seed)
	fmt.Fprintf(e.stderr, "training %d×%d RBM on %d rows of %s (CD-%d%s, batch %d, %d %s)\n",
		m.Visible, m.Hidden, train.Rows, path, cfg.K, map[bool]string{true: ", persistent"}[cfg.Persistent], cfg.BatchSize, cfg.Epochs, plural(cfg.Epochs, "epoch"))
	bar := newProgress(e.stderr)
	var epochLog *os.File
	if logPath != "" {
		// Written as each epoch ends, so that a crash or a kill leaves the
		// record of what happened up to then.
		if epochLog, err = os.Create(logPath); err != nil {
			return err
		}
		defer epochLog.Close()
	}
	var logErr error
	tr.Progress = func(epoch, batch, batches int) {
		bar.update(fmt.Sprintf("epoch %d/%d", epoch+1, cfg.Epochs), batch, batches)
	}
	tr.EpochDone = func(st rbm.EpochStats) {
		bar.clear()
		fmt.Fprintln(e.stderr, epochLine(st, cfg.Epochs, monitor > 0))
		if epochLog != nil && logErr == nil {
			line, _ := json.Marshal(st)
			if _, err := epochLog.Write(append(line, '\n')); err != nil {
				logErr = fmt.Errorf("%s: %w", logPath, err)
			}
		}
	}
	stats, trainErr := tr.Train(ctx, m, train)
	bar.clear()
	interrupted := errors.Is(trainErr, context.Canceled)
	if trainErr != nil && !interrupted {
		return trainErr
	}
	meta := &rbm.Meta{ImageRows: shape.Height, ImageCols: shape.Width, Binarize: data.binarize,
		Training: &cfg, Epochs: len(stats), Interrupted: interrupted, Rows: train.Rows}
	if len(stats) > 0 {
		meta.Final = &stats[len(stats)-1]
	}
	if err := rbm.SaveFile(out, m, meta); err != nil {
		return err
	}
	if epochLog != nil {
		if err := epochLog.Close(); err != nil && logErr == nil {
			logErr = fmt.Errorf("%s: %w", logPath, err)
		}
		if logErr != nil {
			return fmt.Errorf("the model is saved in %s, but writing the log failed: %w", out, logErr)
		}
	}
	if interrupted {
		return fmt.Errorf("interrupted after %d complete epochs; the model as of the last update is saved in %s", len(stats), out)
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", out)
	return nil
}

// epochLine formats one epoch's statistics for the terminal.
func epochLine(st rbm.EpochStats, epochs int, monitored bool) string {
	s := fmt.Sprintf("epoch %d/%d  %.2fs", st.Epoch, epochs, st.Seconds)
	if !monitored {
		return s
	}
	s += fmt.Sprintf("  recon %.3f  pseudo-LL %.3f  F(train) %.3f", st.ReconError, st.PseudoLogLik, st.FreeEnergyTrain)
	if st.Gap != nil {
		s += fmt.Sprintf("  F(val) %.3f  gap %+.3f", *st.FreeEnergyVal, *st.Gap)
	}
	return s
}

// defaultModelName turns "data/train-images-idx3-ubyte.gz" into
// "train-images-idx3-ubyte.rbm".
func defaultModelName(data string) string {
	base := strings.TrimSuffix(filepath.Base(data), ".gz")
	return strings.TrimSuffix(base, filepath.Ext(base)) + ".rbm"
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
