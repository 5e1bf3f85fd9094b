package exact_test

import (
	"context"
	"fmt"
	"math"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
)

// Two spins on an open 1×2 lattice with coupling J = 1: the aligned states
// have energy -1, the others +1, so Z = 2e^β + 2e^-β and the spins agree
// with correlation tanh β.
func ExampleMarginals() {
	m, err := discrete.Lattice(1, 2, 1, 0, discrete.Open)
	if err != nil {
		panic(err)
	}
	mo, err := exact.Marginals(context.Background(), m, 0.5, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("log Z = %.6f (want %.6f)\n", mo.LogZ, math.Log(4*math.Cosh(0.5)))
	fmt.Printf("E[s0 s1] = %.6f (want %.6f)\n", mo.Pair[1], math.Tanh(0.5))
	// Output:
	// log Z = 1.506409 (want 1.506409)
	// E[s0 s1] = 0.462117 (want 0.462117)
}
