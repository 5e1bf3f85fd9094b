package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
)

// LoadValues reads real-valued data for continuous (Gaussian, ReLU,
// dReLU) units: an IDX file, or a 2-D .npy array (see ReadNPY), plain or
// gzipped. Unsigned bytes in IDX files scale to [0, 1] (v/255) and signed
// bytes to (v+128)/255, as FromIDX does; every other element type, and
// every .npy element, is taken as it is.
// A value that is not finite is an error naming its row and column.
//
// With dequantize set, byte data becomes (v + u)/256 instead, u uniform on
// [0, 1) drawn from dequantize in row-major order: the usual way to give
// quantised data (such as images) a density that a continuous model can
// be scored on, since a density on the 256 levels themselves is unbounded.
// A continuous model's log-likelihood of dequantised data is then a
// stochastic lower bound on the log-probability of the bytes (scaled to
// the unit cube: add 784·log 256 nats per MNIST image for the bytes' own
// scale).
func LoadValues(path string, dequantize *rand.Rand) (*rbm.Matrix, Shape, error) {
	if formatOf(path) == "npy" {
		if dequantize != nil {
			return nil, Shape{}, fmt.Errorf("dataset: %s: only IDX byte data is dequantised, not .npy arrays", path)
		}
		m, err := ReadNPY(path)
		if err != nil {
			return nil, Shape{}, err
		}
		if err := checkFinite(m); err != nil {
			return nil, Shape{}, fmt.Errorf("dataset: %s: %w", path, err)
		}
		return m, Shape{}, nil
	}
	a, err := readIDX(path)
	if err != nil {
		return nil, Shape{}, err
	}
	rows, cols, err := layout(a)
	if err != nil {
		return nil, Shape{}, fmt.Errorf("dataset: %s: %w", path, err)
	}
	m := rbm.NewMatrix(rows, cols)
	switch data := a.Data.(type) {
	case []uint8:
		for i, v := range data {
			m.Data[i] = float32(float64(v) / 255)
			if dequantize != nil {
				m.Data[i] = float32((float64(v) + dequantize.Float64()) / 256)
			}
		}
	case []int8:
		for i, v := range data {
			m.Data[i] = float32((float64(v) + 128) / 255)
			if dequantize != nil {
				m.Data[i] = float32((float64(v) + 128 + dequantize.Float64()) / 256)
			}
		}
	default:
		if dequantize != nil {
			return nil, Shape{}, fmt.Errorf("dataset: %s: only byte data is dequantised; this file holds %T values", path, a.Data)
		}
		copy(m.Data, a.Float32s())
	}
	if err := checkFinite(m); err != nil {
		return nil, Shape{}, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return m, shapeOf(a.Dims), nil
}

func checkFinite(m *rbm.Matrix) error {
	for i, v := range m.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("row %d, column %d is %v", i/m.Cols+1, i%m.Cols+1, v)
		}
	}
	return nil
}

// LoadCategories reads categorical data for Potts units: an IDX file of
// integers (any integer element type), or a 2-D .npy array or CSV file
// (by the extension; plain or gzipped) of integer values, each value a
// category in [0, states). With states 0 the number of categories is the
// largest value plus one (at least 2). The result is one-hot, each row's
// unit i taking columns i·q to i·q+q-1, with q the number of states it
// returns. A value that is not a category is an error naming its row
// (its line in a CSV file) and column.
func LoadCategories(path string, states int) (*rbm.Matrix, Shape, int, error) {
	var (
		values *rbm.Matrix
		lines  []int
		err    error
	)
	switch formatOf(path) {
	case "npy":
		values, err = ReadNPY(path)
	case "csv":
		values, _, lines, err = loadCSV(path)
	default:
		return loadCategoriesIDX(path, states)
	}
	if err != nil {
		return nil, Shape{}, 0, err
	}
	where := rowColumn(values.Cols)
	if lines != nil {
		where = lineColumn(values.Cols, lines)
	}
	m, q, err := oneHotValues(values, states, where)
	if err != nil {
		return nil, Shape{}, 0, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return m, Shape{}, q, nil
}

// loadCategoriesIDX implements LoadCategories for IDX files.
func loadCategoriesIDX(path string, states int) (*rbm.Matrix, Shape, int, error) {
	a, err := readIDX(path)
	if err != nil {
		return nil, Shape{}, 0, err
	}
	m, q, err := OneHot(a, states)
	if err != nil {
		return nil, Shape{}, 0, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return m, shapeOf(a.Dims), q, nil
}

// OneHot returns the categories in a, an IDX array of integers, one-hot
// encoded as LoadCategories describes.
func OneHot(a *idx.Array, states int) (*rbm.Matrix, int, error) {
	rows, cols, err := layout(a)
	if err != nil {
		return nil, 0, err
	}
	var values []int
	switch data := a.Data.(type) {
	case []uint8:
		values = ints(data)
	case []int8:
		values = ints(data)
	case []int16:
		values = ints(data)
	case []int32:
		values = ints(data)
	default:
		return nil, 0, fmt.Errorf("categories must be integers, got %T data", a.Data)
	}
	q := states
	if q == 0 {
		for _, v := range values {
			q = max(q, v+1)
		}
		q = max(q, 2)
	}
	if q < 2 {
		return nil, 0, fmt.Errorf("%d states: categorical units need at least 2", q)
	}
	if uint64(rows)*uint64(cols)*uint64(q) > 1<<31 {
		return nil, 0, fmt.Errorf("%d rows of %d units with %d states each do not fit in memory as one-hot rows", rows, cols, q)
	}
	m := rbm.NewMatrix(rows, cols*q)
	for i, v := range values {
		if v < 0 || v >= q {
			return nil, 0, fmt.Errorf("row %d, column %d: category %d is outside [0, %d)", i/cols+1, i%cols+1, v, q)
		}
		m.Data[(i/cols)*cols*q+(i%cols)*q+v] = 1
	}
	return m, q, nil
}
