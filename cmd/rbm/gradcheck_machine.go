package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
)

// namedBlock is the comparison of one parameter block of a machine.
type namedBlock struct {
	// Name is "W", or the layer ("visible", "hidden") and the parameter's
	// name in the model file: "visible.bias", "visible.log_sigma", ….
	Name string `json:"name"`
	blockError
}

// machineGradcheckK is the comparison for one k on a machine: one block
// per trained parameter vector, in the trainer's order, and all of them.
type machineGradcheckK struct {
	K      int          `json:"k"`
	Blocks []namedBlock `json:"blocks"`
	All    blockError   `json:"all"`
	Chains int          `json:"chains"`
}

// machineGradcheckResult is the --json output of rbm gradcheck on a
// version 2 model file.
type machineGradcheckResult struct {
	Model        string              `json:"model"`
	Data         string              `json:"data"`
	Rows         int                 `json:"rows"`
	VisibleLayer string              `json:"visible_layer"`
	HiddenLayer  string              `json:"hidden_layer"`
	LogLik       float64             `json:"log_lik"`
	Norm         float64             `json:"exact_norm"`
	Results      []machineGradcheckK `json:"results"`
	Seconds      float64             `json:"seconds"`
}

// runGradcheckMachine is rbm gradcheck on a version 2 model file: the
// exact gradient by enumeration of the machine's smaller discrete layer
// (rbm.Machine.ExactGradient) against the trainer's CD-k statistics
// (rbm.Machine.CDGradient), both before the preconditioning Gaussian
// layers apply to their steps. --workers shares the enumeration and the
// matrix products of the CD chains, as for a binary RBM.
func runGradcheckMachine(ctx context.Context, e *env, pos []string, data *dataFlags, kList []int, chains int, seed uint64, workers, maxUnits int, asJSON bool) error {
	m, meta, err := loadMachineModel(pos[0])
	if err != nil {
		return err
	}
	v, err := loadMachineDataFor(data, pos[1], m, meta)
	if err != nil {
		return err
	}
	rows := rowsOfMatrix(v)
	start := time.Now()
	bar := newProgress(e.stderr)
	opt := exact.Options{Workers: workers, MaxUnits: maxUnits,
		Progress: func(done, total uint64) { bar.update("exact gradient", int(done>>10), int(total>>10)) }}
	g, logZ, err := m.ExactGradient(ctx, rows, opt)
	bar.clear()
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], maxUnitsHint(err))
	}
	var negF float64
	for _, row := range rows {
		negF -= m.FreeEnergy(row)
	}
	exactBlocks := g.Blocks(m)
	res := machineGradcheckResult{Model: pos[0], Data: pos[1], Rows: v.Rows, VisibleLayer: m.Visible.Kind(), HiddenLayer: m.Hidden.Kind(),
		LogLik: negF/float64(v.Rows) - logZ, Norm: norm(blockValues(exactBlocks)...)}
	dense := v.Dense()
	for i, k := range kList {
		if err := ctx.Err(); err != nil {
			return err
		}
		bar.update(fmt.Sprintf("CD-%d", k), i, len(kList))
		cd, err := m.CDGradient(dense, k, chains, seed, workers)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		r := machineGradcheckK{K: k, Chains: chains}
		for b, cb := range cd.Blocks(m) {
			r.Blocks = append(r.Blocks, namedBlock{Name: cb.Name, blockError: compare(cb.Values, exactBlocks[b].Values)})
		}
		r.All = compare(concatBlocks(cd.Blocks(m)), concatBlocks(exactBlocks))
		res.Results = append(res.Results, r)
	}
	bar.clear()
	res.Seconds = time.Since(start).Seconds()
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "model: %s (%s), data: %s (%d rows), exact log-lik %.4f, ‖∇‖ = %.4g\n",
		pos[0], machineShape(m), pos[1], v.Rows, res.LogLik, res.Norm)
	names := []string{}
	for _, b := range exactBlocks {
		names = append(names, b.Name)
	}
	names = append(names, "all")
	// Each block takes two columns of 8 under a name as wide as needed.
	widths := make([]int, len(names))
	var head, sub strings.Builder
	fmt.Fprintf(&head, "%6s", "")
	fmt.Fprintf(&sub, "%6s", "k")
	for i, n := range names {
		widths[i] = max(17, len(n))
		fmt.Fprintf(&head, "  %-*s", widths[i], n)
		fmt.Fprintf(&sub, "  %8s %*s", "rel err", widths[i]-9, "cosine")
	}
	fmt.Fprintln(e.stdout, strings.TrimRight(head.String(), " "))
	fmt.Fprintln(e.stdout, sub.String())
	for _, r := range res.Results {
		fmt.Fprintf(e.stdout, "%6d", r.K)
		blocks := append(append([]blockError(nil), blockErrors(r.Blocks)...), r.All)
		for i, b := range blocks {
			rel := "n/a"
			if b.RelErr != nil {
				rel = fmt.Sprintf("%.4f", *b.RelErr)
			}
			fmt.Fprintf(e.stdout, "  %8s %*.4f", rel, widths[i]-9, b.Cosine)
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}

func blockValues(bs []rbm.GradientBlock) [][]float64 {
	out := make([][]float64, len(bs))
	for i, b := range bs {
		out[i] = b.Values
	}
	return out
}

func concatBlocks(bs []rbm.GradientBlock) []float64 {
	var out []float64
	for _, b := range bs {
		out = append(out, b.Values...)
	}
	return out
}

func blockErrors(bs []namedBlock) []blockError {
	out := make([]blockError, len(bs))
	for i, b := range bs {
		out[i] = b.blockError
	}
	return out
}
