package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/gibbs"
)

// sampleDiscreteResult is the --json output of rbm sample on a discrete
// model.
type sampleDiscreteResult struct {
	Model       string    `json:"model"`
	Units       int       `json:"units"`
	Domain      string    `json:"domain"`
	Beta        float64   `json:"beta"`
	Sampler     string    `json:"sampler"`
	Move        string    `json:"move"`
	Ladder      []float64 `json:"ladder,omitempty"`
	Chains      int       `json:"chains"`
	Sweeps      int       `json:"sweeps"`
	Burnin      int       `json:"burnin"`
	AcceptRate  float64   `json:"accept_rate"`
	SwapRates   []float64 `json:"swap_rates,omitempty"`
	Evaluations int64     `json:"evaluations"`
	Seconds     float64   `json:"seconds"`
	// Stats holds the diagnostics of the recorded statistics, keyed
	// "energy" (per unit), "magnetization" (mean unit value) and
	// "abs_magnetization".
	Stats map[string]gibbs.Diagnostics `json:"stats"`
	// ESSPerSecond is the energy's effective sample size per second.
	ESSPerSecond float64 `json:"ess_per_second"`
}

var statNames = []string{"energy", "magnetization", "abs_magnetization"}

// runSampleDiscrete implements rbm sample for --ising and --spec models.
func runSampleDiscrete(ctx context.Context, e *env, args []string) error {
	c := discreteCommand("sample", "--ising ROWSxCOLS | --spec FILE [flags]",
		"Sample a discrete model by MCMC and print diagnostics: acceptance and swap rates, and the mean, standard error, effective sample size, autocorrelation time and R-hat of the energy and magnetization.",
		"  rbm sample --ising 8x8 --beta 0.44 --sampler pt --replicas 8\n  rbm sample --spec model.json --sampler gwg --sweeps 5000 --json")
	fs := newFlags(e, c)
	var (
		model                  discreteFlags
		beta, betaMin          float64
		sampler, move          string
		chains, sweeps, burnin int
		replicas, workers      int
		seed                   uint64
		asJSON                 bool
		maxMem                 float64
	)
	model.register(fs)
	fs.Float64Var(&beta, "beta", 1, "inverse temperature β")
	fs.StringVar(&sampler, "sampler", "gibbs", "gibbs (systematic scan), gibbs-random, mh, gwg (Gibbs-with-Gradients) or pt (parallel tempering)")
	fs.StringVar(&move, "move", "gibbs", "pt: the move within each replica (gibbs, gibbs-random, mh or gwg)")
	fs.IntVar(&replicas, "replicas", 8, "pt: replicas on a geometric ladder from --beta-min to --beta")
	fs.Float64Var(&betaMin, "beta-min", 0, "pt: the hottest inverse temperature (0: β/10)")
	fs.IntVar(&chains, "chains", 4, "independent chains")
	fs.IntVar(&sweeps, "sweeps", 1000, "recorded sweeps per chain (a sweep updates every unit once on average)")
	fs.IntVar(&burnin, "burnin", 100, "sweeps discarded before recording")
	fs.Uint64Var(&seed, "seed", 1, "random seed")
	nonNegativeIntVar(fs, &workers, "workers", 0, "goroutines sharing the chains (0: one per core); never changes the result")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	registerMaxMemory(fs, &maxMem)
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if err := checkBeta(beta); err != nil {
		return err
	}
	if chains <= 0 || sweeps < 4 || burnin < 0 {
		return usagef("--chains must be positive, --sweeps at least 4 and --burnin not negative")
	}
	if err := checkMemory(traceBytes(chains, sweeps, len(statNames)), maxMem, fmt.Sprintf("recording %d chains × %d sweeps", chains, sweeps)); err != nil {
		return err
	}
	m, desc, err := model.build()
	if err != nil {
		return err
	}
	cfg := gibbs.Config{Beta: beta, Chains: chains, Sweeps: sweeps, Burnin: burnin, Seed: seed, Workers: workers}
	kernelName := sampler
	if sampler == "pt" {
		kernelName = move
		if replicas < 2 {
			return usagef("--replicas must be at least 2")
		}
		if betaMin == 0 {
			betaMin = beta / 10
		}
		if !(betaMin > 0 && betaMin < beta) {
			return usagef("--beta-min %v must lie in (0, β)", betaMin)
		}
		cfg.Ladder = gibbs.GeometricLadder(betaMin, beta, replicas)
	}
	if cfg.Method, err = gibbs.ParseMethod(kernelName); err != nil {
		return usagef("%v", err)
	}
	n := float64(m.Units())
	cfg.NumStats = len(statNames)
	cfg.Stats = func(x []int8, out []float64) {
		var s float64
		for _, v := range x {
			s += float64(v)
		}
		out[0] = m.Energy(x) / n
		out[1] = s / n
		out[2] = math.Abs(s / n)
	}
	bar := newProgress(e.stderr)
	cfg.Progress = func(done, total int) { bar.update("sampling", done, total) }
	res, err := gibbs.Run(ctx, m, cfg)
	bar.clear()
	if err != nil {
		return fmt.Errorf("%s: %w", desc, err)
	}
	out := sampleDiscreteResult{
		Model: desc, Units: m.Units(), Domain: m.Domain().String(), Beta: beta, Sampler: sampler, Move: cfg.Method.String(),
		Ladder: cfg.Ladder, Chains: chains, Sweeps: sweeps, Burnin: burnin, AcceptRate: res.AcceptRate(),
		SwapRates: res.SwapRates, Evaluations: res.Evaluations, Seconds: res.Seconds, Stats: map[string]gibbs.Diagnostics{},
	}
	for k, name := range statNames {
		out.Stats[name] = res.Trace.Diagnose(k)
	}
	if ess := out.Stats["energy"].ESS; res.Seconds > 0 && !math.IsNaN(ess) {
		out.ESSPerSecond = ess / res.Seconds
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(jsonSafe(out))
	}
	w := e.stdout
	fmt.Fprintf(w, "model:       %s (%d %s units), β = %g\n", desc, out.Units, out.Domain, beta)
	fmt.Fprintf(w, "sampler:     %s", sampler)
	if sampler == "pt" {
		fmt.Fprintf(w, " (%s moves, %d replicas, β from %.4g)", out.Move, replicas, betaMin)
	}
	fmt.Fprintf(w, ", %d chains × %d sweeps after %d burn-in\n", chains, sweeps, burnin)
	fmt.Fprintf(w, "acceptance:  %.4f   energy evaluations: %d   time: %.2fs   energy ESS/s: %.1f\n", out.AcceptRate, out.Evaluations, out.Seconds, out.ESSPerSecond)
	if len(out.SwapRates) > 0 {
		fmt.Fprintf(w, "swap rates: ")
		for _, r := range out.SwapRates {
			fmt.Fprintf(w, " %.3f", r)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\n%-18s %12s %10s %9s %8s %7s\n", "statistic", "mean", "std.err", "ESS", "IAT", "R-hat")
	for _, name := range statNames {
		d := out.Stats[name]
		fmt.Fprintf(w, "%-18s %12.6f %10.6f %9.1f %8.2f %7.4f\n", name, d.Mean, d.StdErr, d.ESS, d.IAT, d.RHat)
	}
	return nil
}

// jsonSafe replaces the NaN diagnostics of constant statistics, which JSON
// cannot hold, by zero (their ESS is then reported as 0: undefined).
func jsonSafe(r sampleDiscreteResult) sampleDiscreteResult {
	fix := func(x *float64) {
		if math.IsNaN(*x) || math.IsInf(*x, 0) {
			*x = 0
		}
	}
	for k, d := range r.Stats {
		for _, x := range []*float64{&d.Mean, &d.Var, &d.IAT, &d.ESS, &d.StdErr, &d.RHat} {
			fix(x)
		}
		r.Stats[k] = d
	}
	return r
}

// toDomain turns a data value in [0, 1] into a unit value of domain d,
// thresholding at ½.
func toDomain(d discrete.Domain, v float32) int8 {
	if v >= 0.5 {
		return d.Value(1)
	}
	return d.Value(0)
}
