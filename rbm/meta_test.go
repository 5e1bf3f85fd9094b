package rbm

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withMeta returns the model file of m with its metadata replaced by the
// given JSON and the checksum recomputed: what a buggy or hostile writer
// could produce.
func withMeta(t *testing.T, m *RBM, js string) []byte {
	t.Helper()
	b := encoded(t, m, nil)
	metaLen := binary.LittleEndian.Uint32(b[20:])
	var out []byte
	out = append(out, b[:20]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(js)))
	out = append(out, js...)
	out = append(out, b[24+metaLen:len(b)-4]...)
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, crc32.MakeTable(crc32.Castagnoli)))
}

// TestMetadataIsChecked writes metadata that cannot describe the model,
// which Encode must refuse and Decode must reject, naming the problem.
func TestMetadataIsChecked(t *testing.T) {
	m := randomRBM(6, 2, 1, 3)
	for _, tc := range []struct {
		meta Meta
		js   string
		want string
	}{
		{Meta{ImageRows: -2, ImageCols: -3}, `{"image_rows":-2,"image_cols":-3,"epochs":0}`, "image shape -2×-3 is not a shape"},
		{Meta{ImageRows: 2}, `{"image_rows":2,"epochs":0}`, "image shape 2×0 is not a shape"},
		{Meta{ImageRows: 2, ImageCols: 2}, `{"image_rows":2,"image_cols":2,"epochs":0}`, "does not cover the 6 visible units"},
		{Meta{Epochs: -1}, `{"epochs":-1}`, "must not be negative"},
		{Meta{Rows: -5}, `{"epochs":0,"rows":-5}`, "must not be negative"},
		{Meta{BaseRates: []float32{1, 2, 3}}, `{"epochs":0,"base_rates":[1,2,3]}`, "3 base rates for 6 visible units"},
		{Meta{Epochs: 3, BestEpoch: 4}, `{"epochs":3,"best_epoch":4}`, "best epoch 4 is not one of the 3 epochs"},
		{Meta{Epochs: 3, BestEpoch: -1}, `{"epochs":3,"best_epoch":-1}`, "best epoch -1"},
	} {
		if err := Encode(new(bytes.Buffer), m, &tc.meta); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Encode with %+v: %v, want an error saying %q", tc.meta, err, tc.want)
		}
		_, _, err := Decode(bytes.NewReader(withMeta(t, m, tc.js)))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "not a valid model file") {
			t.Errorf("Decode of %s: %v, want a format error saying %q", tc.js, err, tc.want)
		}
	}
	nan := &Meta{BaseRates: []float32{0, 0, float32(math.NaN()), 0, 0, 0}}
	if err := Encode(new(bytes.Buffer), m, nan); err == nil || !strings.Contains(err.Error(), "base rate 2 is NaN") {
		t.Errorf("Encode with a NaN base rate: %v", err)
	}
	if _, _, err := Decode(bytes.NewReader(withMeta(t, m, `{"image_rows":3,"image_cols":2,"epochs":1}`))); err != nil {
		t.Errorf("valid metadata: %v", err)
	}
}

// TestLoadFileNamesACorruptHeader flips a byte of the hidden-size field:
// the error must say that the header and the file disagree, not only that
// the weights ran out.
func TestLoadFileNamesACorruptHeader(t *testing.T) {
	m := randomRBM(20, 6, 1, 5)
	b := encoded(t, m, nil)
	path := filepath.Join(t.TempDir(), "flipped.rbm")
	flipped := append([]byte(nil), b...)
	flipped[16] ^= 0x40 // 6 hidden units become 70
	os.WriteFile(path, flipped, 0o644)
	_, _, err := LoadFile(path)
	if err == nil || !strings.Contains(err.Error(), "flipped.rbm") || !strings.Contains(err.Error(), "20×70 model") || !strings.Contains(err.Error(), "corrupt header") {
		t.Errorf("flipped size field: %v", err)
	}
	short := filepath.Join(t.TempDir(), "short.rbm")
	os.WriteFile(short, b[:len(b)-9], 0o644)
	if _, _, err := LoadFile(short); err == nil || !strings.Contains(err.Error(), "truncated file") {
		t.Errorf("truncated file: %v", err)
	}
}
