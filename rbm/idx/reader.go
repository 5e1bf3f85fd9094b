package idx

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/klauspost/compress/gzip"
)

// A Reader decodes one IDX array a chunk of elements at a time, so that a
// caller can convert the data as it arrives instead of holding all of it:
// a data set loader that packs the MNIST images into bits never needs
// their 47 MB of bytes at once. NewReader and Open read and check the
// header; Read then delivers the elements in order.
//
// A Reader checks its input as Decode does (Decode is a Reader read to the
// end): the header's claim against the input's size when that is known,
// a short or overlong data section, and, for gzip, the stream's checksum,
// which the Read that delivers the last elements verifies.
type Reader struct {
	// Type is the element type and Dims the dimensions of the array, as
	// the header gives them.
	Type Type
	Dims []int

	in     io.Reader
	closer io.Closer // the file Open opened
	prefix string    // "idx: " or "idx: NAME: ", for errors
	source string    // "input", "decompressed file", ... for messages
	n      int       // elements in the array
	done   int       // elements read so far
	sized  bool      // the input was measured and holds exactly the data
	ended  bool      // the end of the input has been checked
	buf    []byte
	err    error // the first error, returned again by later calls
}

// NewReader reads the header of the IDX array in r, which may be
// gzip-compressed (see Decode), and returns a Reader for its elements.
func NewReader(r io.Reader) (*Reader, error) {
	rd, err := newReader(r, "input")
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	rd.prefix = "idx: "
	return rd, nil
}

// Open opens the named IDX file, plain or gzip-compressed, and reads its
// header. The Reader's errors name the file; Close closes it.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	rd, err := newReader(f, "file")
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("idx: %s: %w", path, err)
	}
	rd.prefix = "idx: " + path + ": "
	rd.closer = f
	return rd, nil
}

// Close closes the file of a Reader from Open; for one from NewReader it
// does nothing.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// Len returns the number of elements in the array, the product of Dims.
func (r *Reader) Len() int { return r.n }

// Measured reports whether the input's size was known and checked against
// the header's claim, so that the whole array can be allocated at once.
// Otherwise (gzip, pipes) the claim is unverified until the data arrive,
// and a caller that trusts it with an allocation lets a 16-byte header
// ask for gigabytes: it should grow its storage as elements arrive.
func (r *Reader) Measured() bool { return r.sized }

// Read fills data, a slice of the Go type that represents r.Type
// ([]uint8 for UByte, and so on, as on Array), with the next elements:
// all of them, unless fewer remain, when it reads those and returns their
// count. The call that reads the last elements also checks that the input
// ends there (for gzip, that its checksum matches). Once every element
// has been read, Read returns 0, io.EOF. Any other error is final: later
// calls return it again.
func (r *Reader) Read(data any) (int, error) {
	n, err := r.read(data)
	if err != nil && err != io.EOF {
		return n, fmt.Errorf("%s%w", r.prefix, err)
	}
	return n, err
}

func newReader(in io.Reader, source string) (*Reader, error) {
	size, err := remaining(in)
	if err != nil {
		return nil, err
	}
	// Reads of 64 KiB rather than bufio's 4: the 9.9 MB of gzipped MNIST
	// in 150 system calls instead of 2,400.
	buffered := bufio.NewReaderSize(in, 64<<10)
	in = buffered
	magic, err := buffered.Peek(len(gzipMagic))
	if err != nil && err != io.EOF { // short input is left to readHeader to report
		return nil, fmt.Errorf("reading header: %w", err)
	}
	if bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(buffered)
		if err != nil {
			return nil, fmt.Errorf("decompressing: %w", err)
		}
		in, size, source = zr, -1, "decompressed "+source
	}

	t, dims, err := readHeader(in, source)
	if err != nil {
		return nil, err
	}
	n, err := elementCount(t, dims)
	if err != nil {
		return nil, err
	}
	dataSize := int64(n) * int64(t.Size())
	if size >= 0 {
		have := size - headerSize(len(dims))
		if have < dataSize {
			return nil, formatErrorf("header claims %d bytes of %v data, %s has %d", dataSize, t, source, have)
		}
		if have > dataSize {
			return nil, formatErrorf("trailing data after %d bytes of %v data", dataSize, t)
		}
	}
	r := &Reader{Type: t, Dims: make([]int, len(dims)), in: in, source: source, n: n, sized: size >= 0}
	for i, d := range dims {
		r.Dims[i] = int(d) // elementCount checked that each fits
	}
	return r, nil
}

// read implements Read with errors that lack the prefix.
func (r *Reader) read(data any) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	var (
		n   int
		err error
	)
	switch r.Type {
	case UByte:
		n, err = readInto[uint8](r, data, 1, nil) // read in place, no conversion
	case SByte:
		n, err = readInto(r, data, 1, func(dst []int8, src []byte) {
			for i := range dst {
				dst[i] = int8(src[i])
			}
		})
	case Int16:
		n, err = readInto(r, data, 2, func(dst []int16, src []byte) {
			for i := range dst {
				dst[i] = int16(binary.BigEndian.Uint16(src[2*i:]))
			}
		})
	case Int32:
		n, err = readInto(r, data, 4, func(dst []int32, src []byte) {
			for i := range dst {
				dst[i] = int32(binary.BigEndian.Uint32(src[4*i:]))
			}
		})
	case Float32:
		n, err = readInto(r, data, 4, func(dst []float32, src []byte) {
			for i := range dst {
				dst[i] = math.Float32frombits(binary.BigEndian.Uint32(src[4*i:]))
			}
		})
	case Float64:
		n, err = readInto(r, data, 8, func(dst []float64, src []byte) {
			for i := range dst {
				dst[i] = math.Float64frombits(binary.BigEndian.Uint64(src[8*i:]))
			}
		})
	default:
		panic("idx: Reader of unchecked type " + r.Type.String())
	}
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// readInto reads the next elements into data, which must be a []T, size
// bytes each, converting them from big-endian a chunk at a time with
// decode; bytes are read in place, and need no decode.
func readInto[T any](r *Reader, data any, size int, decode func(dst []T, src []byte)) (int, error) {
	dst, ok := data.([]T)
	if !ok {
		return 0, fmt.Errorf("cannot read %v data into %T", r.Type, data)
	}
	if r.done == r.n {
		if err := r.end(size); err != nil {
			return 0, err
		}
		return 0, io.EOF
	}
	dst = dst[:min(len(dst), r.n-r.done)]
	// Bytes need no conversion: they are read in place, sparing a copy
	// of the whole data.
	raw, inPlace := any(dst).([]byte)
	if r.buf == nil && !inPlace {
		r.buf = make([]byte, min(r.n, chunkSize/size)*size)
	}
	for k := 0; k < len(dst); {
		var m int
		var buf []byte
		if inPlace {
			m, buf = len(dst)-k, raw[k:]
		} else {
			m = min(len(dst)-k, len(r.buf)/size)
			buf = r.buf[:m*size]
		}
		got, err := readFull(r.in, buf)
		if err == errShort {
			dataSize := int64(r.n) * int64(size)
			have := int64(r.done+k)*int64(size) + int64(got)
			return k, formatErrorf("header claims %d bytes of %v data, %s has %d", dataSize, r.Type, r.source, have)
		} else if err != nil {
			return k, fmt.Errorf("reading data: %w", truncation(err))
		}
		if !inPlace {
			decode(dst[k:k+m], buf)
		}
		k += m
	}
	r.done += len(dst)
	if r.done == r.n {
		if err := r.end(size); err != nil {
			return len(dst), err
		}
	}
	return len(dst), nil
}

// end checks, once, that the input ends with the data; reading on to the
// end also makes gzip verify its checksum.
func (r *Reader) end(size int) error {
	if r.ended {
		return nil
	}
	r.ended = true
	var extra [1]byte
	if _, err := readFull(r.in, extra[:]); err == nil {
		return formatErrorf("trailing data after %d bytes of %v data", int64(r.n)*int64(size), r.Type)
	} else if err != errShort {
		return fmt.Errorf("reading past the data: %w", truncation(err))
	}
	return nil
}
