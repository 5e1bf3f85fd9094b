package dataset

import (
	"bytes"
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
