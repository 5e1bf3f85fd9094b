package idx

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// roundTripDims covers scalars, labels, matrices, image stacks, higher
// ranks and empty arrays.
var roundTripDims = [][]int{
	{},
	{1},
	{7},
	{3, 4},
	{2, 3, 5},
	{2, 1, 3, 2},
	{0},
	{3, 0, 2},
}

func TestRoundTrip(t *testing.T) {
	for _, typ := range allTypes {
		for _, dims := range roundTripDims {
			a := sampleArray(t, typ, dims...)
			plain := encoded(t, a)
			for _, kind := range readerKinds {
				t.Run(fmt.Sprintf("%v%v/%s", typ, dims, kind.name), func(t *testing.T) {
					got, err := Decode(kind.wrap(plain))
					if err != nil {
						t.Fatalf("Decode: %v", err)
					}
					if !sameArray(t, got, a) {
						t.Errorf("Decode = %+v, want %+v", got, a)
					}
				})
			}
		}
	}
}

// TestRoundTripChunked reads arrays larger than a chunk through readers
// that return little at a time, so that chunk and growth boundaries fall
// inside elements.
func TestRoundTripChunked(t *testing.T) {
	for _, typ := range allTypes {
		a := sampleArray(t, typ, 3, chunkSize/typ.Size()+7)
		plain := encoded(t, a)
		readers := map[string]io.Reader{
			"one byte":  iotest.OneByteReader(bytes.NewReader(plain)),
			"half":      iotest.HalfReader(struct{ io.Reader }{bytes.NewReader(plain)}),
			"data+EOF":  iotest.DataErrReader(struct{ io.Reader }{bytes.NewReader(plain)}),
			"gzip":      bytes.NewReader(gzipped(plain)),
			"gzip, odd": iotest.HalfReader(bytes.NewReader(gzipped(plain))),
		}
		for name, r := range readers {
			got, err := Decode(r)
			if err != nil {
				t.Fatalf("%v via %s: %v", typ, name, err)
			}
			if !sameArray(t, got, a) {
				t.Errorf("%v via %s: decoded array differs", typ, name)
			}
		}
	}
}

func TestDecodeFromPipe(t *testing.T) {
	a := sampleArray(t, Float64, 4, 4)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	go func() {
		pw.Write(encoded(t, a))
		pw.Close()
	}()
	got, err := Decode(pr)
	if err != nil {
		t.Fatalf("Decode from a pipe: %v", err)
	}
	if !sameArray(t, got, a) {
		t.Errorf("Decode from a pipe = %+v, want %+v", got, a)
	}
}

// TestDecodeFromSeekerMidway checks that the size of a seekable input is
// measured from its current position, not its start.
func TestDecodeFromSeekerMidway(t *testing.T) {
	a := sampleArray(t, UByte, 2, 2)
	r := bytes.NewReader(append([]byte("junk"), encoded(t, a)...))
	r.Seek(4, io.SeekStart)
	got, err := Decode(r)
	if err != nil {
		t.Fatal(err)
	}
	if !sameArray(t, got, a) {
		t.Errorf("Decode = %+v, want %+v", got, a)
	}
}

func TestDecodeMalformed(t *testing.T) {
	valid := append(header(UByte, 2, 3), 1, 2, 3, 4, 5, 6)
	tests := []struct {
		name  string
		input []byte
		want  error  // the sentinel the error must match
		msg   string // a part of its text, whichever reader fed the input
	}{
		{"empty", nil, ErrFormat, "empty"},
		{"short magic", []byte{0, 0, 8}, ErrFormat, "input ends after 3 of 4 bytes"},
		{"bad magic", append([]byte{0, 1}, valid[2:]...), ErrFormat, "magic number 0x00010802 does not start with two zero bytes"},
		{"text file", []byte("hello, world\n"), ErrFormat, "not an IDX file"},
		{"type 0x00", []byte{0, 0, 0, 0, 1}, ErrFormat, "unknown element type 0x00"},
		{"type 0x0A", []byte{0, 0, 0x0A, 1, 0, 0, 0, 1, 9}, ErrFormat, "unknown element type 0x0a"},
		{"type 0x0F", []byte{0, 0, 0x0F, 0, 1}, ErrFormat, "unknown element type 0x0f"},
		{"truncated dimensions", header(UByte, 60000, 28, 28)[:10], ErrFormat, "after 10 of 16 bytes"},
		{"no data", header(UByte, 60000, 28, 28), ErrFormat, "header claims 47040000 bytes of ubyte data, "},
		{"short data", valid[:len(valid)-1], ErrFormat, "header claims 6 bytes of ubyte data, "},
		{"short float64 data", append(header(Float64, 2), make([]byte, 15)...), ErrFormat, "header claims 16 bytes of float64 data, "},
		{"scalar without its element", header(Int32), ErrFormat, "header claims 4 bytes of int32 data"},
		{"trailing byte", append(valid, 0), ErrFormat, "trailing data"},
		{"trailing array", append(valid, valid...), ErrFormat, "trailing data"},
		{"data after empty array", append(header(Int16, 5, 0), 1, 2), ErrFormat, "trailing data"},
		{"4 GiB claimed", header(UByte, 1<<16, 1<<16), ErrFormat, "header claims 4294967296 bytes of ubyte data"},
		{"exactly MaxDataSize claimed", header(Float64, 1<<31), ErrFormat, "header claims 17179869184 bytes of float64 data"},
		{"over MaxDataSize", header(UByte, 1<<17, 1<<17, 2), ErrTooLarge, "exceed the 17179869184-byte limit"},
		{"product overflows", header(Int32, 1<<32-1, 1<<32-1, 1<<32-1), ErrTooLarge, "exceed the"},
		{"255 large dimensions", header(UByte, slices.Repeat([]uint32{1<<32 - 1}, 255)...), ErrTooLarge, "exceed the"},
	}
	for _, tt := range tests {
		for _, kind := range readerKinds {
			t.Run(tt.name+"/"+kind.name, func(t *testing.T) {
				a, err := Decode(kind.wrap(tt.input))
				if err == nil {
					t.Fatalf("Decode = %+v, want error", a)
				}
				if a != nil {
					t.Errorf("Decode returned an array with error %v", err)
				}
				if !errors.Is(err, tt.want) {
					t.Errorf("error %q does not match %v", err, tt.want)
				}
				if !strings.HasPrefix(err.Error(), "idx: ") || !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("error %q, want the prefix %q and the text %q", err, "idx: ", tt.msg)
				}
			})
		}
	}
}

// TestDecodeHugeClaimAllocatesLittle feeds headers claiming 4 GiB with
// little or no data behind them: whichever path reads them, Decode must
// fail having allocated memory in proportion to the data present.
func TestDecodeHugeClaimAllocatesLittle(t *testing.T) {
	const limit = 16 << 20 // generous for buffers, tiny next to 4 GiB
	inputs := map[string][]byte{
		"header only":       header(UByte, 1<<16, 1<<16),
		"header and 100 kB": append(header(Float32, 1<<15, 1<<15), make([]byte, 100_000)...),
	}
	for name, input := range inputs {
		for _, kind := range readerKinds {
			r := kind.wrap(input)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Decode(r)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "header claims") {
				t.Errorf("%s/%s: error %v, want a claim error", name, kind.name, err)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > limit {
				t.Errorf("%s/%s: Decode allocated %d bytes, want at most %d", name, kind.name, n, limit)
			}
		}
	}
}

func TestDecodeClaimMessages(t *testing.T) {
	input := append(header(UByte, 10), 1, 2, 3, 4, 5)
	tests := map[string]string{
		"seekable": "idx: header claims 10 bytes of ubyte data, input has 5",
		"stream":   "idx: header claims 10 bytes of ubyte data, input has 5",
		"gzip":     "idx: header claims 10 bytes of ubyte data, decompressed input has 5",
	}
	for _, kind := range readerKinds {
		_, err := Decode(kind.wrap(input))
		if err == nil || err.Error() != tests[kind.name] {
			t.Errorf("%s: error %v, want %q", kind.name, err, tests[kind.name])
		}
	}
}

func TestDecodeBrokenGzip(t *testing.T) {
	plain := encoded(t, sampleArray(t, Int32, 40, 40))
	compressed := gzipped(plain)
	corrupt := bytes.Clone(compressed)
	corrupt[len(corrupt)-5] ^= 0xff // inside the CRC-32 trailer
	tests := map[string]struct {
		input []byte
		want  error
	}{
		"bad checksum":        {corrupt, gzip.ErrChecksum},
		"cut stream":          {compressed[:len(compressed)/2], io.ErrUnexpectedEOF},
		"bad gzip header":     {[]byte{0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0}, gzip.ErrHeader},
		"garbage after gzip":  {append(bytes.Clone(compressed), "junk!junk!"...), gzip.ErrHeader},
		"gzip magic, no more": {[]byte{0x1f, 0x8b}, io.ErrUnexpectedEOF},
	}
	for name, tt := range tests {
		_, err := Decode(bytes.NewReader(tt.input))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want it to wrap %v", name, err, tt.want)
		}
	}
}

func TestDecodeConcatenatedGzipMembers(t *testing.T) {
	plain := encoded(t, sampleArray(t, UByte, 3, 3))
	split := append(gzipped(plain[:5]), gzipped(plain[5:])...)
	if _, err := Decode(bytes.NewReader(split)); err != nil {
		t.Errorf("Decode of a two-member gzip file: %v", err)
	}
}

func TestDecodeReadError(t *testing.T) {
	broken := errors.New("cable unplugged")
	plain := encoded(t, sampleArray(t, UByte, 3, 3))
	inputs := map[string]io.Reader{
		"in header": iotest.ErrReader(broken),
		"in data":   io.MultiReader(bytes.NewReader(plain[:14]), iotest.ErrReader(broken)),
		"after data": io.MultiReader(struct{ io.Reader }{bytes.NewReader(plain)},
			iotest.ErrReader(broken)),
	}
	for name, r := range inputs {
		_, err := Decode(r)
		if !errors.Is(err, broken) || errors.Is(err, ErrFormat) {
			t.Errorf("%s: error %v, want it to wrap %v and not ErrFormat", name, err, broken)
		}
	}
}
