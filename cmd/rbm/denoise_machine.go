package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/gibbs"
	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/denoise"
	"github.com/rbmkit/rbm/rbm/layer"
)

// denoiseRequest is what rbm denoise has parsed for a request the binary
// path does not serve: inpainting a machine of any unit types, and
// denoising or inpainting rows of q-state units with a Potts machine (m)
// or a JSON spec of q-state units (spec).
type denoiseRequest struct {
	model, input   string
	m              *rbm.Machine
	meta           *rbm.Meta
	missing        string
	noise, corrupt float64 // denoising q-state units
	beta           float64
	sampler        string
	method         gibbs.Method
	spec           discrete.Model // a JSON spec of q-state units, instead of m
	shapeFlag      string
	sweeps, burnin int
	seed           uint64
	workers        int
	out            string
	asJSON, binary bool
	data           *dataFlags
	explicit       func(flag string) bool
}

// machinePrior returns the prior a machine with binary or spin visible
// units denoises with, its visible marginal, and the image shape its file
// records. Real-valued visible units take no discrete channel, so such a
// machine inpaints only (--missing), which the error says in one line
// naming the file and the unit type; Potts units are denoised by
// denoiseCategories.
func machinePrior(path string, m *rbm.Machine, meta *rbm.Meta) (discrete.Model, dataset.Shape, error) {
	if valuesOf(m.Visible.Kind()) == layer.Reals {
		return nil, dataset.Shape{}, fmt.Errorf("%s: a machine with %s visible units inpaints only (denoising passes discrete units through a channel): give --missing top, bottom, left or right", path, m.Visible.Kind())
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
func inpaintMachine(ctx context.Context, e *env, p *denoiseRequest) error {
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
	restored, err := denoise.Inpaint(ctx, m, v.Dense(), mask, denoise.Settings{Sweeps: p.sweeps, Burnin: p.burnin, Seed: p.seed, Workers: p.workers,
		Progress: func(done, total int) { bar.update("inpainting", done, total) }})
	bar.clear()
	if err != nil {
		return stopped(ctx, err)
	}
	// Block Gibbs always moves, so its acceptance is 1, as for denoising.
	res := denoiseResult{Model: p.model, Input: p.input, Rows: v.Rows, Units: units, Mode: "inpaint", Missing: p.missing,
		Sampler: "block", Beta: 1, Sweeps: p.sweeps, Burnin: p.burnin, AcceptRate: 1, Out: p.out, errorName: inpaintErrorName(m)}
	// The baseline guesses each hidden unit from the base-rate model of
	// the training data when the model records it (else from the visible
	// layer alone), using no known unit.
	baseLayer, baseName, err := machineBase(m, meta, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", p.model, err)
	}
	res.baseName = baseName
	base := make([]float64, m.Visible.Width())
	baseLayer.Mean(base, make([]float64, m.Visible.Width()))
	// Before restoration the hidden units are blank: at their first
	// state for discrete units (off, -1, a Potts unit's state 0), at 0
	// for real values, as the binary path leaves them off.
	blank := make([]float64, m.Visible.Width())
	if d, ok := m.Visible.(layer.Discrete); ok {
		d.SetState(blank, make([]int, units))
	}
	baseRows, blankRows := rbm.NewMatrix(v.Rows, v.Cols), rbm.NewMatrix(v.Rows, v.Cols)
	for r := range v.Rows {
		for c := range base {
			baseRows.Row(r)[c], blankRows.Row(r)[c] = float32(base[c]), float32(blank[c])
		}
	}
	out := rbm.NewMatrix(v.Rows, v.Cols)
	for i, x := range restored.RawMatrix().Data {
		out.Data[i] = float32(x)
	}
	before, after, baseline := inpaintError(m, v, blankRows, mask), inpaintError(m, v, out, mask), inpaintError(m, v, baseRows, mask)
	res.ErrorBefore, res.ErrorAfter, res.ErrorBaseline = &before, &after, &baseline
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
	return res.report(e, p.asJSON)
}

// trueStateLogProb is the mean log-probability, under the state
// probabilities of restored, of each hidden categorical unit's true state.
func trueStateLogProb(m *rbm.Machine, truth, restored *rbm.Matrix, mask []bool) float64 {
	return stateLogProb(m.Visible.Width()/m.Visible.Units(), truth, restored, mask)
}

// stateLogProb is trueStateLogProb for one-hot rows of per states a unit.
// A probability that underflowed the float32 restoration counts as the
// smallest float32 above zero (log ≈ -103), so that the figure stays
// finite and JSON can carry it.
func stateLogProb(per int, truth, restored *rbm.Matrix, mask []bool) float64 {
	var sum float64
	var count int
	for r := range truth.Rows {
		tr, rs := truth.Row(r), restored.Row(r)
		for i, hidden := range mask {
			if hidden {
				p := max(float64(rs[i*per+argmax(tr[i*per:(i+1)*per])]), math.SmallestNonzeroFloat32)
				sum += math.Log(p)
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
	return pixelError
}

// inpaintError compares the restored hidden units with the truth (see
// denoiseResult.ErrorAfter).
func inpaintError(m *rbm.Machine, truth, restored *rbm.Matrix, mask []bool) float64 {
	per := m.Visible.Width() / m.Visible.Units()
	values := valuesOf(m.Visible.Kind())
	// The two states of bits, found once: unitStates builds a whole state
	// of the layer, and calling it per unit made inpainting 784-pixel
	// rows spend most of its time here.
	var lo, hi float64
	if values == layer.Bits {
		lo, hi = unitStates(m.Visible)
	}
	var sum float64
	var count int
	for r := range truth.Rows {
		tr, rs := truth.Row(r), restored.Row(r)
		for i, hidden := range mask {
			if !hidden {
				continue
			}
			count++
			switch values {
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
				if (float64(rs[i]) >= (lo+hi)/2) != (float64(tr[i]) == hi) {
					sum++
				}
			}
		}
	}
	if count == 0 {
		return 0
	}
	if values == layer.Reals {
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

// denoiseCategories restores rows of q-state units seen through the
// symmetric channel of rate --noise, which replaces a unit's state by one
// of the other q-1: with a machine whose visible units are Potts units
// (p.m, by block Gibbs: denoise.Machine with discrete.SymmetricNoise's
// evidence), or with a JSON spec of q-state units (p.spec, by the
// single-unit sampler --sampler at --beta: denoise.Model). With --corrupt
// the input is taken as clean and passed through that channel first, and
// the state error before and after, and the mean log-probability of each
// unit's true state against the channel alone, are reported. The output
// is as inpainting writes it: each state's probability, q columns per
// unit, or with --binary the most probable state of each unit.
func denoiseCategories(ctx context.Context, e *env, p *denoiseRequest) error {
	var q, units int
	if p.m != nil {
		q, units = p.m.Visible.States(), p.m.Visible.Units()
		kind := p.m.Visible.Kind() + " visible units"
		if p.explicit("sampler") && p.sampler != "block" && p.sampler != "auto" {
			return usagef("--sampler %s: a machine with %s is denoised by block Gibbs only", p.sampler, kind)
		}
		if p.beta != 1 {
			return usagef("--beta %g: a machine with %s is denoised at β = 1 (block Gibbs)", p.beta, kind)
		}
	} else {
		q, units = p.spec.Domain().States(), p.spec.Units()
		if p.sampler == "block" {
			return usagef("--sampler block needs an RBM or machine model file; a spec is sampled by single-unit samplers")
		}
	}
	var mask []bool // inpainting (a spec's --missing): the hidden half
	if p.missing != "" {
		for _, flag := range []string{"noise", "corrupt"} {
			if p.explicit(flag) {
				return usagef("--%s does not apply to inpainting (--missing)", flag)
			}
		}
		mask, _ = halfMask(p.missing, dataset.Shape{Height: 1, Width: units})
	} else if limit := float64(q-1) / float64(q); !(p.noise > 0 && p.noise < limit) {
		return usagef("--noise %v must lie in (0, %.4g) for units of %d states", p.noise, limit, q)
	}
	if !(p.corrupt < float64(q-1)/float64(q)) {
		return usagef("--corrupt %v must lie below %.4g for units of %d states", p.corrupt, float64(q-1)/float64(q), q)
	}
	p.data.seed = p.seed
	var v *rbm.Matrix
	var err error
	if p.m != nil {
		v, err = loadMachineDataFor(p.data, p.input, p.m, p.meta)
	} else {
		v, err = loadCategoryRows(p.data, p.input, q, units)
	}
	if err != nil {
		return err
	}
	clean := make([][]int8, v.Rows)
	for r := range v.Rows {
		row := v.Row(r)
		clean[r] = make([]int8, units)
		for i := range units {
			clean[r][i] = int8(argmax(row[i*q : (i+1)*q]))
		}
	}
	observed := make([][]int8, v.Rows)
	for r, y := range clean {
		observed[r] = slices.Clone(y)
	}
	d, err := discrete.Categorical(q)
	if err != nil {
		return fmt.Errorf("%s: %w", p.model, err)
	}
	if p.corrupt > 0 {
		denoise.Corrupt(d, observed, p.corrupt, p.seed)
	}
	// Inpainting blanks the hidden units, at state 0 as the machine path
	// does, and counts them alone.
	counted := func(int) bool { return true }
	if mask != nil {
		for _, y := range observed {
			for i, h := range mask {
				if h {
					y[i] = 0
				}
			}
		}
		counted = func(i int) bool { return mask[i] }
	}
	start := time.Now()
	bar := newProgress(e.stderr)
	settings := denoise.Settings{Noise: p.noise, Hidden: mask, Sweeps: p.sweeps, Burnin: p.burnin, Seed: p.seed, Workers: p.workers,
		Method: p.method, Beta: p.beta,
		Progress: func(done, total int) { bar.update("restoring", done, total) }}
	var dr *denoise.Result
	if p.m != nil {
		dr, err = denoise.Machine(ctx, p.m, observed, settings)
	} else {
		dr, err = denoise.Model(ctx, p.spec, observed, settings)
	}
	bar.clear()
	if err != nil {
		return stopped(ctx, err)
	}
	restored := dr.Mean
	res := denoiseResult{Model: p.model, Input: p.input, Rows: v.Rows, Units: units, Mode: "denoise", Noise: p.noise,
		Sampler: "block", Beta: 1, Sweeps: p.sweeps, Burnin: p.burnin, AcceptRate: 1, Out: p.out, errorName: "state error"}
	if p.m == nil {
		res.Sampler, res.Beta = p.method.String(), p.beta
		res.AcceptRate = float64(dr.Accepted) / float64(max(dr.Proposals, 1))
	}
	if mask != nil {
		res.Mode, res.Missing, res.Noise = "inpaint", p.missing, 0
	}
	if p.corrupt > 0 || mask != nil {
		res.Corrupt = p.corrupt
		var before, after, total int
		for r, y := range clean {
			row := restored.Row(r)
			for i, c := range y {
				if !counted(i) {
					continue
				}
				total++
				if observed[r][i] != c {
					before++
				}
				if argmax(row[i*q:(i+1)*q]) != int(c) {
					after++
				}
			}
		}
		n := float64(max(total, 1))
		b, a := float64(before)/n, float64(after)/n
		res.ErrorBefore, res.ErrorAfter = &b, &a
		scored := mask
		if scored == nil {
			scored = make([]bool, units)
			for i := range scored {
				scored[i] = true
			}
		}
		lp := stateLogProb(q, v, restored, scored)
		res.LogProbAfter = &lp
		if mask == nil {
			// The channel alone gives the true state 1-ε when it came
			// through, ε/(q-1) when it was replaced.
			right, wrong := math.Log(1-p.noise), math.Log(p.noise/float64(q-1))
			base := (float64(before)*wrong + (n-float64(before))*right) / n
			res.LogProbBaseline, res.baseName = &base, "observation"
		}
	}
	if p.out != "" {
		if p.binary {
			err = writeCategories(p.out, argmaxOneHot(restored, q), q)
		} else {
			err = writeMatrix(p.out, restored, dataset.Shape{})
		}
		if err != nil {
			return err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res.report(e, p.asJSON)
}

// loadCategoryRows reads the rows a spec of units q-state units denoises,
// as one-hot rows: categories 0 … q-1 from IDX or CSV, or an alignment.
func loadCategoryRows(d *dataFlags, path string, q, units int) (*rbm.Matrix, error) {
	v, _, _, err := loadMachineData(d, "potts", path, q, false, seeds.DequantizeScore)
	if err != nil {
		return nil, err
	}
	if v.Cols != units*q {
		return nil, fmt.Errorf("%s: rows have %d units, the spec has %d", path, v.Cols/q, units)
	}
	if v.Rows == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	if d.limit > 0 && d.limit < v.Rows {
		v = v.Slice(0, d.limit)
	}
	return v, nil
}
