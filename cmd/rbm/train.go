package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rbmkit/rbm/rbm"
)

func init() {
	register(&command{
		name:    "train",
		usage:   "[flags] DATA",
		summary: "Train an RBM on the rows of a data file (IDX, gzipped or not, .npy or CSV: bits or probabilities for binary units, bits or ±1 for spin units, integer categories for Potts units, which also read aligned sequences; real values for the others) by CD-k, persistent CD or parallel tempering; binary units unless --visible/--hidden-type say otherwise.",
		example: "  rbm train -hidden 64 --epochs 10 --val t10k-images-idx3-ubyte.gz -o mnist64.rbm train-images-idx3-ubyte.gz",
		run:     runTrain,
	})
}

func runTrain(ctx context.Context, e *env, args []string) error {
	c := lookup("train")
	fs := newFlags(e, c)
	// The recipe gives every setting its default, so it is read before the
	// other flags are defined: a flag given explicitly overrides it, and
	// --help shows the recipe's values.
	recipe := lastFlagValue(args, "recipe")
	if recipe == "" {
		recipe = defaultRecipe
	}
	cfg, err := rbm.Recipe(recipe)
	if err != nil {
		return usagef("--recipe: %v", err)
	}
	var (
		hidden  int
		out     string
		val     string
		logPath string
		monitor int
		ladder  []float64
		eval    evalFlags
		maxMem  float64
		data    dataFlags
		units   unitFlags
	)
	fs.String("recipe", recipe, fmt.Sprintf("settings to start from: %s (flags given explicitly override them)", strings.Join(rbm.RecipeNames(), " or ")))
	fs.IntVar(&hidden, "hidden", 64, "number of hidden units")
	units.register(fs)
	fs.StringVarP(&out, "out", "o", "", "model file to write (default: DATA's name with extension .rbm, in the current directory)")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "passes over the training data")
	fs.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "rows per mini-batch")
	fs.IntVar(&cfg.K, "k", cfg.K, "Gibbs steps per update (CD-k; with --replicas, tempering sweeps)")
	fs.BoolVar(&cfg.Persistent, "persistent", cfg.Persistent, "persistent CD: negative chains (one per batch row) carry over between updates")
	fs.IntVar(&cfg.Replicas, "replicas", cfg.Replicas, "parallel tempering with this many replicas of the persistent chains (0: off)")
	fs.Float64SliceVar(&ladder, "ladder", cfg.Ladder, "tempering: inverse temperatures from hottest to 1, comma-separated (default: --replicas equal steps from 0)")
	fs.BoolVar(&cfg.Centered, "centered", cfg.Centered, "centered gradient (Melchior et al. 2016): offsets for both layers, model stored uncentered")
	fs.Float64Var(&cfg.OffsetRate, "offset-rate", orFloat(cfg.OffsetRate, 0.01), "centering: how fast the offsets follow each batch's means")
	fs.StringVar(&cfg.Optimizer, "optimizer", orDefault(cfg.Optimizer, rbm.Momentum), "momentum (SGD) or adam; real-valued units ("+realTypes()+"), being unbounded, train with adam unless --optimizer or --lr is given: at --lr 0.001 as visible units, else 0.01 as hidden units")
	fs.Float64Var(&cfg.LearningRate, "lr", cfg.LearningRate, "learning rate")
	fs.StringVar(&cfg.LRSchedule, "lr-schedule", orDefault(cfg.LRSchedule, "constant"), "learning-rate decay per epoch e of E: constant, exponential (lr·decay^e), inverse (lr/(1+decay·e)) or linear (lr·(E-e)/E)")
	fs.Float64Var(&cfg.LRDecay, "lr-decay", cfg.LRDecay, "decay factor of --lr-schedule exponential or inverse")
	fs.Float64Var(&cfg.Momentum, "momentum", cfg.Momentum, "momentum for the first --momentum-epochs epochs")
	fs.Float64Var(&cfg.FinalMomentum, "final-momentum", cfg.FinalMomentum, "momentum after that")
	fs.IntVar(&cfg.MomentumEpochs, "momentum-epochs", cfg.MomentumEpochs, "epochs at the initial momentum")
	fs.Float64Var(&cfg.AdamBeta1, "adam-beta1", orFloat(cfg.AdamBeta1, 0.9), "Adam: decay of the first moment")
	fs.Float64Var(&cfg.AdamBeta2, "adam-beta2", orFloat(cfg.AdamBeta2, 0.999), "Adam: decay of the second moment")
	fs.Float64Var(&cfg.AdamEpsilon, "adam-eps", orFloat(cfg.AdamEpsilon, 1e-8), "Adam: denominator guard")
	fs.Float64Var(&cfg.WeightDecay, "weight-decay", cfg.WeightDecay, "L2 penalty on the weights (not the biases)")
	fs.Float64Var(&cfg.WeightL1, "l1", cfg.WeightL1, "L1 penalty on the weights (not the biases): adds -l1·sign(W) to their gradient, as --weight-decay adds -weight-decay·W; keeps the weights the data do not support near 0")
	fs.Float64Var(&cfg.SparsityTarget, "sparsity", cfg.SparsityTarget, "target mean activation of the hidden units (0: off)")
	fs.Float64Var(&cfg.SparsityCost, "sparsity-cost", orFloat(cfg.SparsityCost, 0.1), "strength of the sparsity penalty")
	fs.Float64Var(&cfg.SparsityDecay, "sparsity-decay", orFloat(cfg.SparsityDecay, 0.9), "decay of the running mean activation the penalty uses")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed: the same seed gives the same model, bit for bit")
	nonNegativeIntVar(fs, &cfg.Workers, "workers", 0, "goroutines sharing the work (0: one per core); never changes the result")
	fs.StringVar(&val, "val", "", "held-out data, read as the training data are: reports the free-energy gap that shows overfitting, and is what --eval-every scores")
	nonNegativeIntVar(fs, &monitor, "monitor", 500, "rows of training (and held-out) data the per-epoch statistics use (0: off)")
	fs.StringVar(&logPath, "log", "", "also write the per-epoch statistics to this file as JSON lines, each as its epoch ends")
	eval.register(fs)
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
	if !fs.Changed("sparsity") && cfg.SparsityTarget == 0 {
		cfg.SparsityCost = 0
		cfg.SparsityDecay = 0
	}
	if !fs.Changed("lr") && fs.Changed("optimizer") && cfg.Optimizer == rbm.Adam && recipeOptimizer(recipe) != rbm.Adam {
		cfg.LearningRate = 0 // Adam's own default step, not momentum's
	}
	// Persistent chains cannot follow updates driven by the guide's final
	// momentum of 0.9, and settle only when the learning rate falls
	// (Tieleman 2008). So a recipe written for CD, given persistent chains,
	// keeps its first momentum and decays its rate linearly, unless told
	// otherwise. On MNIST at 784×16, 10 epochs: -208.8 nats as the guide
	// has it, -162.1 with the momentum kept, -146.7 with the decay too,
	// against -168.1 for CD-1; at 100 epochs -138.2 against CD-1's -155.9.
	if (cfg.Persistent || cfg.Replicas >= 2) && !recipePersistent(recipe) {
		if !fs.Changed("final-momentum") {
			cfg.FinalMomentum = cfg.Momentum
		}
		if !fs.Changed("lr-schedule") {
			cfg.LRSchedule = "linear"
		}
	}
	cfg.Ladder = ladder
	if len(cfg.Ladder) == 0 {
		cfg.Ladder = nil
	}
	// In rbm.Config a zero means "the default"; given on the command line
	// it is a value, and none of these settings may be zero.
	for _, f := range []struct {
		name  string
		value float64
	}{{"offset-rate", cfg.OffsetRate}, {"adam-beta1", cfg.AdamBeta1}, {"adam-beta2", cfg.AdamBeta2}, {"adam-eps", cfg.AdamEpsilon}} {
		if fs.Changed(f.name) && f.value == 0 {
			return usageError{fmt.Errorf("--%s 0: must be positive", f.name)}
		}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	if err := eval.check(fs, val); err != nil {
		return err
	}
	if err := units.check(fs); err != nil {
		return err
	}
	// A hidden layer too wide for the file format is refused before any
	// data is read (the visible width is known only from the data).
	if w := units.hiddenWidth(hidden); rbm.CheckFileShape(1, w) != nil {
		return usagef("-hidden %d: a hidden layer %d values wide does not fit the model file format (each layer at most %d)", hidden, w, rbm.MaxLayerWidth)
	}
	data.seed = cfg.Seed
	path := pos[0]
	if out == "" {
		out = defaultModelName(path)
	}
	if err := checkFiles([]string{path, val}, []string{out, logPath}); err != nil {
		return err
	}
	if !units.binary() {
		return trainMachine(ctx, e, &machineRun{
			fs: fs, cfg: cfg, recipe: recipe, units: units, hidden: hidden, path: path, val: val,
			out: out, logPath: logPath, monitor: monitor, data: &data, eval: &eval, maxMem: maxMem,
		})
	}
	train, shape, err := data.loadCompact(path)
	if err != nil {
		return err
	}
	rows, cols := train.Dims()
	if rows == 0 || cols == 0 {
		return fmt.Errorf("%s: no data: %d rows of %d values", path, rows, cols)
	}
	tr := &rbm.Trainer{Config: cfg, MonitorRows: monitor}
	if monitor == 0 {
		tr.MonitorRows = -1
	}
	valRows := 0
	if val != "" {
		held, _, err := data.loadCompact(val)
		if err != nil {
			return err
		}
		var valCols int
		if valRows, valCols = held.Dims(); valCols != cols {
			return fmt.Errorf("%s: rows have %d values, the training data %d", val, valCols, cols)
		}
		if valRows == 0 {
			return fmt.Errorf("%s: no rows", val)
		}
		tr.Validation = held
	}
	if err := rbm.CheckFileShape(cols, hidden); err != nil {
		return usagef("-hidden %d: %v", hidden, err)
	}
	_, packed := train.(*rbm.BitMatrix)
	need := trainBytes(rows, valRows, cols, hidden, cfg.BatchSize, monitor, packed, &cfg) +
		eval.memory(valRows, func(n int) float64 { return aisBytes(n, cols, hidden) })
	if err := checkMemory(need, maxMem, eval.describe(fmt.Sprintf("training a %d×%d RBM", cols, hidden))); err != nil {
		return err
	}

	m := rbm.New(cols, hidden)
	m.Init(train, cfg.Seed)
	bar := newProgress(e.stderr)
	eval.attach(tr, train, bar)
	fmt.Fprintf(e.stderr, "training %d×%d RBM on %d rows of %s (%s, batch %d, %d %s, recipe %s)\n", m.Visible, m.Hidden, rows, path,
		describeTraining(&cfg), cfg.BatchSize, cfg.Epochs, plural(cfg.Epochs, "epoch"), recipe)
	epochs, err := openEpochLog(logPath)
	if err != nil {
		return err
	}
	defer epochs.abandon()
	tr.Progress = func(epoch, batch, batches int) {
		bar.update(fmt.Sprintf("epoch %d/%d", epoch+1, cfg.Epochs), batch, batches)
	}
	tr.EpochDone = func(st rbm.EpochStats) {
		bar.clear()
		fmt.Fprintln(e.stderr, epochLine(st, cfg.Epochs, monitor > 0))
		epochs.write(st)
	}
	stats, trainErr := tr.Train(ctx, m, train)
	bar.clear()
	interrupted := errors.Is(trainErr, context.Canceled)
	diverged := errors.Is(trainErr, rbm.ErrDiverged)
	if trainErr != nil && !interrupted && !diverged {
		return trainErr
	}
	meta := &rbm.Meta{ImageRows: shape.Height, ImageCols: shape.Width, Binarize: data.binarize,
		Training: &cfg, Epochs: len(stats), Interrupted: interrupted || diverged, Rows: rows,
		BaseRates: toFloat32(rbm.BaseRates(train))}
	if diverged {
		meta.Stopped = strings.TrimPrefix(trainErr.Error(), "rbm: train: ")
	}
	if len(stats) > 0 {
		meta.Final = &stats[len(stats)-1]
	}
	if tr.KeepBest {
		if b := rbm.BestEpoch(stats); b > 0 {
			meta.BestEpoch = b
			meta.HeldOut = stats[b-1].HeldOut
		}
	}
	if err := rbm.SaveFile(out, m, meta); err != nil {
		return err
	}
	if err := epochs.close(out); err != nil {
		return err
	}
	switch {
	case diverged:
		return fmt.Errorf("%v; the model before that update is saved in %s", trainErr, out)
	case interrupted:
		return fmt.Errorf("interrupted after %d complete %s; the model as of the last update is saved in %s", len(stats), plural(len(stats), "epoch"), out)
	}
	if meta.BestEpoch > 0 {
		fmt.Fprintf(e.stderr, "kept the parameters of epoch %d (held-out log-likelihood %.3f)\n", meta.BestEpoch, meta.HeldOut.Mean)
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", out)
	return nil
}

// defaultRecipe is the recipe rbm train uses without --recipe: density,
// because a model of the data's distribution is what an RBM is for (on
// MNIST at 784×500 it scores -69 nats per test image against CD-1's -170),
// at the price of 1.3× the time per epoch, ten times the epochs, and a
// linear probe on its features 0.8 points below CD-1's (96.1% vs 96.9%).
const defaultRecipe = "density"

func recipePersistent(name string) bool {
	c, err := rbm.Recipe(name)
	return err == nil && (c.Persistent || c.Replicas >= 2)
}

func recipeOptimizer(name string) string {
	c, err := rbm.Recipe(name)
	if err != nil {
		return ""
	}
	return orDefault(c.Optimizer, rbm.Momentum)
}

// describeTraining names the method of cfg in a few words (negative phase,
// gradient, optimiser), for the training banner and rbm info.
func describeTraining(cfg *rbm.Config) string {
	var parts []string
	switch {
	case cfg.Replicas >= 2:
		parts = append(parts, fmt.Sprintf("PT-%d, %d replicas", cfg.K, cfg.Replicas))
	case cfg.Persistent:
		parts = append(parts, fmt.Sprintf("PCD-%d", cfg.K))
	default:
		parts = append(parts, fmt.Sprintf("CD-%d", cfg.K))
	}
	if cfg.Centered {
		parts = append(parts, "centered")
	}
	opt := orDefault(cfg.Optimizer, rbm.Momentum)
	if opt == rbm.Momentum && cfg.Momentum == 0 && cfg.FinalMomentum == 0 {
		opt = "SGD"
	}
	parts = append(parts, fmt.Sprintf("%s lr %g", opt, cfg.LearningRate))
	if s := orDefault(cfg.LRSchedule, "constant"); s != "constant" {
		parts[len(parts)-1] += " " + s
	}
	return strings.Join(parts, ", ")
}

func orFloat(x, def float64) float64 {
	if x == 0 {
		return def
	}
	return x
}

// lastFlagValue returns the value of the last occurrence of the long flag
// name in args (-name v, --name v, -name=v or --name=v), or "".
func lastFlagValue(args []string, name string) string {
	var v string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		n, val, hasVal := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if n != name {
			continue
		}
		if hasVal {
			v = val
		} else if i+1 < len(args) {
			v = args[i+1]
			i++
		}
	}
	return v
}

// epochLine formats one epoch's statistics for the terminal.
func epochLine(st rbm.EpochStats, epochs int, monitored bool) string {
	s := fmt.Sprintf("epoch %d/%d  %.2fs", st.Epoch, epochs, st.Seconds)
	if monitored {
		s += fmt.Sprintf("  recon %.3f  pseudo-LL %.3f  F(train) %.3f", st.ReconError, st.PseudoLogLik, st.FreeEnergyTrain)
		if st.Gap != nil {
			s += fmt.Sprintf("  F(val) %.3f  gap %+.3f", *st.FreeEnergyVal, *st.Gap)
		}
	}
	if len(st.SwapRates) > 0 {
		s += "  swaps"
		for _, r := range st.SwapRates {
			s += fmt.Sprintf(" %.2f", r)
		}
	}
	if ll := st.HeldOut; ll != nil {
		s += "  held-out " + describeLogLik(ll)
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
