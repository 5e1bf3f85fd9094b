package idx

import (
	"bytes"
	"testing"
)

// FuzzDecode checks that Decode never panics, and that whatever it
// accepts re-encodes to an array that decodes equal; for plain input, the
// re-encoding must reproduce the input byte for byte.
func FuzzDecode(f *testing.F) {
	for _, typ := range allTypes {
		for _, dims := range [][]int{{}, {5}, {2, 3}, {2, 2, 2}, {0, 4}} {
			a := sampleArray(f, typ, dims...)
			plain := encoded(f, a)
			f.Add(plain)
			f.Add(gzipped(plain))
			f.Add(plain[:len(plain)-1])
			f.Add(plain[:len(plain)/2])
			f.Add(append(bytes.Clone(plain), 0))
		}
	}
	f.Add([]byte{})
	f.Add(header(UByte, 1<<16, 1<<16))
	f.Add(header(Int32, 1<<32-1, 1<<32-1, 1<<32-1))
	f.Add([]byte{0x1f, 0x8b})

	f.Fuzz(func(t *testing.T, input []byte) {
		a, err := Decode(bytes.NewReader(input))
		if err != nil {
			return
		}
		plain := encoded(t, a)
		if !bytes.HasPrefix(input, gzipMagic) && !bytes.Equal(plain, input) {
			t.Fatalf("re-encoding differs from the input:\n got % x\nwant % x", plain, input)
		}
		again, err := Decode(struct{ *bytes.Reader }{bytes.NewReader(plain)})
		if err != nil {
			t.Fatalf("decoding the re-encoding: %v", err)
		}
		if !sameArray(t, again, a) {
			t.Fatalf("re-decoded %+v, want %+v", again, a)
		}
	})
}
