package idx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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
func decode(in io.Reader, source string) (*Array, error) {
	r, err := newReader(in, source)
	if err != nil {
		return nil, err
	}
	var data any
	switch r.Type {
	case UByte:
		data, err = readAll[uint8](r)
	case SByte:
		data, err = readAll[int8](r)
	case Int16:
		data, err = readAll[int16](r)
	case Int32:
		data, err = readAll[int32](r)
	case Float32:
		data, err = readAll[float32](r)
	case Float64:
		data, err = readAll[float64](r)
	}
	if err != nil {
		return nil, err
	}
	return &Array{Type: r.Type, Dims: r.Dims, Data: data}, nil
}

// readAll reads every element of r. When the input is known to hold them
// all, the slice is allocated once; otherwise it grows as data arrives,
// doubling up to the header's count, so that a header's claim alone never
// sets the allocation.
func readAll[T any](r *Reader) ([]T, error) {
	size := r.Type.Size()
	capacity := r.n
	if !r.sized {
		capacity = min(r.n, chunkSize/size)
	}
	out := make([]T, 0, capacity)
	for {
		if len(out) == cap(out) && len(out) < r.n {
			grown := make([]T, len(out), min(r.n, 2*cap(out)))
			copy(grown, out)
			out = grown
		}
		k, err := r.read(out[len(out):cap(out)])
		out = out[:len(out)+k]
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
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
