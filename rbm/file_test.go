package rbm

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func encoded(t testing.TB, m *RBM, meta *Meta) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, m, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFileRoundTripIsBitExact(t *testing.T) {
	m := randomRBM(7, 3, 1, 21)
	m.W[0] = float32(math.Copysign(0, -1)) // signed zero and extreme values survive too
	m.W[1] = 3.4028235e38
	m.B[0] = 1.4e-45
	cfg := DefaultConfig()
	meta := &Meta{ImageRows: 7, ImageCols: 1, Binarize: "threshold", Training: &cfg, Epochs: 3, Rows: 10}
	b := encoded(t, m, meta)
	got, gotMeta, err := Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encoded(t, got, gotMeta), b) {
		t.Error("decode → encode changed the bytes")
	}
	if gotMeta.ImageRows != 7 || gotMeta.Training.LearningRate != cfg.LearningRate || gotMeta.Epochs != 3 {
		t.Errorf("metadata %+v", gotMeta)
	}
}

func TestDecodeRejectsDamagedFiles(t *testing.T) {
	b := encoded(t, randomRBM(5, 4, 1, 22), &Meta{Epochs: 1})
	for n := range len(b) {
		if _, _, err := Decode(bytes.NewReader(b[:n])); !errors.Is(err, ErrFormat) {
			t.Fatalf("truncated to %d of %d bytes: err = %v", n, len(b), err)
		}
	}
	for i := range b {
		bad := bytes.Clone(b)
		bad[i] ^= 0x10
		if _, _, err := Decode(bytes.NewReader(bad)); !errors.Is(err, ErrFormat) {
			t.Fatalf("byte %d flipped: err = %v", i, err)
		}
	}
	if _, _, err := Decode(bytes.NewReader(append(bytes.Clone(b), 0))); !errors.Is(err, ErrFormat) {
		t.Errorf("trailing byte: err = %v", err)
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00")
	if _, _, err := Decode(bytes.NewReader(png)); !errors.Is(err, ErrFormat) {
		t.Errorf("PNG file: err = %v", err)
	}
}

func TestDecodeRejectsLyingHeaderWithoutAllocating(t *testing.T) {
	b := encoded(t, randomRBM(2, 2, 1, 23), nil)
	// Claim 4096×4096 units but provide only the original few bytes.
	bad := bytes.Clone(b[:40])
	bad[12], bad[13], bad[16], bad[17] = 0, 0x10, 0, 0x10
	before := memStats()
	if _, _, err := Decode(bytes.NewReader(bad)); !errors.Is(err, ErrFormat) {
		t.Fatalf("err = %v", err)
	}
	if grew := memStats() - before; grew > 8<<20 {
		t.Errorf("decoding a 40-byte file that claims 64 MiB of weights allocated %d bytes", grew)
	}
}

func TestSaveFileIsAtomicAndNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.rbm")
	m := randomRBM(3, 2, 1, 24)
	if err := SaveFile(path, m, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := m.Clone()
	bad.B[1] = float32(math.NaN())
	if err := SaveFile(path, bad, nil); err == nil {
		t.Fatal("saved a NaN model")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed save changed the existing file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := SaveFile(filepath.Join(dir, "missing", "m.rbm"), m, nil); err == nil {
		t.Error("saving into a missing directory succeeded")
	}
	os.WriteFile(filepath.Join(dir, "junk"), []byte("hello"), 0o644)
	if _, _, err := LoadFile(filepath.Join(dir, "junk")); err == nil || !bytes.Contains([]byte(err.Error()), []byte("junk")) {
		t.Errorf("loading junk: err = %v, want one naming the file", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encoded(f, randomRBM(3, 2, 1, 25), &Meta{Epochs: 2, Binarize: "threshold"}))
	f.Add(encoded(f, randomRBM(1, 1, 1, 26), nil))
	f.Add([]byte(fileMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, meta, err := Decode(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error does not wrap ErrFormat: %v", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted an invalid model: %v", err)
		}
		again := encoded(t, m, meta)
		m2, _, err := Decode(bytes.NewReader(again))
		if err != nil || !bytes.Equal(encoded(t, m2, meta), again) {
			t.Fatalf("re-encoding an accepted file does not round-trip: %v", err)
		}
	})
}

func memStats() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}
