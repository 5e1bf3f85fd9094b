package main

import (
	"context"
	"fmt"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
	"github.com/rbmkit/rbm/rbm/layer"
	"github.com/rbmkit/rbm/rbm/loglik"
	"github.com/spf13/pflag"
)

// evalFlags are rbm train's settings for estimating the held-out
// log-likelihood during training.
type evalFlags struct {
	every    int
	keepBest bool
	rows     int
	schedule string
	runs     int
	upper    string
	ladder   string
	sweeps   int
}

// defaultEvalSchedule is a short AIS schedule (1,500 steps, a tenth of the
// default) for estimates during training, where the trend matters more
// than the last nat; rbm eval gives the final figure. defaultEvalLadder and
// defaultEvalSweeps are the matching short tempering for the upper side:
// 20 rungs and 200 sweeps.
const (
	defaultEvalSchedule = "0.5/100,0.9/400,1/1000"
	defaultEvalLadder   = "0.5/5,0.9/7,1/8"
	defaultEvalSweeps   = 200
)

func (f *evalFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&f.every, "eval-every", 0, "estimate the log-likelihood of the --val rows every N epochs and after the last "+
		fmt.Sprintf("(exact when the smaller layer has ≤ %d units — for other unit types, a discrete layer of ≤ 2^%d states — else AIS with --eval-schedule; 0: never)", loglik.DefaultExactUnits, loglik.DefaultExactUnits))
	fs.BoolVar(&f.keepBest, "keep-best", false, "save the parameters of the evaluated epoch with the best held-out estimate, not the last")
	fs.IntVar(&f.rows, "eval-rows", 1000, "--val rows the estimate averages (the first N; 0: all)")
	fs.StringVar(&f.schedule, "eval-schedule", defaultEvalSchedule, "AIS β schedule of the estimates during training")
	fs.IntVar(&f.runs, "eval-runs", 100, "AIS runs of the estimates during training")
	fs.StringVar(&f.upper, "eval-upper", "tempering", "AIS's conservative side: tempering (reverse AIS from samples drawn by parallel tempering), raise (RAISE from every evaluated row) or none")
	fs.StringVar(&f.ladder, "eval-ladder", defaultEvalLadder, "the tempering's inverse temperatures for --eval-upper tempering, written as a schedule")
	fs.IntVar(&f.sweeps, "eval-sweeps", defaultEvalSweeps, "tempering sweeps for --eval-upper tempering")
}

// check validates the flags before any data is read.
func (f *evalFlags) check(fs *pflag.FlagSet, val string) error {
	switch {
	case f.every < 0:
		return usagef("--eval-every %d must not be negative", f.every)
	case f.every > 0 && val == "":
		return usagef("--eval-every needs held-out data (--val)")
	case f.keepBest && f.every == 0:
		return usagef("--keep-best needs --eval-every")
	case f.rows < 0:
		return usagef("--eval-rows %d must not be negative", f.rows)
	case f.runs < 2:
		return usagef("--eval-runs %d: need at least 2 runs", f.runs)
	}
	if _, err := ais.ParseSchedule(f.schedule); err != nil {
		return usagef("--eval-schedule: %v", err)
	}
	if f.upper != "tempering" && f.upper != "raise" && f.upper != "none" {
		return usagef("--eval-upper %q: want tempering, raise or none", f.upper)
	}
	if _, err := ais.ParseSchedule(f.ladder); err != nil {
		return usagef("--eval-ladder: %v", err)
	}
	if f.sweeps < 1 {
		return usagef("--eval-sweeps %d must be positive", f.sweeps)
	}
	return nil
}

// memory is what the held-out estimates hold beside training, in bytes,
// for held rows of held-out data: chains(n) is what n annealing or
// tempering chains of the model hold. AIS holds its runs; the upper side
// adds the tempering's chains of every rung, or RAISE's one chain per
// evaluated row. Exact estimates hold little, and are not told apart.
func (f *evalFlags) memory(held int, chains func(n int) float64) float64 {
	if f.every == 0 {
		return 0
	}
	need := chains(f.runs)
	switch f.upper {
	case "tempering":
		ladder, _ := ais.ParseSchedule(f.ladder)
		need += chains(len(ladder) * f.runs)
	case "raise":
		rows := held
		if f.rows > 0 {
			rows = min(rows, f.rows)
		}
		need = max(need, chains(rows))
	}
	return need
}

// describe adds the held-out estimates to what, the work a memory
// refusal names, when there are any.
func (f *evalFlags) describe(what string) string {
	if f.every == 0 {
		return what
	}
	return fmt.Sprintf("%s with held-out estimates of %d AIS runs (--eval-upper %s)", what, f.runs, f.upper)
}

// attach makes tr estimate the held-out log-likelihood of its validation
// rows, with AIS starting from the training data's base rates.
func (f *evalFlags) attach(tr *rbm.Trainer, train rbm.Data, bar *progress) {
	if f.every == 0 || tr.Validation == nil {
		return
	}
	rows := f.heldOutRows(tr)
	opt := f.options(tr, bar)
	opt.AIS.Base = rbm.BaseRates(train)
	tr.EvalEvery, tr.KeepBest = f.every, f.keepBest
	tr.Evaluate = func(ctx context.Context, m *rbm.RBM) (*rbm.LogLik, error) {
		defer bar.clear()
		return loglik.Estimate(ctx, m, rows, opt)
	}
}

// attachMachine is attach for a machine of any unit types: the validation
// rows are already in the visible layer's encoding (dequantised,
// standardised or one-hot as the training rows), and AIS starts from base,
// the visible layer fitted to the training data (the base rbm eval takes
// from the saved model). With a scaling (standardised rows) the estimates
// are of the rows in their own units, as rbm eval gives them.
func (f *evalFlags) attachMachine(tr *rbm.Trainer, base layer.Layer, scaling *rbm.Scaling, bar *progress) {
	if f.every == 0 || tr.Validation == nil {
		return
	}
	rows := f.heldOutRows(tr).Dense()
	opt := f.options(tr, bar)
	opt.MachineBase = base
	tr.EvalEvery, tr.KeepBest = f.every, f.keepBest
	tr.EvaluateMachine = func(ctx context.Context, m *rbm.Machine) (*rbm.LogLik, error) {
		defer bar.clear()
		ll, err := loglik.EstimateMachine(ctx, m, rows, opt)
		if err != nil || scaling == nil {
			return ll, err
		}
		d := scaling.LogJacobian()
		ll.Mean += d
		for _, p := range []*float64{ll.Lower, ll.Upper} {
			if p != nil {
				*p += d
			}
		}
		return ll, nil
	}
}

// heldOutRows returns the rows the estimates read: the first --eval-rows
// of the held-out data, expanded once to float32.
func (f *evalFlags) heldOutRows(tr *rbm.Trainer) *rbm.Matrix {
	n, cols := tr.Validation.Dims()
	if f.rows > 0 {
		n = min(n, f.rows)
	}
	first := make([]int32, n)
	for i := range first {
		first[i] = int32(i)
	}
	rows := rbm.NewMatrix(n, cols)
	tr.Validation.Gather(rows, first)
	return rows
}

// options returns the estimates' settings: the AIS schedule and runs, seeded
// by the training seed (the estimates draw from sources of their own, so
// training is the same with or without them), and the conservative side.
func (f *evalFlags) options(tr *rbm.Trainer, bar *progress) loglik.Options {
	sched, _ := ais.ParseSchedule(f.schedule)
	opt := loglik.Options{
		AIS: ais.Config{Schedule: sched, Runs: f.runs, Seed: tr.Seed, Workers: tr.Workers,
			Progress: func(done, total int) { bar.update("held-out AIS", done, total) }},
		Raise: f.upper == "raise",
	}
	if f.upper == "tempering" {
		ladder, _ := ais.ParseSchedule(f.ladder)
		opt.Upper = &ais.Tempered{Ladder: ladder, Sweeps: f.sweeps}
	}
	return opt
}

// describeLogLik formats a log-likelihood estimate in one phrase.
func describeLogLik(ll *rbm.LogLik) string {
	if ll.Method == loglik.Exact {
		return fmt.Sprintf("log-lik %.3f (exact)", ll.Mean)
	}
	s := fmt.Sprintf("log-lik %.3f ± %.3f (AIS", ll.Mean, ll.StdErr)
	if ll.Lower != nil {
		s += fmt.Sprintf("; conservative %.3f", *ll.Lower)
	}
	return s + ")"
}

func toFloat32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}
