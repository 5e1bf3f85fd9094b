package idx

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestNewInfersType(t *testing.T) {
	for _, typ := range allTypes {
		a, err := New([]int{2, 3}, sampleData(typ, 6))
		if err != nil {
			t.Fatalf("New(%v data): %v", typ, err)
		}
		if a.Type != typ || a.Len() != 6 || !slices.Equal(a.Dims, []int{2, 3}) {
			t.Errorf("New(%v data) = {%v %v len %d}, want {%v [2 3] len 6}", typ, a.Type, a.Dims, a.Len(), typ)
		}
	}
}

func TestNewCopiesDims(t *testing.T) {
	dims := []int{2, 2}
	a, err := New(dims, make([]uint8, 4))
	if err != nil {
		t.Fatal(err)
	}
	dims[0] = 99
	if a.Dims[0] != 2 {
		t.Errorf("Dims follows the caller's slice: %v", a.Dims)
	}
}

func TestNewScalarAndEmpty(t *testing.T) {
	if _, err := New(nil, []float64{math.Pi}); err != nil {
		t.Errorf("scalar: %v", err)
	}
	if _, err := New([]int{3, 0, 2}, []int16{}); err != nil {
		t.Errorf("empty: %v", err)
	}
	if _, err := New([]int{0, math.MaxUint32}, []int32(nil)); err != nil {
		t.Errorf("empty beside a maximal dimension: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name     string
		dims     []int
		data     any
		want     string
		tooLarge bool
	}{
		{"unsupported type", []int{2}, []int{1, 2}, "unsupported data type []int", false},
		{"unsigned 16-bit", []int{2}, []uint16{1, 2}, "unsupported data type []uint16", false},
		{"nil data", []int{0}, nil, "unsupported data type <nil>", false},
		{"too few elements", []int{3, 4}, make([]uint8, 10), "dims [3 4] hold 12 elements, data has 10", false},
		{"too many elements", []int{2}, make([]float32, 3), "dims [2] hold 2 elements, data has 3", false},
		{"scalar needs one element", nil, []int8{}, "dims [] hold 1 elements, data has 0", false},
		{"negative dimension", []int{3, -1}, []uint8{}, "negative dimension in [3 -1]", false},
		{"too many dimensions", make([]int, 256), []uint8{}, "256 dimensions", true},
		{"dimension over 32 bits", []int{math.MaxUint32 + 1, 0}, []uint8{}, "exceeds the format's 32-bit limit", true},
		{"over MaxDataSize", []int{1 << 20, 1 << 20, 1 << 20}, []uint8{}, "exceed the 17179869184-byte limit", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.dims, tt.data)
			if err == nil {
				t.Fatalf("New = %+v, want error", a)
			}
			if !strings.HasPrefix(err.Error(), "idx: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			if got := errors.Is(err, ErrTooLarge); got != tt.tooLarge {
				t.Errorf("errors.Is(%q, ErrTooLarge) = %v, want %v", err, got, tt.tooLarge)
			}
		})
	}
}

func TestAtAndFloat32s(t *testing.T) {
	tests := []struct {
		data any
		want []float64
	}{
		{[]uint8{0, 255}, []float64{0, 255}},
		{[]int8{-128, 127}, []float64{-128, 127}},
		{[]int16{-32768, 300}, []float64{-32768, 300}},
		{[]int32{math.MinInt32, 1 << 20}, []float64{math.MinInt32, 1 << 20}},
		{[]float32{0.25, -3}, []float64{0.25, -3}},
		{[]float64{1.0 / 3, 1e300}, []float64{1.0 / 3, 1e300}},
	}
	for _, tt := range tests {
		a, err := New([]int{len(tt.want)}, tt.data)
		if err != nil {
			t.Fatal(err)
		}
		f32 := a.Float32s()
		for i, want := range tt.want {
			if got := a.At(i); got != want {
				t.Errorf("%v At(%d) = %v, want %v", a.Type, i, got, want)
			}
			if f32[i] != float32(want) {
				t.Errorf("%v Float32s()[%d] = %v, want %v", a.Type, i, f32[i], float32(want))
			}
		}
	}
}

func TestFloat32sIsACopy(t *testing.T) {
	data := []float32{1, 2}
	a, _ := New([]int{2}, data)
	a.Float32s()[0] = 42
	if data[0] != 1 {
		t.Errorf("Float32s shares storage with Data")
	}
}

func TestFormatDims(t *testing.T) {
	tests := []struct {
		dims []uint64
		want string
	}{
		{nil, "[]"},
		{[]uint64{60000, 28, 28}, "[60000 28 28]"},
		{[]uint64{1, 2, 3, 4, 5, 6, 7, 8}, "[1 2 3 4 5 6 7 8]"},
		{[]uint64{1, 2, 3, 4, 5, 6, 7, 8, 9}, "[1 2 3 4 ... 6 7 8 9] (9 dims)"},
	}
	for _, tt := range tests {
		if got := formatDims(tt.dims); got != tt.want {
			t.Errorf("formatDims(%v) = %q, want %q", tt.dims, got, tt.want)
		}
	}
}
