package dataset

import (
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm/idx"
)

func TestLabels(t *testing.T) {
	tests := []struct {
		data any
		want []int
	}{
		{[]uint8{5, 0, 4, 1, 9, 255}, []int{5, 0, 4, 1, 9, 255}},
		{[]int8{-1, 3}, []int{-1, 3}},
		{[]int16{1000}, []int{1000}},
		{[]int32{70000, 0}, []int{70000, 0}},
		{[]uint8{}, []int{}},
	}
	for _, tt := range tests {
		got, err := Labels(mustArray(t, []int{len(tt.want)}, tt.data))
		if err != nil {
			t.Fatalf("Labels(%T): %v", tt.data, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Labels(%v) = %v, want %v", tt.data, got, tt.want)
		}
	}
}

func TestLabelsErrors(t *testing.T) {
	tests := []struct {
		name string
		a    *idx.Array
		want string
	}{
		{"images", mustArray(t, []int{1, 2, 2}, []uint8{0, 1, 2, 3}), "labels must be a 1-D array, got dims [1 2 2]"},
		{"scalar", mustArray(t, nil, []uint8{7}), "labels must be a 1-D array, got dims []"},
		{"floats", mustArray(t, []int{2}, []float32{1, 2}), "labels must be integers, got []float32 data"},
	}
	for _, tt := range tests {
		_, err := Labels(tt.a)
		if err == nil || !strings.HasPrefix(err.Error(), "dataset: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
