package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
	"github.com/rbmkit/rbm/rbm/rbmexact"
	"github.com/spf13/pflag"
)

func init() {
	register(&command{
		name:  "logz",
		usage: "[flags] MODEL   |   --ising ROWSxCOLS | --spec FILE [flags]",
		summary: "Compute the log partition function of an RBM: exactly by enumerating its smaller layer, or by forward annealed importance " +
			"sampling (AIS) with its ±3σ interval and effective sample size (rbm eval adds RAISE's conservative side). " +
			"With --ising or --spec it handles discrete models instead (rbm logz --ising 4x4 --help).",
		example: "  rbm logz mnist20.rbm\n  rbm logz mnist500.rbm --method ais --data train-images-idx3-ubyte.gz --json",
		run:     runLogz,
	})
}

// autoExactUnits is the largest smaller layer --method auto enumerates.
const autoExactUnits = 25

// annealFlags are the AIS settings rbm logz and rbm eval share.
type annealFlags struct {
	method   string
	schedule string
	runs     int
	seed     uint64
	workers  int
	maxUnits int
	upper    string
	ladder   string
	sweeps   int
	maxMem   float64
}

func (a *annealFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&a.method, "method", "auto", fmt.Sprintf("exact (enumerate the smaller layer), ais, or auto (exact when the smaller layer has ≤ %d units)", autoExactUnits))
	fs.StringVar(&a.schedule, "schedule", ais.DefaultSpec, "ais: β schedule as END/STEPS segments from 0 (Salakhutdinov & Murray's 14,500 steps), or N for N equal steps")
	fs.IntVar(&a.runs, "runs", 100, "ais: independent annealing runs")
	fs.Uint64Var(&a.seed, "seed", 1, "random seed")
	nonNegativeIntVar(fs, &a.workers, "workers", 0, "goroutines sharing the work (0: one per core); never changes the result")
	fs.IntVar(&a.maxUnits, "max-units", exact.DefaultMaxUnits, fmt.Sprintf("exact: refuse a smaller layer above this many units (at most %d)", exact.HardMaxUnits))
	fs.StringVar(&a.upper, "upper", "tempering", "ais: the upper side of log Z: tempering (reverse AIS from samples of the model drawn by parallel tempering) or none")
	fs.StringVar(&a.ladder, "ladder", ais.DefaultLadderSpec, "ais: the tempering's inverse temperatures, written as a schedule")
	fs.IntVar(&a.sweeps, "sweeps", 1000, "ais: tempering sweeps before the samples are taken")
	registerMaxMemory(fs, &a.maxMem)
}

// check reports the flags that are wrong whatever the model, before any
// file is read, and returns the parsed schedule.
func (a *annealFlags) check() (ais.Schedule, error) {
	sched, err := ais.ParseSchedule(a.schedule)
	if err != nil {
		return nil, usagef("--schedule: %v", err)
	}
	if a.runs < 2 {
		return nil, usagef("--runs %d: need at least 2 runs for an error bar", a.runs)
	}
	if a.maxUnits < 1 {
		return nil, usagef("--max-units %d must be positive", a.maxUnits)
	}
	if a.method != "exact" && a.method != "ais" && a.method != "auto" {
		return nil, usagef("--method %q: want exact, ais or auto", a.method)
	}
	if a.upper != "tempering" && a.upper != "none" {
		return nil, usagef("--upper %q: want tempering or none", a.upper)
	}
	if _, err := ais.ParseSchedule(a.ladder); err != nil {
		return nil, usagef("--ladder: %v", err)
	}
	if a.sweeps < 1 {
		return nil, usagef("--sweeps %d must be positive", a.sweeps)
	}
	return sched, nil
}

// resolve checks the flags and picks the method for m.
func (a *annealFlags) resolve(m *rbm.RBM) (string, ais.Schedule, error) {
	sched, err := a.check()
	if err != nil {
		return "", nil, err
	}
	method := a.method
	if method == "auto" {
		method = "exact"
		if min(m.Visible, m.Hidden) > autoExactUnits {
			method = "ais"
		}
	}
	if method == "ais" {
		need := aisBytes(a.runs, m.Visible, m.Hidden)
		if a.upper == "tempering" {
			ladder, _ := ais.ParseSchedule(a.ladder)
			need = max(need, temperingBytes(len(ladder), a.runs, m.Visible, m.Hidden)+aisBytes(a.runs, m.Visible, m.Hidden))
		}
		if err := checkMemory(need, a.maxMem, fmt.Sprintf("AIS with %d runs", a.runs)); err != nil {
			return "", nil, err
		}
	}
	return method, sched, nil
}

// logZResult is the outcome of one log Z computation, as printed by
// rbm logz --json and embedded in rbm eval --json.
type logZResult struct {
	Method string  `json:"method"`
	LogZ   float64 `json:"log_z"`
	// StdErr, Lower and Upper describe AIS's uncertainty (zero and equal
	// to LogZ for exact); Lower is null when the interval reaches Ẑ ≤ 0.
	StdErr   float64  `json:"std_err"`
	Lower    *float64 `json:"lower"`
	Upper    float64  `json:"upper"`
	Runs     int      `json:"runs,omitempty"`
	Steps    int      `json:"steps,omitempty"`
	Base     string   `json:"base,omitempty"`
	LogZBase float64  `json:"log_z_base,omitempty"`
	// ESS is the effective sample size of the AIS weights and Reliable
	// whether it is large enough (ais.Estimate.Reliable) for the error bar
	// to mean something.
	ESS      float64 `json:"ess,omitempty"`
	Reliable *bool   `json:"reliable,omitempty"`
	// UpperSide is the reverse estimate from tempering samples, when run.
	UpperSide *upperResult `json:"upper_side,omitempty"`
	States    uint64       `json:"states,omitempty"`
}

// upperResult is reverse AIS from samples of the model drawn by parallel
// tempering: an upper bound on log Z in expectation, if the tempering
// reached the model's distribution.
type upperResult struct {
	LogZ      float64   `json:"log_z"`
	StdErr    float64   `json:"std_err"`
	ESS       float64   `json:"ess"`
	Replicas  int       `json:"replicas"`
	Sweeps    int       `json:"sweeps"`
	SwapRates []float64 `json:"swap_rates"`
	MinSwap   float64   `json:"min_swap_rate"`
}

// minSwapRate is the swap rate below which the tempering's samples are
// reported as doubtful: a pair of replicas that exchange states this
// rarely cuts the ladder in two.
const minSwapRate = 0.05

// Where the base-rate model of AIS comes from, in the order preferred.
const (
	baseFromData  = "data"          // --data, or the rows being evaluated
	baseFromModel = "training data" // the base rates the model file records
	baseFromBias  = "model biases"  // the model's own visible biases
	// visibleLayerAlone is the base of a machine whose file records no
	// base rates, and the guess of rbm denoise's inpainting baseline.
	visibleLayerAlone = "model's visible layer"
)

// baseRates picks AIS's base-rate model: the given data's, else the
// training data's as the model file records them, else (nil) the model's
// own visible biases, which anneal less smoothly.
func baseRates(data *rbm.Matrix, meta *rbm.Meta) ([]float64, string) {
	switch {
	case data != nil:
		return ais.BaseRates(data), baseFromData
	case meta != nil && len(meta.BaseRates) > 0:
		b := make([]float64, len(meta.BaseRates))
		for i, x := range meta.BaseRates {
			b[i] = float64(x)
		}
		return b, baseFromModel
	}
	return nil, baseFromBias
}

// computeLogZ runs the chosen method, drawing progress on bar. base and
// baseName are AIS's base-rate model (see baseRates).
func computeLogZ(ctx context.Context, bar *progress, m *rbm.RBM, base []float64, baseName, method string, sched ais.Schedule, a *annealFlags) (*logZResult, *ais.Config, error) {
	if method == "exact" {
		logZ, err := rbmexact.RBMLogZ(ctx, m, exact.Options{Workers: a.workers, MaxUnits: a.maxUnits,
			Progress: func(done, total uint64) { bar.update("enumerating", int(done>>10), int(total>>10)) }})
		bar.clear()
		if err != nil {
			return nil, nil, maxUnitsHint(err)
		}
		return &logZResult{Method: "exact", LogZ: logZ, Lower: &logZ, Upper: logZ, States: 1 << min(m.Visible, m.Hidden)}, nil, nil
	}
	cfg := &ais.Config{Schedule: sched, Runs: a.runs, Seed: a.seed, Workers: a.workers, Base: base}
	cfg.Progress = func(done, total int) { bar.update("AIS", done, total) }
	fwd, err := ais.Run(ctx, m, *cfg)
	bar.clear()
	if err != nil {
		return nil, nil, err
	}
	reliable := fwd.Reliable()
	res := &logZResult{Method: "ais", Base: baseName, LogZ: fwd.LogZ, StdErr: fwd.StdErr, Upper: fwd.Upper,
		Runs: fwd.Runs, Steps: fwd.Steps, LogZBase: fwd.LogZBase, ESS: fwd.ESS, Reliable: &reliable}
	if !math.IsInf(fwd.Lower, -1) {
		res.Lower = &fwd.Lower
	}
	if a.upper == "tempering" {
		ladder, _ := ais.ParseSchedule(a.ladder)
		up := *cfg
		up.Progress = func(done, total int) { bar.update("tempering, then reverse AIS", done, total) }
		rev, rates, err := ais.ReverseFromTempering(ctx, m, up, ais.Tempered{Ladder: ladder, Sweeps: a.sweeps})
		bar.clear()
		if err != nil {
			return nil, nil, err
		}
		res.UpperSide = &upperResult{LogZ: rev.LogZ, StdErr: rev.StdErr, ESS: rev.ESS, Replicas: len(ladder),
			Sweeps: a.sweeps, SwapRates: rates, MinSwap: slices.Min(rates)}
	}
	return res, cfg, nil
}

// describe prints a log Z result for people.
func (r *logZResult) describe(e *env) {
	if r.Method == "exact" {
		fmt.Fprintf(e.stdout, "log Z:     %.10g (exact, %d states of the smaller layer)\n", r.LogZ, r.States)
		return
	}
	lower := "-inf"
	if r.Lower != nil {
		lower = fmt.Sprintf("%.4f", *r.Lower)
	}
	fmt.Fprintf(e.stdout, "log Z:     %.4f ± %.4f (forward AIS, %d runs × %d steps, base rates from the %s)\n", r.LogZ, r.StdErr, r.Runs, r.Steps, r.Base)
	fmt.Fprintf(e.stdout, "±3σ:       [%s, %.4f]; effective sample size %.1f of %d runs\n", lower, r.Upper, r.ESS, r.Runs)
	if u := r.UpperSide; u != nil {
		fmt.Fprintf(e.stdout, "upper:     %.4f ± %.4f (reverse AIS from %d tempering samples, %d replicas × %d sweeps, lowest swap rate %.2f): "+
			"an upper bound on log Z if the tempering reached the model's distribution\n", u.LogZ, u.StdErr, r.Runs, u.Replicas, u.Sweeps, u.MinSwap)
		if u.MinSwap < minSwapRate {
			fmt.Fprintf(e.stdout, "warning:   replicas that swap this rarely may not mix: the upper side may be too low; add rungs to --ladder or --sweeps\n")
		}
	}
	if r.Reliable != nil && !*r.Reliable {
		fmt.Fprintf(e.stdout, "warning:   only %.1f runs carry the estimate: it is unreliable and most likely too low; "+
			"anneal longer (--schedule)%s\n", r.ESS, map[bool]string{true: " or give the training data (--data) for the base rates"}[r.Base == baseFromBias])
	}
}

// logzResult is the --json output of rbm logz on an RBM.
type logzResult struct {
	Model   string `json:"model"`
	Visible int    `json:"visible"`
	Hidden  int    `json:"hidden"`
	logZResult
	Seconds float64 `json:"seconds"`
}

func runLogz(ctx context.Context, e *env, args []string) error {
	if hasDiscreteFlag(args) {
		return runLogzDiscrete(ctx, e, args)
	}
	fs := newFlags(e, lookup("logz"))
	var (
		anneal  annealFlags
		data    dataFlags
		dataArg string
		asJSON  bool
	)
	anneal.register(fs)
	fs.StringVar(&dataArg, "data", "", "ais: IDX data whose smoothed marginals set the base-rate model (default: the training data's, as recorded in the model)")
	data.register(fs)
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if _, err := anneal.check(); err != nil {
		return err
	}
	data.seed = anneal.seed
	m, meta, err := loadModel(pos[0])
	if errors.Is(err, rbm.ErrMachine) {
		return runLogzMachine(ctx, e, pos[0], &anneal, &data, dataArg, asJSON)
	}
	if err != nil {
		return err
	}
	method, sched, err := anneal.resolve(m)
	if err != nil {
		return err
	}
	var rows *rbm.Matrix
	if dataArg != "" {
		if rows, err = data.loadFor(dataArg, m, meta); err != nil {
			return err
		}
	}
	start := time.Now()
	base, baseName := baseRates(rows, meta)
	res, _, err := computeLogZ(ctx, newProgress(e.stderr), m, base, baseName, method, sched, &anneal)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(logzResult{Model: pos[0], Visible: m.Visible, Hidden: m.Hidden,
			logZResult: *res, Seconds: time.Since(start).Seconds()})
	}
	fmt.Fprintf(e.stdout, "model:     %s (%d×%d)\n", pos[0], m.Visible, m.Hidden)
	res.describe(e)
	return nil
}
