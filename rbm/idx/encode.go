package idx

import (
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// Encode writes a to w as a plain IDX file. If a does not satisfy the
// invariants documented on Array, Encode writes nothing and returns an
// error.
func Encode(w io.Writer, a *Array) error {
	return encodeValid(w, a, false)
}

// EncodeGzip is like Encode but writes the file gzip-compressed, as Decode
// and ReadFile accept it.
func EncodeGzip(w io.Writer, a *Array) error {
	return encodeValid(w, a, true)
}

func encodeValid(w io.Writer, a *Array, compress bool) error {
	if err := a.validate(); err != nil {
		return fmt.Errorf("idx: %w", err)
	}
	if err := encode(w, a, compress); err != nil {
		return fmt.Errorf("idx: %w", err)
	}
	return nil
}

// encode writes a, which must be valid, optionally gzip-compressed.
func encode(w io.Writer, a *Array, compress bool) error {
	if !compress {
		return writeArray(w, a)
	}
	zw := gzip.NewWriter(w)
	if err := writeArray(zw, a); err != nil {
		return err
	}
	return zw.Close()
}

func writeArray(w io.Writer, a *Array) error {
	header := make([]byte, 4, headerSize(len(a.Dims)))
	header[2], header[3] = byte(a.Type), byte(len(a.Dims))
	for _, d := range a.Dims {
		header = binary.BigEndian.AppendUint32(header, uint32(d))
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	switch d := a.Data.(type) {
	case []uint8:
		_, err := w.Write(d)
		return err
	case []int8:
		return writeElems(w, d, 1, func(dst []byte, src []int8) {
			for i, v := range src {
				dst[i] = byte(v)
			}
		})
	case []int16:
		return writeElems(w, d, 2, func(dst []byte, src []int16) {
			for i, v := range src {
				binary.BigEndian.PutUint16(dst[2*i:], uint16(v))
			}
		})
	case []int32:
		return writeElems(w, d, 4, func(dst []byte, src []int32) {
			for i, v := range src {
				binary.BigEndian.PutUint32(dst[4*i:], uint32(v))
			}
		})
	case []float32:
		return writeElems(w, d, 4, func(dst []byte, src []float32) {
			for i, v := range src {
				binary.BigEndian.PutUint32(dst[4*i:], math.Float32bits(v))
			}
		})
	case []float64:
		return writeElems(w, d, 8, func(dst []byte, src []float64) {
			for i, v := range src {
				binary.BigEndian.PutUint64(dst[8*i:], math.Float64bits(v))
			}
		})
	}
	panic(fmt.Sprintf("idx: writeArray on unchecked data type %T", a.Data))
}

// writeElems writes data, size bytes an element, converting it a chunk at
// a time with encode so that the output never needs a full-size copy.
func writeElems[T any](w io.Writer, data []T, size int, encode func(dst []byte, src []T)) error {
	buf := make([]byte, min(len(data), chunkSize/size)*size)
	for len(data) > 0 {
		k := min(len(data), len(buf)/size)
		encode(buf[:k*size], data[:k])
		if _, err := w.Write(buf[:k*size]); err != nil {
			return err
		}
		data = data[k:]
	}
	return nil
}
