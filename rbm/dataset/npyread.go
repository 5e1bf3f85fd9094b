package dataset

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"

	"github.com/klauspost/compress/gzip"
	"github.com/rbmkit/rbm/rbm"
	"github.com/sbinet/npyio"
)

// ReadNPY reads a two-dimensional NumPy array, from a plain or
// gzip-compressed .npy file, as a matrix: floats (float32 or float64),
// integers (8 to 64 bits, signed or not) or booleans, in C or Fortran
// order. Integers are how NumPy holds categories and bits; one of
// magnitude above 2²⁴, which float32 cannot hold exactly, is an error
// naming its row and column.
//
// github.com/sbinet/npyio parses the header and decodes the elements; the
// checks around it are there because npyio trusts its input: it
// allocates whatever the header claims, silently leaves zeros where a
// file is cut short, and panics on some malformed headers. So the header
// length and the data size are checked against the file's size first,
// and a panic in the parser is reported as a malformed header.
func ReadNPY(path string) (*rbm.Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var m *rbm.Matrix
	var magic [2]byte
	if n, _ := io.ReadFull(f, magic[:]); n == 2 && magic == [2]byte(gzipMagic) {
		m, err = decodeGzippedNPY(f)
	} else if _, err = f.Seek(0, io.SeekStart); err == nil {
		m, err = DecodeNPY(f, st.Size())
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// maxGzippedNPY bounds what a gzipped .npy file may decompress to, 4 GiB,
// so that a small file cannot claim all memory. A variable so that tests
// can lower it.
var maxGzippedNPY int64 = 4 << 30

// decodeGzippedNPY reads a gzipped .npy file, as np.save to a gzip
// stream writes it, decompressed into memory: DecodeNPY checks the
// header against the size of the whole, which a stream does not give.
func decodeGzippedNPY(f io.ReadSeeker) (*rbm.Matrix, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("decompressing: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, maxGzippedNPY+1))
	if err != nil {
		return nil, fmt.Errorf("decompressing: %w", err)
	}
	if int64(len(b)) > maxGzippedNPY {
		return nil, fmt.Errorf("decompresses to more than %d bytes", maxGzippedNPY)
	}
	return DecodeNPY(bytes.NewReader(b), int64(len(b)))
}

// DecodeNPY reads a .npy array of size bytes from f, as ReadNPY does.
func DecodeNPY(f io.ReadSeeker, size int64) (*rbm.Matrix, error) {
	dataStart, err := npyDataOffset(f, size)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	r, err := npyReader(fullReader{bufio.NewReader(f)})
	if err != nil {
		return nil, err
	}
	h := r.Header.Descr
	if len(h.Shape) != 2 || h.Shape[0] < 0 || h.Shape[1] < 0 {
		return nil, fmt.Errorf("array of shape %v: want two dimensions, (rows, features)", h.Shape)
	}
	rows, cols := h.Shape[0], h.Shape[1]
	rt := npyio.TypeFrom(h.Type)
	var elem int64
	if rt != nil {
		switch rt.Kind() {
		case reflect.Float32, reflect.Float64, reflect.Bool,
			reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			elem = int64(rt.Size())
		}
	}
	if elem == 0 {
		return nil, fmt.Errorf("element type %q: want floats, integers or booleans", h.Type)
	}
	if cols > 0 && int64(rows) > (size-dataStart)/elem/int64(cols) || int64(rows)*int64(cols)*elem != size-dataStart {
		return nil, fmt.Errorf("the header announces %d×%d %s values, the file holds %d bytes of data", rows, cols, h.Type, size-dataStart)
	}
	m := rbm.NewMatrix(rows, cols)
	inexact := -1 // the first integer float32 cannot hold, in file order
	switch rt.Kind() {
	case reflect.Float32:
		err = r.Read(&m.Data)
	case reflect.Float64:
		err = readNPYAs[float64](r, m.Data)
	case reflect.Bool:
		var b []bool
		if err = r.Read(&b); err == nil {
			for i, v := range b {
				m.Data[i] = bit(v)
			}
		}
	case reflect.Int8:
		inexact, err = readNPYInts[int8](r, m.Data)
	case reflect.Int16:
		inexact, err = readNPYInts[int16](r, m.Data)
	case reflect.Int32:
		inexact, err = readNPYInts[int32](r, m.Data)
	case reflect.Int64:
		inexact, err = readNPYInts[int64](r, m.Data)
	case reflect.Uint8:
		inexact, err = readNPYInts[uint8](r, m.Data)
	case reflect.Uint16:
		inexact, err = readNPYInts[uint16](r, m.Data)
	case reflect.Uint32:
		inexact, err = readNPYInts[uint32](r, m.Data)
	case reflect.Uint64:
		inexact, err = readNPYInts[uint64](r, m.Data)
	}
	if err != nil {
		return nil, err
	}
	if inexact >= 0 {
		i, j := inexact/max(cols, 1), inexact%max(cols, 1)
		if h.Fortran {
			i, j = inexact%rows, inexact/rows
		}
		return nil, fmt.Errorf("row %d, column %d: %s value beyond ±2²⁴, which float32 cannot hold exactly", i+1, j+1, h.Type)
	}
	if h.Fortran { // column-major: element (i, j) is at j*rows + i
		t := rbm.NewMatrix(rows, cols)
		for j := range cols {
			for i := range rows {
				t.Data[i*cols+j] = m.Data[j*rows+i]
			}
		}
		m = t
	}
	return m, nil
}

// readNPYAs reads the elements of r, of type T, into dst as float32.
func readNPYAs[T float64](r *npyio.Reader, dst []float32) error {
	wide := make([]T, len(dst))
	if err := r.Read(&wide); err != nil {
		return err
	}
	for i, v := range wide {
		dst[i] = float32(v)
	}
	return nil
}

// readNPYInts reads the integers of r, of type T, into dst, and returns
// the index of the first that float32 cannot hold exactly, or -1.
func readNPYInts[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](r *npyio.Reader, dst []float32) (int, error) {
	ints := make([]T, len(dst))
	if err := r.Read(&ints); err != nil {
		return -1, err
	}
	const exact = 1 << 24 // float32's 24-bit significand
	for i, v := range ints {
		if x := float64(v); x > exact || x < -exact { // float64 is exact here
			return i, nil
		}
		dst[i] = float32(v)
	}
	return -1, nil
}

// npyDataOffset reads the fixed part of a .npy header, the magic string,
// the version and the header's length, and returns where the data
// start, after checking that the header fits in the file.
func npyDataOffset(r io.Reader, size int64) (int64, error) {
	var fixed [10]byte
	if _, err := io.ReadFull(r, fixed[:]); err != nil {
		return 0, fmt.Errorf("not a .npy file: %d bytes", size)
	}
	if [6]byte(fixed[:6]) != npyio.Magic {
		return 0, errors.New("not a .npy file: no NumPy magic string")
	}
	var start int64
	switch fixed[6] {
	case 1:
		start = 10 + int64(binary.LittleEndian.Uint16(fixed[8:]))
	case 2:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return 0, errors.New("truncated .npy header")
		}
		start = 12 + int64(binary.LittleEndian.Uint32(append(fixed[8:10:10], ext[:]...)))
	default:
		return 0, fmt.Errorf(".npy format version %d.%d is not supported (want 1.0 or 2.0)", fixed[6], fixed[7])
	}
	if start > size {
		return 0, fmt.Errorf("truncated .npy header: %d bytes announced, the file has %d", start, size)
	}
	return start, nil
}

// npyReader parses the header with npyio, turning its panics on malformed
// input into an error.
func npyReader(r io.Reader) (rr *npyio.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			rr, err = nil, errors.New("malformed .npy header")
		}
	}()
	rr, err = npyio.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("malformed .npy header: %w", err)
	}
	return rr, nil
}

// fullReader makes every Read fill its buffer unless the input ends:
// npyio reads each element with one Read call and does not check the
// count, so a short read from a buffer boundary would shift the data.
type fullReader struct{ r io.Reader }

func (f fullReader) Read(p []byte) (int, error) { return io.ReadFull(f.r, p) }
