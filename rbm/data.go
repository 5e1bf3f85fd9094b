package rbm

import (
	"fmt"
	bitops "math/bits" // the tests have a bits of their own
)

// Data is a set of rows of visible-unit values, as training reads them:
// a row at a time into the float32 mini-batches of the updates, and
// column sums for the base rates and the centering offsets. A *Matrix is
// Data, and so is a *BitMatrix, which holds binary rows in a thirty-second
// of the space; training gives the same result, bit for bit, from either.
type Data interface {
	// Dims returns the number of rows and of values in each row.
	Dims() (rows, cols int)
	// Gather sets row r of dst to row idx[r] of the data, for each r;
	// dst has the data's columns and at least len(idx) rows.
	Gather(dst *Matrix, idx []int32)
	// ColumnSums sets dst[j] to the sum of column j over every row,
	// accumulated in float64 in row order; dst has one entry per column.
	ColumnSums(dst []float64)
}

// Dims returns the matrix's rows and columns.
func (m *Matrix) Dims() (rows, cols int) { return m.Rows, m.Cols }

// Gather copies row idx[r] of m to row r of dst, for each r.
func (m *Matrix) Gather(dst *Matrix, idx []int32) {
	mustGather(m.Cols, dst, idx)
	for r, i := range idx {
		copy(dst.Row(r), m.Row(int(i)))
	}
}

// ColumnSums sets dst[j] to the sum of column j of m.
func (m *Matrix) ColumnSums(dst []float64) {
	mustColumns(m.Cols, dst)
	clear(dst)
	if m.Cols == 0 {
		return
	}
	for r := range m.Rows {
		for j, x := range m.Row(r) {
			dst[j] += float64(x)
		}
	}
}

func mustGather(cols int, dst *Matrix, idx []int32) {
	if dst.Cols != cols || dst.Rows < len(idx) {
		panic(fmt.Sprintf("rbm: gathering %d rows of %d columns into a %d×%d matrix", len(idx), cols, dst.Rows, dst.Cols))
	}
}

func mustColumns(cols int, dst []float64) {
	if len(dst) != cols {
		panic(fmt.Sprintf("rbm: %d column sums of %d columns", len(dst), cols))
	}
}

// noData reports whether d is nil or a nil pointer of one of the
// package's types.
func noData(d Data) bool {
	switch d := d.(type) {
	case nil:
		return true
	case *Matrix:
		return d == nil
	case *BitMatrix:
		return d == nil
	}
	return false
}

// checkData reports data training cannot read: none, or a Matrix whose
// storage does not match its shape.
func checkData(d Data) error {
	if noData(d) {
		return fmt.Errorf("no data")
	}
	if m, ok := d.(*Matrix); ok && (m.Rows < 0 || m.Cols < 0 || len(m.Data) != m.Rows*m.Cols) {
		return fmt.Errorf("data matrix is %d×%d but holds %d values", m.Rows, m.Cols, len(m.Data))
	}
	return nil
}

// BitMatrix is a matrix of binary values stored one bit per value: binary
// data in a thirty-second of a Matrix's space (the 60,000 MNIST images in
// 6.2 MB instead of 188 MB). Each row occupies whole 64-bit words,
// column j being bit j%64 of the row's word j/64, and the bits past the
// last column are zero. Training expands rows into float32 only as each
// mini-batch gathers them. NewBitMatrix(0, cols) and AppendRow build one
// a row at a time, as a loader does when it cannot trust a file's header
// with an allocation of the size it claims.
type BitMatrix struct {
	rows, cols, stride int
	words              []uint64
}

// NewBitMatrix returns a rows×cols matrix of zeros.
func NewBitMatrix(rows, cols int) *BitMatrix {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("rbm: negative matrix dimension %d×%d", rows, cols))
	}
	stride := (cols + 63) / 64
	return &BitMatrix{rows: rows, cols: cols, stride: stride, words: make([]uint64, rows*stride)}
}

// PackBits returns the rows of m, whose every value must be 0 or 1, as a
// BitMatrix; a value that is neither is an error naming it.
func PackBits(m *Matrix) (*BitMatrix, error) {
	if err := checkData(m); err != nil {
		return nil, fmt.Errorf("rbm: %w", err)
	}
	b := NewBitMatrix(m.Rows, m.Cols)
	for i := range m.Rows {
		row := b.words[i*b.stride : (i+1)*b.stride]
		for j, x := range m.Row(i) {
			switch x {
			case 0:
			case 1:
				row[j/64] |= 1 << (j % 64)
			default:
				return nil, fmt.Errorf("rbm: row %d, column %d holds %v, not 0 or 1", i+1, j+1, x)
			}
		}
	}
	return b, nil
}

// Dims returns the matrix's rows and columns.
func (b *BitMatrix) Dims() (rows, cols int) { return b.rows, b.cols }

// At reports whether the value in row i, column j is 1.
func (b *BitMatrix) At(i, j int) bool {
	b.check(i, j)
	return b.words[i*b.stride+j/64]>>(j%64)&1 != 0
}

// Set sets the value in row i, column j to 1 if on, else to 0.
func (b *BitMatrix) Set(i, j int, on bool) {
	b.check(i, j)
	w := &b.words[i*b.stride+j/64]
	if on {
		*w |= 1 << (j % 64)
	} else {
		*w &^= 1 << (j % 64)
	}
}

func (b *BitMatrix) check(i, j int) {
	if uint(i) >= uint(b.rows) || uint(j) >= uint(b.cols) {
		panic(fmt.Sprintf("rbm: index (%d, %d) out of range of a %d×%d matrix", i, j, b.rows, b.cols))
	}
}

// SetRow sets row i from on, one value per column.
func (b *BitMatrix) SetRow(i int, on []bool) {
	if uint(i) >= uint(b.rows) || len(on) != b.cols {
		panic(fmt.Sprintf("rbm: setting row %d of a %d×%d matrix from %d values", i, b.rows, b.cols, len(on)))
	}
	packRow(b.words[i*b.stride:(i+1)*b.stride], on)
}

// AppendRow adds a row at the bottom, set from on, one value per column.
// The storage doubles when it is full; Grow reserves it ahead.
func (b *BitMatrix) AppendRow(on []bool) {
	if len(on) != b.cols {
		panic(fmt.Sprintf("rbm: appending %d values to a matrix of %d columns", len(on), b.cols))
	}
	packRow(b.extend(), on)
}

// AppendWords adds a row at the bottom given in the matrix's own layout:
// column j is bit j%64 of words[j/64]. It is AppendRow for a caller that
// packs bits itself, as a loader converting a byte per pixel does. There
// must be one word per 64 columns, rounded up, and the bits past the
// last column must be zero.
func (b *BitMatrix) AppendWords(words []uint64) {
	if len(words) != b.stride || b.cols%64 != 0 && len(words) > 0 && words[len(words)-1]>>(b.cols%64) != 0 {
		panic(fmt.Sprintf("rbm: appending %d words with bits past column %d to a matrix of %d columns", len(words), b.cols, b.cols))
	}
	copy(b.extend(), words)
}

// extend adds a row at the bottom and returns its words, doubling the
// storage when it is full.
func (b *BitMatrix) extend() []uint64 {
	if len(b.words)+b.stride > cap(b.words) {
		b.Grow(max(b.rows, 1))
	}
	n := len(b.words)
	b.words = b.words[:n+b.stride]
	b.rows++
	return b.words[n:]
}

// Grow makes room for n more rows, so that appending them allocates
// nothing.
func (b *BitMatrix) Grow(n int) {
	if n < 0 {
		panic("rbm: BitMatrix.Grow with a negative count")
	}
	if need := len(b.words) + n*b.stride; need > cap(b.words) {
		grown := make([]uint64, len(b.words), need)
		copy(grown, b.words)
		b.words = grown
	}
}

// packRow sets the words of a row from one bool per column; the bits past
// the last column stay zero.
func packRow(dst []uint64, on []bool) {
	for k := range dst {
		chunk := on[64*k : min(64*(k+1), len(on))]
		var w uint64
		for j, x := range chunk {
			var bit uint64 // without a branch: pixels are not predictable
			if x {
				bit = 1
			}
			w |= bit << j
		}
		dst[k] = w
	}
}

// Slice returns rows [lo, hi) as a matrix sharing the receiver's storage.
func (b *BitMatrix) Slice(lo, hi int) *BitMatrix {
	if lo < 0 || hi < lo || hi > b.rows {
		panic(fmt.Sprintf("rbm: rows [%d, %d) out of range of a matrix of %d rows", lo, hi, b.rows))
	}
	return &BitMatrix{rows: hi - lo, cols: b.cols, stride: b.stride, words: b.words[lo*b.stride : hi*b.stride : hi*b.stride]}
}

// Unpack returns the values as a float32 Matrix of zeros and ones.
func (b *BitMatrix) Unpack() *Matrix {
	m := NewMatrix(b.rows, b.cols)
	if b.cols == 0 {
		return m // however many rows: there is nothing to expand
	}
	for i := range b.rows {
		expandRow(m.Row(i), b.words[i*b.stride:(i+1)*b.stride])
	}
	return m
}

// Gather expands row idx[r] of b into row r of dst, for each r.
func (b *BitMatrix) Gather(dst *Matrix, idx []int32) {
	mustGather(b.cols, dst, idx)
	if b.stride == 0 {
		return // rows of no columns
	}
	// Rows drawn at random from a data set larger than the caches each
	// miss them. A first pass touches every row's first and last words,
	// loads the processor can issue together, so that the expansion
	// finds them in the cache instead of waiting for one row at a time.
	var touched uint64
	for _, i := range idx {
		i := int(i)
		if uint(i) >= uint(b.rows) {
			panic(fmt.Sprintf("rbm: gathering row %d of a matrix of %d rows", i, b.rows))
		}
		touched |= b.words[i*b.stride] | b.words[(i+1)*b.stride-1]
	}
	keep(touched)
	for r, i := range idx {
		i := int(i)
		expandRow(dst.Row(r), b.words[i*b.stride:(i+1)*b.stride])
	}
}

// keep takes a value the compiler must therefore compute: Gather's first
// pass, whose loads matter and whose result does not.
//
//go:noinline
func keep(uint64) {}

// byteFloats holds the eight float32 values, 0 or 1, of each byte's bits,
// lowest bit first: expanding a row copies one entry per byte.
var byteFloats = func() (t [256][8]float32) {
	for v := range t {
		for k := range 8 {
			t[v][k] = float32(v >> k & 1)
		}
	}
	return t
}()

// expandRow sets dst, one float32 per column, from a row's words. Binary
// data such as images are mostly zeros in long runs, so it clears the row
// and then writes only the bytes that hold a one, eight floats at a time.
func expandRow(dst []float32, words []uint64) {
	clear(dst)
	for i, w := range words {
		for w != 0 {
			k := bitops.TrailingZeros64(w) &^ 7 // the byte that holds the lowest one
			j := 64*i + k
			if j+8 <= len(dst) {
				*(*[8]float32)(dst[j:]) = byteFloats[byte(w>>k)]
			} else {
				copy(dst[j:], byteFloats[byte(w>>k)][:]) // the last, partial byte of the row
			}
			w &^= 0xff << k
		}
	}
}

// ColumnSums sets dst[j] to the number of ones in column j. The counts
// are exact, so they equal the float64 sums a Matrix of the same values
// gives.
func (b *BitMatrix) ColumnSums(dst []float64) {
	mustColumns(b.cols, dst)
	clear(dst)
	if b.cols == 0 {
		return
	}
	// Each byte of a row adds its eight bits to eight byte-wide lanes of
	// one uint64 counter (byteLanes spreads them); a lane holds at most
	// 255, so the counters are emptied into dst every 255 rows.
	bytesPerRow := (b.cols + 7) / 8
	lanes := make([]uint64, bytesPerRow)
	flush := func() {
		for k, c := range lanes {
			for l := range 8 {
				if j := 8*k + l; j < b.cols {
					dst[j] += float64(c >> (8 * l) & 0xff)
				}
			}
		}
		clear(lanes)
	}
	for i := range b.rows {
		row := b.words[i*b.stride : (i+1)*b.stride]
		for k := range lanes {
			lanes[k] += byteLanes[byte(row[k/8]>>(8*(k%8)))]
		}
		if (i+1)%255 == 0 {
			flush()
		}
	}
	flush()
}

// byteLanes spreads the bits of a byte over the bytes of a uint64: bit k
// of v becomes byte k.
var byteLanes = func() (t [256]uint64) {
	for v := range t {
		for k := range 8 {
			t[v] |= uint64(v>>k&1) << (8 * k)
		}
	}
	return t
}()
