package dataset

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
)

func mustArray(t *testing.T, dims []int, data any) *idx.Array {
	t.Helper()
	a, err := idx.New(dims, data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// row returns data as a 1×len(data) array.
func row(t *testing.T, data any) *idx.Array {
	t.Helper()
	return mustArray(t, []int{1, reflect.ValueOf(data).Len()}, data)
}

func TestFromIDXKnownAnswers(t *testing.T) {
	prob := Options{Binarize: Probabilities}
	tests := []struct {
		name string
		data any
		opt  Options
		want []float32
	}{
		// Threshold at the default one half: ubyte 127 is just below
		// (127/255), 128 just above; sbyte 0 is 128/255, just above.
		{"ubyte threshold", []uint8{0, 127, 128, 255}, Options{}, []float32{0, 0, 1, 1}},
		{"sbyte threshold", []int8{-128, -1, 0, 127}, Options{}, []float32{0, 0, 1, 1}},
		{"float32 threshold at 0.5", []float32{0, 0.49999997, 0.5, 1}, Options{}, []float32{0, 0, 1, 1}},
		{"float64 threshold at 0.5", []float64{0, math.Nextafter(0.5, 0), 0.5, 1}, Options{}, []float32{0, 0, 1, 1}},
		{"int16 threshold", []int16{0, 1}, Options{}, []float32{0, 1}},
		{"int32 threshold", []int32{1, 0}, Options{}, []float32{1, 0}},
		{"threshold 0.25", []uint8{63, 64}, Options{Threshold: 0.25}, []float32{0, 1}},
		{"threshold exactly 100/255", []uint8{99, 100}, Options{Threshold: 100.0 / 255}, []float32{0, 1}},
		{"threshold 1", []uint8{254, 255}, Options{Threshold: 1}, []float32{0, 1}},
		{"ubyte probabilities", []uint8{0, 51, 255}, prob, []float32{0, 0.2, 1}},
		{"sbyte probabilities", []int8{-128, -77, 127}, prob, []float32{0, 0.2, 1}},
		{"float64 probabilities", []float64{0, 0.3, 1}, prob, []float32{0, 0.3, 1}},
		{"int32 probabilities", []int32{0, 1}, prob, []float32{0, 1}},
		{"stochastic at the ends", []float32{0, 1, 0, 1}, Options{Binarize: Stochastic, Rand: rand.New(rand.NewPCG(1, 2))}, []float32{0, 1, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, shape, err := FromIDX(row(t, tt.data), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if m.Rows != 1 || m.Cols != len(tt.want) || !slices.Equal(m.Data, tt.want) {
				t.Errorf("FromIDX = %d×%d %v, want 1×%d %v", m.Rows, m.Cols, m.Data, len(tt.want), tt.want)
			}
			if shape != (Shape{}) {
				t.Errorf("shape of a 2-D array = %+v, want zero", shape)
			}
		})
	}
}

func fractionOfOnes(t *testing.T, m *rbm.Matrix) float64 {
	t.Helper()
	ones := 0
	for i, v := range m.Data {
		switch v {
		case 1:
			ones++
		case 0:
		default:
			t.Fatalf("stochastic output %v at %d is neither 0 nor 1", v, i)
		}
	}
	return float64(ones) / float64(len(m.Data))
}

// TestStochasticFrequency checks that units come on with their
// probability, within four standard deviations of the binomial mean.
func TestStochasticFrequency(t *testing.T) {
	const n = 100_000
	inputs := map[string]struct {
		a *idx.Array
		p float64
	}{
		"float64 0.3": {row(t, slices.Repeat([]float64{0.3}, n)), 0.3},
		"ubyte 51":    {row(t, slices.Repeat([]uint8{51}, n)), 0.2},
		"sbyte 0":     {row(t, slices.Repeat([]int8{0}, n)), 128.0 / 255},
	}
	for name, in := range inputs {
		opt := Options{Binarize: Stochastic, Rand: rand.New(rand.NewPCG(2024, 7))}
		m, _, err := FromIDX(in.a, opt)
		if err != nil {
			t.Fatal(err)
		}
		got, sd := fractionOfOnes(t, m), math.Sqrt(in.p*(1-in.p)/n)
		if math.Abs(got-in.p) > 4*sd {
			t.Errorf("%s: fraction of ones %.5f, want %.5f ± %.5f", name, got, in.p, 4*sd)
		}
	}
}

func TestStochasticDeterminism(t *testing.T) {
	a := row(t, fillRamp(1000))
	sample := func(seed uint64) []float32 {
		m, _, err := FromIDX(a, Options{Binarize: Stochastic, Rand: rand.New(rand.NewPCG(seed, 0))})
		if err != nil {
			t.Fatal(err)
		}
		return m.Data
	}
	if !slices.Equal(sample(1), sample(1)) {
		t.Errorf("equal seeds gave different samples")
	}
	if slices.Equal(sample(1), sample(2)) {
		t.Errorf("different seeds gave equal samples")
	}
}

// fillRamp returns n ubyte values sweeping the whole range.
func fillRamp(n int) []uint8 {
	out := make([]uint8, n)
	for i := range out {
		out[i] = uint8(i)
	}
	return out
}

func TestFromIDXShapes(t *testing.T) {
	tests := []struct {
		dims       []int
		rows, cols int
		shape      Shape
	}{
		{[]int{4, 6}, 4, 6, Shape{}},
		{[]int{2, 3, 4}, 2, 12, Shape{Height: 3, Width: 4}},
		{[]int{2, 1, 3, 4}, 2, 12, Shape{}},
		{[]int{0, 28, 28}, 0, 784, Shape{Height: 28, Width: 28}},
		{[]int{3, 0}, 3, 0, Shape{}},
	}
	for _, tt := range tests {
		n := 1
		for _, d := range tt.dims {
			n *= d
		}
		m, shape, err := FromIDX(mustArray(t, tt.dims, fillRamp(n)), Options{Binarize: Probabilities})
		if err != nil {
			t.Fatalf("dims %v: %v", tt.dims, err)
		}
		if m.Rows != tt.rows || m.Cols != tt.cols || shape != tt.shape {
			t.Errorf("dims %v: %d×%d, shape %+v; want %d×%d, shape %+v", tt.dims, m.Rows, m.Cols, shape, tt.rows, tt.cols, tt.shape)
		}
	}
}

// TestFromIDXRowMajor checks that rows and the flattening of images
// follow the array's layout.
func TestFromIDXRowMajor(t *testing.T) {
	a := mustArray(t, []int{2, 2, 2}, []uint8{0, 255, 255, 0, 255, 255, 0, 0})
	m, _, err := FromIDX(a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Row(0); !slices.Equal(got, []float32{0, 1, 1, 0}) {
		t.Errorf("row 0 = %v", got)
	}
	if got := m.Row(1); !slices.Equal(got, []float32{1, 1, 0, 0}) {
		t.Errorf("row 1 = %v", got)
	}
}

func TestFromIDXErrors(t *testing.T) {
	stochastic := Options{Binarize: Stochastic, Rand: rand.New(rand.NewPCG(1, 1))}
	tests := []struct {
		name string
		a    *idx.Array
		opt  Options
		want string
	}{
		{"labels", mustArray(t, []int{3}, []uint8{1, 2, 3}), Options{}, "a 1-D array of 3 values, such as a label file, is not training data"},
		{"scalar", mustArray(t, nil, []uint8{1}), Options{}, "a scalar is not training data"},
		{"float above 1", mustArray(t, []int{2, 3}, []float32{0, 0, 0, 0, 1.5, 0}), Options{}, "row 2, column 2: float32 value 1.5 is outside [0,1]"},
		{"negative float", row(t, []float64{-0.1}), stochastic, "row 1, column 1: float64 value -0.1 is outside [0,1]"},
		{"NaN", row(t, []float32{float32(math.NaN())}), Options{Binarize: Probabilities}, "float32 value NaN is outside [0,1]"},
		{"int16 2", row(t, []int16{0, 2}), Options{}, "int16 value 2 is outside [0,1]"},
		{"int32 -1", row(t, []int32{-1}), Options{}, "int32 value -1 is outside [0,1]"},
		{"no random source", row(t, []uint8{1}), Options{Binarize: Stochastic}, "needs a random source"},
		{"negative threshold", row(t, []uint8{1}), Options{Threshold: -0.1}, "threshold -0.1 is outside (0,1]"},
		{"threshold above 1", row(t, []uint8{1}), Options{Threshold: 1.5}, "threshold 1.5 is outside (0,1]"},
		{"NaN threshold", row(t, []uint8{1}), Options{Threshold: math.NaN()}, "threshold NaN is outside (0,1]"},
		{"unknown mode", row(t, []uint8{1}), Options{Binarize: 9}, "unknown binarization Binarize(9)"},
		{"dims disagree with data", &idx.Array{Type: idx.UByte, Dims: []int{2, 2}, Data: []uint8{1, 2, 3}}, Options{}, "dims [2 2] do not match the 3 elements"},
		{"negative dims", &idx.Array{Type: idx.UByte, Dims: []int{-1, -2}, Data: []uint8{1, 2}}, Options{}, "negative dimension in [-1 -2]"},
		{"unsupported data", &idx.Array{Type: idx.UByte, Dims: []int{1, 2}, Data: []uint16{1, 2}}, Options{}, "unsupported data type []uint16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, err := FromIDX(tt.a, tt.opt)
			if err == nil {
				t.Fatalf("FromIDX = %v, want error", m)
			}
			if !strings.HasPrefix(err.Error(), "dataset: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want the prefix %q and the text %q", err, "dataset: ", tt.want)
			}
			if errors.Unwrap(err) == nil {
				t.Errorf("error %q wraps nothing", err)
			}
		})
	}
}
