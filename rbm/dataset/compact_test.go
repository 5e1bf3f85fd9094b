package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
)

// compactCases are arrays of every element type, some of more rows than
// one chunk of readBits holds.
func compactCases(t testing.TB) map[string]*idx.Array {
	rng := rand.New(rand.NewPCG(4, 4))
	n := 3 * chunkBytes / 2 // 1.5 chunks of ubyte; rows of 3 columns span chunks
	u8, i8 := make([]uint8, n), make([]int8, n)
	f32, f64 := make([]float32, n), make([]float64, n)
	i16, i32 := make([]int16, n), make([]int32, n)
	for i := range n {
		u8[i] = uint8(rng.IntN(256))
		i8[i] = int8(u8[i])
		f32[i] = rng.Float32()
		f64[i] = rng.Float64()
		i16[i] = int16(rng.IntN(2))
		i32[i] = int32(rng.IntN(2))
	}
	arrays := map[string]*idx.Array{}
	add := func(name string, dims []int, data any) {
		a, err := idx.New(dims, data)
		if err != nil {
			t.Fatal(err)
		}
		arrays[name] = a
	}
	add("ubyte images", []int{n / 12, 3, 4}, u8)
	add("ubyte rows", []int{n / 3, 3}, u8)
	add("sbyte", []int{n / 6, 6}, i8)
	add("int16", []int{n / 3, 3}, i16)
	add("int32", []int{n / 2, 2}, i32)
	add("float32", []int{n / 3, 3}, f32)
	add("float64 images", []int{n / 70, 7, 10}, f64[:n/70*70])
	add("no rows", []int{0, 28, 28}, []uint8{})
	add("no columns", []int{5, 0}, []uint8{})
	add("one row of 784", []int{1, 784}, u8[:784])
	return arrays
}

// TestLoadCompactMatchesLoad checks that the bits LoadCompact streams are
// the values Load converts, for every mode that binarizes, from plain
// and gzipped files.
func TestLoadCompactMatchesLoad(t *testing.T) {
	dir := t.TempDir()
	options := map[string]func() Options{
		"threshold":      func() Options { return Options{} },
		"threshold 0.3":  func() Options { return Options{Threshold: 0.3} },
		"threshold 1":    func() Options { return Options{Threshold: 1} },
		"stochastic":     func() Options { return Options{Binarize: Stochastic, Rand: rand.New(rand.NewPCG(7, 7))} },
		"probabilities,": func() Options { return Options{Binarize: Probabilities} },
	}
	for name, a := range compactCases(t) {
		for _, compress := range []bool{false, true} {
			path := filepath.Join(dir, fmt.Sprintf("%s-%v.idx", strings.ReplaceAll(name, " ", "-"), compress))
			if err := idx.WriteFile(path, a, compress); err != nil {
				t.Fatal(err)
			}
			for mode, opt := range options {
				label := fmt.Sprintf("%s, gzip %v, %s", name, compress, mode)
				want, wantShape, err := Load(path, opt())
				if err != nil {
					t.Fatalf("%s: Load: %v", label, err)
				}
				got, shape, err := LoadCompact(path, opt())
				if err != nil {
					t.Fatalf("%s: LoadCompact: %v", label, err)
				}
				if shape != wantShape {
					t.Errorf("%s: shape %+v, want %+v", label, shape, wantShape)
				}
				var values *rbm.Matrix
				switch d := got.(type) {
				case *rbm.BitMatrix:
					if mode == "probabilities," {
						t.Fatalf("%s: LoadCompact returned bits", label)
					}
					values = d.Unpack()
				case *rbm.Matrix:
					if mode != "probabilities," {
						t.Fatalf("%s: LoadCompact returned a float32 matrix", label)
					}
					values = d
				}
				if values.Rows != want.Rows || values.Cols != want.Cols || !slices.Equal(values.Data, want.Data) {
					t.Errorf("%s: LoadCompact gave %d×%d values that differ from Load's %d×%d", label, values.Rows, values.Cols, want.Rows, want.Cols)
				}
			}
		}
	}
}

func TestLoadCompactErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, a *idx.Array, compress bool) string {
		path := filepath.Join(dir, name)
		if err := idx.WriteFile(path, a, compress); err != nil {
			t.Fatal(err)
		}
		return path
	}
	labels := write("labels.idx", mustArray(t, []int{3}, []uint8{1, 2, 3}), false)
	outside := write("outside.idx", mustArray(t, []int{2, 3}, []float32{0, 0, 0, 0, 1.5, 0}), true)
	nan := write("nan.idx", mustArray(t, []int{1, 2}, []float64{0, math.NaN()}), false)
	truncated := filepath.Join(dir, "truncated.idx")
	if err := os.WriteFile(truncated, []byte{0, 0, 8, 2, 0, 0, 0, 9, 0, 0, 0, 9, 1}, 0o644); err != nil {
		t.Fatal(err)
	}
	plain, err := os.ReadFile(write("plain.idx", mustArray(t, []int{2, 2}, []uint8{1, 2, 3, 4}), false))
	if err != nil {
		t.Fatal(err)
	}
	trailing := filepath.Join(dir, "trailing.idx.gz")
	if err := os.WriteFile(trailing, gzipBytes(append(plain, 5)), 0o644); err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.idx.gz")
	if err := os.WriteFile(cut, gzipBytes(plain)[:20], 0o644); err != nil {
		t.Fatal(err)
	}
	emptyTrailing := filepath.Join(dir, "empty-trailing.idx")
	if err := os.WriteFile(emptyTrailing, gzipBytes([]byte{0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 4, 9}), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.idx")
	tests := []struct {
		path string
		opt  Options
		want string
		is   error
	}{
		{labels, Options{}, "dataset: " + labels + ": a 1-D array of 3 values, such as a label file, is not training data", nil},
		{outside, Options{}, "dataset: " + outside + ": row 2, column 2: float32 value 1.5 is outside [0,1]", nil},
		{nan, Options{Binarize: Stochastic, Rand: rand.New(rand.NewPCG(1, 1))}, "dataset: " + nan + ": row 1, column 2: float64 value NaN is outside [0,1]", nil},
		{truncated, Options{}, "idx: " + truncated + ": header claims 81 bytes of ubyte data, file has 1", idx.ErrFormat},
		{trailing, Options{}, "idx: " + trailing + ": trailing data after 4 bytes of ubyte data", idx.ErrFormat},
		{emptyTrailing, Options{}, "idx: " + emptyTrailing + ": trailing data after 0 bytes of ubyte data", idx.ErrFormat},
		{cut, Options{}, "idx: " + cut + ": ", nil},
		{missing, Options{}, "idx: open " + missing, os.ErrNotExist},
		{labels, Options{Binarize: Stochastic}, "dataset: stochastic binarization needs a random source", nil},
		{labels, Options{Threshold: 2}, "dataset: threshold 2 is outside (0,1]", nil},
	}
	for _, tt := range tests {
		d, _, err := LoadCompact(tt.path, tt.opt)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("LoadCompact(%s) error %v, want one starting %q", tt.path, err, tt.want)
		}
		if d != nil {
			t.Errorf("LoadCompact(%s) returned data %v with its error", tt.path, d)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("LoadCompact(%s) error %v does not match %v", tt.path, err, tt.is)
		}
	}
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// TestLoadCompactHugeClaimAllocatesLittle gives LoadCompact a gzipped
// header that claims 4 GB of pixels, with 100 kB behind it: the matrix
// must grow with the data that arrive, not with the claim.
func TestLoadCompactHugeClaimAllocatesLittle(t *testing.T) {
	input := append([]byte{0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0}, make([]byte, 100_000)...)
	path := filepath.Join(t.TempDir(), "claim.idx.gz")
	if err := os.WriteFile(path, gzipBytes(input), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := LoadCompact(path, Options{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, idx.ErrFormat) || !strings.Contains(err.Error(), "header claims 4294967296 bytes") {
		t.Errorf("error %v, want a claim error", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("LoadCompact allocated %d bytes for 100 kB of data", n)
	}
}

// FuzzReadBits checks that streaming into bits accepts exactly the inputs
// that decoding and FromIDX accept, with the same values, and never
// panics.
func FuzzReadBits(f *testing.F) {
	for _, a := range compactCases(f) {
		var buf bytes.Buffer
		if err := idx.Encode(&buf, a); err != nil {
			f.Fatal(err)
		}
		if buf.Len() < 4096 {
			f.Add(buf.Bytes(), false, 0.5)
			f.Add(gzipBytes(buf.Bytes()), true, 0.25)
		}
	}
	f.Add([]byte{0, 0, 8, 2, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255}, false, 0.5)
	f.Add([]byte{0, 0, 0x0d, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x3f, 0x80, 0, 0, 0x7f, 0xc0, 0, 0}, true, 0.5)
	f.Add([]byte{0, 0, 9, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0x80, 0x7f}, false, 1.0)
	f.Fuzz(func(t *testing.T, input []byte, stochastic bool, cut float64) {
		opt := func() Options {
			if stochastic {
				return Options{Binarize: Stochastic, Rand: rand.New(rand.NewPCG(3, 3))}
			}
			return Options{Threshold: cut}
		}
		b, optErr := opt().binarizer()
		if optErr != nil {
			return
		}
		var want *rbm.Matrix
		a, wantErr := idx.Decode(bytes.NewReader(input))
		if wantErr == nil {
			want, _, wantErr = FromIDX(a, opt())
		}
		r, err := idx.NewReader(bytes.NewReader(input))
		var got *rbm.BitMatrix
		if err == nil {
			b.rand = opt().Rand
			got, err = readBits(r, b)
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("readBits error %v, Decode and FromIDX error %v", err, wantErr)
		}
		if err != nil {
			return
		}
		values := got.Unpack()
		if values.Rows != want.Rows || values.Cols != want.Cols || !slices.Equal(values.Data, want.Data) {
			t.Fatalf("readBits gave %d×%d %v, FromIDX %d×%d %v", values.Rows, values.Cols, values.Data, want.Rows, want.Cols, want.Data)
		}
	})
}

// BenchmarkLoad times loading the 2,000 MNIST digits in testdata (gzipped)
// into bits, thresholded, and into Load's float32 matrix.
func BenchmarkLoad(b *testing.B) {
	const path = "../../testdata/mnist-train-2000-images-idx3-ubyte.gz"
	b.Run("compact", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := LoadCompact(path, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("matrix", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := Load(path, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestGeBytes checks the eight-at-a-time comparison against a byte-wise
// one for every value and cut, in every byte position, among random
// neighbours.
func TestGeBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for c := range 256 {
		for v := range 256 {
			for k := range 8 {
				x := rng.Uint64()&^(0xff<<(8*k)) | uint64(v)<<(8*k)
				var want uint64
				for l := range 8 {
					if int(x>>(8*l)&0xff) >= c {
						want |= 1 << l
					}
				}
				if got := packHighBits(geBytes(x, uint64(c)*lowBits)); got != want {
					t.Fatalf("x %#016x, c %d: got %08b, want %08b", x, c, got, want)
				}
			}
		}
	}
}

// TestLoadCompactStopsOnBadValue gives LoadCompact a bad value in its
// first chunk of many: it must report it and return, with the reading
// goroutine stopped, rather than wait for buffers the converter kept.
func TestLoadCompactStopsOnBadValue(t *testing.T) {
	n := 10 * chunkBytes / 4 // ten chunks of float32
	data := make([]float32, n)
	data[5] = 2
	path := filepath.Join(t.TempDir(), "bad.idx")
	if err := idx.WriteFile(path, mustArray(t, []int{n / 8, 8}, data), false); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := LoadCompact(path, Options{})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "row 1, column 6: float32 value 2 is outside [0,1]") {
			t.Errorf("error %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("LoadCompact did not return after a bad value")
	}
}
