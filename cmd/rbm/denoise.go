package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/gibbs"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/denoise"
	"github.com/rbmkit/rbm/rbm/layer"
)

func init() {
	register(&command{
		name:  "denoise",
		usage: "[flags] MODEL INPUT [-o OUT]",
		summary: "Restore binary images (or any binary rows) with a model as prior: MODEL is an RBM model file or a JSON model spec (.json). " +
			"Denoising samples the posterior given the input seen through a channel flipping each unit with probability --noise; " +
			"--missing hides half of each image and samples it given the rest (inpainting). With --corrupt the input is taken as clean, " +
			"corrupted first, and the pixel error before and after restoration is reported; inpainting reports it over the hidden half, " +
			"beside the error of a guess from the base rates the model file records. " +
			"Which sampler runs: for an RBM model file at --beta 1 the default is block Gibbs on the RBM's visible and hidden units, " +
			"with the observation entering as a field on the visible units (whole layers per step, hundreds of times faster); " +
			"a JSON spec, --beta ≠ 1 or an explicit --sampler " + samplerNames() + " updates single units of the prior's visible marginal. " +
			"A model of other unit types (version 2 file) whose visible units are binary or spin is denoised the same way, " +
			"for any hidden layer (spin data read as bits, as rbm train reads them; the output is each unit's probability of +1). " +
			"One with Potts visible units (q states) is denoised through the channel replacing a unit's state by one of the other q-1 with probability --noise (below (q-1)/q), " +
			"the restoration each state's probability (q columns per unit; --binary: the most probable state), and inpainted with --missing left or right (halves of the sequence); " +
			"a JSON spec of q-state units is denoised, or inpainted (--missing left or right), the same way by the single-unit samplers. " +
			"One with real-valued visible units (" + realTypes() + ") is inpainted only (--missing).",
		example: "  rbm denoise mnist.rbm t10k-images-idx3-ubyte.gz --limit 100 --corrupt 0.1 --noise 0.1 -o restored.png\n" +
			"  rbm denoise mnist.rbm t10k-images-idx3-ubyte.gz --limit 16 --missing bottom -o inpainted.png\n" +
			"  rbm denoise spin-relu.rbm t10k-images-idx3-ubyte.gz --limit 100 --corrupt 0.1 --noise 0.1 -o restored.png",
		run: runDenoise,
	})
}

// denoiseResult is the --json output of rbm denoise, and what its text
// output says, whichever sampler restores the rows: an RBM's or a
// machine's block Gibbs, single units of a marginal, or a machine's
// inpainting.
type denoiseResult struct {
	Model      string  `json:"model"`
	Input      string  `json:"input"`
	Rows       int     `json:"rows"`
	Units      int     `json:"units"`
	Mode       string  `json:"mode"` // "denoise" or "inpaint"
	Noise      float64 `json:"noise,omitempty"`
	Corrupt    float64 `json:"corrupt,omitempty"`
	Missing    string  `json:"missing,omitempty"`
	Sampler    string  `json:"sampler"`
	Beta       float64 `json:"beta"`
	Sweeps     int     `json:"sweeps"`
	Burnin     int     `json:"burnin"`
	AcceptRate float64 `json:"accept_rate"`
	// ErrorBefore and ErrorAfter compare with the clean input the input
	// as the restoration is given it (corrupted; inpainting, with the
	// hidden units blanked: at their first state, off or -1, or at 0 for
	// real values) and the restoration: denoising over every unit,
	// inpainting over the hidden units only, since the known ones come
	// back exactly and would only dilute the figure. For two-state units
	// it is the fraction restored on the wrong side of ½ (pixel error),
	// for categorical units the fraction whose most probable state is not
	// the true one (state error), for real values the root mean squared
	// error (RMS error). Present with --corrupt or --missing.
	ErrorBefore *float64 `json:"error_before,omitempty"`
	ErrorAfter  *float64 `json:"error_after,omitempty"`
	// ErrorBaseline is, inpainting with a model file, the same figure for
	// a guess of each hidden unit from the base-rate model of the
	// training data (or the model's visible layer alone, when the file
	// records no base rates), which uses no known unit: what the
	// restoration should beat.
	ErrorBaseline *float64 `json:"error_baseline,omitempty"`
	// LogProbAfter and LogProbBaseline are, for categorical units, the
	// mean log-probability of each hidden (inpainting) or corrupted
	// (denoising) unit's true state under the restored state
	// probabilities and under the baseline's: a proper score, which
	// credits a better-calibrated guess even where the most probable
	// state is the same. Denoising's baseline is the channel alone, the
	// posterior under a uniform prior: 1-ε on the observed state.
	LogProbAfter    *float64 `json:"log_prob_after,omitempty"`
	LogProbBaseline *float64 `json:"log_prob_baseline,omitempty"`
	Out             string   `json:"out,omitempty"`
	Seconds         float64  `json:"seconds"`

	// errorName names the errors' measure ("pixel error", …) and
	// baseName the baseline's source, for the text output.
	errorName, baseName string
}

// report prints res as one JSON object or as the text lines every path
// of rbm denoise shares.
func (res *denoiseResult) report(e *env, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "%s %d rows of %d units with %s (%s, β = %g, %d sweeps after %d burn-in), acceptance %.3f, %.3gs\n",
		res.Mode, res.Rows, res.Units, filepath.Base(res.Model), res.Sampler, res.Beta, res.Sweeps, res.Burnin, res.AcceptRate, res.Seconds)
	if res.ErrorBefore != nil {
		fmt.Fprintf(e.stdout, "%s: %.4f before, %.4f after", res.errorName, *res.ErrorBefore, *res.ErrorAfter)
		if res.ErrorBaseline != nil {
			fmt.Fprintf(e.stdout, ", %.4f guessed from the %s alone", *res.ErrorBaseline, res.baseName)
		}
		fmt.Fprintln(e.stdout)
	}
	if res.LogProbAfter != nil {
		which := "hidden unit"
		if res.Mode == "denoise" {
			which = "unit"
		}
		fmt.Fprintf(e.stdout, "log-prob: %.4f after", *res.LogProbAfter)
		if res.LogProbBaseline != nil {
			fmt.Fprintf(e.stdout, ", %.4f guessed from the %s alone", *res.LogProbBaseline, res.baseName)
		}
		fmt.Fprintf(e.stdout, " (mean nats of each %s's true state)\n", which)
	}
	if res.Out != "" {
		fmt.Fprintf(e.stdout, "wrote %s\n", res.Out)
	}
	return nil
}

// pixelError is the name of the errors of two-state units.
const pixelError = "pixel error"

func runDenoise(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, lookup("denoise"))
	var (
		noise, corrupt, beta  float64
		missing, sampler, out string
		shapeF                string
		sweeps, burnin        int
		workers               int
		seed                  uint64
		binary, asJSON        bool
		data                  dataFlags
	)
	fs.Float64Var(&noise, "noise", 0.1, "flip probability of the channel the input was seen through")
	fs.Float64Var(&corrupt, "corrupt", 0, "first flip this fraction of each input row (seeded), treating the input as clean, and report the error")
	fs.StringVar(&missing, "missing", "", "inpaint instead: hide the top, bottom, left or right half of each image and sample it given the rest")
	fs.StringVar(&sampler, "sampler", "auto", "block (block Gibbs on an RBM's or a machine's visible and hidden units), "+samplerNames()+" (single units of the prior's marginal; see rbm sample --ising 4x4 --help); auto: block for model files at β = 1, gibbs otherwise")
	fs.Float64Var(&beta, "beta", 1, "inverse temperature of the prior")
	fs.IntVar(&sweeps, "sweeps", 50, "recorded sweeps per row (block Gibbs: steps v → h → v); the restoration is the posterior mean over them")
	fs.IntVar(&burnin, "burnin", 10, "sweeps discarded first")
	fs.BoolVar(&binary, "binary", false, "write 0/1 restorations (posterior mean thresholded at ½) instead of the posterior means")
	fs.StringVarP(&out, "out", "o", "", "output file: .png, .idx, .idx.gz, .npy or .csv (optional)")
	fs.StringVar(&shapeF, "shape", "", "image shape HxW (default: the model's or the input's)")
	fs.Uint64Var(&seed, "seed", 1, "random seed")
	nonNegativeIntVar(fs, &workers, "workers", 0, "goroutines sharing the rows (0: one per core); never changes the result")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	data.register(fs)
	pos, err := parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	if err := checkBeta(beta); err != nil {
		return err
	}
	if sweeps <= 0 || burnin < 0 {
		return usagef("--sweeps must be positive and --burnin not negative")
	}
	if !(corrupt >= 0 && corrupt < 1) {
		return usagef("--corrupt %v must lie in [0, 1)", corrupt)
	}
	var method gibbs.Method
	if sampler != "auto" && sampler != "block" {
		if method, err = gibbs.ParseMethod(sampler); err != nil {
			return usagef("unknown sampler %q (want %s)", sampler, samplerNames("auto", "block"))
		}
	}
	// The noise's range depends on the units' states: below ½ for two
	// states (checked once the model is read), (q-1)/q for q.
	if missing == "" && !(noise > 0 && noise < 1) {
		return usagef("--noise %v must lie in (0, 0.5) (for units of q states, (0, (q-1)/q))", noise)
	}
	if missing != "" && !slices.Contains(halves, missing) {
		return usagef("--missing %q: want top, bottom, left or right", missing)
	}
	if shapeF != "" {
		if _, err := parseShape(shapeF); err != nil {
			return err
		}
	}
	if out != "" {
		if err := checkOutputFormat(out); err != nil {
			return err
		}
	}
	if err := checkFiles(pos, []string{out}); err != nil {
		return err
	}
	prior, model, meta, shape, err := loadPrior(pos[0])
	// The data are read with the model's binarisation unless --binarize
	// says otherwise, as every other command reads them.
	data.followModel(meta)
	// A version 2 file: a machine whose visible units are binary or spin
	// is denoised as an RBM is (its prior the visible marginal), any
	// machine inpainted by inpaintMachine.
	var machine *rbm.Machine
	if errors.Is(err, rbm.ErrMachine) {
		if machine, meta, err = loadMachineModel(pos[0]); err != nil {
			return err
		}
		job := &denoiseRequest{model: pos[0], m: machine, meta: meta, input: pos[1], missing: missing, shapeFlag: shapeF,
			noise: noise, corrupt: corrupt, beta: beta, sampler: sampler, method: method,
			sweeps: sweeps, burnin: burnin, seed: seed, workers: workers, out: out, asJSON: asJSON, binary: binary, data: &data,
			explicit: func(name string) bool { return fs.Changed(name) }}
		if missing != "" {
			return inpaintMachine(ctx, e, job)
		}
		if valuesOf(machine.Visible.Kind()) == layer.Categories {
			return denoiseCategories(ctx, e, job)
		}
		if prior, shape, err = machinePrior(pos[0], machine, meta); err != nil {
			return err
		}
		data.followModel(meta)
		data.spins = spinLike(machine.Visible.Kind()) // its samples are ±1

	}
	if err != nil {
		return err
	}
	if prior != nil && prior.Domain().States() > 2 {
		// A spec of q-state units: rows of categories, a sequence.
		if missing != "" && missing != "left" && missing != "right" {
			return usagef("--missing %s: the units of a spec of %v units are a sequence: hide its left or right half", missing, prior.Domain())
		}
		return denoiseCategories(ctx, e, &denoiseRequest{model: pos[0], spec: prior, input: pos[1], missing: missing,
			noise: noise, corrupt: corrupt, beta: beta, sampler: sampler, method: method,
			sweeps: sweeps, burnin: burnin, seed: seed, workers: workers, out: out, asJSON: asJSON, binary: binary, data: &data,
			explicit: func(name string) bool { return fs.Changed(name) }})
	}
	if missing == "" && !(noise < 0.5) {
		return usagef("--noise %v must lie in (0, 0.5)", noise)
	}
	// Block Gibbs samples the joint of an RBM's (or a machine's) units,
	// whose visible marginal is the prior only at β = 1 (a tempered
	// marginal has no RBM joint).
	joint := model != nil || machine != nil
	block := sampler == "block" || sampler == "auto" && joint && beta == 1
	if block && (!joint || beta != 1) {
		return usagef("--sampler block needs an RBM or machine model file and --beta 1")
	}
	data.seed = seed
	input, inShape, err := data.load(pos[1])
	if err != nil {
		return err
	}
	if input.Cols != prior.Units() {
		return fmt.Errorf("%s: rows have %d values, the model has %d units", pos[1], input.Cols, prior.Units())
	}
	if input.Rows == 0 {
		return fmt.Errorf("%s: no rows", pos[1])
	}
	if shape == (dataset.Shape{}) {
		shape = inShape
	}
	if shapeF != "" {
		if shape, err = parseShape(shapeF); err != nil {
			return err
		}
	}
	var hidden []bool
	if missing != "" {
		if shape.Height*shape.Width != prior.Units() {
			return usagef("--missing needs images: pass --shape HxW")
		}
		if hidden, err = halfMask(missing, shape); err != nil {
			return err
		}
	}

	d := prior.Domain()
	rows := input.Rows
	clean := make([][]int8, rows)
	observed := make([][]int8, rows)
	for r := range rows {
		clean[r] = make([]int8, input.Cols)
		for i, v := range input.Row(r) {
			clean[r][i] = toDomain(d, v)
		}
		observed[r] = append([]int8(nil), clean[r]...)
	}
	if corrupt > 0 {
		denoise.Corrupt(d, observed, corrupt, seed)
	}
	for r := range rows {
		for i, h := range hidden {
			if h {
				observed[r][i] = d.Value(0)
			}
		}
	}

	start := time.Now()
	res := denoiseResult{
		Model: pos[0], Input: pos[1], Rows: rows, Units: input.Cols, Mode: "denoise", Sampler: method.String(),
		Beta: beta, Sweeps: sweeps, Burnin: burnin, Out: out, errorName: pixelError,
	}
	bar := newProgress(e.stderr)
	settings := denoise.Settings{Noise: noise, Hidden: hidden, Sweeps: sweeps, Burnin: burnin,
		Method: method, Beta: beta, Seed: seed, Workers: workers,
		Progress: func(done, total int) { bar.update("restoring", done, total) }}
	var dr *denoise.Result
	switch {
	case block && machine != nil:
		dr, err = denoise.Machine(ctx, machine, observed, settings)
		res.Sampler, res.AcceptRate = "block", 1
	case block:
		dr, err = denoise.RBM(ctx, model, observed, settings)
		res.Sampler, res.AcceptRate = "block", 1
	default:
		dr, err = denoise.Model(ctx, prior, observed, settings)
	}
	bar.clear()
	if err != nil {
		return stopped(ctx, err)
	}
	restored := dr.Mean
	if dr.Proposals > 0 {
		res.AcceptRate = float64(dr.Accepted) / float64(dr.Proposals)
	}
	if err := ctx.Err(); err != nil {
		return stopped(ctx, err)
	}
	if hidden != nil {
		res.Mode, res.Missing = "inpaint", missing
	} else {
		res.Noise = noise
	}
	if corrupt > 0 || hidden != nil {
		res.Corrupt = corrupt
		// Inpainting counts the hidden units only (denoiseResult).
		counted := func(i int) bool { return hidden == nil || hidden[i] }
		var guess []float64
		if hidden != nil && model != nil {
			guess, res.baseName = rbmBaseRates(model, meta)
		}
		var before, after, baseline, total int
		for r := range rows {
			for i, c := range clean[r] {
				if !counted(i) {
					continue
				}
				total++
				if observed[r][i] != c {
					before++
				}
				if toDomain(d, restored.Row(r)[i]) != c {
					after++
				}
				if guess != nil && toDomain(d, float32(guess[i])) != c {
					baseline++
				}
			}
		}
		fraction := func(n int) *float64 {
			f := float64(n) / float64(max(total, 1))
			return &f
		}
		res.ErrorBefore, res.ErrorAfter = fraction(before), fraction(after)
		if guess != nil {
			res.ErrorBaseline = fraction(baseline)
		}
	}
	if binary {
		for i, v := range restored.Data {
			restored.Data[i] = 0
			if v >= 0.5 {
				restored.Data[i] = 1
			}
		}
	}
	if out != "" {
		if err := writeMatrix(out, restored, shape); err != nil {
			return err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res.report(e, asJSON)
}

// rbmBaseRates returns the probability that each visible unit of an RBM
// is on under the base-rate model of the training data, when the model
// file records it, else under the RBM's visible layer alone (its biases),
// with the name of that source.
func rbmBaseRates(m *rbm.RBM, meta *rbm.Meta) ([]float64, string) {
	if meta != nil && len(meta.BaseRates) == m.Visible {
		p := make([]float64, m.Visible)
		for i, x := range meta.BaseRates {
			p[i] = float64(x)
		}
		return p, baseFromModel
	}
	v := rbm.AsMachine(m).Visible
	p := make([]float64, m.Visible)
	v.Mean(p, make([]float64, m.Visible))
	return p, visibleLayerAlone
}

// stopped reports err, or that the command was interrupted (Ctrl-C,
// SIGTERM) and wrote nothing if that is why it failed.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errors.New("interrupted; nothing written")
	}
	return err
}

// loadPrior reads an RBM model file as its visible marginal (returning
// the RBM too), or a JSON model spec, with the image shape the model file
// records.
func loadPrior(path string) (discrete.Model, *rbm.RBM, *rbm.Meta, dataset.Shape, error) {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		m, err := rbm.LoadSpec(path)
		return m, nil, nil, dataset.Shape{}, err
	}
	r, meta, err := loadModel(path)
	if err != nil {
		return nil, nil, nil, dataset.Shape{}, err
	}
	m, err := rbm.NewMarginal(r)
	if err != nil {
		return nil, nil, nil, dataset.Shape{}, fmt.Errorf("%s: %w", path, err)
	}
	shape := dataset.Shape{Height: meta.ImageRows, Width: meta.ImageCols}
	if shape.Height*shape.Width != r.Visible {
		shape = dataset.Shape{}
	}
	return m, r, meta, shape, nil
}

// halves are the values of --missing.
var halves = []string{"top", "bottom", "left", "right"}

// halfMask marks the units of the named half of an image.
func halfMask(which string, s dataset.Shape) ([]bool, error) {
	mask := make([]bool, s.Height*s.Width)
	for y := range s.Height {
		for x := range s.Width {
			var h bool
			switch which {
			case "top":
				h = y < s.Height/2
			case "bottom":
				h = y >= s.Height/2
			case "left":
				h = x < s.Width/2
			case "right":
				h = x >= s.Width/2
			default:
				return nil, usagef("--missing %q: want top, bottom, left or right", which)
			}
			mask[y*s.Width+x] = h
		}
	}
	return mask, nil
}
