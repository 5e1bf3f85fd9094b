package rbmexact

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
)

// TestMachineLogZMatchesRBM compares the exact log Z of a binary RBM as a
// machine of two binary layers (rbm.Machine.LogZ, enumerating through the
// layers in float64) with RBMLogZ's batched enumeration.
func TestMachineLogZMatchesRBM(t *testing.T) {
	r := rbm.NewRandom(12, 9, 1, rand.New(rand.NewPCG(11, 11)))
	want, err := RBMLogZ(context.Background(), r, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := rbm.AsMachine(r).LogZ(context.Background(), exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-10*math.Abs(want) {
		t.Errorf("machine log Z %.15g, RBM %.15g", got, want)
	}
}
