package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/rbmkit/rbm/rbm"
)

func init() {
	register(&command{
		name:    "info",
		usage:   "[flags] MODEL",
		summary: "Show a model's shapes, training settings and parameter statistics.",
		example: "  rbm info --json mnist64.rbm",
		run:     runInfo,
	})
}

// modelInfo is the JSON form of rbm info.
type modelInfo struct {
	File       string                `json:"file"`
	Visible    int                   `json:"visible"`
	Hidden     int                   `json:"hidden"`
	Parameters int                   `json:"parameters"`
	Meta       *rbm.Meta             `json:"meta"`
	Stats      map[string]blockStats `json:"stats"`
}

// blockStats summarises one parameter block.
type blockStats struct {
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
}

func summarise(x []float32) blockStats {
	s := blockStats{Min: math.Inf(1), Max: math.Inf(-1)}
	var sum, sq float64
	for _, v := range x {
		f := float64(v)
		s.Min, s.Max = math.Min(s.Min, f), math.Max(s.Max, f)
		sum += f
	}
	s.Mean = sum / float64(len(x))
	for _, v := range x {
		d := float64(v) - s.Mean
		sq += d * d
	}
	s.Std = math.Sqrt(sq / float64(len(x)))
	return s
}

func runInfo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, lookup("info"))
	asJSON := fs.Bool("json", false, "print one JSON object")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	m, meta, err := loadModel(pos[0])
	if errors.Is(err, rbm.ErrMachine) {
		mm, meta, err := loadMachineModel(pos[0])
		if err != nil {
			return err
		}
		return machineInfo(e.stdout, pos[0], mm, meta, *asJSON)
	}
	if err != nil {
		return err
	}
	info := modelInfo{
		File: pos[0], Visible: m.Visible, Hidden: m.Hidden,
		Parameters: len(m.W) + len(m.B) + len(m.C), Meta: meta,
		Stats: map[string]blockStats{"W": summarise(m.W), "b": summarise(m.B), "c": summarise(m.C)},
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	w := e.stdout
	fmt.Fprintf(w, "model      %s\n", info.File)
	fmt.Fprintf(w, "shape      %d visible × %d hidden (%d parameters)\n", m.Visible, m.Hidden, info.Parameters)
	if meta.ImageRows > 0 {
		fmt.Fprintf(w, "image      %d×%d\n", meta.ImageRows, meta.ImageCols)
	}
	if meta.Binarize != "" {
		fmt.Fprintf(w, "binarize   %s\n", meta.Binarize)
	}
	if t := meta.Training; t != nil {
		recipe := ""
		if t.Recipe != "" {
			recipe = ", recipe " + t.Recipe
		}
		fmt.Fprintf(w, "training   %s; %d epochs of %d rows%s, seed %d\n", describeTraining(t), meta.Epochs, meta.Rows, recipe, t.Seed)
		fmt.Fprintf(w, "settings   %s\n", describeSettings(t))
		if t.SparsityTarget > 0 {
			fmt.Fprintf(w, "sparsity   target %g, cost %g, decay %g\n", t.SparsityTarget, t.SparsityCost, t.SparsityDecay)
		}
	}
	if meta.BestEpoch > 0 && meta.HeldOut != nil {
		fmt.Fprintf(w, "kept       epoch %d, the best held-out estimate: %s\n", meta.BestEpoch, describeLogLik(meta.HeldOut))
	}
	if len(meta.BaseRates) > 0 {
		fmt.Fprintln(w, "base rates of the training data recorded (AIS starts from them)")
	}
	switch {
	case meta.Stopped != "":
		fmt.Fprintf(w, "note       training stopped: %s; these are the parameters before that update\n", meta.Stopped)
	case meta.Interrupted:
		fmt.Fprintln(w, "note       training was interrupted")
	}
	// Without monitoring (--monitor 0) the last epoch's figures are zero.
	if f := meta.Final; f != nil && (f.PseudoLogLik != 0 || f.ReconError != 0) {
		fmt.Fprintf(w, "last epoch recon %.3f, pseudo-LL %.3f, F(train) %.3f", f.ReconError, f.PseudoLogLik, f.FreeEnergyTrain)
		if f.Gap != nil {
			fmt.Fprintf(w, ", F(val) %.3f, gap %+.3f", *f.FreeEnergyVal, *f.Gap)
		}
		fmt.Fprintln(w)
	}
	for _, name := range []string{"W", "b", "c"} {
		s := info.Stats[name]
		fmt.Fprintf(w, "%-10s min %+.4f  max %+.4f  mean %+.4f  std %.4f\n", name, s.Min, s.Max, s.Mean, s.Std)
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// describeSettings lists the optimiser's settings and the regularisers of
// a training configuration.
func describeSettings(t *rbm.Config) string {
	var parts []string
	lr := fmt.Sprintf("lr %g (%s", t.LearningRate, orDefault(t.LRSchedule, "constant"))
	if t.LRDecay != 0 {
		lr += fmt.Sprintf(", decay %g", t.LRDecay)
	}
	parts = append(parts, lr+")")
	if orDefault(t.Optimizer, rbm.Momentum) == rbm.Adam {
		parts = append(parts, fmt.Sprintf("Adam β₁ %g β₂ %g ε %g", orFloat(t.AdamBeta1, 0.9), orFloat(t.AdamBeta2, 0.999), orFloat(t.AdamEpsilon, 1e-8)))
	} else if t.Momentum != 0 || t.FinalMomentum != 0 {
		parts = append(parts, fmt.Sprintf("momentum %g→%g after %d", t.Momentum, t.FinalMomentum, t.MomentumEpochs))
	}
	parts = append(parts, fmt.Sprintf("batch %d", t.BatchSize), fmt.Sprintf("weight decay %g", t.WeightDecay))
	if t.WeightL1 != 0 {
		parts = append(parts, fmt.Sprintf("L1 %g", t.WeightL1))
	}
	if t.Centered {
		parts = append(parts, fmt.Sprintf("offset rate %g", orFloat(t.OffsetRate, 0.01)))
	}
	if t.Replicas >= 2 {
		ladder := t.Ladder
		if ladder == nil {
			ladder = rbm.LinearLadder(t.Replicas)
		}
		parts = append(parts, fmt.Sprintf("ladder %v", ladder))
	}
	return strings.Join(parts, ", ")
}
