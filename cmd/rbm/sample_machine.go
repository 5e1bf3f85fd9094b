package main

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/rbmkit/rbm/internal/atomicfile"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/idx"
	"github.com/rbmkit/rbm/rbm/layer"
	"gonum.org/v1/gonum/mat"
)

// machineSampling is what rbm sample has parsed for a version 2 model.
type machineSampling struct {
	path      string
	n, steps  int
	seed      uint64
	out, from string
	states    bool
	shapeFlag string
	maxMem    float64
	data      *dataFlags
}

// sampleMachine draws from a machine of any unit types (rbm.Machine's
// Sample) and writes the samples in the data's own terms: standardised
// values mapped back, Potts states as category numbers.
func sampleMachine(ctx context.Context, e *env, s *machineSampling) error {
	m, meta, err := loadMachineModel(s.path)
	if err != nil {
		return err
	}
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	need := 8 * float64(s.n) * float64(2*vw+hw)
	if err := checkMemory(need, s.maxMem, fmt.Sprintf("sampling %d chains of a %s RBM", s.n, machineShape(m))); err != nil {
		return err
	}
	var start *rbm.Matrix
	if s.from != "" {
		s.data.seed = s.seed
		if start, err = loadMachineDataFor(s.data, s.from, m, meta); err != nil {
			return err
		}
		if start.Rows < s.n {
			return fmt.Errorf("%s: has %d rows, -n asks for %d chains", s.from, start.Rows, s.n)
		}
	}
	// The output's format is checked before the sampling, which can be
	// long.
	categories := valuesOf(m.Visible.Kind()) == layer.Categories && s.states
	shape, shapeErr := imageShape(s.shapeFlag, meta, vw)
	if categories {
		if err := categoryFormat(s.out, m.Visible.States()); err != nil {
			return err
		}
	} else if shapeErr != nil && (s.shapeFlag != "" || outputFormat(s.out) == "png") {
		return shapeErr
	}
	fmt.Fprintf(e.stderr, "sampling %d chains of %d Gibbs steps from a %s RBM\n", s.n, s.steps, machineShape(m))
	var init *mat.Dense
	if start != nil {
		init = start.Dense()
	}
	states, means, err := m.Sample(ctx, s.n, s.steps, s.seed, init)
	if err != nil {
		return err
	}
	chosen := means
	if s.states {
		chosen = states
	}
	result := rbm.NewMatrix(s.n, vw)
	for i, x := range chosen.RawMatrix().Data {
		result.Data[i] = float32(x)
		if math.IsNaN(x) || math.IsInf(float64(result.Data[i]), 0) {
			return fmt.Errorf("%s: sample %d, value %d is %v: the %s machine has no density at these weights (its free energy is unbounded below), so its Gibbs chains run away", s.path, i/vw+1, i%vw+1, x, machineShape(m))
		}
	}
	if meta.Scaling != nil {
		if err := meta.Scaling.Invert(result); err != nil {
			return fmt.Errorf("%s: %w", s.path, err)
		}
	}
	if categories {
		if err := writeCategories(s.out, result, m.Visible.States()); err != nil {
			return err
		}
	} else if err := writeMatrix(s.out, result, shape); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d samples after %d Gibbs steps to %s\n", s.n, s.steps, s.out)
	return nil
}

// writeCategories writes one-hot rows of q columns per unit as category
// numbers: ubyte IDX (q ≤ 256), CSV of integers or float32 .npy.
func writeCategories(path string, onehot *rbm.Matrix, q int) error {
	units := onehot.Cols / q
	cats := rbm.NewMatrix(onehot.Rows, units)
	for r := range onehot.Rows {
		row := onehot.Row(r)
		for i := range units {
			for a := range q {
				if row[i*q+a] == 1 {
					cats.Row(r)[i] = float32(a)
				}
			}
		}
	}
	if err := categoryFormat(path, q); err != nil {
		return err
	}
	switch ext := outputFormat(path); ext {
	case "idx", "idx.gz":
		data := make([]uint8, len(cats.Data))
		for i, c := range cats.Data {
			data[i] = uint8(c)
		}
		return idx.WriteFile(path, &idx.Array{Type: idx.UByte, Dims: []int{cats.Rows, cats.Cols}, Data: data}, ext == "idx.gz")
	case "npy":
		return atomicfile.Write(path, func(w io.Writer) error { return dataset.WriteNPY(w, cats) })
	case "csv":
		return atomicfile.Write(path, func(w io.Writer) error { return writeCSV(w, cats) })
	}
	panic("unreachable: categoryFormat accepted " + path)
}

// categoryFormat reports an output path that cannot hold q-state
// categories.
func categoryFormat(path string, q int) error {
	switch outputFormat(path) {
	case "idx", "idx.gz":
		if q > 256 {
			return usagef("%s: %d categories do not fit IDX unsigned bytes; write .csv or .npy", path, q)
		}
		return nil
	case "npy", "csv":
		return nil
	}
	return usagef("%s: Potts states are written as .idx, .idx.gz, .csv or .npy", path)
}
