package idx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readChunked reads every element of r, asking for chunk elements at a
// time (chunk(i) for the i-th call), and returns them as an Array.
func readChunked(r *Reader, chunk func(call int) int) (*Array, error) {
	typ, ok := goTypes[r.Type]
	if !ok {
		return nil, fmt.Errorf("no Go type for %v", r.Type)
	}
	all := reflect.MakeSlice(typ, 0, 0)
	for call := 0; ; call++ {
		size := chunk(call)
		buf := reflect.MakeSlice(typ, size, size)
		n, err := r.Read(buf.Interface())
		all = reflect.AppendSlice(all, buf.Slice(0, n))
		if err == io.EOF {
			if n != 0 {
				return nil, fmt.Errorf("Read returned %d elements with io.EOF", n)
			}
			break
		}
		if err != nil {
			return nil, err
		}
		if n != min(size, r.Len()-(all.Len()-n)) {
			return nil, fmt.Errorf("Read filled %d of %d with %d elements left", n, size, r.Len()-(all.Len()-n))
		}
	}
	if all.Len() != r.Len() {
		return nil, fmt.Errorf("read %d elements, Len is %d", all.Len(), r.Len())
	}
	return &Array{Type: r.Type, Dims: r.Dims, Data: all.Interface()}, nil
}

var goTypes = map[Type]reflect.Type{
	UByte: reflect.TypeFor[[]uint8](), SByte: reflect.TypeFor[[]int8](), Int16: reflect.TypeFor[[]int16](),
	Int32: reflect.TypeFor[[]int32](), Float32: reflect.TypeFor[[]float32](), Float64: reflect.TypeFor[[]float64](),
}

// TestReaderChunks reads arrays through every kind of input in chunks of
// several sizes, some larger than the Reader's buffer, and checks that
// the elements arrive in order and complete.
func TestReaderChunks(t *testing.T) {
	for _, typ := range allTypes {
		for _, dims := range [][]int{{}, {7}, {3, 0, 2}, {3, chunkSize/typ.Size() + 7}} {
			a := sampleArray(t, typ, dims...)
			plain := encoded(t, a)
			for _, kind := range readerKinds {
				for _, chunk := range []int{1, 5, 1000, chunkSize + 3} {
					name := fmt.Sprintf("%v%v/%s/%d", typ, dims, kind.name, chunk)
					r, err := NewReader(kind.wrap(plain))
					if err != nil {
						t.Fatalf("%s: NewReader: %v", name, err)
					}
					if r.Measured() != (kind.name == "seekable") {
						t.Errorf("%s: Measured() = %v", name, r.Measured())
					}
					got, err := readChunked(r, func(int) int { return chunk })
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if !sameArray(t, got, a) {
						t.Errorf("%s: read %+v, want %+v", name, got, a)
					}
					if n, err := r.Read(reflect.MakeSlice(goTypes[typ], 1, 1).Interface()); n != 0 || err != io.EOF {
						t.Errorf("%s: Read after the end = %d, %v; want 0, EOF", name, n, err)
					}
				}
			}
		}
	}
}

func TestReaderWrongType(t *testing.T) {
	r, err := NewReader(bytes.NewReader(encoded(t, sampleArray(t, UByte, 2, 2))))
	if err != nil {
		t.Fatal(err)
	}
	n, err := r.Read(make([]float32, 4))
	if n != 0 || err == nil || err.Error() != "idx: cannot read ubyte data into []float32" {
		t.Errorf("Read([]float32) of ubyte data = %d, %v", n, err)
	}
}

// TestReaderErrors checks that a Reader reports a short data section, a
// trailing byte and a bad checksum on the Read that meets them, with the
// file's name when it came from Open, and that the error sticks.
func TestReaderErrors(t *testing.T) {
	plain := encoded(t, sampleArray(t, UByte, 4, 5))
	corrupt := gzipped(plain)
	corrupt[len(corrupt)-5] ^= 0xff // inside the CRC-32 trailer
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{"short", plain[:len(plain)-3], "header claims 20 bytes of ubyte data, file has 17"},
		{"short gzip", gzipped(plain[:len(plain)-3]), "header claims 20 bytes of ubyte data, decompressed file has 17"},
		{"trailing", append(bytes.Clone(plain), 9), "trailing data after 20 bytes of ubyte data"},
		{"trailing gzip", gzipped(append(bytes.Clone(plain), 9)), "trailing data after 20 bytes of ubyte data"},
		{"checksum", corrupt, "reading past the data: gzip: invalid checksum"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "data.idx")
		if err := os.WriteFile(path, tt.input, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path)
		if err == nil {
			defer r.Close()
			_, err = readChunked(r, func(int) int { return 8 })
		}
		want := "idx: " + path + ": " + tt.want
		if err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %q", tt.name, err, want)
			continue
		}
		if r != nil {
			if _, again := r.Read(make([]uint8, 8)); again == nil || again.Error() != err.Error() {
				t.Errorf("%s: the next Read returned %v, want the same error", tt.name, again)
			}
		}
	}
}

func TestOpenErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.idx")
	if _, err := Open(missing); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Open(missing) error %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.idx")
	if err := os.WriteFile(bad, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bad); !errors.Is(err, ErrFormat) || !strings.HasPrefix(err.Error(), "idx: "+bad+": not an IDX file") {
		t.Errorf("Open(bad) error %v", err)
	}
}

// FuzzReader checks that reading in chunks of arbitrary sizes accepts
// exactly the inputs Decode accepts, with the same elements, and never
// panics.
func FuzzReader(f *testing.F) {
	for _, typ := range allTypes {
		plain := encoded(f, sampleArray(f, typ, 3, 4))
		f.Add(plain, uint64(1))
		f.Add(gzipped(plain), uint64(2))
		f.Add(plain[:len(plain)-1], uint64(3))
		f.Add(append(bytes.Clone(plain), 0), uint64(4))
	}
	f.Add(header(UByte, 1<<16, 1<<16), uint64(5))
	f.Add([]byte{0x1f, 0x8b}, uint64(6))
	f.Fuzz(func(t *testing.T, input []byte, seed uint64) {
		want, wantErr := Decode(bytes.NewReader(input))
		r, err := NewReader(struct{ io.Reader }{bytes.NewReader(input)})
		var got *Array
		if err == nil {
			rng := rand.New(rand.NewPCG(seed, 0))
			got, err = readChunked(r, func(int) int { return rng.IntN(50) })
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("chunked read error %v, Decode error %v", err, wantErr)
		}
		if err != nil {
			if errors.Is(err, ErrFormat) != errors.Is(wantErr, ErrFormat) || errors.Is(err, ErrTooLarge) != errors.Is(wantErr, ErrTooLarge) {
				t.Fatalf("chunked read error %v, Decode error %v: different kinds", err, wantErr)
			}
			return
		}
		if !sameArray(t, got, want) {
			t.Fatalf("chunked read %+v, Decode %+v", got, want)
		}
	})
}
