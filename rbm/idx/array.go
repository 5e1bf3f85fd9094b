package idx

import (
	"fmt"
	"math"
	"strings"
)

// MaxDataSize is the largest data section, in bytes, that Decode accepts
// and New and Encode allow (16 GiB). It bounds what a header alone can make
// the decoder attempt; a valid file below it is read in full.
const MaxDataSize = 1 << 34

// maxDims is the largest dimension count the format can express: it is
// stored in one byte.
const maxDims = math.MaxUint8

// An Array is the content of an IDX file: elements of one Type laid out
// row-major over Dims, the first dimension varying slowest.
//
// Data is exactly one of []uint8, []int8, []int16, []int32, []float32 or
// []float64, matching Type, and holds the product of Dims elements; an
// Array with no dimensions is a scalar of one element. New and Decode only
// return Arrays that satisfy this, and Encode rejects any that do not.
type Array struct {
	Type Type
	Dims []int
	Data any
}

// New returns an Array of the given dimensions holding data, whose dynamic
// type (one of the slices listed on Array) sets the Array's Type. The
// Array keeps data without copying it; Dims is a copy of dims.
func New(dims []int, data any) (*Array, error) {
	t, ok := typeOf(data)
	if !ok {
		return nil, fmt.Errorf("idx: unsupported data type %T", data)
	}
	a := &Array{Type: t, Dims: append([]int(nil), dims...), Data: data}
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	return a, nil
}

// Len returns the number of elements in a.Data, or 0 if Data is not a
// supported slice. For any Array from New or Decode, it is the product of
// a.Dims.
func (a *Array) Len() int {
	switch d := a.Data.(type) {
	case []uint8:
		return len(d)
	case []int8:
		return len(d)
	case []int16:
		return len(d)
	case []int32:
		return len(d)
	case []float32:
		return len(d)
	case []float64:
		return len(d)
	}
	return 0
}

// At returns element i of the row-major data as a float64, which holds
// every value of every element type exactly. Like a slice index, it panics
// if i is out of range, and it panics if Data is not a supported slice.
func (a *Array) At(i int) float64 {
	switch d := a.Data.(type) {
	case []uint8:
		return float64(d[i])
	case []int8:
		return float64(d[i])
	case []int16:
		return float64(d[i])
	case []int32:
		return float64(d[i])
	case []float32:
		return float64(d[i])
	case []float64:
		return d[i]
	}
	panic(fmt.Sprintf("idx: Array.At on unsupported data type %T", a.Data))
}

// Float32s returns the elements converted to float32 in a new slice.
// Integers convert exactly except int32 values beyond ±2^24, and float64
// values are rounded to the nearest float32. It returns nil if Data is not
// a supported slice.
func (a *Array) Float32s() []float32 {
	switch d := a.Data.(type) {
	case []uint8:
		return toFloat32(d)
	case []int8:
		return toFloat32(d)
	case []int16:
		return toFloat32(d)
	case []int32:
		return toFloat32(d)
	case []float32:
		return toFloat32(d)
	case []float64:
		return toFloat32(d)
	}
	return nil
}

type number interface {
	~uint8 | ~int8 | ~int16 | ~int32 | ~float32 | ~float64
}

func toFloat32[T number](s []T) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(v)
	}
	return out
}

// validate reports whether a satisfies the invariants documented on Array
// and fits the format, so that Encode can write it.
func (a *Array) validate() error {
	if t, ok := typeOf(a.Data); !ok {
		return fmt.Errorf("unsupported data type %T", a.Data)
	} else if t != a.Type {
		return fmt.Errorf("type %v does not match data of type %T", a.Type, a.Data)
	}
	if len(a.Dims) > maxDims {
		return tooLargeErrorf("%d dimensions, the format allows at most %d", len(a.Dims), maxDims)
	}
	dims := make([]uint64, len(a.Dims))
	for i, d := range a.Dims {
		if d < 0 {
			return fmt.Errorf("negative dimension in %v", a.Dims)
		}
		if uint64(d) > math.MaxUint32 {
			return tooLargeErrorf("dimension %d exceeds the format's 32-bit limit", d)
		}
		dims[i] = uint64(d)
	}
	n, err := elementCount(a.Type, dims)
	if err != nil {
		return err
	}
	if n != a.Len() {
		return fmt.Errorf("dims %v hold %d elements, data has %d", a.Dims, n, a.Len())
	}
	return nil
}

// elementCount returns the product of dims for an array of type t, or an
// ErrTooLarge error if its data would exceed MaxDataSize bytes or a count
// or dimension would not fit in an int. It never overflows, whatever dims
// hold.
func elementCount(t Type, dims []uint64) (int, error) {
	limit := min(uint64(MaxDataSize)/uint64(t.Size()), math.MaxInt)
	for _, d := range dims {
		if d > math.MaxInt {
			// Only possible where int has 32 bits, beside a zero dimension.
			return 0, tooLargeErrorf("dimension %d does not fit in an int", d)
		}
	}
	for _, d := range dims {
		if d == 0 {
			return 0, nil // an empty dimension empties the array, however large the others
		}
	}
	n := uint64(1)
	for _, d := range dims {
		if n > limit/d {
			return 0, tooLargeErrorf("dims %s of %v data exceed the %d-byte limit", formatDims(dims), t, uint64(MaxDataSize))
		}
		n *= d
	}
	return int(n), nil
}

// formatDims formats dims for a message, eliding the middle of a long list
// such as the 255 dimensions a hostile header may hold.
func formatDims(dims []uint64) string {
	const shown = 4
	if len(dims) <= 2*shown {
		return fmt.Sprint(dims)
	}
	head := strings.Trim(fmt.Sprint(dims[:shown]), "[]")
	tail := strings.Trim(fmt.Sprint(dims[len(dims)-shown:]), "[]")
	return fmt.Sprintf("[%s ... %s] (%d dims)", head, tail, len(dims))
}
