package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

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
		kind := "CD"
		if t.Persistent {
			kind = "PCD"
		}
		fmt.Fprintf(w, "training   %s-%d, %d epochs of %d rows, batch %d, lr %g (%s), momentum %g→%g after %d, weight decay %g, seed %d\n",
			kind, t.K, meta.Epochs, meta.Rows, t.BatchSize, t.LearningRate, orDefault(t.LRSchedule, "constant"),
			t.Momentum, t.FinalMomentum, t.MomentumEpochs, t.WeightDecay, t.Seed)
		if t.SparsityTarget > 0 {
			fmt.Fprintf(w, "sparsity   target %g, cost %g, decay %g\n", t.SparsityTarget, t.SparsityCost, t.SparsityDecay)
		}
	}
	if meta.Interrupted {
		fmt.Fprintln(w, "note       training was interrupted")
	}
	if f := meta.Final; f != nil {
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
