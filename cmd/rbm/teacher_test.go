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
// categorical units of 4 states coupled through 3 binary hidden units,
// strongly enough that the units' states are far from independent. Its
// parameters are drawn from a fixed seed; testdata/potts-teacher.rbm holds
// it, and TestPottsTeacher keeps the two the same (-update rewrites the
// file).
func pottsTeacher() *rbm.Machine {
	rng := rand.New(rand.NewPCG(2026, 12))
	v, err := layer.NewPotts(4, make([]float64, 10*4))
	if err != nil {
		panic(err)
	}
	m := rbm.NewMachine(v, layer.NewBinary(make([]float64, 3)))
	for i := range m.W {
		m.W[i] = 1.5 * rng.NormFloat64()
	}
	for i := range v.Bias {
		v.Bias[i] = 0.5 * rng.NormFloat64()
	}
	h := m.Hidden.(*layer.Binary)
	for j := range h.Bias {
		h.Bias[j] = -1 + 0.5*rng.NormFloat64()
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
