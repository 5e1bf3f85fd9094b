package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/rbmkit/rbm/export"
	"github.com/rbmkit/rbm/rbm"
)

// loadONNXData reads the rows at dataPath for the ONNX graph at onnxPath.
// A machine this toolkit exported reads them as that machine does (real
// values, one-hot categories, ±1 spins, with the scaling and
// dequantisation its metadata records), and a binary RBM it exported with
// the binarisation it was trained with (unless --binarize says
// otherwise), so that rbm score --onnx and rbm score agree; any other
// graph reads them as binary data.
func loadONNXData(d *dataFlags, onnxPath, dataPath string) (*rbm.Matrix, error) {
	raw, err := os.ReadFile(onnxPath)
	if err != nil {
		return nil, err
	}
	if export.IsMachineExport(raw) {
		m, meta, _, err := export.UnmarshalMachine(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", onnxPath, err)
		}
		return loadMachineDataFor(d, dataPath, m, meta)
	}
	if _, meta, _, err := export.Unmarshal(raw); err == nil {
		d.followModel(meta)
	}
	v, _, err := d.load(dataPath)
	return v, err
}

// scoreONNX runs the ONNX graph at modelPath on v (read from dataPath) and
// prints the named outputs. Asked for free_energy alone (the default) of a
// graph without that output, it prints the graph's score output instead
// (see export.Graph.ScoreOutput), such as the single unnamed output of a
// PyTorch export. One output of width 1 prints as one number per
// line, like rbm score; otherwise each line holds a row's values of every
// output, space-separated, in the order named. With jsonOut it prints one
// object with "rows" and, per output, an array named after it: numbers for
// a width-1 output, arrays of numbers per row otherwise; a free_energy
// output adds its "mean".
func scoreONNX(ctx context.Context, e *env, modelPath, dataPath string, v *rbm.Matrix, outputs []string, jsonOut bool) error {
	g, err := export.LoadGraphFile(modelPath)
	if err != nil {
		return err
	}
	if _, cols := g.Input(); cols != v.Cols {
		return fmt.Errorf("%s: rows have %d values, the ONNX model %s wants %d", dataPath, v.Cols, modelPath, cols)
	}
	score := ""
	if len(outputs) == 1 && outputs[0] == export.OutputFreeEnergy {
		score = export.OutputFreeEnergy
		if g.ScoreOutput() != "" {
			score = g.ScoreOutput()
			outputs = []string{score}
		}
	}
	for _, name := range outputs {
		if !contains(g.Outputs(), name) {
			return fmt.Errorf("%s: the ONNX model has no output %q (its outputs: %v)", modelPath, name, g.Outputs())
		}
	}
	outs, err := g.Run(ctx, v, 0, outputs...)
	if err != nil {
		return fmt.Errorf("%s: %w", modelPath, err)
	}
	// A free energy is one number per row; a wider output under that name
	// is not one, whatever the graph calls it.
	for _, o := range outs {
		if (o.Name == export.OutputFreeEnergy || o.Name == score) && o.Cols != 1 && o.Rows > 0 {
			return fmt.Errorf("%s: output %q has %d values per row, but a free energy has one (pick other outputs with --outputs)", modelPath, o.Name, o.Cols)
		}
	}
	if jsonOut {
		obj := map[string]any{"rows": v.Rows}
		for _, o := range outs {
			if o.Data == nil {
				o.Data = []float64{} // "[]", not null, for no rows
			}
			if o.Cols == 1 || o.Rows == 0 {
				obj[o.Name] = o.Data
			} else {
				rows := make([][]float64, o.Rows)
				for r := range rows {
					rows[r] = o.Row(r)
				}
				obj[o.Name] = rows
			}
			if o.Name == export.OutputFreeEnergy && o.Cols == 1 {
				var mean float64
				for _, x := range o.Data {
					mean += x / float64(len(o.Data))
				}
				obj["mean"] = mean
			}
		}
		return json.NewEncoder(e.stdout).Encode(obj)
	}
	w := bufio.NewWriter(e.stdout)
	var buf []byte
	for r := range v.Rows {
		buf = buf[:0]
		for _, o := range outs {
			for _, x := range o.Row(r) {
				if len(buf) > 0 {
					buf = append(buf, ' ')
				}
				buf = strconv.AppendFloat(buf, x, 'g', 10, 64)
			}
		}
		if _, err := w.Write(append(buf, '\n')); err != nil {
			return err
		}
	}
	return w.Flush()
}
