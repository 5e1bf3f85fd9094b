package dataset

import (
	"bytes"
	"slices"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
)

func TestToIDX(t *testing.T) {
	m := &rbm.Matrix{Rows: 2, Cols: 6, Data: []float32{0, .1, .2, .3, .4, .5, .6, .7, .8, .9, 1, 0}}
	tests := []struct {
		shape Shape
		dims  []int
	}{
		{Shape{}, []int{2, 6}},
		{Shape{Height: 2, Width: 3}, []int{2, 2, 3}},
		{Shape{Height: 6, Width: 1}, []int{2, 6, 1}},
	}
	for _, tt := range tests {
		a := ToIDX(m, tt.shape)
		if a.Type != idx.Float32 || !slices.Equal(a.Dims, tt.dims) {
			t.Errorf("ToIDX(shape %+v) = %v %v, want float32 %v", tt.shape, a.Type, a.Dims, tt.dims)
		}
		if data, ok := a.Data.([]float32); !ok || &data[0] != &m.Data[0] {
			t.Errorf("ToIDX(shape %+v) does not share the matrix's storage", tt.shape)
		}
	}
}

// TestToIDXRoundTrip writes a matrix as IDX and reads it back as
// probabilities: values and shape must come back unchanged.
func TestToIDXRoundTrip(t *testing.T) {
	m := rbm.NewMatrix(3, 4)
	for i := range m.Data {
		m.Data[i] = float32(i) / float32(len(m.Data))
	}
	shape := Shape{Height: 2, Width: 2}
	var buf bytes.Buffer
	if err := idx.Encode(&buf, ToIDX(m, shape)); err != nil {
		t.Fatal(err)
	}
	a, err := idx.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, gotShape, err := FromIDX(a, Options{Binarize: Probabilities})
	if err != nil {
		t.Fatal(err)
	}
	if got.Rows != m.Rows || got.Cols != m.Cols || !slices.Equal(got.Data, m.Data) || gotShape != shape {
		t.Errorf("round trip gave %d×%d %v shape %+v, want %d×%d %v shape %+v",
			got.Rows, got.Cols, got.Data, gotShape, m.Rows, m.Cols, m.Data, shape)
	}
}

func TestToIDXPanicsOnForeignShape(t *testing.T) {
	m := rbm.NewMatrix(2, 500)
	for _, shape := range []Shape{{Height: 28, Width: 28}, {Height: -20, Width: -25}, {Height: 500}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("ToIDX(500 columns, shape %+v) did not panic", shape)
				}
			}()
			ToIDX(m, shape)
		}()
	}
}
