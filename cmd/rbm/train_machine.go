package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/layer"
	"github.com/spf13/pflag"
)

// unitFlags choose the unit types of the two layers.
type unitFlags struct {
	visible, hidden string
	states          int
	hiddenStates    int // of Potts hidden units; 0: states
	learnScale      bool
	standardize     bool
	dequantize      bool
	alphabet        string
}

func (u *unitFlags) register(fs *pflag.FlagSet) {
	types := strings.Join(layer.Names(), "|")
	fs.StringVar(&u.visible, "visible", "binary", "unit type of the visible layer: "+types)
	fs.StringVar(&u.hidden, "hidden-type", "binary", "unit type of the hidden layer: "+types)
	fs.IntVar(&u.states, "states", 0, "states of each Potts unit (0: the visible data's largest category plus one; hidden Potts units need it or --hidden-states)")
	fs.IntVar(&u.hiddenStates, "hidden-states", 0, "states of each Potts hidden unit, when they differ from the visible units' (0: --states)")
	fs.BoolVar(&u.learnScale, "learn-scale", false, "train the scales of real-valued units ("+realTypes()+"; σ of Gaussian units, precisions of ReLU and dReLU units), which otherwise stay 1")
	fs.StringVar(&u.alphabet, "alphabet", "", "Potts units on aligned sequences: the characters of the states, in order, letters matched in either case (default: the gap and the 20 amino acids, "+dataset.DefaultAlphabet+"). In .fasta, .fa, .afa and .aln files every character is a column and '.' a gap; in .a2m and .a3m files lowercase letters and '.' are insertions, dropped. The ambiguity codes X, B, Z, J, U, O (protein alphabets) and N (nucleotide ones) read as the gap '-', with a note on stderr; any other letter outside the alphabet is an error")
	fs.BoolVar(&u.dequantize, "dequantize", false, "real-valued visible units on byte data: read each byte v as (v + u)/256 with u uniform, seeded by --seed, rather than v/255 (the data then has a bounded density; recorded in the model)")
	fs.BoolVar(&u.standardize, "standardize", false, "real-valued visible data: give each column mean 0 and standard deviation 1 (stored in the model and applied to any data scored with it)")
}

func (u *unitFlags) binary() bool { return u.visible == "binary" && u.hidden == "binary" }

// check validates the unit flags before any data is read.
func (u *unitFlags) check(fs *pflag.FlagSet) error {
	for _, t := range []struct{ flag, name string }{{"visible", u.visible}, {"hidden-type", u.hidden}} {
		if _, ok := layer.Lookup(t.name); !ok {
			return usagef("--%s %q: not a unit type (want one of %s)", t.flag, t.name, strings.Join(layer.Names(), ", "))
		}
	}
	vis, hid := valuesOf(u.visible), valuesOf(u.hidden)
	switch {
	case u.states < 0 || u.states == 1:
		return usagef("--states %d: categorical units need at least 2 states", u.states)
	case u.hiddenStates < 0 || u.hiddenStates == 1:
		return usagef("--hidden-states %d: categorical units need at least 2 states", u.hiddenStates)
	case fs.Changed("states") && vis != layer.Categories && hid != layer.Categories:
		return usagef("--states applies to categorical units (potts) only")
	case fs.Changed("hidden-states") && hid != layer.Categories:
		return usagef("--hidden-states applies to categorical hidden units (potts) only")
	case hid == layer.Categories && u.hiddenQ() == 0:
		return usagef("--hidden-type %s needs --hidden-states (or --states)", u.hidden)
	case u.standardize && vis != layer.Reals:
		return usagef("--standardize applies to real-valued visible units, not %s", u.visible)
	case u.standardize && !takesNegative(u.visible):
		return usagef("--standardize gives each column mean 0, and so negative values, which %s units cannot take; use gaussian or drelu units", u.visible)
	case fs.Changed("alphabet") && vis != layer.Categories:
		return usagef("--alphabet applies to categorical visible units (aligned sequences)")
	case u.dequantize && vis != layer.Reals:
		return usagef("--dequantize applies to real-valued visible units, not %s", u.visible)
	case u.learnScale && !hasScale(u.visible) && !hasScale(u.hidden):
		return usagef("--learn-scale: %s and %s units have no scale to learn (only %s units do)", u.visible, u.hidden, realTypes())
	case vis != layer.Bits && (fs.Changed("binarize") || fs.Changed("threshold")):
		return usagef("--binarize and --threshold turn grey levels into binary or spin visible units, not %s units", u.visible)
	}
	return nil
}

// hasScale reports whether units of the registered type kind have a scale
// that --learn-scale trains: a parameter that is fixed without it.
func hasScale(kind string) bool {
	trained := func(learn bool) int {
		l, err := layer.New(kind, 1, layer.Settings{States: 2, LearnScale: learn})
		if err != nil {
			return 0
		}
		n := 0
		for _, p := range l.Params() {
			if !p.Fixed {
				n++
			}
		}
		return n
	}
	return trained(true) > trained(false)
}

// takesNegative reports whether units of the registered type kind take
// negative values (ReLU units, for one, do not).
func takesNegative(kind string) bool {
	l, err := layer.New(kind, 1, layer.Settings{States: 2})
	return err == nil && l.Check([]float64{-1}) == nil
}

// hiddenQ returns the number of states of Potts hidden units.
func (u *unitFlags) hiddenQ() int {
	if u.hiddenStates != 0 {
		return u.hiddenStates
	}
	return u.states
}

// hiddenWidth returns the width of a hidden layer of n units: n·q for
// categorical units, n otherwise, saturating rather than overflowing.
func (u *unitFlags) hiddenWidth(n int) int {
	if valuesOf(u.hidden) != layer.Categories {
		return n
	}
	if w := uint64(n) * uint64(max(u.hiddenQ(), 1)); w < 1<<40 {
		return int(w)
	}
	return 1 << 40
}

// valuesOf returns the data a registered unit type reads.
func valuesOf(kind string) layer.Values {
	t, _ := layer.Lookup(kind)
	return t.Values
}

// realTypes lists the registered types of real-valued units, for help
// texts: "gaussian, relu, …".
func realTypes() string {
	var names []string
	for _, t := range layer.Types() {
		if t.Values == layer.Reals {
			names = append(names, t.Name)
		}
	}
	return strings.Join(names, ", ")
}

// machineRun is what rbm train has parsed when a layer is not binary.
type machineRun struct {
	fs             *pflag.FlagSet
	cfg            rbm.Config
	recipe         string
	units          unitFlags
	hidden         int
	path, val, out string
	logPath        string
	monitor        int
	data           *dataFlags
	eval           *evalFlags
	maxMem         float64
}

// loadMachineData reads a data file as units of the given type take it
// (layer.Type's Values): real values (dequantised with noise from stream
// when dequantize is set), one-hot categories, or binarised data whose bits
// the units encode as their states (0/1, or ±1 for spins).
func loadMachineData(d *dataFlags, kind, path string, states int, dequantize bool, stream seeds.Stream) (*rbm.Matrix, dataset.Shape, int, error) {
	format := dataFormat(path)
	switch valuesOf(kind) {
	case layer.Categories:
		if format == "alignment" {
			a, err := dataset.LoadAlignment(path, d.alphabet)
			if err != nil {
				return nil, dataset.Shape{}, 0, err
			}
			if states != 0 && states != a.Q() {
				return nil, dataset.Shape{}, 0, fmt.Errorf("%s: an alphabet of %d states, the model's units have %d", path, a.Q(), states)
			}
			if a.Ambiguous > 0 {
				// Read as gaps, as DCA tools read them, but not unsaid:
				// a file full of X's is a model of gaps.
				letters := strings.Join(strings.Split(a.AmbiguousLetters, ""), ", ")
				d.notef("%s: %d ambiguous residues (%s) read as gaps", path, a.Ambiguous, letters)
			}
			return a.OneHot(), dataset.Shape{}, a.Q(), nil
		}
		return dataset.LoadCategories(path, states)
	case layer.Reals:
		if format == "alignment" {
			return nil, dataset.Shape{}, 0, alignmentError(path, kind)
		}
		if format == "csv" {
			if dequantize {
				return nil, dataset.Shape{}, 0, fmt.Errorf("%s: --dequantize applies to byte data (IDX), not CSV", path)
			}
			m, _, err := dataset.LoadCSV(path)
			return m, dataset.Shape{}, 0, err
		}
		var noise *rand.Rand
		if dequantize {
			noise = seeds.Rand(d.seed, stream)
		}
		m, shape, err := dataset.LoadValues(path, noise)
		return m, shape, 0, err
	}
	if format == "alignment" {
		return nil, dataset.Shape{}, 0, alignmentError(path, kind)
	}
	opt, err := d.options()
	if err != nil {
		return nil, dataset.Shape{}, 0, err
	}
	// The units' encoding of the bits 0 and 1, by the layer itself.
	l, err := layer.New(kind, 2, layer.Settings{States: 2})
	if err != nil {
		return nil, dataset.Shape{}, 0, err
	}
	state := make([]float64, 2)
	l.(layer.Discrete).SetState(state, []int{0, 1})
	m, shape, err := dataset.LoadBits(path, opt, spinLike(kind))
	if err != nil {
		return nil, shape, 0, err
	}
	// A value that is no bit, a grey level kept by --binarize prob, stays
	// as it is if the units take it (binary ones do) and is an error if
	// not (spins take -1 and +1 only).
	for i, v := range m.Data {
		switch {
		case v == 0 || v == 1:
			m.Data[i] = float32(state[int(v)])
		case l.Check([]float64{float64(v), state[0]}) != nil:
			return nil, shape, 0, fmt.Errorf("%s: row %d, column %d: %v is not a state of %s units (--binarize %s keeps grey levels, which they cannot take)", path, i/m.Cols+1, i%m.Cols+1, v, kind, d.binarize)
		}
	}
	return m, shape, 0, nil
}

// spinLike reports whether two-state units of the given kind take -1
// for their state 0, as spins do: data may then come as the units' own
// ±1 states, as rbm sample writes them for such units.
func spinLike(kind string) bool {
	l, err := layer.New(kind, 1, layer.Settings{States: 2})
	if err != nil || valuesOf(kind) != layer.Bits {
		return false
	}
	low := []float64{0}
	l.(layer.Discrete).SetState(low, []int{0})
	return low[0] == -1
}

func trainMachine(ctx context.Context, e *env, r *machineRun) error {
	cfg := &r.cfg
	if cfg.SparsityTarget > 0 {
		return usagef("--sparsity is implemented for binary RBMs only")
	}
	// The recipe applies as it is, its centering (--centered) included,
	// since TrainMachine centers any unit types; only its step does not
	// suit every unit type. Its SGD rate was tuned for bounded units, whose
	// values, and so the gradients, stay O(1) however large the weights
	// grow. Real-valued units are unbounded, and a fixed SGD rate that is
	// stable at the start stops being so as their values grow with the
	// parameters:
	//
	//   - visible, scale learned (full MNIST, dequantised, 784×20): lr 0.05
	//     diverges in 20 batches, 0.01 in 327, a unit's log σ falling to
	//     -51, while Adam at 0.001 is stable (+1052.7 nats per test image
	//     after 2 epochs);
	//   - hidden (the shipped 2000 digits): the weights' gradient
	//     ⟨(v-μ)(E[h|v]-λ)ᵀ⟩ is linear in E[h|v], which grows with the
	//     weights, so W grows geometrically (spin×ReLU(8), seed 1: ‖W‖
	//     ×1.2 to ×9 a batch) until the PCD chains overshoot, their hidden
	//     means reaching 380 against the data's 68, and the next step
	//     diverges. Over 5 seeds each, spin×ReLU(8) diverged for 1,
	//     spin×ReLU with --learn-scale for 10 of 20 (4 to 64 units; log γ
	//     moving by 41 in a step), spin×Gaussian hidden units for 20 of 20,
	//     all in the first epochs.
	//
	// Adam's steps are about lr whatever the gradient's scale, and it
	// trained every one of those. So Adam is the default of a machine with
	// a real-valued layer, unless --optimizer or --lr says otherwise: at
	// 0.001 with real-valued visible units, as measured above, and at 0.01
	// with real-valued hidden units only, which learns faster than 0.001
	// (8 ReLU units, 100 epochs, seed 3, held-out forward AIS: binary
	// visible -149.2 nats against -156.9 at 0.001 and -152.0 for SGD at
	// 0.05; spin -151.9 against -154.7 at 0.001 and -148.5 for SGD, whose
	// estimate rests on 9 effective runs of 100).
	if !r.fs.Changed("optimizer") && !r.fs.Changed("lr") {
		switch {
		case valuesOf(r.units.visible) == layer.Reals:
			cfg.Optimizer, cfg.LearningRate = rbm.Adam, 0.001
		case valuesOf(r.units.hidden) == layer.Reals:
			cfg.Optimizer, cfg.LearningRate = rbm.Adam, 0.01
		}
	}
	u := r.units
	if u.alphabet != "" && dataFormat(r.path) != "alignment" {
		return usagef("--alphabet applies to aligned sequences (.fasta, .fa, .a2m, .afa) only")
	}
	r.data.alphabet = u.alphabet
	train, shape, q, err := loadMachineData(r.data, u.visible, r.path, u.states, u.dequantize, seeds.DequantizeTrain)
	if err != nil {
		return err
	}
	if train.Rows == 0 || train.Cols == 0 {
		return fmt.Errorf("%s: no data: %d rows of %d values", r.path, train.Rows, train.Cols)
	}
	if r.data.limit > 0 && r.data.limit < train.Rows {
		train = train.Slice(0, r.data.limit)
	}
	visValues := valuesOf(u.visible)
	states := u.states // of the visible units: the data's when categorical
	if visValues == layer.Categories {
		states = q
	}
	var scaling *rbm.Scaling
	if u.standardize {
		scaling = rbm.Standardize(train)
		scaling.Apply(train)
	}
	var held *rbm.Matrix
	if r.val != "" {
		if held, _, _, err = loadMachineData(r.data, u.visible, r.val, states, u.dequantize, seeds.DequantizeVal); err != nil {
			return err
		}
		if r.data.limit > 0 && r.data.limit < held.Rows {
			held = held.Slice(0, r.data.limit)
		}
		if held.Cols != train.Cols {
			return fmt.Errorf("%s: rows have %d values, the training data %d", r.val, held.Cols, train.Cols)
		}
		if held.Rows == 0 {
			return fmt.Errorf("%s: no rows", r.val)
		}
		if scaling != nil {
			scaling.Apply(held)
		}
	}
	width := train.Cols
	if visValues == layer.Categories {
		width = train.Cols / states
	}
	vis, err := layer.New(u.visible, width, layer.Settings{States: states, LearnScale: u.learnScale})
	if err != nil {
		return usagef("--visible: %v", err)
	}
	// Every row must be a state of the visible units (ReLU units take no
	// negative value, say), checked here to name the file.
	if err := rbm.CheckLayerData(vis, train); err != nil {
		return fmt.Errorf("%s: %v", r.path, err)
	}
	if held != nil {
		if err := rbm.CheckLayerData(vis, held); err != nil {
			return fmt.Errorf("%s: %v", r.val, err)
		}
	}
	// The shape is checked before the hidden layer allocates it.
	if err := rbm.CheckFileShape(vis.Width(), u.hiddenWidth(r.hidden)); err != nil {
		return usagef("-hidden %d: %v", r.hidden, err)
	}
	hid, err := layer.New(u.hidden, r.hidden, layer.Settings{States: u.hiddenQ(), LearnScale: u.learnScale})
	if err != nil {
		return usagef("--hidden-type: %v", err)
	}
	need := machineTrainBytes(train.Rows, rowsOf(held), vis.Width(), hid.Width(), cfg) +
		r.eval.memory(rowsOf(held), func(n int) float64 { return machineAISBytes(n, vis.Width(), hid.Width()) })
	if err := checkMemory(need, r.maxMem, r.eval.describe(fmt.Sprintf("training a %s(%d)×%s(%d) RBM", u.visible, vis.Units(), u.hidden, hid.Units()))); err != nil {
		return err
	}
	m := rbm.NewMachine(vis, hid)
	if err := m.Init(train, cfg.Seed); err != nil {
		return fmt.Errorf("%s: %w", r.path, err)
	}
	// Init fits the visible layer to the data's base rates: that fit is
	// the base model AIS starts from, here for the held-out estimates and
	// later from the record saved with the model.
	baseLayer := m.Visible.Clone()
	base := map[string][]float64{}
	for _, p := range baseLayer.Params() {
		base[p.Name] = p.Values
	}
	tr := &rbm.Trainer{Config: *cfg, MonitorRows: r.monitor}
	if r.monitor == 0 {
		tr.MonitorRows = -1
	}
	if held != nil {
		tr.Validation = held
	}
	bar := newProgress(e.stderr)
	r.eval.attachMachine(tr, baseLayer, scaling, bar)
	fmt.Fprintf(e.stderr, "training %s(%d)×%s(%d) RBM on %d rows of %s (%s, batch %d, %d %s, recipe %s)\n",
		u.visible, vis.Units(), u.hidden, hid.Units(), train.Rows, r.path,
		describeTraining(cfg), cfg.BatchSize, cfg.Epochs, plural(cfg.Epochs, "epoch"), r.recipe)
	epochs, err := openEpochLog(r.logPath)
	if err != nil {
		return err
	}
	defer epochs.abandon()
	tr.Progress = func(epoch, batch, batches int) {
		bar.update(fmt.Sprintf("epoch %d/%d", epoch+1, cfg.Epochs), batch, batches)
	}
	tr.EpochDone = func(st rbm.EpochStats) {
		bar.clear()
		fmt.Fprintln(e.stderr, machineEpochLine(st, cfg.Epochs, r.monitor > 0))
		epochs.write(st)
	}
	stats, trainErr := tr.TrainMachine(ctx, m, train)
	bar.clear()
	interrupted := errors.Is(trainErr, context.Canceled)
	diverged := errors.Is(trainErr, rbm.ErrDiverged)
	if trainErr != nil && !interrupted && !diverged {
		return trainErr
	}
	meta := &rbm.Meta{Training: cfg, Epochs: len(stats), Interrupted: interrupted || diverged, Rows: train.Rows, Scaling: scaling, Base: base, Dequantize: u.dequantize,
		Bytes: visValues == layer.Reals && idxHoldsBytes(r.path)}
	if visValues == layer.Bits {
		meta.Binarize = r.data.binarize
	}
	if visValues != layer.Categories {
		meta.ImageRows, meta.ImageCols = shape.Height, shape.Width
	} else if dataFormat(r.path) == "alignment" {
		meta.Alphabet = orDefault(u.alphabet, dataset.DefaultAlphabet)
	}
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
	if err := rbm.SaveMachine(r.out, m, meta); err != nil {
		return err
	}
	if err := epochs.close(r.out); err != nil {
		return err
	}
	switch {
	case diverged:
		return fmt.Errorf("%v; the model before that update is saved in %s", trainErr, r.out)
	case interrupted:
		return fmt.Errorf("interrupted after %d complete %s; the model as of the last update is saved in %s", len(stats), plural(len(stats), "epoch"), r.out)
	}
	if meta.BestEpoch > 0 {
		fmt.Fprintf(e.stderr, "kept the parameters of epoch %d (held-out log-likelihood %.3f)\n", meta.BestEpoch, meta.HeldOut.Mean)
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", r.out)
	return nil
}

// dataFormat names the format of a data file by its extension (a .gz
// suffix aside): "alignment" for FASTA/A2M, "csv", "npy", or "" for IDX.
func dataFormat(path string) string {
	base := strings.TrimSuffix(strings.ToLower(filepath.Base(path)), ".gz")
	switch filepath.Ext(base) {
	case ".fasta", ".fa", ".a2m", ".a3m", ".afa", ".aln":
		return "alignment"
	case ".csv":
		return "csv"
	case ".npy":
		return "npy"
	}
	return ""
}

func rowsOf(m *rbm.Matrix) int {
	if m == nil {
		return 0
	}
	return m.Rows
}

// machineTrainBytes estimates what training a machine holds: the data in
// float32, the weights in float64 with their gradient, backup and one or
// two optimiser arrays, the mini-batch products in float64, and the
// centered batch and the tempering replicas when used.
func machineTrainBytes(rows, valRows, visible, hidden int, cfg *rbm.Config) float64 {
	v, h, b := float64(visible), float64(hidden), float64(min(cfg.BatchSize, rows))
	arrays := 5.0
	if cfg.Optimizer == rbm.Adam {
		arrays = 6
	}
	need := 4*float64(rows+valRows)*v + 8*arrays*v*h + 8*(4*b*v+4*b*h)
	if cfg.Centered {
		need += 8 * b * v // the centered copy of a batch
	}
	if cfg.Replicas >= 2 {
		// Each replica's states, inputs and draws, in float64.
		need += 8 * 3 * float64(cfg.Replicas) * b * (v + h)
	}
	return need
}

// machineEpochLine formats one epoch of a machine's training: the
// pseudo-likelihood is a binary-RBM figure and is left out; the swap rates
// of parallel tempering are shown as epochLine shows them, since a pair of
// replicas that rarely swaps is the sign that the ladder needs more rungs,
// and so is the held-out estimate of the epochs --eval-every evaluates.
func machineEpochLine(st rbm.EpochStats, epochs int, monitored bool) string {
	s := fmt.Sprintf("epoch %d/%d  %.2fs", st.Epoch, epochs, st.Seconds)
	if monitored {
		s += fmt.Sprintf("  recon %.3f  F(train) %.3f", st.ReconError, st.FreeEnergyTrain)
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
