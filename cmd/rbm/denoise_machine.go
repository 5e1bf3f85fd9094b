package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/denoise"
	"github.com/rbmkit/rbm/rbm/layer"
)

// machineInpainting is what rbm denoise has parsed for a version 2 model.
type machineInpainting struct {
	model, input   string
	m              *rbm.Machine
	meta           *rbm.Meta
	missing        string
	shapeFlag      string
	sweeps, burnin int
	seed           uint64
	out            string
	asJSON, binary bool
	data           *dataFlags
	explicit       func(flag string) bool
}

// inpaintResult is the --json output of rbm denoise on a machine.
type inpaintResult struct {
	Model   string `json:"model"`
	Input   string `json:"input"`
	Rows    int    `json:"rows"`
	Units   int    `json:"units"`
	Mode    string `json:"mode"`
	Missing string `json:"missing"`
	Sweeps  int    `json:"sweeps"`
	Burnin  int    `json:"burnin"`
	// ErrorAfter is, for categorical units, the fraction of hidden units
	// whose most probable restored state is not the true one; for real
	// values, the root mean squared error of the hidden values; for bits,
	// the fraction of hidden units restored on the wrong side of ½.
	// ErrorBaseline is the same figure for a guess from the base-rate
	// model of the training data (or the visible layer alone, when the
	// model records none), which uses no known unit.
	ErrorAfter    float64 `json:"error_after"`
	ErrorBaseline float64 `json:"error_baseline"`
	// LogProbAfter and LogProbBaseline are, for categorical units, the
	// mean log-probability of each hidden unit's true state under the
	// restored state probabilities and under the baseline's: a proper
	// score, which credits a better-calibrated guess even where the most
	// probable state is the same.
	LogProbAfter    *float64 `json:"log_prob_after,omitempty"`
	LogProbBaseline *float64 `json:"log_prob_baseline,omitempty"`
	Out             string   `json:"out,omitempty"`
	Seconds         float64  `json:"seconds"`
}

// machinePrior returns the prior a machine with binary or spin visible
// units denoises with, its visible marginal, and the image shape its file
// records. Other visible units take no flip channel, so such a machine
// inpaints only (--missing), which the error says in one line naming the
// file and the unit type.
func machinePrior(path string, m *rbm.Machine, meta *rbm.Meta) (discrete.Model, dataset.Shape, error) {
	switch valuesOf(m.Visible.Kind()) {
	case layer.Categories:
		return nil, dataset.Shape{}, fmt.Errorf("%s: a machine with %s visible units inpaints only (denoising flips binary or spin units): give --missing left or right", path, m.Visible.Kind())
	case layer.Reals:
		return nil, dataset.Shape{}, fmt.Errorf("%s: a machine with %s visible units inpaints only (denoising flips binary or spin units): give --missing top, bottom, left or right", path, m.Visible.Kind())
	}
	prior, err := rbm.NewMachineMarginal(m)
	if err != nil {
		return nil, dataset.Shape{}, fmt.Errorf("%s: %w", path, err)
	}
	shape := dataset.Shape{Height: meta.ImageRows, Width: meta.ImageCols}
	if shape.Height*shape.Width != prior.Units() {
		shape = dataset.Shape{}
	}
	return prior, shape, nil
}

// inpaintMachine hides half of each row's visible units of a machine of
// any unit types and restores them given the rest (denoise.Inpaint).
func inpaintMachine(ctx context.Context, e *env, p *machineInpainting) error {
	for _, flag := range []string{"noise", "corrupt", "beta"} {
		if p.explicit(flag) {
			return usagef("--%s does not apply to inpainting a machine (--missing)", flag)
		}
	}
	if p.explicit("sampler") {
		return usagef("--sampler: a machine is inpainted by block Gibbs only")
	}
	m, meta := p.m, p.meta
	p.data.seed = p.seed
	v, err := loadMachineDataFor(p.data, p.input, m, meta)
	if err != nil {
		return err
	}
	units := m.Visible.Units()
	var mask []bool
	if valuesOf(m.Visible.Kind()) == layer.Categories {
		// Units in a sequence: left and right are its halves.
		if p.missing != "left" && p.missing != "right" {
			return usagef("--missing %s: the units of a %s layer are a sequence: hide its left or right half", p.missing, m.Visible.Kind())
		}
		mask, _ = halfMask(p.missing, dataset.Shape{Height: 1, Width: units})
	} else {
		shape, err := imageShape(p.shapeFlag, meta, units)
		if err != nil {
			return usagef("--missing needs images: %v", err)
		}
		if mask, err = halfMask(p.missing, shape); err != nil {
			return err
		}
	}
	start := time.Now()
	bar := newProgress(e.stderr)
	restored, err := denoise.Inpaint(ctx, m, v.Dense(), mask, denoise.Settings{Sweeps: p.sweeps, Burnin: p.burnin, Seed: p.seed,
		Progress: func(done, total int) { bar.update("inpainting", done, total) }})
	bar.clear()
	if err != nil {
		return stopped(ctx, err)
	}
	res := inpaintResult{Model: p.model, Input: p.input, Rows: v.Rows, Units: units, Mode: "inpaint", Missing: p.missing,
		Sweeps: p.sweeps, Burnin: p.burnin, Out: p.out}
	// The baseline guesses each hidden unit from the base-rate model of
	// the training data when the model records it (else from the visible
	// layer alone), using no known unit.
	baseLayer, baseName, err := machineBase(m, meta, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", p.model, err)
	}
	base := make([]float64, m.Visible.Width())
	baseLayer.Mean(base, make([]float64, m.Visible.Width()))
	baseRows := rbm.NewMatrix(v.Rows, v.Cols)
	for r := range v.Rows {
		for c, x := range base {
			baseRows.Row(r)[c] = float32(x)
		}
	}
	out := rbm.NewMatrix(v.Rows, v.Cols)
	for i, x := range restored.RawMatrix().Data {
		out.Data[i] = float32(x)
	}
	res.ErrorAfter = inpaintError(m, v, out, mask)
	res.ErrorBaseline = inpaintError(m, v, baseRows, mask)
	if valuesOf(m.Visible.Kind()) == layer.Categories {
		a, b := trueStateLogProb(m, v, out, mask), trueStateLogProb(m, v, baseRows, mask)
		res.LogProbAfter, res.LogProbBaseline = &a, &b
	}
	if p.out != "" {
		if valuesOf(m.Visible.Kind()) == layer.Bits {
			// Two-state units are written as denoising writes them: the
			// probability of the second state (on, or +1 for spins) in
			// [0, 1], or with --binary the more probable state as 0 or 1.
			lo, hi := unitStates(m.Visible)
			for i, x := range out.Data {
				q := (float64(x) - lo) / (hi - lo)
				if p.binary {
					q = map[bool]float64{false: 0, true: 1}[q >= 0.5]
				}
				out.Data[i] = float32(q)
			}
		}
		if meta.Scaling != nil {
			if err := meta.Scaling.Invert(out); err != nil {
				return fmt.Errorf("%s: %w", p.model, err)
			}
		}
		if valuesOf(m.Visible.Kind()) == layer.Categories && p.binary {
			err = writeCategories(p.out, argmaxOneHot(out, m.Visible.States()), m.Visible.States())
		} else {
			shape, _ := imageShape(p.shapeFlag, meta, units)
			err = writeMatrix(p.out, out, shape)
		}
		if err != nil {
			return err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	if p.asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "inpaint %d rows of %d %s units with %s (block Gibbs, %d sweeps after %d burn-in), %.3gs\n",
		v.Rows, units, m.Visible.Kind(), filepath.Base(p.model), p.sweeps, p.burnin, res.Seconds)
	fmt.Fprintf(e.stdout, "%s: %.4f restored, %.4f guessed from the %s alone\n", inpaintErrorName(m), res.ErrorAfter, res.ErrorBaseline, baseName)
	if res.LogProbAfter != nil {
		fmt.Fprintf(e.stdout, "log-prob:  %.4f nats per hidden unit's true state restored, %.4f guessed\n", *res.LogProbAfter, *res.LogProbBaseline)
	}
	if p.out != "" {
		fmt.Fprintf(e.stdout, "wrote %s\n", p.out)
	}
	return nil
}

// trueStateLogProb is the mean log-probability, under the state
// probabilities of restored, of each hidden categorical unit's true state.
func trueStateLogProb(m *rbm.Machine, truth, restored *rbm.Matrix, mask []bool) float64 {
	per := m.Visible.Width() / m.Visible.Units()
	var sum float64
	var count int
	for r := range truth.Rows {
		tr, rs := truth.Row(r), restored.Row(r)
		for i, hidden := range mask {
			if hidden {
				sum += math.Log(float64(rs[i*per+argmax(tr[i*per:(i+1)*per])]))
				count++
			}
		}
	}
	return sum / float64(max(count, 1))
}

func inpaintErrorName(m *rbm.Machine) string {
	switch valuesOf(m.Visible.Kind()) {
	case layer.Categories:
		return "state error"
	case layer.Reals:
		return "RMS error"
	}
	return "unit error"
}

// inpaintError compares the restored hidden units with the truth (see
// inpaintResult.ErrorAfter).
func inpaintError(m *rbm.Machine, truth, restored *rbm.Matrix, mask []bool) float64 {
	per := m.Visible.Width() / m.Visible.Units()
	var sum float64
	var count int
	for r := range truth.Rows {
		tr, rs := truth.Row(r), restored.Row(r)
		for i, hidden := range mask {
			if !hidden {
				continue
			}
			count++
			switch valuesOf(m.Visible.Kind()) {
			case layer.Categories:
				if argmax(rs[i*per:(i+1)*per]) != argmax(tr[i*per:(i+1)*per]) {
					sum++
				}
			case layer.Reals:
				d := float64(rs[i] - tr[i])
				sum += d * d
			default:
				// Bits: the restored mean against the midpoint of the
				// unit's two states.
				lo, hi := unitStates(m.Visible)
				if (float64(rs[i]) >= (lo+hi)/2) != (float64(tr[i]) == hi) {
					sum++
				}
			}
		}
	}
	if count == 0 {
		return 0
	}
	if valuesOf(m.Visible.Kind()) == layer.Reals {
		return math.Sqrt(sum / float64(count))
	}
	return sum / float64(count)
}

// unitStates returns the values of a two-state layer's states 0 and 1.
func unitStates(l layer.Layer) (lo, hi float64) {
	x := make([]float64, l.Width())
	s := make([]int, l.Units())
	d := l.(layer.Discrete)
	d.SetState(x, s)
	lo = x[0]
	s[0] = 1
	d.SetState(x, s)
	return lo, x[0]
}

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// argmaxOneHot turns per-unit state probabilities into one-hot rows of
// each unit's most probable state.
func argmaxOneHot(m *rbm.Matrix, q int) *rbm.Matrix {
	out := rbm.NewMatrix(m.Rows, m.Cols)
	for r := range m.Rows {
		row := m.Row(r)
		for i := 0; i < m.Cols; i += q {
			out.Row(r)[i+argmax(row[i:i+q])] = 1
		}
	}
	return out
}
