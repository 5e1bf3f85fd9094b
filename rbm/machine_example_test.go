package rbm_test

import (
	"context"
	"fmt"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

// A machine couples any two layers. With a discrete layer small enough to
// enumerate, log Z is exact, so the log-likelihood of a row is too.
func ExampleMachine() {
	visible, err := layer.NewPotts(3, make([]float64, 2*3)) // 2 units, 3 states each
	if err != nil {
		panic(err)
	}
	m := rbm.NewMachine(visible, layer.NewBinary([]float64{-1}))
	// Hidden unit 0 favours state 2 in both units.
	m.W[2] = 2 // unit 0, state 2
	m.W[5] = 2 // unit 1, state 2
	// By hand: Σ_h exp(-E) is 1 + e^{2k-1} for a row with k units in state
	// 2, so Z = 4(1 + e⁻¹) + 4(1 + e) + (1 + e³) = 41.430, and the rows'
	// probabilities are (1 + e³)/Z and (1 + e⁻¹)/Z.
	logZ, err := m.LogZ(context.Background(), exact.Options{})
	if err != nil {
		panic(err)
	}
	for _, v := range [][]float64{
		{0, 0, 1, 0, 0, 1}, // both units in state 2
		{1, 0, 0, 0, 1, 0}, // states 0 and 1
	} {
		fmt.Printf("log p(v) = %.4f\n", -m.FreeEnergy(v)-logZ)
	}
	// Output:
	// log p(v) = -0.6754
	// log p(v) = -3.4107
}
