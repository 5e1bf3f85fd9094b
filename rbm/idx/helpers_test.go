package idx

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"math"
	"slices"
	"testing"
)

var allTypes = []Type{UByte, SByte, Int16, Int32, Float32, Float64}

// readerKinds are the ways tests feed bytes to Decode, covering its paths
// for input of known size, for streams, and for gzip.
var readerKinds = []struct {
	name string
	wrap func(input []byte) io.Reader
}{
	{"seekable", func(b []byte) io.Reader { return bytes.NewReader(b) }},
	{"stream", func(b []byte) io.Reader { return struct{ io.Reader }{bytes.NewReader(b)} }},
	{"gzip", func(b []byte) io.Reader { return bytes.NewReader(gzipped(b)) }},
}

// header returns an IDX header for type t with the given dimensions.
func header(t Type, dims ...uint32) []byte {
	h := []byte{0, 0, byte(t), byte(len(dims))}
	for _, d := range dims {
		h = binary.BigEndian.AppendUint32(h, d)
	}
	return h
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// sampleData returns n elements of type t, cycling through the type's
// extremes and, for floats, zeros, infinities and NaN.
func sampleData(t Type, n int) any {
	switch t {
	case UByte:
		return fill(n, []uint8{0, 1, 127, 128, 255})
	case SByte:
		return fill(n, []int8{0, 1, -1, math.MinInt8, math.MaxInt8})
	case Int16:
		return fill(n, []int16{0, 1, -1, math.MinInt16, math.MaxInt16, 0x0102})
	case Int32:
		return fill(n, []int32{0, 1, -1, math.MinInt32, math.MaxInt32, 0x01020304})
	case Float32:
		return fill(n, []float32{0, float32(math.Copysign(0, -1)), 0.5, -1.25, math.MaxFloat32,
			math.SmallestNonzeroFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())})
	case Float64:
		return fill(n, []float64{0, math.Copysign(0, -1), 0.5, -1.25, math.MaxFloat64,
			math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 1.0 / 3})
	}
	panic("sampleData: unknown type")
}

// fill returns n elements repeating values, each pass shifted by one so
// that rows of an array differ.
func fill[T any](n int, values []T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = values[(i+i/len(values))%len(values)]
	}
	return out
}

func sampleArray(t testing.TB, typ Type, dims ...int) *Array {
	t.Helper()
	n := 1
	for _, d := range dims {
		n *= d
	}
	a, err := New(dims, sampleData(typ, n))
	if err != nil {
		t.Fatalf("New(%v, %v data): %v", dims, typ, err)
	}
	return a
}

func encoded(t testing.TB, a *Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, a); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

// sameArray reports whether a and b have equal types, dimensions and
// element bits; comparing encodings makes NaN equal to itself.
func sameArray(t testing.TB, a, b *Array) bool {
	t.Helper()
	return a.Type == b.Type && slices.Equal(a.Dims, b.Dims) && bytes.Equal(encoded(t, a), encoded(t, b))
}
