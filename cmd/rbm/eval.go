package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
)

func init() {
	register(&command{
		name:  "eval",
		usage: "[flags] MODEL DATA",
		summary: "Report the mean log-likelihood per row of DATA under MODEL: exact, or forward AIS (optimistic) with RAISE (conservative) " +
			"on a subset; and the mean pseudo-log-likelihood, free energy and reconstruction error.",
		example: "  rbm eval mnist20.rbm t10k-images-idx3-ubyte.gz\n  rbm eval mnist500.rbm t10k-images-idx3-ubyte.gz --method ais --json",
		run:     runEval,
	})
}

// evalResult is the --json output of rbm eval.
type evalResult struct {
	Model   string `json:"model"`
	Data    string `json:"data"`
	Rows    int    `json:"rows"`
	Visible int    `json:"visible"`
	Hidden  int    `json:"hidden"`
	logLikFigures
	// Raise is RAISE's estimate on a random subset of the rows.
	Raise        *raiseResult `json:"raise,omitempty"`
	LogZ         logZResult   `json:"log_z"`
	FreeEnergy   float64      `json:"free_energy"`
	PseudoLogLik float64      `json:"pseudo_log_lik"`
	PseudoRows   int          `json:"pseudo_log_lik_rows"`
	ReconError   float64      `json:"recon_error"`
	Seconds      float64      `json:"seconds"`
}

// logLikFigures are the mean log-likelihood figures rbm eval reports for
// every model type. LogLik is -F - log Z per row, F the mean free energy;
// for AIS it is forward AIS's (optimistic), LogLikLower/Upper come from
// log Z's ±3σ interval (Upper is null when that interval is unbounded),
// and LogLikConservative is the log-likelihood implied by the upper side
// of log Z (reverse AIS from tempering samples), when it was estimated.
type logLikFigures struct {
	LogLik                   float64  `json:"log_lik"`
	LogLikStdErr             float64  `json:"log_lik_std_err"`
	LogLikLower              float64  `json:"log_lik_lower"`
	LogLikUpper              *float64 `json:"log_lik_upper"`
	LogLikConservative       *float64 `json:"log_lik_conservative,omitempty"`
	LogLikConservativeStdErr float64  `json:"log_lik_conservative_std_err,omitempty"`
}

// newLogLikFigures returns the figures of a mean free energy f under lz.
func newLogLikFigures(f float64, lz *logZResult) logLikFigures {
	r := logLikFigures{LogLik: -f - lz.LogZ, LogLikStdErr: lz.StdErr, LogLikLower: -f - lz.Upper}
	if lz.Lower != nil {
		up := -f - *lz.Lower
		r.LogLikUpper = &up
	}
	if u := lz.UpperSide; u != nil {
		c := -f - u.LogZ
		r.LogLikConservative, r.LogLikConservativeStdErr = &c, u.StdErr
	}
	return r
}

// shift adds d to every log-likelihood figure: the log-Jacobian of a
// standardisation (rbm.Scaling.LogJacobian), which turns the density of
// standardised rows into that of the rows in their own units.
func (r *logLikFigures) shift(d float64) {
	r.LogLik += d
	r.LogLikLower += d
	if r.LogLikUpper != nil {
		u := *r.LogLikUpper + d
		r.LogLikUpper = &u
	}
	if r.LogLikConservative != nil {
		c := *r.LogLikConservative + d
		r.LogLikConservative = &c
	}
}

// print writes the log-lik lines of rbm eval's text output, and RAISE's
// when raise is not nil.
func (r *logLikFigures) print(e *env, method string, raise *raiseResult) {
	if method == "exact" {
		fmt.Fprintf(e.stdout, "log-lik:     %.6f nats per row (exact)\n", r.LogLik)
		return
	}
	upper := "+inf"
	if r.LogLikUpper != nil {
		upper = fmt.Sprintf("%.4f", *r.LogLikUpper)
	}
	fmt.Fprintf(e.stdout, "log-lik:     %.4f ± %.4f nats per row (forward AIS, optimistic; ±3σ [%.4f, %s])\n", r.LogLik, r.LogLikStdErr, r.LogLikLower, upper)
	if c := r.LogLikConservative; c != nil {
		fmt.Fprintf(e.stdout, "log-lik:     %.4f ± %.4f nats per row (from the upper side of log Z: conservative if the tempering mixed)\n", *c, r.LogLikConservativeStdErr)
	}
	if raise != nil {
		fmt.Fprintf(e.stdout, "RAISE:       %.4f ± %.4f nats per row on %d random rows (conservative for the annealing model), forward AIS %.4f on the same rows\n", raise.LogLik, raise.StdErr, raise.Rows, raise.Forward)
	}
}

// raiseResult is RAISE on a random subset of the rows: its conservative
// mean log-likelihood and, on the same rows, forward AIS's.
type raiseResult struct {
	Rows    int     `json:"rows"`
	LogLik  float64 `json:"log_lik"`
	StdErr  float64 `json:"std_err"`
	Forward float64 `json:"forward_log_lik"`
	ESS     float64 `json:"ess"`
}

func runEval(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, lookup("eval"))
	var (
		anneal    annealFlags
		data      dataFlags
		pllRows   int
		raiseRows int
		asJSON    bool
	)
	anneal.register(fs)
	data.register(fs)
	fs.IntVar(&raiseRows, "raise-rows", 0, "ais: also run RAISE from this many rows (a seeded random subset), one chain each: a conservative estimate for the annealing model, which can favour data over the RBM itself (0: off)")
	fs.IntVar(&pllRows, "pll-rows", 1000, "rows (the first N) whose exact pseudo-log-likelihood is averaged, O(visible×hidden) each (0: all)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	pos, err := parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	if pllRows < 0 {
		return usagef("--pll-rows %d must not be negative", pllRows)
	}
	if raiseRows < 0 {
		return usagef("--raise-rows %d must not be negative", raiseRows)
	}
	if _, err := anneal.check(); err != nil {
		return err
	}
	data.seed = anneal.seed
	m, meta, err := loadModel(pos[0])
	if errors.Is(err, rbm.ErrMachine) {
		return runEvalMachine(ctx, e, pos[0], pos[1], &anneal, &data, raiseRows, asJSON)
	}
	if err != nil {
		return err
	}
	method, sched, err := anneal.resolve(m)
	if err != nil {
		return err
	}
	v, err := data.loadFor(pos[1], m, meta)
	if err != nil {
		return err
	}
	start := time.Now()
	// The base-rate model comes from the training data when the model
	// records it, else from the rows being evaluated.
	base, baseName := baseRates(nil, meta)
	if base == nil {
		base, baseName = baseRates(v, nil)
	}
	bar := newProgress(e.stderr)
	lz, cfg, err := computeLogZ(ctx, bar, m, base, baseName, method, sched, &anneal)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	res := evalResult{Model: pos[0], Data: pos[1], Rows: v.Rows, Visible: m.Visible, Hidden: m.Hidden, LogZ: *lz}

	f := make([]float64, v.Rows)
	m.FreeEnergies(f, v)
	for _, x := range f {
		res.FreeEnergy += x
	}
	res.FreeEnergy /= float64(v.Rows)
	res.logLikFigures = newLogLikFigures(res.FreeEnergy, lz)
	if cfg != nil && raiseRows > 0 {
		rc := *cfg
		rc.Runs = min(raiseRows, v.Rows)
		rc.Progress = func(done, total int) { bar.update("RAISE", done, total) }
		rev, err := ais.Reverse(ctx, m, v, rc)
		bar.clear()
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		// RAISE's rows: the same seeded subset Reverse started from.
		var negF float64
		rows := ais.ChainRows(v.Rows, rc)
		for _, r := range rows {
			negF -= f[r]
		}
		negF /= float64(len(rows))
		res.Raise = &raiseResult{Rows: len(rows), LogLik: negF - rev.LogZ, StdErr: rev.StdErr, Forward: negF - lz.LogZ, ESS: rev.ESS}
	}

	res.PseudoRows = v.Rows
	if pllRows > 0 {
		res.PseudoRows = min(pllRows, v.Rows)
	}
	if res.PseudoLogLik, err = m.MeanPseudoLogLikelihood(ctx, v.Slice(0, res.PseudoRows), anneal.workers); err != nil {
		return err
	}
	res.ReconError = m.ReconstructionError(v)
	res.Seconds = time.Since(start).Seconds()

	if asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "model:       %s (%d×%d)\n", pos[0], m.Visible, m.Hidden)
	fmt.Fprintf(e.stdout, "data:        %s (%d rows)\n", pos[1], v.Rows)
	lz.describe(e)
	res.print(e, method, res.Raise)
	fmt.Fprintf(e.stdout, "free energy: %.6f mean per row\n", res.FreeEnergy)
	fmt.Fprintf(e.stdout, "pseudo-LL:   %.6f nats per row (exact, %d rows)\n", res.PseudoLogLik, res.PseudoRows)
	fmt.Fprintf(e.stdout, "recon error: %.6f squared error per row\n", res.ReconError)
	return nil
}
