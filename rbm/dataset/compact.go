package dataset

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
)

// LoadCompact reads the IDX file at path, plain or gzip-compressed, into
// the most compact data training can read. With a binary mode (Threshold
// or Stochastic) that is a *rbm.BitMatrix, one bit per value, filled a
// chunk of elements at a time as the file is decoded, so that neither the
// file's elements nor a float32 copy of them is ever held whole: the
// 60,000 MNIST images take 6.2 MB instead of the 47 MB of their pixels
// and the 188 MB of Load's matrix. With Probabilities it is the
// *rbm.Matrix Load returns. The values are Load's exactly, the Stochastic
// draws included (one per element, in row-major order).
//
// Its errors name the file, as Load's do.
func LoadCompact(path string, opt Options) (rbm.Data, Shape, error) {
	if opt.Binarize == Probabilities {
		m, shape, err := Load(path, opt)
		if err != nil {
			return nil, Shape{}, err
		}
		return m, shape, nil
	}
	b, err := opt.binarizer()
	if err != nil {
		return nil, Shape{}, fmt.Errorf("dataset: %w", err)
	}
	r, err := idx.Open(path)
	if err != nil {
		return nil, Shape{}, explainIDX(path, err) // it names the file already
	}
	defer r.Close()
	bits, aboveOne, err := readBits(r, b, false)
	if err == nil && r.Type == idx.UByte && !aboveOne {
		// Every byte was 0 or 1: binary data stored as bytes, which
		// FromIDX takes as they are rather than as grey levels, and which
		// the pass above has scaled as grey levels. They are read again,
		// as the rare case they are.
		r.Close()
		if r, err = idx.Open(path); err != nil {
			return nil, Shape{}, err
		}
		defer r.Close()
		bits, _, err = readBits(r, b, true)
	}
	if err != nil {
		if _, ok := err.(dataError); ok {
			return nil, Shape{}, fmt.Errorf("dataset: %s: %w", path, err)
		}
		return nil, Shape{}, err // from the Reader, which names the file
	}
	return bits, shapeOf(r.Dims), nil
}

// dataError marks an error in the content of the data, as opposed to one
// from the Reader, which carries its own prefix.
type dataError struct{ error }

func (e dataError) Unwrap() error { return e.error }

// chunkBytes is about how many bytes of elements readBits hands from its
// reading goroutine to its converting one at a time.
const chunkBytes = 256 << 10

// unmeasuredReserve is how much storage, in bytes, readBits reserves on
// the word of a header whose claim the input's size could not check: the
// rows of gzipped MNIST (6.2 MB) in one allocation, while a lying header
// costs no more than this.
const unmeasuredReserve = 8 << 20

// readBits reads the rest of r, an array of binary-mode training data
// (see FromIDX), into a BitMatrix a chunk of elements at a time. When the
// input's size was not measured (gzip, pipes) the matrix grows as rows
// arrive beyond unmeasuredReserve, so that a header's claim alone never
// sets more of the allocation. binaryBytes reads ubyte elements as binary
// values (byteDivisor); aboveOne reports whether a ubyte element was above
// 1, which says whether they are.
func readBits(r *idx.Reader, b binarizer, binaryBytes bool) (bits *rbm.BitMatrix, aboveOne bool, err error) {
	rows, cols, err := layoutOf(r.Dims)
	if err != nil {
		return nil, false, dataError{err}
	}
	if cols == 0 {
		// No elements to read, only the end of the input to check.
		if _, err := r.Read(emptyOf(r.Type)); err != io.EOF {
			return nil, false, err
		}
		return rbm.NewBitMatrix(rows, 0), false, nil
	}
	out := rbm.NewBitMatrix(0, cols)
	reserve := rows
	if !r.Measured() {
		// Believe the header for up to unmeasuredReserve bytes of bits,
		// and beyond that grow as rows arrive.
		reserve = min(rows, unmeasuredReserve/(8*((cols+63)/64)))
	}
	out.Grow(reserve)
	// above gathers the bits of ubyte elements other than the lowest: it
	// ends nonzero when one was above 1.
	var above uint64
	switch r.Type {
	case idx.UByte:
		err = streamBits(r, out, byteRule[uint8](b, 0, byteDivisor(binaryBytes), &above))
	case idx.SByte:
		err = streamBits(r, out, byteRule[int8](b, -math.MinInt8, math.MaxUint8, &above))
	case idx.Int16:
		err = streamBits(r, out, probabilityRule[int16](b))
	case idx.Int32:
		err = streamBits(r, out, probabilityRule[int32](b))
	case idx.Float32:
		err = streamBits(r, out, probabilityRule[float32](b))
	case idx.Float64:
		err = streamBits(r, out, probabilityRule[float64](b))
	default:
		err = dataError{fmt.Errorf("unsupported element type %v", r.Type)}
	}
	if err != nil {
		return nil, false, err
	}
	return out, above != 0, nil
}

// emptyOf returns an empty slice of the Go type of t's elements.
func emptyOf(t idx.Type) any {
	switch t {
	case idx.SByte:
		return []int8{}
	case idx.Int16:
		return []int16{}
	case idx.Int32:
		return []int32{}
	case idx.Float32:
		return []float32{}
	case idx.Float64:
		return []float64{}
	}
	return []uint8{}
}

// rule sets units from elements: the bits of columns col to
// col+len(src)-1 of row i, whose words are row, from src; the bits start
// at zero. It reports an element that is not valid data.
type rule[T element] func(row []uint64, src []T, i, col int) error

// chunk is a run of elements from the reading goroutine, or its error.
type chunk[T element] struct {
	data []T
	err  error
}

// streamBits reads the elements of r and appends each row to out as
// convert turns it into bits. A goroutine reads (and decompresses) the
// next chunk of elements while the caller's converts the last one, so on
// two cores loading takes about as long as decompression alone. A row may
// span chunks, and its words grow only as its elements arrive, so that
// memory follows the data read rather than the header's dimensions.
func streamBits[T element](r *idx.Reader, out *rbm.BitMatrix, convert rule[T]) error {
	n := r.Len()
	size := min(n, max(1, chunkBytes/r.Type.Size()))
	const buffers = 3
	free := make(chan []T, buffers)
	for range buffers {
		free <- make([]T, size)
	}
	full := make(chan chunk[T], buffers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(full)
		send := func(c chunk[T]) bool {
			select {
			case full <- c:
				return true
			case <-stop:
				return false
			}
		}
		for read := 0; read < n; {
			var buf []T
			select {
			case buf = <-free:
			case <-stop: // the caller has stopped, holding buffers
				return
			}
			k := min(size, n-read)
			if _, err := r.Read(buf[:k]); err != nil {
				send(chunk[T]{err: err}) // the Reader fills buf unless it fails
				return
			}
			if !send(chunk[T]{data: buf[:k]}) {
				return
			}
			read += k
		}
		// An array of no elements still ends where its header says.
		if _, err := r.Read([]T{}); err != io.EOF {
			send(chunk[T]{err: err})
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
	}()

	_, cols := out.Dims()
	var row []uint64
	i, col := 0, 0
	for c := range full {
		if c.err != nil {
			return c.err
		}
		for src := c.data; len(src) > 0; {
			m := min(len(src), cols-col)
			for len(row) < (col+m+63)/64 {
				row = append(row, 0)
			}
			if err := convert(row, src[:m], i, col); err != nil {
				return dataError{err}
			}
			src, col = src[m:], col+m
			if col == cols {
				out.AppendWords(row)
				clear(row)
				i, col = i+1, 0
			}
		}
		free <- c.data[:cap(c.data)]
	}
	return nil
}

// setBits ors bit(src[j]) into the bits of columns col+j of row, a word
// at a time.
func setBits[T element](row []uint64, src []T, col int, bit func(T) uint64) {
	for len(src) > 0 {
		w, s := col/64, col%64
		m := min(64-s, len(src))
		var acc uint64
		for j, v := range src[:m] {
			acc |= bit(v) << (s + j)
		}
		row[w] |= acc
		src, col = src[m:], col+m
	}
}

// byteRule returns the rule of binarizer b for ubyte or sbyte elements,
// scaled as (v+offset)/divisor: each of the 256 values is scaled once, by
// the same arithmetic as binarize, so the units are FromIDX's. It ors the
// bits of each element's byte above the lowest into *above.
func byteRule[T uint8 | int8](b binarizer, offset, divisor float64, above *uint64) rule[T] {
	var p [256]float64
	var on [256]uint64
	for v := range 256 {
		x := T(v) // uint8 0..255, or int8 0..127, -128..-1
		p[uint8(x)] = (float64(x) + offset) / divisor
		if p[uint8(x)] >= b.cut {
			on[uint8(x)] = 1
		}
	}
	if b.mode == Stochastic {
		return func(row []uint64, src []T, _, col int) error {
			setBits(row, src, col, func(v T) uint64 {
				*above |= uint64(uint8(v)) &^ 1
				if b.rand.Float64() < p[uint8(v)] {
					return 1
				}
				return 0
			})
			return nil
		}
	}
	if ubyte, ok := any(thresholdBytes(&on, above)).(rule[T]); ok { // sbyte keeps the table
		return ubyte
	}
	return func(row []uint64, src []T, _, col int) error {
		setBits(row, src, col, func(v T) uint64 {
			*above |= uint64(uint8(v)) &^ 1
			return on[uint8(v)]
		})
		return nil
	}
}

// thresholdBytes returns the threshold rule for ubyte elements whose
// units are on[v]. The scaling is increasing, so the units are on from
// some value c up, c the number of values that are off: the rule compares
// eight pixels at a time with c (geBytes) instead of looking each up,
// the loop MNIST's 47 million pixels go through.
//
// It is kept out of line because, inlined into byteRule, its closure was
// compiled with calls to geBytes, packHighBits and Uint64 left in (Go
// 1.26), which made the loop half again as slow.
//
//go:noinline
func thresholdBytes(on *[256]uint64, above *uint64) rule[uint8] {
	c := uint64(0)
	for _, x := range on {
		c += 1 - x
	}
	y := c * lowBits
	return func(row []uint64, pixels []uint8, _, col int) error {
		var high uint64 // the bits of the pixels above the lowest
		for len(pixels) > 0 {
			w, s := col/64, col%64
			m := min(64-s, len(pixels))
			var acc uint64
			j := 0
			if c < 256 {
				for ; j+8 <= m; j += 8 {
					x := binary.LittleEndian.Uint64(pixels[j:])
					high |= x &^ lowBits
					acc |= packHighBits(geBytes(x, y)) << (s + j)
				}
			}
			for ; j < m; j++ {
				high |= uint64(pixels[j]) &^ 1
				acc |= on[pixels[j]] << (s + j)
			}
			row[w] |= acc
			pixels, col = pixels[m:], col+m
		}
		*above |= high
		return nil
	}
}

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// geBytes returns, for each of the eight bytes of x, 0x80 where the byte
// is at least c and 0 where it is below, for y = c·0x0101010101010101
// (c in 0..255, in every byte): the high bits compare first, and where
// they are equal the low seven bits decide, by a subtraction that cannot
// borrow across bytes ((x|0x80) - (c&0x7f) lies in 1..255).
func geBytes(x, y uint64) uint64 {
	low := (x | highBits) - (y &^ highBits)
	return (x&^y | ^(x^y)&low) & highBits
}

// packHighBits gathers the high bit of each byte of x into one byte, the
// lowest byte's first: the multiplication moves byte k's bit to bit 56+k
// without collisions or carries among the partial products.
func packHighBits(x uint64) uint64 {
	return (x >> 7) * 0x0102040810204080 >> 56
}

// probabilityRule returns the rule of binarizer b for elements that must
// be probabilities already, with binarizeProbabilities' check.
func probabilityRule[T int16 | int32 | float32 | float64](b binarizer) rule[T] {
	return func(row []uint64, src []T, i, col int) error {
		for j, v := range src {
			if p := float64(v); !(p >= 0 && p <= 1) { // false for NaN too
				return fmt.Errorf("row %d, column %d: %T value %v is outside [0,1]; data other than ubyte and sbyte must be probabilities", i+1, col+j+1, v, v)
			}
		}
		setBits(row, src, col, func(v T) uint64 {
			var on bool
			if b.mode == Stochastic {
				on = b.rand.Float64() < float64(v)
			} else {
				on = float64(v) >= b.cut
			}
			if on {
				return 1
			}
			return 0
		})
		return nil
	}
}
