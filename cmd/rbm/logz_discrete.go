package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/gibbs"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
	"github.com/spf13/pflag"
)

// discreteFlags are the flags that name a discrete model: a lattice Ising
// model (--ising LxK with --coupling, --field, --open) or a JSON model
// spec (--spec FILE, the format documented at discrete.Spec).
type discreteFlags struct {
	ising           string
	spec            string
	coupling, field float64
	open            bool
}

func (d *discreteFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&d.ising, "ising", "", "Ising model of ±1 spins on a ROWSxCOLS square lattice, e.g. 4x4")
	fs.StringVar(&d.spec, "spec", "", "JSON model spec: pairwise model, ising lattice, RBM file or product of experts")
	fs.Float64Var(&d.coupling, "coupling", 1, "--ising: nearest-neighbour coupling J (E = -J Σ s_i s_j - h Σ s_i)")
	fs.Float64Var(&d.field, "field", 0, "--ising: external field h")
	fs.BoolVar(&d.open, "open", false, "--ising: open boundaries (default periodic)")
}

// hasDiscreteFlag reports whether args name a discrete model, the test the
// RBM commands use to hand their arguments over.
func hasDiscreteFlag(args []string) bool {
	return hasFlag(args, "ising") || hasFlag(args, "spec")
}

// build returns the model and a one-line description of it.
func (d *discreteFlags) build() (discrete.Model, string, error) {
	switch {
	case d.ising != "" && d.spec != "":
		return nil, "", usagef("give --ising or --spec, not both")
	case d.ising != "":
		rs, cs, ok := strings.Cut(strings.ToLower(d.ising), "x")
		rows, err1 := strconv.Atoi(rs)
		cols, err2 := strconv.Atoi(cs)
		if !ok || err1 != nil || err2 != nil || rows <= 0 || cols <= 0 {
			return nil, "", usagef("--ising %q: want ROWSxCOLS, e.g. 4x4", d.ising)
		}
		if math.IsNaN(d.coupling) || math.IsInf(d.coupling, 0) || math.IsNaN(d.field) || math.IsInf(d.field, 0) {
			return nil, "", usagef("--coupling and --field must be finite")
		}
		b := discrete.Periodic
		if d.open {
			b = discrete.Open
		}
		m, err := discrete.Lattice(rows, cols, d.coupling, d.field, b)
		if err != nil {
			return nil, "", usagef("--ising: %v", err)
		}
		return m, fmt.Sprintf("ising %dx%d %v J=%g h=%g", rows, cols, b, d.coupling, d.field), nil
	case d.spec != "":
		m, err := rbm.LoadSpec(d.spec)
		if err != nil {
			return nil, "", err
		}
		return m, fmt.Sprintf("spec %s", d.spec), nil
	}
	return nil, "", usagef("name a model with --ising ROWSxCOLS or --spec FILE")
}

func checkBeta(beta float64) error {
	if !(beta > 0) || math.IsInf(beta, 0) {
		return usagef("--beta %v must be a positive number", beta)
	}
	return nil
}

// discreteCommand describes the discrete-model form of a command for its
// --help; the command itself is registered by its RBM form.
func discreteCommand(name, usage, summary, example string) *command {
	return &command{name: name, usage: usage, summary: summary, example: example}
}

// logzDiscreteResult is the --json output of rbm logz on a discrete model.
type logzDiscreteResult struct {
	Model   string  `json:"model"`
	Units   int     `json:"units"`
	Domain  string  `json:"domain"`
	Beta    float64 `json:"beta"`
	Method  string  `json:"method"`
	LogZ    float64 `json:"log_z"`
	PerUnit float64 `json:"log_z_per_unit"`
	StdErr  float64 `json:"std_err"`
	// Lower and Upper bound AIS's ±3σ interval (ais.Estimate; equal to
	// LogZ for exact); Lower is null when the interval reaches Ẑ ≤ 0.
	Lower *float64 `json:"lower"`
	Upper float64  `json:"upper"`
	// ESS is the effective sample size of the AIS weights and Reliable
	// whether it is large enough (ais.Estimate.Reliable) for the error bar
	// to mean something.
	ESS      float64 `json:"ess,omitempty"`
	Reliable *bool   `json:"reliable,omitempty"`
	Runs     int     `json:"runs,omitempty"`
	Steps    int     `json:"steps,omitempty"`
	Seconds  float64 `json:"seconds"`
}

// exactAutoUnits is the largest model --method auto enumerates: 24 units
// of two states, or as many states (qⁿ ≤ 2²⁴) of q-state units.
const exactAutoUnits = 24

// runLogzDiscrete implements rbm logz for --ising and --spec models.
func runLogzDiscrete(ctx context.Context, e *env, args []string) error {
	c := discreteCommand("logz", "--ising ROWSxCOLS | --spec FILE [flags]",
		"Compute log Z(β) = log Σ exp(-βE(x)) of a discrete model, exactly by enumeration or by annealed importance sampling.",
		"  rbm logz --ising 4x4 --beta 0.44 --method exact --json\n  rbm logz --ising 16x16 --beta 0.44 --method ais --runs 64")
	fs := newFlags(e, c)
	var (
		model       discreteFlags
		beta        float64
		method      string
		steps, runs int
		seed        uint64
		workers     int
		asJSON      bool
		maxMem      float64
	)
	model.register(fs)
	fs.Float64Var(&beta, "beta", 1, "inverse temperature β")
	fs.StringVar(&method, "method", "auto", fmt.Sprintf("exact (enumerate all 2^n states, q^n for units of q states), ais, or auto (exact up to 2^%d states)", exactAutoUnits))
	fs.IntVar(&steps, "steps", 1000, "ais: intermediate inverse temperatures")
	fs.IntVar(&runs, "runs", 64, "ais: independent annealing runs")
	fs.Uint64Var(&seed, "seed", 1, "random seed")
	nonNegativeIntVar(fs, &workers, "workers", 0, "goroutines sharing the work (0: one per core); never changes the result")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	registerMaxMemory(fs, &maxMem)
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	if err := checkBeta(beta); err != nil {
		return err
	}
	if steps <= 0 || runs <= 1 {
		return usagef("--steps must be positive and --runs at least 2")
	}
	if method != "exact" && method != "ais" && method != "auto" {
		return usagef("--method %q: want exact, ais or auto", method)
	}
	// Each run's log-weight, and its copy in the estimate.
	if err := checkMemory(16*float64(runs), maxMem, fmt.Sprintf("AIS with %d runs", runs)); err != nil {
		return err
	}
	m, desc, err := model.build()
	if err != nil {
		return err
	}
	q := m.Domain().States()
	bits := float64(m.Units()) * math.Log2(float64(q)) // log₂ of the number of states
	if method == "auto" {
		method = "exact"
		if m.Units() > exactAutoUnits || bits > exactAutoUnits+1e-9 {
			method = "ais"
		}
	}
	res := logzDiscreteResult{Model: desc, Units: m.Units(), Domain: m.Domain().String(), Beta: beta, Method: method}
	start := time.Now()
	bar := newProgress(e.stderr)
	switch method {
	case "exact":
		res.LogZ, err = exact.LogZ(ctx, m, beta, exact.Options{Workers: workers, MaxUnits: exact.DefaultMaxUnits,
			Progress: func(done, total uint64) { bar.update("enumerating", int(done>>10), int(total>>10)) }})
		bar.clear()
		if err != nil {
			return fmt.Errorf("%s: %w (try --method ais)", desc, err)
		}
		res.Lower, res.Upper = &res.LogZ, res.LogZ
	case "ais":
		r, err := ais.RunDiscrete(ctx, m, ais.DiscreteConfig{Beta: beta, Steps: steps, Runs: runs, Method: gibbs.Systematic, Seed: seed, Workers: workers})
		if err != nil {
			return fmt.Errorf("%s: %w", desc, err)
		}
		reliable := r.Reliable()
		res.LogZ, res.StdErr, res.Upper, res.ESS, res.Reliable, res.Runs, res.Steps = r.LogZ, r.StdErr, r.Upper, r.ESS, &reliable, r.Runs, r.Steps
		if !math.IsInf(r.Lower, -1) {
			res.Lower = &r.Lower
		}
	default:
		return usagef("--method %q: want exact, ais or auto", method)
	}
	res.PerUnit = res.LogZ / float64(m.Units())
	res.Seconds = time.Since(start).Seconds()
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "model:    %s (%d %s units)\n", desc, res.Units, res.Domain)
	fmt.Fprintf(e.stdout, "beta:     %g\n", beta)
	if method == "ais" {
		fmt.Fprintf(e.stdout, "log Z:    %.6f ± %.6f (AIS, %d runs × %d steps, weight ESS %.1f)\n", res.LogZ, res.StdErr, runs, steps, res.ESS)
		lower := "-inf"
		if res.Lower != nil {
			lower = fmt.Sprintf("%.6f", *res.Lower)
		}
		fmt.Fprintf(e.stdout, "±3σ:      [%s, %.6f]\n", lower, res.Upper)
		if !*res.Reliable {
			fmt.Fprintf(e.stdout, "warning:  only %.1f runs carry the estimate: it is unreliable and most likely too low; anneal longer (--steps)\n", res.ESS)
		}
	} else {
		// The enumeration has succeeded, so qⁿ ≤ 2^HardMaxUnits fits.
		states := uint64(1)
		for range m.Units() {
			states *= uint64(q)
		}
		fmt.Fprintf(e.stdout, "log Z:    %.10g (exact, %d states)\n", res.LogZ, states)
	}
	fmt.Fprintf(e.stdout, "per unit: %.6f\n", res.PerUnit)
	return nil
}
