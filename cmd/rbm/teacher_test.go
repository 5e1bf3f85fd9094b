package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

// pottsTeacher is the known model of the README's Potts example: 10
// categorical units of 4 states and 3 binary hidden units, each hidden
// unit a motif — one preferred state per visible unit, drawn from a fixed
// seed — that it favours when on, and that turns it on when enough units
// follow it. The visible units are far from independent: a row is a
// mixture of motifs. testdata/potts-teacher.rbm holds it, and
// TestPottsTeacher keeps the two the same (-update rewrites the file).
func pottsTeacher() *rbm.Machine {
	const units, q, hidden = 10, 4, 3
	rng := rand.New(rand.NewPCG(2026, 12))
	v, err := layer.NewPotts(q, make([]float64, units*q))
	if err != nil {
		panic(err)
	}
	h := layer.NewBinary(make([]float64, hidden))
	m := rbm.NewMachine(v, h)
	for j := range hidden {
		for i := range units {
			motif := rng.IntN(q)
			m.W[(i*q+motif)*hidden+j] = 1.5
		}
		// On when about half the units follow the motif (5 × 1.5).
		h.Bias[j] = -7.5
	}
	for i := range v.Bias {
		v.Bias[i] = 0.3 * rng.NormFloat64()
	}
	return m
}

func TestPottsTeacher(t *testing.T) {
	var want bytes.Buffer
	if err := rbm.EncodeMachine(&want, pottsTeacher(), nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "testdata", "potts-teacher.rbm")
	if *updateREADME {
		if err := os.WriteFile(path, want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("%s is not the model pottsTeacher builds (go test ./cmd/rbm -run PottsTeacher -update rewrites it)", path)
	}
}
