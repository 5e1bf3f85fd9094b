package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
	"github.com/rbmkit/rbm/rbm/layer"
)

// machineMethod picks exact or AIS for a machine as resolve does for a
// binary RBM: exact when a discrete layer has at most autoExactUnits bits
// of states (2²⁵ states). For AIS it refuses, as resolve does, runs and
// a tempering ladder whose chains would not fit in --max-memory.
func machineMethod(a *annealFlags, m *rbm.Machine) (string, error) {
	method, err := pickMachineMethod(a, m)
	if err != nil || method != "ais" {
		return method, err
	}
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	need := machineAISBytes(a.runs, vw, hw)
	if a.upper == "tempering" {
		ladder, _ := ais.ParseSchedule(a.ladder)
		need = max(need, machineAISBytes(len(ladder)*a.runs, vw, hw)+machineAISBytes(a.runs, vw, hw))
	}
	if err := checkMemory(need, a.maxMem, fmt.Sprintf("AIS with %d runs", a.runs)); err != nil {
		return "", err
	}
	return method, nil
}

// machineAISBytes is what n chains of a machine's AIS or tempering hold in
// float64: the visible states and inputs, the hidden states and inputs.
func machineAISBytes(n, visible, hidden int) float64 {
	return 8 * float64(n) * float64(2*visible+2*hidden)
}

// pickMachineMethod resolves --method auto for m.
func pickMachineMethod(a *annealFlags, m *rbm.Machine) (string, error) {
	bits := math.Inf(1)
	for _, l := range []layer.Layer{m.Visible, m.Hidden} {
		if _, ok := l.(layer.Discrete); ok && l.States() >= 2 {
			bits = math.Min(bits, float64(l.Units())*math.Log2(float64(l.States())))
		}
	}
	switch a.method {
	case "auto":
		if bits <= autoExactUnits {
			return "exact", nil
		}
		return "ais", nil
	case "exact":
		if math.IsInf(bits, 1) {
			return "", fmt.Errorf("a %s×%s machine has no discrete layer to enumerate: use --method ais", m.Visible.Kind(), m.Hidden.Kind())
		}
	}
	return a.method, nil
}

// machineBase returns the base visible layer of AIS: fitted to data when
// given, else the training data's fit the model file records, else the
// machine's own visible layer.
func machineBase(m *rbm.Machine, meta *rbm.Meta, data *rbm.Matrix) (layer.Layer, string, error) {
	base := m.Visible.Clone()
	switch {
	case data != nil:
		sum, sq := make([]float64, data.Cols), make([]float64, data.Cols)
		for r := range data.Rows {
			for j, x := range data.Row(r) {
				sum[j] += float64(x)
				sq[j] += float64(x) * float64(x)
			}
		}
		base.Fit(sum, sq, data.Rows)
		return base, baseFromData, nil
	case meta != nil && meta.Base != nil:
		if err := layer.SetParams(base, meta.Base); err != nil {
			return nil, "", fmt.Errorf("metadata: base: %w", err)
		}
		return base, baseFromModel, nil
	}
	return base, visibleLayerAlone, nil
}

// machineLogZ computes log Z of a machine by the chosen method.
func machineLogZ(ctx context.Context, bar *progress, m *rbm.Machine, base layer.Layer, baseName, method string, sched ais.Schedule, a *annealFlags) (*logZResult, error) {
	if method == "exact" {
		logZ, err := m.LogZ(ctx, exact.Options{Workers: a.workers, MaxUnits: a.maxUnits,
			Progress: func(done, total uint64) { bar.update("enumerating", int(done>>10), int(total>>10)) }})
		bar.clear()
		if err != nil {
			return nil, maxUnitsHint(err)
		}
		return &logZResult{Method: "exact", LogZ: logZ, Lower: &logZ, Upper: logZ}, nil
	}
	cfg := ais.Config{Schedule: sched, Runs: a.runs, Seed: a.seed, Workers: a.workers}
	cfg.Progress = func(done, total int) { bar.update("AIS", done, total) }
	fwd, err := ais.RunMachine(ctx, m, base, cfg)
	bar.clear()
	if err != nil {
		return nil, err
	}
	if err := finiteLogZ("forward AIS", fwd.LogZ, m); err != nil {
		return nil, err
	}
	reliable := fwd.Reliable()
	res := &logZResult{Method: "ais", Base: baseName, LogZ: fwd.LogZ, StdErr: fwd.StdErr, Upper: fwd.Upper,
		Runs: fwd.Runs, Steps: fwd.Steps, LogZBase: fwd.LogZBase, ESS: fwd.ESS, Reliable: &reliable}
	if !math.IsInf(fwd.Lower, -1) {
		res.Lower = &fwd.Lower
	}
	if a.upper == "tempering" {
		// The other side, as computeLogZ gives it for a binary RBM: reverse
		// AIS from tempering samples, along the path forward AIS took from
		// the same base.
		ladder, _ := ais.ParseSchedule(a.ladder)
		up := cfg
		up.Progress = func(done, total int) { bar.update("tempering, then reverse AIS", done, total) }
		rev, rates, err := ais.ReverseMachineFromTempering(ctx, m, base, up, ais.Tempered{Ladder: ladder, Sweeps: a.sweeps})
		bar.clear()
		if err != nil {
			return nil, err
		}
		if err := finiteLogZ("reverse AIS", rev.LogZ, m); err != nil {
			return nil, err
		}
		res.UpperSide = &upperResult{LogZ: rev.LogZ, StdErr: rev.StdErr, ESS: rev.ESS, Replicas: len(ladder),
			Sweeps: a.sweeps, SwapRates: rates, MinSwap: slices.Min(rates)}
	}
	return res, nil
}

// finiteLogZ reports an estimate of log Z that is not a number, which
// AIS gives when the machine has no density: real-valued units whose
// log-partition grows quadratically (ReLU, dReLU) against a Gaussian, ReLU
// or dReLU layer lose it when the weights outgrow the units' precisions,
// and the free energy is then unbounded below. (Two Gaussian layers are
// refused on reading; rbm.Machine.Validate.)
func finiteLogZ(method string, logZ float64, m *rbm.Machine) error {
	if !math.IsNaN(logZ) && !math.IsInf(logZ, 0) {
		return nil
	}
	return fmt.Errorf("%s gave log Z = %v: the %s machine has no finite normalising constant at these weights (its free energy is unbounded below), or its annealing overflowed", method, logZ, machineShape(m))
}

// machineLogzResult is the --json output of rbm logz on a machine.
type machineLogzResult struct {
	Model        string `json:"model"`
	VisibleLayer string `json:"visible_layer"`
	HiddenLayer  string `json:"hidden_layer"`
	Visible      int    `json:"visible"`
	Hidden       int    `json:"hidden"`
	States       int    `json:"states,omitempty"`
	logZResult
	Seconds float64 `json:"seconds"`
}

// runLogzMachine is rbm logz on a version 2 model file.
func runLogzMachine(ctx context.Context, e *env, path string, anneal *annealFlags, data *dataFlags, dataArg string, asJSON bool) error {
	m, meta, err := loadMachineModel(path)
	if err != nil {
		return err
	}
	method, err := machineMethod(anneal, m)
	if err != nil {
		return err
	}
	sched, _ := anneal.check()
	var rows *rbm.Matrix
	if dataArg != "" {
		if rows, err = loadMachineDataFor(data, dataArg, m, meta); err != nil {
			return err
		}
	}
	base, baseName, err := machineBase(m, meta, rows)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	start := time.Now()
	res, err := machineLogZ(ctx, newProgress(e.stderr), m, base, baseName, method, sched, anneal)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if asJSON {
		out := machineLogzResult{Model: path, VisibleLayer: m.Visible.Kind(), HiddenLayer: m.Hidden.Kind(),
			Visible: m.Visible.Units(), Hidden: m.Hidden.Units(), logZResult: *res, Seconds: time.Since(start).Seconds()}
		if valuesOf(m.Visible.Kind()) == layer.Categories {
			out.States = m.Visible.States()
		} else if valuesOf(m.Hidden.Kind()) == layer.Categories {
			out.States = m.Hidden.States()
		}
		return json.NewEncoder(e.stdout).Encode(out)
	}
	fmt.Fprintf(e.stdout, "model:     %s (%s)\n", path, machineShape(m))
	if res.Method == "exact" {
		fmt.Fprintf(e.stdout, "log Z:     %.10g (exact)\n", res.LogZ)
		return nil
	}
	res.describe(e)
	return nil
}

// machineEvalResult is the --json output of rbm eval on a machine.
type machineEvalResult struct {
	Model        string `json:"model"`
	Data         string `json:"data"`
	Rows         int    `json:"rows"`
	VisibleLayer string `json:"visible_layer"`
	HiddenLayer  string `json:"hidden_layer"`
	// The figures are in nats of the rows in the data file's own units:
	// for a model of standardised data (one that records a scaling) they
	// include LogJacobian, -Σⱼ log sⱼ, which the model's own density of
	// the standardised rows lacks.
	logLikFigures
	LogJacobian float64    `json:"log_jacobian,omitempty"`
	LogZ        logZResult `json:"log_z"`
	// Raise is RAISE on a random subset of the rows (--raise-rows), with
	// forward AIS's figure on the same rows.
	Raise      *raiseResult `json:"raise,omitempty"`
	FreeEnergy float64      `json:"free_energy"`
	ReconError float64      `json:"recon_error"`
	Seconds    float64      `json:"seconds"`
}

// runEvalMachine is rbm eval on a version 2 model file.
func runEvalMachine(ctx context.Context, e *env, modelPath, dataPath string, anneal *annealFlags, data *dataFlags, raiseRows int, asJSON bool) error {
	m, meta, err := loadMachineModel(modelPath)
	if err != nil {
		return err
	}
	method, err := machineMethod(anneal, m)
	if err != nil {
		return err
	}
	sched, _ := anneal.check()
	v, err := loadMachineDataFor(data, dataPath, m, meta)
	if err != nil {
		return err
	}
	start := time.Now()
	base, baseName, err := machineBase(m, meta, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", modelPath, err)
	}
	if meta.Base == nil {
		base, baseName, _ = machineBase(m, nil, v)
	}
	lz, err := machineLogZ(ctx, newProgress(e.stderr), m, base, baseName, method, sched, anneal)
	if err != nil {
		return fmt.Errorf("%s: %w", modelPath, err)
	}
	res := machineEvalResult{Model: modelPath, Data: dataPath, Rows: v.Rows, VisibleLayer: m.Visible.Kind(), HiddenLayer: m.Hidden.Kind(), LogZ: *lz}
	f := make([]float64, v.Rows)
	for r, row := range rowsOfMatrix(v) {
		f[r] = m.FreeEnergy(row)
		res.FreeEnergy += f[r]
	}
	res.FreeEnergy /= float64(v.Rows)
	if method == "ais" && raiseRows > 0 {
		cfg := ais.Config{Schedule: sched, Runs: min(raiseRows, v.Rows), Seed: anneal.seed, Workers: anneal.workers}
		bar := newProgress(e.stderr)
		cfg.Progress = func(done, total int) { bar.update("RAISE", done, total) }
		rev, err := ais.ReverseMachine(ctx, m, base, v.Dense(), cfg)
		bar.clear()
		if err != nil {
			return fmt.Errorf("%s: %w", modelPath, err)
		}
		// RAISE's rows: the same seeded subset ReverseMachine started from.
		var negF float64
		rows := ais.ChainRows(v.Rows, cfg)
		for _, r := range rows {
			negF -= f[r]
		}
		negF /= float64(len(rows))
		res.Raise = &raiseResult{Rows: len(rows), LogLik: negF - rev.LogZ, StdErr: rev.StdErr, Forward: negF - lz.LogZ, ESS: rev.ESS}
	}
	res.logLikFigures = newLogLikFigures(res.FreeEnergy, lz)
	if meta.Scaling != nil {
		res.LogJacobian = meta.Scaling.LogJacobian()
		res.shift(res.LogJacobian)
		if res.Raise != nil {
			res.Raise.LogLik += res.LogJacobian
			res.Raise.Forward += res.LogJacobian
		}
	}
	rec := m.Reconstruct(v.Dense())
	for r := range v.Rows {
		for j, x := range v.Row(r) {
			d := float64(x) - rec.At(r, j)
			res.ReconError += d * d
		}
	}
	res.ReconError /= float64(v.Rows)
	res.Seconds = time.Since(start).Seconds()
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "model:       %s (%s)\n", modelPath, machineShape(m))
	if meta.Scaling != nil {
		fmt.Fprintf(e.stdout, "data:        %s (%d rows, standardised as in training; the log-likelihoods are of the rows in their own units, the standardisation's -Σ log s = %.4f included)\n", dataPath, v.Rows, res.LogJacobian)
	} else {
		fmt.Fprintf(e.stdout, "data:        %s (%d rows)\n", dataPath, v.Rows)
	}
	if method == "exact" {
		fmt.Fprintf(e.stdout, "log Z:       %.10g (exact)\n", lz.LogZ)
	} else {
		lz.describe(e)
	}
	res.print(e, method, res.Raise)
	fmt.Fprintf(e.stdout, "free energy: %.6f mean per row\n", res.FreeEnergy)
	fmt.Fprintf(e.stdout, "recon error: %.6f squared error per row\n", res.ReconError)
	return nil
}
