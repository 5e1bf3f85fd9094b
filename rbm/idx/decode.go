package idx

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// gzipMagic opens every gzip stream (RFC 1952). No IDX file starts with
// it, since an IDX file starts with two zero bytes.
var gzipMagic = []byte{0x1f, 0x8b}

// chunkSize is how many bytes of data are read and converted at a time.
const chunkSize = 64 << 10

// errShort is returned by readFull when the input ends cleanly before the
// buffer is full, as distinct from a decompressor reporting a cut stream.
var errShort = errors.New("input ended")

// Decode reads one IDX array from r, which must hold exactly one array and
// nothing after it. Input starting with the gzip magic bytes 0x1f 0x8b is
// decompressed first; the choice rests on those bytes alone.
//
// A header that claims more data than the input holds is an error found
// before any allocation of its size: when r is a regular *os.File or
// another io.Seeker, Decode compares the claim against the bytes left,
// and otherwise (gzip, pipes) it grows the array only as data arrives.
//
// Malformed input yields an error matching ErrFormat, a header over
// MaxDataSize one matching ErrTooLarge. Errors from r and from gzip are
// wrapped, so that errors.Is finds them (gzip.ErrChecksum, for one).
func Decode(r io.Reader) (*Array, error) {
	a, err := decode(r, "input")
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	return a, nil
}

// decode implements Decode; source names the input in messages ("input",
// "file"), and the returned errors have no "idx:" prefix.
func decode(r io.Reader, source string) (*Array, error) {
	size, err := remaining(r)
	if err != nil {
		return nil, err
	}
	buffered := bufio.NewReader(r)
	var in io.Reader = buffered
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

	data, got, err := readData(in, t, n, size >= 0)
	if err == errShort {
		return nil, formatErrorf("header claims %d bytes of %v data, %s has %d", dataSize, t, source, got)
	} else if err != nil {
		return nil, fmt.Errorf("reading data: %w", truncation(err))
	}
	// Reading on to the end also makes gzip verify its checksum.
	var extra [1]byte
	if _, err := readFull(in, extra[:]); err == nil {
		return nil, formatErrorf("trailing data after %d bytes of %v data", dataSize, t)
	} else if err != errShort {
		return nil, fmt.Errorf("reading past the data: %w", truncation(err))
	}

	a := &Array{Type: t, Dims: make([]int, len(dims)), Data: data}
	for i, d := range dims {
		a.Dims[i] = int(d) // elementCount checked that each fits
	}
	return a, nil
}

// headerSize returns the length in bytes of a header with ndims dimensions.
func headerSize(ndims int) int64 { return 4 + 4*int64(ndims) }

// readHeader reads the magic number and the dimensions.
func readHeader(r io.Reader, source string) (Type, []uint64, error) {
	var magic [4]byte
	if n, err := readFull(r, magic[:]); err != nil {
		return 0, nil, headerError(err, source, int64(n), headerSize(0))
	}
	if magic[0] != 0 || magic[1] != 0 {
		return 0, nil, formatErrorf("not an IDX file: magic number 0x%08x does not start with two zero bytes", binary.BigEndian.Uint32(magic[:]))
	}
	t := Type(magic[2])
	if t.Size() == 0 {
		return 0, nil, formatErrorf("unknown element type 0x%02x", magic[2])
	}
	ndims := int(magic[3])
	raw := make([]byte, 4*ndims)
	if n, err := readFull(r, raw); err != nil {
		return 0, nil, headerError(err, source, headerSize(0)+int64(n), headerSize(ndims))
	}
	dims := make([]uint64, ndims)
	for i := range dims {
		dims[i] = uint64(binary.BigEndian.Uint32(raw[4*i:]))
	}
	return t, dims, nil
}

func headerError(err error, source string, got, want int64) error {
	switch {
	case err != errShort:
		return fmt.Errorf("reading header: %w", err)
	case got == 0:
		return formatErrorf("empty %s", source)
	default:
		return formatErrorf("truncated header: %s ends after %d of %d bytes", source, got, want)
	}
}

// remaining returns the number of bytes left in r when r can tell without
// being read, that is when it is an io.Seeker other than a non-regular
// *os.File (a pipe or a device, whose Seek says nothing of its length),
// and -1 otherwise. It leaves r where it found it.
func remaining(r io.Reader) (int64, error) {
	s, ok := r.(io.Seeker)
	if !ok {
		return -1, nil
	}
	if f, ok := r.(*os.File); ok {
		if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
			return -1, nil
		}
	}
	here, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return -1, nil // not seekable after all: read it as a stream
	}
	end, err := s.Seek(0, io.SeekEnd)
	if err != nil {
		return -1, nil
	}
	if _, err := s.Seek(here, io.SeekStart); err != nil {
		return 0, fmt.Errorf("seeking back to the start: %w", err)
	}
	return max(end-here, 0), nil
}

// readData reads n elements of type t, big-endian, into the Go slice type
// that represents t. It also returns the number of bytes it read, for the
// message when the input ends early (err == errShort).
func readData(r io.Reader, t Type, n int, sized bool) (data any, got int64, err error) {
	switch t {
	case UByte:
		return readElems(r, n, 1, sized, func(dst []uint8, src []byte) {
			copy(dst, src)
		})
	case SByte:
		return readElems(r, n, 1, sized, func(dst []int8, src []byte) {
			for i := range dst {
				dst[i] = int8(src[i])
			}
		})
	case Int16:
		return readElems(r, n, 2, sized, func(dst []int16, src []byte) {
			for i := range dst {
				dst[i] = int16(binary.BigEndian.Uint16(src[2*i:]))
			}
		})
	case Int32:
		return readElems(r, n, 4, sized, func(dst []int32, src []byte) {
			for i := range dst {
				dst[i] = int32(binary.BigEndian.Uint32(src[4*i:]))
			}
		})
	case Float32:
		return readElems(r, n, 4, sized, func(dst []float32, src []byte) {
			for i := range dst {
				dst[i] = math.Float32frombits(binary.BigEndian.Uint32(src[4*i:]))
			}
		})
	case Float64:
		return readElems(r, n, 8, sized, func(dst []float64, src []byte) {
			for i := range dst {
				dst[i] = math.Float64frombits(binary.BigEndian.Uint64(src[8*i:]))
			}
		})
	}
	panic("idx: readData on unchecked type " + t.String())
}

// readElems reads n elements of size bytes each, converting them a chunk
// at a time with decode. When sized, the input is known to hold them all
// and the slice is allocated once; otherwise it grows as data arrives,
// doubling up to n, so a header's claim alone never sets the allocation.
func readElems[T any](r io.Reader, n, size int, sized bool, decode func(dst []T, src []byte)) ([]T, int64, error) {
	capacity := n
	if !sized {
		capacity = min(n, chunkSize/size)
	}
	out := make([]T, 0, capacity)
	buf := make([]byte, min(n, chunkSize/size)*size)
	for len(out) < n {
		k := min(n-len(out), len(buf)/size)
		got, err := readFull(r, buf[:k*size])
		if err != nil {
			return nil, int64(len(out))*int64(size) + int64(got), err
		}
		if len(out)+k > cap(out) {
			grown := make([]T, len(out), min(n, max(2*cap(out), len(out)+k)))
			copy(grown, out)
			out = grown
		}
		out = out[:len(out)+k]
		decode(out[len(out)-k:], buf[:k*size])
	}
	return out, int64(n) * int64(size), nil
}

// readFull reads len(buf) bytes like io.ReadFull, but reports a clean end
// of input as errShort and passes any other error through unchanged, so
// that a gzip stream cut short (io.ErrUnexpectedEOF) reads as such.
func readFull(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		switch {
		case n == len(buf):
			return n, nil
		case err == io.EOF:
			return n, errShort
		case err != nil:
			return n, err
		}
	}
	return n, nil
}

// truncation names the usual cause of an unexpected EOF inside a gzip
// stream, which otherwise reads as a bare "unexpected EOF".
func truncation(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("compressed file is truncated: %w", err)
	}
	return err
}
