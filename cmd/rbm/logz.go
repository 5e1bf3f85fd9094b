package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
	"github.com/spf13/pflag"
)

func init() {
	register(&command{
		name:  "logz",
		usage: "[flags] MODEL   |   --ising ROWSxCOLS | --spec FILE [flags]",
		summary: "Compute the log partition function of an RBM: exactly by enumerating its smaller layer, or by annealed importance " +
			"sampling (AIS) with its ±3σ interval and, given data, reverse annealing as the other bound. " +
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
	reverse  bool
	maxUnits int
	maxMem   float64
}

func (a *annealFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&a.method, "method", "auto", fmt.Sprintf("exact (enumerate the smaller layer), ais, or auto (exact when the smaller layer has ≤ %d units)", autoExactUnits))
	fs.StringVar(&a.schedule, "schedule", ais.DefaultSpec, "ais: β schedule as END/STEPS segments from 0 (Salakhutdinov & Murray's 14,500 steps), or N for N equal steps")
	fs.IntVar(&a.runs, "runs", 100, "ais: independent annealing runs")
	fs.Uint64Var(&a.seed, "seed", 1, "random seed")
	nonNegativeIntVar(fs, &a.workers, "workers", 0, "goroutines sharing the work (0: one per core); never changes the result")
	fs.BoolVar(&a.reverse, "reverse", true, "ais: also anneal in reverse from data rows (RAISE), the other side of the sandwich")
	fs.IntVar(&a.maxUnits, "max-units", exact.DefaultMaxUnits, fmt.Sprintf("exact: refuse a smaller layer above this many units (at most %d)", exact.HardMaxUnits))
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
		if err := checkMemory(aisBytes(a.runs, m.Visible, m.Hidden), a.maxMem, fmt.Sprintf("AIS with %d runs", a.runs)); err != nil {
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
	// Reverse is reverse AIS (RAISE) from data rows, when run.
	Reverse *reverseResult `json:"reverse,omitempty"`
	States  uint64         `json:"states,omitempty"`
}

type reverseResult struct {
	LogZ   float64 `json:"log_z"`
	StdErr float64 `json:"std_err"`
	Lower  float64 `json:"lower"`
	Upper  float64 `json:"upper"`
	Runs   int     `json:"runs"`
}

// computeLogZ runs the chosen method, drawing progress on bar. data, when
// not nil, gives AIS its base rates and reverse annealing its start rows.
func computeLogZ(ctx context.Context, bar *progress, m *rbm.RBM, data *rbm.Matrix, method string, sched ais.Schedule, a *annealFlags) (*logZResult, error) {
	if method == "exact" {
		logZ, err := exact.RBMLogZ(ctx, m, &exact.Options{Workers: a.workers, MaxUnits: a.maxUnits,
			Progress: func(done, total uint64) { bar.update("enumerating", int(done>>10), int(total>>10)) }})
		bar.clear()
		if err != nil {
			return nil, maxUnitsHint(err)
		}
		return &logZResult{Method: "exact", LogZ: logZ, Lower: &logZ, Upper: logZ, States: 1 << min(m.Visible, m.Hidden)}, nil
	}
	cfg := ais.Config{Schedule: sched, Runs: a.runs, Seed: a.seed, Workers: a.workers}
	res := &logZResult{Method: "ais", Base: "model"}
	if data != nil {
		cfg.Base, res.Base = ais.BaseRates(data), "data"
	}
	cfg.Progress = func(done, total int) { bar.update("AIS", done, total) }
	fwd, err := ais.Run(ctx, m, cfg)
	bar.clear()
	if err != nil {
		return nil, err
	}
	res.LogZ, res.StdErr, res.Upper = fwd.LogZ, fwd.StdErr, fwd.Upper
	res.Runs, res.Steps, res.LogZBase = fwd.Runs, fwd.Steps, fwd.LogZBase
	if !math.IsInf(fwd.Lower, -1) {
		res.Lower = &fwd.Lower
	}
	if a.reverse && data != nil {
		cfg.Progress = func(done, total int) { bar.update("reverse AIS", done, total) }
		rev, err := ais.Reverse(ctx, m, data, cfg)
		bar.clear()
		if err != nil {
			return nil, err
		}
		res.Reverse = &reverseResult{LogZ: rev.LogZ, StdErr: rev.StdErr, Lower: rev.Lower, Upper: rev.Upper, Runs: rev.Runs}
	}
	return res, nil
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
	fmt.Fprintf(e.stdout, "log Z:     %.4f ± %.4f (AIS, %d runs × %d steps, base rates from %s)\n", r.LogZ, r.StdErr, r.Runs, r.Steps, r.Base)
	fmt.Fprintf(e.stdout, "±3σ:       [%s, %.4f]\n", lower, r.Upper)
	if v := r.Reverse; v != nil {
		fmt.Fprintf(e.stdout, "reverse:   %.4f ± %.4f (RAISE from %d data rows; ±3σ [%.4f, %.4f])\n", v.LogZ, v.StdErr, v.Runs, v.Lower, v.Upper)
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
	fs.StringVar(&dataArg, "data", "", "ais: IDX data whose smoothed marginals set the base-rate model and whose rows start the reverse chains")
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
	res, err := computeLogZ(ctx, newProgress(e.stderr), m, rows, method, sched, &anneal)
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
