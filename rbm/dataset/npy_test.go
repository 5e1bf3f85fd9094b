package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/sbinet/npyio/npy"
)

func TestWriteNPYReadsBackWithNpyio(t *testing.T) {
	for _, shape := range [][2]int{{3, 5}, {1, 1}, {0, 4}, {17, 64}} {
		m := rbm.NewMatrix(shape[0], shape[1])
		for i := range m.Data {
			m.Data[i] = float32(i)*0.25 - 3
		}
		var buf bytes.Buffer
		if err := WriteNPY(&buf, m); err != nil {
			t.Fatal(err)
		}
		if hdr := buf.Len() - 4*len(m.Data); hdr%64 != 0 {
			t.Errorf("%v: header of %d bytes is not 64-byte aligned", shape, hdr)
		}
		r, err := npy.NewReader(&buf)
		if err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		if got := r.Header.Descr.Shape; len(got) != 2 || got[0] != shape[0] || got[1] != shape[1] {
			t.Errorf("%v: shape read back as %v", shape, got)
		}
		var data []float32
		if err := r.Read(&data); err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		for i := range m.Data {
			if data[i] != m.Data[i] {
				t.Fatalf("%v: element %d is %v, wrote %v", shape, i, data[i], m.Data[i])
			}
		}
	}
}

func npyFile(dict string, data []byte) []byte {
	pad := (64 - (10+len(dict)+1)%64) % 64
	header := dict + strings.Repeat(" ", pad) + "\n"
	out := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	return append(append(out, header...), data...)
}

func float64Bytes(order binary.AppendByteOrder, v ...float64) []byte {
	var out []byte
	for _, x := range v {
		out = order.AppendUint64(out, math.Float64bits(x))
	}
	return out
}

// intBytes returns v as integers of size bytes in the given byte order.
func intBytes(size int, order binary.AppendByteOrder, v ...int64) []byte {
	var out []byte
	for _, x := range v {
		switch size {
		case 2:
			out = order.AppendUint16(out, uint16(x))
		case 4:
			out = order.AppendUint32(out, uint32(x))
		case 8:
			out = order.AppendUint64(out, uint64(x))
		}
	}
	return out
}

func TestReadNPY(t *testing.T) {
	dir := t.TempDir()
	m := &rbm.Matrix{Rows: 2, Cols: 3, Data: []float32{1, 2, 3, 4, 5, 6}}
	var written bytes.Buffer
	if err := WriteNPY(&written, m); err != nil {
		t.Fatal(err)
	}
	big := rbm.NewMatrix(3000, 7) // many buffer refills
	for i := range big.Data {
		big.Data[i] = float32(i) / 7
	}
	var bigFile bytes.Buffer
	WriteNPY(&bigFile, big)
	full := written.Bytes()
	for _, c := range []struct {
		name string
		file []byte
		want *rbm.Matrix // nil: an error containing err
		err  string
	}{
		{"WriteNPY output", full, m, ""},
		{"large", bigFile.Bytes(), big, ""},
		{"float64", npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", float64Bytes(binary.LittleEndian, 1, 2, 3, 4, 5, 6)), m, ""},
		{"big-endian", npyFile("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", float64Bytes(binary.BigEndian, 1, 2, 3, 4, 5, 6)), m, ""},
		{"Fortran order", npyFile("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", float64Bytes(binary.LittleEndian, 1, 4, 2, 5, 3, 6)), m, ""},
		{"truncated data", full[:len(full)-1], nil, "the header announces 2×3 <f4 values, the file holds 23 bytes"},
		{"truncated at element", full[:len(full)-4], nil, "holds 20 bytes"},
		{"extra data", append(slices.Clone(full), 0, 0, 0, 0), nil, "holds 28 bytes"},
		{"huge shape", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (4000000000000, 4000000000000), }", nil), nil, "the header announces"},
		{"1-D", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", make([]byte, 24)), nil, "shape [6]: want two dimensions"},
		{"negative", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", nil), nil, "want two dimensions"},
		{"int64", npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", intBytes(8, binary.LittleEndian, 1, 2, 3, 4, 5, 6)), m, ""},
		{"int32, Fortran order", npyFile("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", intBytes(4, binary.LittleEndian, 1, 4, 2, 5, 3, 6)), m, ""},
		{"big-endian int16", npyFile("{'descr': '>i2', 'fortran_order': False, 'shape': (2, 3), }", intBytes(2, binary.BigEndian, 1, 2, 3, 4, 5, 6)), m, ""},
		{"uint8", npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", []byte{1, 2, 3, 4, 5, 6}), m, ""},
		{"negative int8", npyFile("{'descr': '|i1', 'fortran_order': False, 'shape': (1, 2), }", []byte{0xff, 0x80}), &rbm.Matrix{Rows: 1, Cols: 2, Data: []float32{-1, -128}}, ""},
		{"uint64", npyFile("{'descr': '<u8', 'fortran_order': False, 'shape': (1, 2), }", intBytes(8, binary.LittleEndian, 0, 1<<24)), &rbm.Matrix{Rows: 1, Cols: 2, Data: []float32{0, 1 << 24}}, ""},
		{"bool", npyFile("{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }", []byte{0, 1, 1, 0}), &rbm.Matrix{Rows: 2, Cols: 2, Data: []float32{0, 1, 1, 0}}, ""},
		{"int32 beyond float32", npyFile("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", intBytes(4, binary.LittleEndian, 0, 1, 1<<24+1, 0)), nil, "row 2, column 1: <i4 value beyond ±2²⁴"},
		{"int64 beyond float32, Fortran order", npyFile("{'descr': '<i8', 'fortran_order': True, 'shape': (2, 2), }", intBytes(8, binary.LittleEndian, 0, 1, -(1<<24)-1, 0)), nil, "row 1, column 2: <i8 value beyond"},
		{"complex", npyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (1, 1), }", make([]byte, 8)), nil, `element type "<c8": want floats, integers or booleans`},
		{"strings", npyFile("{'descr': '<U3', 'fortran_order': False, 'shape': (1, 1), }", make([]byte, 12)), nil, `element type "<U3"`},
		{"not npy", []byte("hello, world"), nil, "no NumPy magic"},
		{"short", []byte("\x93NUM"), nil, "not a .npy file: 4 bytes"},
		{"version 3", append([]byte("\x93NUMPY\x03\x00"), 0, 0), nil, "version 3.0"},
		{"header past end", []byte("\x93NUMPY\x01\x00\xff\x00{}"), nil, "truncated .npy header: 265 bytes"},
		{"garbled dictionary", npyFile("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4', }", make([]byte, 24)), nil, "malformed .npy header"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".npy")
			if err := os.WriteFile(path, c.file, 0o644); err != nil {
				t.Fatal(err)
			}
			// Gzipped, the same array or the same error.
			gz := path + ".gz"
			if err := os.WriteFile(gz, gzipped(t, string(c.file)), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{path, gz} {
				got, err := ReadNPY(path)
				if c.want == nil {
					if err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), path+": ") {
						t.Errorf("error %v, want one naming the file and containing %q", err, c.err)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if got.Rows != c.want.Rows || got.Cols != c.want.Cols || !slices.Equal(got.Data, c.want.Data) {
					t.Errorf("%s: read %d×%d %v, want %d×%d %v", filepath.Base(path), got.Rows, got.Cols, head(got.Data), c.want.Rows, c.want.Cols, head(c.want.Data))
				}
			}
		})
	}
}

func TestReadNPYGzipErrors(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	WriteNPY(&b, rbm.NewMatrix(20, 20))
	defer func(n int64) { maxGzippedNPY = n }(maxGzippedNPY)
	maxGzippedNPY = int64(b.Len()) - 1
	for _, c := range []struct {
		name string
		file []byte
		err  string
	}{
		{"too large", gzipped(t, b.String()), fmt.Sprintf("decompresses to more than %d bytes", b.Len()-1)},
		{"corrupt", []byte("\x1f\x8b\x08xxxxxxxxxxxxxxxx"), "decompressing"},
		{"truncated", gzipped(t, b.String())[:30], "decompressing"},
	} {
		path := filepath.Join(dir, c.name+".npy.gz")
		if err := os.WriteFile(path, c.file, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadNPY(path); err == nil || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want one naming the file and containing %q", c.name, err, c.err)
		}
	}
}

func head(x []float32) string {
	if len(x) > 8 {
		return fmt.Sprint(x[:8], "…")
	}
	return fmt.Sprint(x)
}

// FuzzReadNPY checks that no file makes the reader panic or return a
// matrix whose size disagrees with its shape.
func FuzzReadNPY(f *testing.F) {
	var b bytes.Buffer
	WriteNPY(&b, &rbm.Matrix{Rows: 2, Cols: 2, Data: []float32{1, 2, 3, 4}})
	f.Add(b.Bytes())
	f.Add(npyFile("{'descr': '<f8', 'fortran_order': True, 'shape': (1, 2), }", float64Bytes(binary.LittleEndian, 1, 2)))
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", make([]byte, 4)))
	f.Add([]byte("\x93NUMPY\x02\x00\x10\x00\x00\x00{'descr': '<f4'}\n"))
	f.Add(npyFile("{'descr': '<i8', 'fortran_order': True, 'shape': (1, 2), }", intBytes(8, binary.LittleEndian, 3, 1<<40)))
	f.Add(npyFile("{'descr': '|b1', 'fortran_order': False, 'shape': (1, 2), }", []byte{1, 2}))
	f.Fuzz(func(t *testing.T, file []byte) {
		m, err := DecodeNPY(bytes.NewReader(file), int64(len(file)))
		if err == nil && len(m.Data) != m.Rows*m.Cols {
			t.Fatalf("%d×%d matrix with %d values", m.Rows, m.Cols, len(m.Data))
		}
	})
}
