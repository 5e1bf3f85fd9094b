package dataset

import (
	"errors"
	"fmt"
	"math"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
)

// Shape is the height and width of the image each row of a data matrix
// holds, kept so that rows can be drawn as pictures again. It is zero
// when the rows are not known to be images.
type Shape struct {
	Height, Width int
}

// FromIDX returns the training matrix held in a: one row per index of the
// first dimension, the remaining dimensions flattened row-major into the
// columns. A three-dimensional array is a stack of images, rows × height
// × width, and its Shape records height and width; for other ranks the
// Shape is zero. A one-dimensional array, such as a label file, is not
// training data and is an error (see Labels).
//
// Each element is first scaled to [0,1] according to its type:
//
//	ubyte      0..255 maps linearly onto [0,1]: v/255, unless every
//	           element is 0 or 1: binary data stored as bytes, taken as
//	           they are (scaled, they would all lie below 1/255)
//	sbyte      -128..127 maps linearly onto [0,1]: (v+128)/255
//	otherwise  the values are probabilities already; one outside [0,1]
//	           (or NaN) is an error
//
// and then turned into a unit's value as opt.Binarize says.
func FromIDX(a *idx.Array, opt Options) (*rbm.Matrix, Shape, error) {
	m, shape, err := fromIDX(a, opt)
	if err != nil {
		return nil, Shape{}, fmt.Errorf("dataset: %w", err)
	}
	return m, shape, nil
}

// Load reads the IDX file at path, plain or gzip-compressed, and converts
// it as FromIDX does. Its errors name the file. For training, LoadCompact
// gives the same values in a thirty-second of the memory.
func Load(path string, opt Options) (*rbm.Matrix, Shape, error) {
	a, err := readIDX(path)
	if err != nil {
		return nil, Shape{}, err // it names the file already
	}
	m, shape, err := fromIDX(a, opt)
	if err != nil {
		return nil, Shape{}, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return m, shape, nil
}

// fromIDX implements FromIDX with errors that lack the "dataset:" prefix.
func fromIDX(a *idx.Array, opt Options) (*rbm.Matrix, Shape, error) {
	b, err := opt.binarizer()
	if err != nil {
		return nil, Shape{}, err
	}
	rows, cols, err := layout(a)
	if err != nil {
		return nil, Shape{}, err
	}
	m := rbm.NewMatrix(rows, cols)
	if err := fill(m, a, b); err != nil {
		return nil, Shape{}, err
	}
	return m, shapeOf(a.Dims), nil
}

// layout returns the matrix dimensions of a: its first dimension, and the
// product of the others.
func layout(a *idx.Array) (rows, cols int, err error) {
	switch a.Data.(type) {
	case []uint8, []int8, []int16, []int32, []float32, []float64:
	default:
		// Checked first, as Len counts no elements in such data.
		return 0, 0, fmt.Errorf("unsupported data type %T", a.Data)
	}
	rows, cols, err = layoutOf(a.Dims)
	if err != nil {
		return 0, 0, err
	}
	if rows*cols != a.Len() {
		return 0, 0, fmt.Errorf("dims %v do not match the %d elements of the data", a.Dims, a.Len())
	}
	return rows, cols, nil
}

// layoutOf returns the matrix dimensions of an array of the given
// dimensions, or an error if it is not training data.
func layoutOf(dims []int) (rows, cols int, err error) {
	switch len(dims) {
	case 0:
		return 0, 0, errors.New("a scalar is not training data: want rows × columns, or rows × height × width")
	case 1:
		return 0, 0, fmt.Errorf("a 1-D array of %d values, such as a label file, is not training data: want rows × columns, or rows × height × width", dims[0])
	}
	for _, d := range dims {
		if d < 0 {
			return 0, 0, fmt.Errorf("negative dimension in %v", dims)
		}
	}
	rows, cols = dims[0], 1
	for _, d := range dims[1:] {
		// An array with no rows holds no data to bound its other
		// dimensions, so their product is checked here.
		if d != 0 && cols > idx.MaxDataSize/d {
			return 0, 0, fmt.Errorf("dims %v: rows of more than %d values", dims, idx.MaxDataSize)
		}
		cols *= d
	}
	return rows, cols, nil
}

// shapeOf returns the image shape of an array of the given dimensions.
func shapeOf(dims []int) Shape {
	if len(dims) == 3 {
		return Shape{Height: dims[1], Width: dims[2]}
	}
	return Shape{}
}

// fill sets m from the elements of a, scaled to [0,1] by type as FromIDX
// documents and binarized by b.
func fill(m *rbm.Matrix, a *idx.Array, b binarizer) error {
	switch data := a.Data.(type) {
	case []uint8:
		binarize(m.Data, data, 0, byteDivisor(!bytesAboveOne(data)), b)
	case []int8:
		binarize(m.Data, data, -math.MinInt8, math.MaxUint8, b)
	case []int16:
		return binarizeProbabilities(m, data, b)
	case []int32:
		return binarizeProbabilities(m, data, b)
	case []float32:
		return binarizeProbabilities(m, data, b)
	case []float64:
		return binarizeProbabilities(m, data, b)
	default:
		return fmt.Errorf("unsupported data type %T", a.Data)
	}
	return nil
}

// bytesAboveOne reports whether any of data is above 1: whether ubyte
// data are grey levels rather than binary values stored as bytes.
func bytesAboveOne(data []uint8) bool {
	for _, v := range data {
		if v > 1 {
			return true
		}
	}
	return false
}

// byteDivisor returns what ubyte elements are divided by: 1 for binary
// data stored as bytes (every element 0 or 1), else 255.
func byteDivisor(binary bool) float64 {
	if binary {
		return 1
	}
	return math.MaxUint8
}

type element interface {
	uint8 | int8 | int16 | int32 | float32 | float64
}

// binarizeProbabilities fills m from data taken as probabilities as they
// stand, after checking that every value lies in [0,1].
func binarizeProbabilities[T int16 | int32 | float32 | float64](m *rbm.Matrix, data []T, b binarizer) error {
	for i, v := range data {
		if p := float64(v); !(p >= 0 && p <= 1) { // false for NaN too
			return fmt.Errorf("row %d, column %d: %T value %v is outside [0,1]; data other than ubyte and sbyte must be probabilities", i/m.Cols+1, i%m.Cols+1, v, v)
		}
	}
	binarize(m.Data, data, 0, 1, b)
	return nil
}

// binarize sets dst[i] from the scaled value p = (src[i]+offset)/divisor,
// which must lie in [0,1], as b's mode says. Division rather than
// multiplication by a reciprocal keeps p exact where it can be (128/255
// against a cut of 128.0/255, say), and the mode is chosen outside the
// loops so that they do no more than they must per pixel.
func binarize[T element](dst []float32, src []T, offset, divisor float64, b binarizer) {
	switch b.mode {
	case Threshold:
		for i, v := range src {
			dst[i] = bit((float64(v)+offset)/divisor >= b.cut)
		}
	case Stochastic:
		// Float64 lies in [0,1), so p = 0 never fires and p = 1 always does.
		for i, v := range src {
			dst[i] = bit(b.rand.Float64() < (float64(v)+offset)/divisor)
		}
	case Probabilities:
		for i, v := range src {
			dst[i] = float32((float64(v) + offset) / divisor)
		}
	}
}

func bit(on bool) float32 {
	if on {
		return 1
	}
	return 0
}
