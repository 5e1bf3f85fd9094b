package dataset

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
)

// formatOf returns the data format the name of path gives, after any
// ".gz": "npy", "csv", or "" for IDX (whose compression is detected from
// the bytes).
func formatOf(path string) string {
	base := strings.TrimSuffix(strings.ToLower(filepath.Base(path)), ".gz")
	switch filepath.Ext(base) {
	case ".npy":
		return "npy"
	case ".csv":
		return "csv"
	}
	return ""
}

// LoadBits reads data for two-state (binary or spin) units as bits: 0 or
// 1, or with the Probabilities mode values in [0,1]. It reads an IDX file
// as Load does, so that a file gives the same bits as a binary RBM trains
// on, and a 2-D .npy array (ReadNPY) or a CSV file, plain or gzipped
// (LoadCSV), chosen by the file's extension, whose values must lie in
// [0,1] and are binarized as Load binarizes IDX probabilities.
//
// With spins set, the data may instead hold ±1 spins, as rbm sample
// writes for spin units: a .npy array, a CSV file or an IDX file of
// other than bytes (whose values Load scales) that holds a negative
// value must hold only -1 and +1, which read as the bits 0 and 1 in any
// mode. The two forms cannot be confused: 0 is no spin, -1 no bit.
//
// A value outside these is an error naming the file, and its row (its
// line in a CSV file) and column, counted from 1.
func LoadBits(path string, opt Options, spins bool) (*rbm.Matrix, Shape, error) {
	var (
		values *rbm.Matrix
		shape  Shape
		lines  []int // of a CSV file's rows
		err    error
	)
	switch formatOf(path) {
	case "npy":
		if values, err = ReadNPY(path); err != nil {
			return nil, Shape{}, err
		}
	case "csv":
		if values, _, lines, err = loadCSV(path); err != nil {
			return nil, Shape{}, err
		}
	default:
		a, err := readIDX(path)
		if err != nil {
			return nil, Shape{}, err
		}
		if !spins || !negative(a) {
			// As Load reads it, for the same bits: converting float64
			// data to float32 first could move a value across the cut.
			m, shape, err := fromIDX(a, opt)
			if err != nil {
				hint := ""
				if spins {
					hint = ", or -1 and +1 for spins"
				}
				return nil, Shape{}, fmt.Errorf("dataset: %s: %w%s", path, err, hint)
			}
			return m, shape, nil
		}
		rows, cols, err := layout(a)
		if err != nil {
			return nil, Shape{}, fmt.Errorf("dataset: %s: %w", path, err)
		}
		values = &rbm.Matrix{Rows: rows, Cols: cols, Data: a.Float32s()}
		shape = shapeOf(a.Dims)
	}
	where := rowColumn(values.Cols)
	if lines != nil {
		where = lineColumn(values.Cols, lines)
	}
	m, err := bitsOf(values, opt, spins, where)
	if err != nil {
		return nil, Shape{}, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return m, shape, nil
}

// negative reports whether a, an IDX array of other than bytes, holds a
// negative value.
func negative(a *idx.Array) bool {
	switch data := a.Data.(type) {
	case []int16:
		return slices.ContainsFunc(data, func(v int16) bool { return v < 0 })
	case []int32:
		return slices.ContainsFunc(data, func(v int32) bool { return v < 0 })
	case []float32:
		return slices.ContainsFunc(data, func(v float32) bool { return v < 0 })
	case []float64:
		return slices.ContainsFunc(data, func(v float64) bool { return v < 0 })
	}
	return false
}

// bitsOf returns the values read from a file as bits, as LoadBits
// describes.
func bitsOf(values *rbm.Matrix, opt Options, spins bool, where func(int) string) (*rbm.Matrix, error) {
	b, err := opt.binarizer()
	if err != nil {
		return nil, err
	}
	m := rbm.NewMatrix(values.Rows, values.Cols)
	if spins && slices.ContainsFunc(values.Data, func(v float32) bool { return v < 0 }) {
		for i, v := range values.Data {
			if v != -1 && v != 1 {
				return nil, fmt.Errorf("%s: %v is not a spin, -1 or +1 (the data hold negative values, so they are read as spins)", where(i), v)
			}
			m.Data[i] = (v + 1) / 2
		}
		return m, nil
	}
	want := "[0,1]"
	if spins {
		want = "[0,1] (bits) and is not -1 or +1 (spins)"
	}
	for i, v := range values.Data {
		if !(v >= 0 && v <= 1) { // false for NaN too
			return nil, fmt.Errorf("%s: %v is outside %s", where(i), v, want)
		}
	}
	binarize(m.Data, values.Data, 0, 1, b)
	return m, nil
}
