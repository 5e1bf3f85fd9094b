package idx

import (
	"bytes"
	"errors"
	"testing"
)

// TestEncodeHandBuilt checks the exact bytes of small files against
// headers and big-endian elements written out by hand.
func TestEncodeHandBuilt(t *testing.T) {
	tests := []struct {
		name string
		dims []int
		data any
		want []byte
	}{
		{"ubyte 2×3", []int{2, 3}, []uint8{1, 2, 3, 4, 5, 255},
			[]byte{0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255}},
		{"sbyte labels", []int{2}, []int8{-1, -128},
			[]byte{0, 0, 0x09, 1, 0, 0, 0, 2, 0xff, 0x80}},
		{"int16", []int{2}, []int16{-2, 0x0102},
			[]byte{0, 0, 0x0B, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x02}},
		{"int32 scalar", nil, []int32{0x01020304},
			[]byte{0, 0, 0x0C, 0, 1, 2, 3, 4}},
		{"float32", []int{1, 1, 2}, []float32{1, -2},
			[]byte{0, 0, 0x0D, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0}},
		{"float64", []int{1}, []float64{0.5},
			[]byte{0, 0, 0x0E, 1, 0, 0, 0, 1, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0}},
		{"large dimension", []int{0x01020304, 0}, []uint8{},
			[]byte{0, 0, 0x08, 2, 1, 2, 3, 4, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.dims, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if got := encoded(t, a); !bytes.Equal(got, tt.want) {
				t.Errorf("Encode = % x\nwant     % x", got, tt.want)
			}
			got, err := Decode(bytes.NewReader(tt.want))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !sameArray(t, got, a) {
				t.Errorf("Decode = %+v, want %+v", got, a)
			}
		})
	}
}

func TestEncodeGzipIsGzip(t *testing.T) {
	a := sampleArray(t, Int16, 3, 4)
	var buf bytes.Buffer
	if err := EncodeGzip(&buf, a); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), gzipMagic) {
		t.Errorf("EncodeGzip output starts % x, want the gzip magic", buf.Bytes()[:4])
	}
	if got := gunzip(t, buf.Bytes()); !bytes.Equal(got, encoded(t, a)) {
		t.Errorf("decompressed EncodeGzip output differs from Encode output")
	}
}

func TestEncodeRejectsInvalidArrays(t *testing.T) {
	tests := []struct {
		name string
		a    *Array
	}{
		{"type mismatch", &Array{Type: Int16, Dims: []int{2}, Data: []uint8{1, 2}}},
		{"unknown type", &Array{Type: 0x0A, Dims: []int{2}, Data: []uint8{1, 2}}},
		{"unsupported data", &Array{Type: UByte, Dims: []int{2}, Data: []uint16{1, 2}}},
		{"length mismatch", &Array{Type: UByte, Dims: []int{3}, Data: []uint8{1, 2}}},
		{"negative dimension", &Array{Type: UByte, Dims: []int{-2, -1}, Data: []uint8{1, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, encode := range map[string]func(*bytes.Buffer, *Array) error{
				"Encode":     func(b *bytes.Buffer, a *Array) error { return Encode(b, a) },
				"EncodeGzip": func(b *bytes.Buffer, a *Array) error { return EncodeGzip(b, a) },
			} {
				var buf bytes.Buffer
				if err := encode(&buf, tt.a); err == nil {
					t.Errorf("%s succeeded, want error", name)
				}
				if buf.Len() != 0 {
					t.Errorf("%s wrote %d bytes of an invalid array", name, buf.Len())
				}
			}
		})
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestEncodeReportsWriteErrors(t *testing.T) {
	broken := errors.New("disk on fire")
	a := sampleArray(t, Float32, 10)
	if err := Encode(failingWriter{broken}, a); !errors.Is(err, broken) {
		t.Errorf("Encode = %v, want it to wrap %v", err, broken)
	}
	if err := EncodeGzip(failingWriter{broken}, a); !errors.Is(err, broken) {
		t.Errorf("EncodeGzip = %v, want it to wrap %v", err, broken)
	}
}
