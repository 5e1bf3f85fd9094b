package rbm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/rbmkit/rbm/rbm/layer"
)

func encodedMachine(t testing.TB, m *Machine, meta *Meta) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := EncodeMachine(&buf, m, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMachineFileRoundTrip writes and reads a machine of every pair of
// unit types and requires every parameter back, bit for bit.
func TestMachineFileRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, vk := range layer.Names() {
		for _, hk := range layer.Names() {
			m := randomMachine(t, rng, vk, 3, hk, 2, 1)
			b := encodedMachine(t, m, &Meta{Epochs: 3})
			got, meta, err := DecodeMachine(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s×%s: %v", vk, hk, err)
			}
			if got.Visible.Kind() != vk || got.Hidden.Kind() != hk || meta.Epochs != 3 {
				t.Fatalf("%s×%s: read back %s×%s, epochs %d", vk, hk, got.Visible.Kind(), got.Hidden.Kind(), meta.Epochs)
			}
			if !bytes.Equal(encodedMachine(t, got, meta), b) {
				t.Errorf("%s×%s: re-encoding changes the bytes", vk, hk)
			}
			want, have := m.paramVectors(), got.paramVectors()
			for k := range want {
				for i := range want[k] {
					w := want[k][i]
					if vk == "binary" && hk == "binary" {
						w = float64(float32(w)) // version 1 stores float32
					}
					if w != have[k][i] {
						t.Fatalf("%s×%s: parameter vector %d [%d] = %v, wrote %v", vk, hk, k, i, have[k][i], want[k][i])
					}
				}
			}
			if vk != "binary" || hk != "binary" {
				if _, _, err := Decode(bytes.NewReader(b)); !errors.Is(err, ErrMachine) {
					t.Errorf("%s×%s: Decode of a version 2 file: %v, want ErrMachine", vk, hk, err)
				}
			}
		}
	}
}

// TestBinaryMachineIsVersion1 checks that a machine of two binary layers
// is written as the binary RBM's version 1 file, byte for byte, and that
// a version 1 file reads as such a machine.
func TestBinaryMachineIsVersion1(t *testing.T) {
	r := randomRBM(4, 3, 1, 27)
	meta := &Meta{Epochs: 1, Binarize: "threshold"}
	v1 := encoded(t, r, meta)
	m, gotMeta, err := DecodeMachine(bytes.NewReader(v1))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encodedMachine(t, m, gotMeta), v1) {
		t.Error("a binary machine is not written as the version 1 file it was read from")
	}
}

func TestMachineFileErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	m := randomMachine(t, rng, "gaussian", 3, "binary", 2, 1)
	good := encodedMachine(t, m, nil)
	corrupt := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for name, b := range map[string][]byte{
		"truncated":   good[:len(good)-9],
		"checksum":    corrupt(func(b []byte) []byte { b[len(b)-20] ^= 1; return b }),
		"trailing":    append(append([]byte(nil), good...), 0),
		"wide header": corrupt(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 4); return b }),
		"huge header": corrupt(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 1<<30); return b }),
		"empty":       nil,
	} {
		if _, _, err := DecodeMachine(bytes.NewReader(b)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v, want ErrFormat", name, err)
		}
	}
	path := filepath.Join(t.TempDir(), "m.rbm")
	if err := SaveMachine(path, m, &Meta{ImageRows: 1, ImageCols: 3}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadMachine(path + ".missing"); err == nil {
		t.Error("loading a missing file succeeded")
	}
	got, _, err := LoadMachine(path)
	if err != nil || got.Visible.Kind() != "gaussian" {
		t.Fatalf("LoadMachine: %v", err)
	}
	if err := SaveMachine(path, m, &Meta{ImageRows: 2, ImageCols: 2}); err == nil {
		t.Error("an image shape that does not cover the visible layer was written")
	}
}

func FuzzDecodeMachine(f *testing.F) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, kinds := range [][2]string{{"binary", "binary"}, {"gaussian", "binary"}, {"potts", "relu"}, {"spin", "potts"}} {
		if registered(kinds[0]) && registered(kinds[1]) {
			f.Add(encodedMachine(f, randomMachine(f, rng, kinds[0], 2, kinds[1], 2, 1), &Meta{Epochs: 1}))
		}
	}
	f.Add([]byte(fileMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, meta, err := DecodeMachine(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error does not wrap ErrFormat: %v", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted an invalid machine: %v", err)
		}
		again := encodedMachine(t, m, meta)
		m2, meta2, err := DecodeMachine(bytes.NewReader(again))
		if err != nil || !bytes.Equal(encodedMachine(t, m2, meta2), again) {
			t.Fatalf("re-encoding an accepted file does not round-trip: %v", err)
		}
	})
}
