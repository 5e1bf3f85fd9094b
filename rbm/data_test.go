package rbm

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm/idx"
)

// randomBinary returns a rows×cols matrix of independent bits, each on
// with probability p.
func randomBinary(rows, cols int, p float64, seed uint64) *Matrix {
	rng := rand.New(rand.NewPCG(seed, 5))
	m := NewMatrix(rows, cols)
	for i := range m.Data {
		if rng.Float64() < p {
			m.Data[i] = 1
		}
	}
	return m
}

func mustPack(t testing.TB, m *Matrix) *BitMatrix {
	t.Helper()
	b, err := PackBits(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBitMatrixMatchesMatrix checks every way of reading a BitMatrix
// against the Matrix it packs, at widths around the byte and word
// boundaries and with more rows than a column counter's lane holds.
func TestBitMatrixMatchesMatrix(t *testing.T) {
	for _, cols := range []int{0, 1, 7, 8, 9, 63, 64, 65, 130, 784} {
		for _, rows := range []int{0, 1, 3, 600} {
			name := fmt.Sprintf("%d×%d", rows, cols)
			m := randomBinary(rows, cols, 0.3, uint64(rows*1000+cols))
			b := mustPack(t, m)
			if r, c := b.Dims(); r != rows || c != cols {
				t.Fatalf("%s: Dims() = %d, %d", name, r, c)
			}
			if got := b.Unpack(); !slices.Equal(got.Data, m.Data) || got.Rows != rows || got.Cols != cols {
				t.Errorf("%s: Unpack differs from the packed matrix", name)
			}
			for i := range rows {
				for j := range cols {
					if b.At(i, j) != (m.Row(i)[j] == 1) {
						t.Fatalf("%s: At(%d, %d) = %v", name, i, j, b.At(i, j))
					}
				}
			}
			want, got := make([]float64, cols), make([]float64, cols)
			m.ColumnSums(want)
			for j := range got {
				got[j] = -1 // ColumnSums sets, never adds
			}
			b.ColumnSums(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: ColumnSums = %v, want %v", name, got, want)
			}
			if rows == 0 {
				continue
			}
			rng := rand.New(rand.NewPCG(uint64(cols), 1))
			idx := make([]int32, 2*rows+1)
			for r := range idx {
				idx[r] = int32(rng.IntN(rows))
			}
			wantRows, gotRows := NewMatrix(len(idx)+2, cols), NewMatrix(len(idx)+2, cols)
			for i := range gotRows.Data {
				wantRows.Data[i], gotRows.Data[i] = 7, 7 // rows past len(idx) stay as they were
			}
			m.Gather(wantRows, idx)
			b.Gather(gotRows, idx)
			if !slices.Equal(gotRows.Data, wantRows.Data) {
				t.Errorf("%s: Gather differs from the Matrix's", name)
			}
			lo, hi := rows/3, rows-rows/3
			if got := b.Slice(lo, hi).Unpack(); !slices.Equal(got.Data, m.Slice(lo, hi).Data) {
				t.Errorf("%s: Slice(%d, %d) differs", name, lo, hi)
			}
		}
	}
}

func TestBitMatrixBuilding(t *testing.T) {
	m := randomBinary(40, 70, 0.5, 3)
	rowBools := func(i int) []bool {
		on := make([]bool, m.Cols)
		for j, x := range m.Row(i) {
			on[j] = x == 1
		}
		return on
	}
	rowWords := func(i int) []uint64 {
		words := make([]uint64, (m.Cols+63)/64)
		for j, x := range m.Row(i) {
			words[j/64] |= uint64(x) << (j % 64)
		}
		return words
	}
	appended := NewBitMatrix(0, m.Cols)
	appended.Grow(10)
	words := NewBitMatrix(0, m.Cols)
	set := NewBitMatrix(m.Rows, m.Cols)
	bitwise := NewBitMatrix(m.Rows, m.Cols)
	for i := range m.Rows {
		appended.AppendRow(rowBools(i))
		words.AppendWords(rowWords(i))
		set.SetRow(m.Rows-1-i, rowBools(m.Rows-1-i))
		for j := range m.Cols {
			bitwise.Set(i, j, true) // then the value itself: Set clears too
			bitwise.Set(i, j, m.Row(i)[j] == 1)
		}
	}
	for name, b := range map[string]*BitMatrix{"AppendRow": appended, "AppendWords": words, "SetRow": set, "Set": bitwise} {
		if got := b.Unpack(); !slices.Equal(got.Data, m.Data) || got.Rows != m.Rows {
			t.Errorf("%s built a different matrix", name)
		}
	}
	// Appending to a slice must not write into the rows after it.
	whole := mustPack(t, m)
	head := whole.Slice(0, 5)
	head.AppendRow(make([]bool, m.Cols))
	if got := whole.Unpack(); !slices.Equal(got.Data, m.Data) {
		t.Errorf("appending to a slice changed the matrix it came from")
	}
}

func TestAppendWordsRefusesStrayBits(t *testing.T) {
	for name, words := range map[string][]uint64{"bit past the last column": {0, 1 << 6}, "too few words": {0}, "too many": {0, 0, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: AppendWords did not panic", name)
				}
			}()
			NewBitMatrix(0, 70).AppendWords(words)
		}()
	}
}

func TestPackBitsRejectsNonBinary(t *testing.T) {
	m := NewMatrix(2, 3)
	m.Data[4] = 0.5
	if _, err := PackBits(m); err == nil || !strings.Contains(err.Error(), "row 2, column 2 holds 0.5, not 0 or 1") {
		t.Errorf("PackBits error %v", err)
	}
	if _, err := PackBits(&Matrix{Rows: 2, Cols: 2, Data: make([]float32, 3)}); err == nil {
		t.Errorf("PackBits accepted a matrix whose storage does not match its shape")
	}
}

// TestTrainingFromBitsIsBitIdentical trains every method on Matrices and on
// the same rows packed into bits, training and held-out: the model files
// must be equal byte for byte, monitoring figures included, for the
// training set gathered whole (≤ MonitorRows rows) and subsampled.
func TestTrainingFromBitsIsBitIdentical(t *testing.T) {
	data := randomBinary(250, 70, 0.3, 8)
	val := randomBinary(40, 70, 0.3, 9)
	packed, packedVal := mustPack(t, data), mustPack(t, val)
	train := func(d, val Data, variant func(*Config), monitor int) []byte {
		m := New(70, 12)
		m.Init(d, 3)
		tr := &Trainer{
			Config: Config{Epochs: 3, BatchSize: 32, K: 2, Momentum: 0.5, FinalMomentum: 0.9, MomentumEpochs: 1,
				WeightDecay: 1e-3, SparsityTarget: 0.1, SparsityCost: 0.01, Seed: 99, Workers: 2},
			Validation: val, MonitorRows: monitor,
		}
		variant(&tr.Config)
		stats, err := tr.Train(context.Background(), m, d)
		if err != nil {
			t.Fatal(err)
		}
		for i := range stats {
			stats[i].Seconds = 0
		}
		var buf bytes.Buffer
		meta := &Meta{Training: &tr.Config, Epochs: len(stats), Final: &stats[len(stats)-1], BaseRates: float32s(BaseRates(d))}
		if err := Encode(&buf, m, meta); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for name, variant := range variants {
		for _, monitor := range []int{0, 100} {
			if a, b := train(data, val, variant, monitor), train(packed, packedVal, variant, monitor); !bytes.Equal(a, b) {
				t.Errorf("%s, monitor %d: the models trained from a Matrix and from bits differ", name, monitor)
			}
		}
	}
}

func float32s(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

func TestTrainRejectsMissingData(t *testing.T) {
	var none *BitMatrix
	for name, d := range map[string]Data{"nil": nil, "nil *Matrix": (*Matrix)(nil), "nil *BitMatrix": none} {
		if _, err := (&Trainer{}).Train(context.Background(), New(6, 4), d); err == nil || !strings.Contains(err.Error(), "no data") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

// mnistDigits returns the 2,000 MNIST training digits in testdata,
// binarised at one half as the command does by default.
func mnistDigits(tb testing.TB) *Matrix {
	a, err := idx.ReadFile("../testdata/mnist-train-2000-images-idx3-ubyte.gz")
	if err != nil {
		tb.Fatal(err)
	}
	pixels := a.Float32s()
	data := NewMatrix(len(pixels)/784, 784)
	for i, x := range pixels {
		if x > 127.5 {
			data.Data[i] = 1
		}
	}
	return data
}

// BenchmarkGather times the gathering of mini-batches of 100 MNIST
// digits, expanded from bits and copied from a float32 Matrix, as
// training draws them: random rows of a data set (the 2,000 digits ten
// times over) too large for the caches as floats.
func BenchmarkGather(b *testing.B) {
	digits := mnistDigits(b)
	m := NewMatrix(10*digits.Rows, digits.Cols)
	for k := range 10 {
		copy(m.Data[k*len(digits.Data):], digits.Data)
	}
	packed := mustPack(b, m)
	rng := rand.New(rand.NewPCG(1, 1))
	order := make([]int32, m.Rows)
	for i, r := range rng.Perm(m.Rows) {
		order[i] = int32(r)
	}
	dst := NewMatrix(100, 784)
	for name, d := range map[string]Data{"matrix": m, "bits": packed} {
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				d.Gather(dst, order[i:i+100])
				i = (i + 100) % m.Rows
			}
		})
	}
}

// BenchmarkColumnSums times the column sums of 60,000 MNIST-shaped rows.
func BenchmarkColumnSums(b *testing.B) {
	m := randomBinary(60000, 784, 0.2, 1)
	packed := mustPack(b, m)
	sums := make([]float64, 784)
	for name, d := range map[string]Data{"matrix": m, "bits": packed} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				d.ColumnSums(sums)
			}
		})
	}
}
