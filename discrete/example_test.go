package discrete_test

import (
	"context"
	"fmt"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
)

// A 4×4 Ising model on a torus: its energy, and its exact log partition
// function near the critical inverse temperature.
func ExampleLattice() {
	m, err := discrete.Lattice(4, 4, 1, 0, discrete.Periodic)
	if err != nil {
		panic(err)
	}
	up := make([]int8, m.Units())
	for i := range up {
		up[i] = 1
	}
	fmt.Println(m.Units(), "units,", m.Domain(), "domain")
	fmt.Println("energy of the all-up state:", m.Energy(up))
	fmt.Println("energy change of one flip:", discrete.FlipDelta(m, up, 5))
	logZ, err := exact.LogZ(context.Background(), m, 0.44, exact.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("log Z at β = 0.44: %.6f\n", logZ)
	// Output:
	// 16 units, spin domain
	// energy of the all-up state: -32
	// energy change of one flip: 8
	// log Z at β = 0.44: 15.504727
}
