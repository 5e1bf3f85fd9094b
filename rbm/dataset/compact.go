package dataset

import (
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
)

// LoadCompact reads the IDX file at path, plain or gzip-compressed, into
// the most compact data training can read. With a binary mode (Threshold
// or Stochastic) that is a *rbm.BitMatrix, one bit per value, filled a
// chunk of rows at a time as the file is decoded, so that neither the
// file's elements nor a float32 copy of them is ever held whole: the
// 60,000 MNIST images take 6.2 MB instead of the 47 MB of their pixels
// and the 188 MB of Load's matrix. With Probabilities it is the
// *rbm.Matrix Load returns. The values are Load's exactly, the Stochastic
// draws included (one per element, in row-major order).
//
// Its errors name the file, as Load's do.
func LoadCompact(path string, opt Options) (rbm.Data, Shape, error) {
	if opt.Binarize == Probabilities {
		m, shape, err := Load(path, opt)
		if err != nil {
			return nil, Shape{}, err
		}
		return m, shape, nil
	}
	b, err := opt.binarizer()
	if err != nil {
		return nil, Shape{}, fmt.Errorf("dataset: %w", err)
	}
	r, err := idx.Open(path)
	if err != nil {
		return nil, Shape{}, err // it names the file already
	}
	defer r.Close()
	bits, err := readBits(r, b)
	if err != nil {
		if _, ok := err.(dataError); ok {
			return nil, Shape{}, fmt.Errorf("dataset: %s: %w", path, err)
		}
		return nil, Shape{}, err // from the Reader, which names the file
	}
	return bits, shapeOf(r.Dims), nil
}

// dataError marks an error in the content of the data, as opposed to one
// from the Reader, which carries its own prefix.
type dataError struct{ error }

func (e dataError) Unwrap() error { return e.error }

// chunkValues is how many elements readBits converts at a time.
const chunkValues = 64 << 10

// readBits reads the rest of r, an array of binary-mode training data
// (see FromIDX), into a BitMatrix a chunk of elements at a time. When the
// input's size was not measured (gzip, pipes) the matrix grows as rows
// arrive, so that a header's claim alone never sets the allocation.
func readBits(r *idx.Reader, b binarizer) (*rbm.BitMatrix, error) {
	rows, cols, err := layoutOf(r.Dims)
	if err != nil {
		return nil, dataError{err}
	}
	if cols == 0 {
		// No elements to read, only the end of the input to check.
		if _, err := r.Read(emptyOf(r.Type)); err != io.EOF {
			return nil, err
		}
		return rbm.NewBitMatrix(rows, 0), nil
	}
	out := rbm.NewBitMatrix(0, cols)
	if r.Measured() {
		out.Grow(rows)
	}
	switch r.Type {
	case idx.UByte:
		err = streamBits(r, out, byteRule[uint8](b, 0, math.MaxUint8))
	case idx.SByte:
		err = streamBits(r, out, byteRule[int8](b, -math.MinInt8, math.MaxUint8))
	case idx.Int16:
		err = streamBits(r, out, probabilityRule[int16](b))
	case idx.Int32:
		err = streamBits(r, out, probabilityRule[int32](b))
	case idx.Float32:
		err = streamBits(r, out, probabilityRule[float32](b))
	case idx.Float64:
		err = streamBits(r, out, probabilityRule[float64](b))
	default:
		err = dataError{fmt.Errorf("unsupported element type %v", r.Type)}
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// emptyOf returns an empty slice of the Go type of t's elements.
func emptyOf(t idx.Type) any {
	switch t {
	case idx.SByte:
		return []int8{}
	case idx.Int16:
		return []int16{}
	case idx.Int32:
		return []int32{}
	case idx.Float32:
		return []float32{}
	case idx.Float64:
		return []float64{}
	}
	return []uint8{}
}

// rule sets units from elements: on[j] from src[j], the element in row i,
// column col+j; it reports an element that is not valid data.
type rule[T element] func(on []bool, src []T, i, col int) error

// streamBits reads the rows of T in r, a chunk of elements at a time, and
// appends each row to out as convert turns it into units. A row may span
// chunks, and its units are kept only as its elements arrive, so that
// memory follows the data read rather than the header's dimensions.
func streamBits[T element](r *idx.Reader, out *rbm.BitMatrix, convert rule[T]) error {
	_, cols := out.Dims()
	n := r.Len()
	buf := make([]T, min(n, chunkValues))
	on := make([]bool, 0, min(cols, chunkValues))
	row := 0
	for done := 0; done < n; {
		k := min(len(buf), n-done)
		if _, err := r.Read(buf[:k]); err != nil {
			return err // the Reader fills buf unless it fails
		}
		for src := buf[:k]; len(src) > 0; {
			j := len(on)
			m := min(len(src), cols-j)
			on = slices.Grow(on, m)[:j+m]
			if err := convert(on[j:], src[:m], row, j); err != nil {
				return dataError{err}
			}
			src = src[m:]
			if len(on) == cols {
				out.AppendRow(on)
				on, row = on[:0], row+1
			}
		}
		done += k
	}
	// An array of no elements still ends where its header says.
	if _, err := r.Read(buf[:0]); err != io.EOF {
		return err
	}
	return nil
}

// byteRule returns the rule of binarizer b for ubyte or sbyte elements,
// scaled as (v+offset)/divisor: each of the 256 values is scaled once, by
// the same arithmetic as binarize, so the units are FromIDX's.
func byteRule[T uint8 | int8](b binarizer, offset, divisor float64) rule[T] {
	var p [256]float64
	var cut [256]bool
	for v := range 256 {
		x := T(v) // uint8 0..255, or int8 0..127, -128..-1
		p[uint8(x)] = (float64(x) + offset) / divisor
		cut[uint8(x)] = p[uint8(x)] >= b.cut
	}
	if b.mode == Stochastic {
		return func(on []bool, src []T, _, _ int) error {
			for j, v := range src {
				on[j] = b.rand.Float64() < p[uint8(v)]
			}
			return nil
		}
	}
	return func(on []bool, src []T, _, _ int) error {
		for j, v := range src {
			on[j] = cut[uint8(v)]
		}
		return nil
	}
}

// probabilityRule returns the rule of binarizer b for elements that must
// be probabilities already, with binarizeProbabilities' check.
func probabilityRule[T int16 | int32 | float32 | float64](b binarizer) rule[T] {
	return func(on []bool, src []T, i, col int) error {
		for j, v := range src {
			if p := float64(v); !(p >= 0 && p <= 1) { // false for NaN too
				return fmt.Errorf("row %d, column %d: %T value %v is outside [0,1]; data other than ubyte and sbyte must be probabilities", i, col+j, v, v)
			}
		}
		for j, v := range src {
			if b.mode == Stochastic {
				on[j] = b.rand.Float64() < float64(v)
			} else {
				on[j] = float64(v) >= b.cut
			}
		}
		return nil
	}
}
