package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

// The commands that read a model try it as a binary RBM first (version 1
// files, whose outputs stay bit for bit what they were) and read a file of
// another pair of unit types (version 2) as an rbm.Machine through the
// functions below.

// loadMachineModel reads a model file of either version as a machine.
func loadMachineModel(path string) (*rbm.Machine, *rbm.Meta, error) {
	m, meta, err := rbm.LoadMachine(path)
	if err != nil {
		return nil, nil, err
	}
	if err := checkBinarization(path, meta); err != nil {
		return nil, nil, err
	}
	return m, meta, nil
}

// loadMachineDataFor reads data for machine m as its visible units take
// it (see loadMachineData), its first --limit rows when the flag is set,
// standardised as training was, and checks it against the visible layer.
func loadMachineDataFor(d *dataFlags, path string, m *rbm.Machine, meta *rbm.Meta) (*rbm.Matrix, error) {
	d.followModel(meta)
	d.alphabet = meta.Alphabet
	v, _, _, err := loadMachineData(d, m.Visible.Kind(), path, m.Visible.States(), meta.Dequantize, seeds.DequantizeScore)
	if err != nil {
		return nil, err
	}
	if v.Cols != m.Visible.Width() {
		if q := m.Visible.States(); valuesOf(m.Visible.Kind()) == layer.Categories && q > 0 {
			// Counted in units, not in the one-hot columns they become.
			return nil, fmt.Errorf("%s: rows have %d categorical values, the model's %s visible layer has %d units (of %d states)", path, v.Cols/q, m.Visible.Kind(), m.Visible.Units(), q)
		}
		return nil, fmt.Errorf("%s: rows have %d values, the model's %s visible layer takes %d", path, v.Cols, m.Visible.Kind(), m.Visible.Width())
	}
	if v.Rows == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	if d.limit > 0 && d.limit < v.Rows {
		v = v.Slice(0, d.limit)
	}
	if meta.Bytes && !idxHoldsBytes(path) {
		// The model knows its data on [0, 1], as bytes read; values on
		// the bytes' own scale would be scored as far outliers.
		if i := slices.IndexFunc(v.Data, func(x float32) bool { return !(x >= 0 && x <= 1) }); i >= 0 {
			return nil, fmt.Errorf("%s: row %d, column %d is %v, outside [0, 1]: the model was trained on byte data read as v/255, so values given as they are must be on that scale (or give the IDX bytes)", path, i/v.Cols+1, i%v.Cols+1, v.Data[i])
		}
	}
	if meta.Scaling != nil {
		if err := meta.Scaling.Apply(v); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	row := make([]float64, v.Cols)
	for r := range v.Rows {
		for j, x := range v.Row(r) {
			row[j] = float64(x)
		}
		if err := m.Visible.Check(row); err != nil {
			return nil, fmt.Errorf("%s: row %d: %v", path, r+1, err)
		}
	}
	return v, nil
}

// rowsOfMatrix returns the rows of v in float64.
func rowsOfMatrix(v *rbm.Matrix) [][]float64 {
	rows := make([][]float64, v.Rows)
	for r := range rows {
		rows[r] = make([]float64, v.Cols)
		for j, x := range v.Row(r) {
			rows[r][j] = float64(x)
		}
	}
	return rows
}

// machineShape describes a machine's layers: "784 gaussian × 16 binary".
func machineShape(m *rbm.Machine) string {
	describe := func(l layer.Layer) string {
		if valuesOf(l.Kind()) == layer.Categories {
			return fmt.Sprintf("%d %s (%d states)", l.Units(), l.Kind(), l.States())
		}
		return fmt.Sprintf("%d %s", l.Units(), l.Kind())
	}
	return describe(m.Visible) + " × " + describe(m.Hidden)
}

// machineInfo prints rbm info for a machine.
func machineInfo(w io.Writer, path string, m *rbm.Machine, meta *rbm.Meta, asJSON bool) error {
	stats := map[string]blockStats{"W": summarise64(m.W)}
	params := len(m.W)
	for _, side := range []struct {
		name string
		l    layer.Layer
	}{{"visible", m.Visible}, {"hidden", m.Hidden}} {
		for _, p := range side.l.Params() {
			stats[side.name+"."+p.Name] = summarise64(p.Values)
			params += len(p.Values)
		}
	}
	info := modelInfo{File: path, Visible: m.Visible.Width(), Hidden: m.Hidden.Width(), Parameters: params, Meta: meta, Stats: stats}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	fmt.Fprintf(w, "model      %s\n", path)
	fmt.Fprintf(w, "shape      %s (%d parameters)\n", machineShape(m), params)
	if meta.ImageRows > 0 {
		fmt.Fprintf(w, "image      %d×%d\n", meta.ImageRows, meta.ImageCols)
	}
	if meta.Binarize != "" {
		fmt.Fprintf(w, "binarize   %s\n", meta.Binarize)
	}
	if meta.Scaling != nil {
		fmt.Fprintln(w, "scaling    each column standardised (mean and scale recorded)")
	}
	if t := meta.Training; t != nil {
		fmt.Fprintf(w, "training   %s; %d epochs of %d rows, seed %d\n", describeTraining(t), meta.Epochs, meta.Rows, t.Seed)
		fmt.Fprintf(w, "settings   %s\n", describeSettings(t))
	}
	if meta.BestEpoch > 0 && meta.HeldOut != nil {
		fmt.Fprintf(w, "kept       epoch %d, the best held-out estimate: %s\n", meta.BestEpoch, describeLogLik(meta.HeldOut))
	}
	for _, l := range []layer.Layer{m.Visible, m.Hidden} {
		for _, p := range l.Params() {
			if p.Fixed {
				fmt.Fprintf(w, "fixed      %s %s (not trained)\n", l.Kind(), p.Name)
			}
		}
	}
	switch {
	case meta.Stopped != "":
		fmt.Fprintf(w, "note       training stopped: %s; these are the parameters before that update\n", meta.Stopped)
	case meta.Interrupted:
		fmt.Fprintln(w, "note       training was interrupted")
	}
	if f := meta.Final; f != nil && f.ReconError != 0 {
		fmt.Fprintf(w, "last epoch recon %.3f, F(train) %.3f", f.ReconError, f.FreeEnergyTrain)
		if f.Gap != nil {
			fmt.Fprintf(w, ", F(val) %.3f, gap %+.3f", *f.FreeEnergyVal, *f.Gap)
		}
		fmt.Fprintln(w)
	}
	names := []string{"W"}
	for _, side := range []struct {
		name string
		l    layer.Layer
	}{{"visible", m.Visible}, {"hidden", m.Hidden}} {
		for _, p := range side.l.Params() {
			names = append(names, side.name+"."+p.Name)
		}
	}
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, name := range names {
		s := stats[name]
		fmt.Fprintf(w, "%-*s min %+.4f  max %+.4f  mean %+.4f  std %.4f\n", max(width, 10), name, s.Min, s.Max, s.Mean, s.Std)
	}
	return nil
}

func summarise64(x []float64) blockStats {
	s := blockStats{Min: math.Inf(1), Max: math.Inf(-1)}
	var sum, sq float64
	for _, v := range x {
		s.Min, s.Max = math.Min(s.Min, v), math.Max(s.Max, v)
		sum += v
	}
	s.Mean = sum / float64(len(x))
	for _, v := range x {
		sq += (v - s.Mean) * (v - s.Mean)
	}
	s.Std = math.Sqrt(sq / float64(len(x)))
	return s
}

// machineFeatures returns E[h|v] for every row of v as a float32 matrix.
func machineFeatures(m *rbm.Machine, v *rbm.Matrix) *rbm.Matrix {
	out := rbm.NewMatrix(v.Rows, m.Hidden.Width())
	in := make([]float64, m.Hidden.Width())
	mean := make([]float64, m.Hidden.Width())
	for r, row := range rowsOfMatrix(v) {
		m.HiddenInput(in, row)
		m.Hidden.Mean(mean, in)
		for j, x := range mean {
			out.Data[r*out.Cols+j] = float32(x)
		}
	}
	return out
}
