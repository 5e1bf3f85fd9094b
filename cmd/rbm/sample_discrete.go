package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

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
	// "energy" (per unit), "magnetization" (mean unit value: for units of
	// q states, the mean state number 0 … q-1) and "abs_magnetization".
	Stats map[string]diagnostics `json:"stats"`
	// ESSPerSecond is the energy's effective sample size per second.
	ESSPerSecond number `json:"ess_per_second"`
}

// diagnostics is gibbs.Diagnostics with the figures that are undefined
// for a constant statistic (NaN) written as null in JSON.
type diagnostics struct {
	Mean   number `json:"mean"`
	Var    number `json:"var"`
	IAT    number `json:"iat"`
	ESS    number `json:"ess"`
	StdErr number `json:"std_err"`
	RHat   number `json:"rhat"`
}

func newDiagnostics(d gibbs.Diagnostics) diagnostics {
	return diagnostics{Mean: number(d.Mean), Var: number(d.Var), IAT: number(d.IAT), ESS: number(d.ESS), StdErr: number(d.StdErr), RHat: number(d.RHat)}
}

// number is a figure that may be undefined: NaN, printed as NaN in text
// and, since JSON has no NaN, as null in JSON (±Inf too).
type number float64

func (x number) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

func (x *number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = number(math.NaN())
		return nil
	}
	return json.Unmarshal(b, (*float64)(x))
}

// samplerNames lists first, then package gibbs's samplers by name: "a, b
// or c".
func samplerNames(first ...string) string {
	names := slices.Clone(first)
	for _, m := range gibbs.Methods() {
		names = append(names, m.String())
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// samplerHelp describes package gibbs's samplers: "name (summary), …".
func samplerHelp() string {
	var parts []string
	for _, m := range gibbs.Methods() {
		parts = append(parts, fmt.Sprintf("%v (%s)", m, m.Summary()))
	}
	return strings.Join(parts, ", ")
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
	fs.StringVar(&sampler, "sampler", "gibbs", samplerHelp()+"; or pt (parallel tempering, each replica moved by --move)")
	fs.StringVar(&move, "move", "gibbs", "pt: the move within each replica ("+samplerNames()+")")
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
		SwapRates: res.SwapRates, Evaluations: res.Evaluations, Seconds: res.Seconds, Stats: map[string]diagnostics{},
	}
	for k, name := range statNames {
		out.Stats[name] = newDiagnostics(res.Trace.Diagnose(k))
	}
	out.ESSPerSecond = number(math.NaN())
	if res.Seconds > 0 {
		out.ESSPerSecond = out.Stats["energy"].ESS / number(res.Seconds)
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(out)
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

// toDomain turns a data value in [0, 1] into a unit value of domain d,
// thresholding at ½.
func toDomain(d discrete.Domain, v float32) int8 {
	if v >= 0.5 {
		return d.Value(1)
	}
	return d.Value(0)
}
