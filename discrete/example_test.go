package discrete_test

import (
	"context"
	"fmt"
	"math"

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

// Two units of 3 states coupled ferromagnetically, J(a, b) = [a = b]:
// Z = 3e^β + 6 at inverse temperature β, and the units agree with
// probability 3e^β/Z. Setting a unit to a value changes the energy by the
// difference of its local fields.
func ExampleNewPotts() {
	eq := []float64{1, 0, 0, 0, 1, 0, 0, 0, 1} // a 3×3 identity, row-major
	m, err := discrete.NewPotts(3, make([]float64, 2*3), []discrete.PottsCoupling{{I: 0, J: 1, Value: eq}})
	if err != nil {
		panic(err)
	}
	x := []int8{2, 2}
	fmt.Println(m.Units(), "units,", m.Domain(), "domain")
	fmt.Println("energy of (2, 2):", m.Energy(x))
	fmt.Println("energy change of setting unit 1 to 0:", discrete.ChangeDelta(m, x, 1, 0))
	mo, err := exact.Marginals(context.Background(), m, 1, exact.Options{})
	if err != nil {
		panic(err)
	}
	var agree float64
	for a := range 3 {
		agree += mo.Joint[a*6+3+a] // p(x0 = a, x1 = a): row (0, a), column (1, a)
	}
	z := 3*math.E + 6
	fmt.Printf("log Z = %.6f (want %.6f)\n", mo.LogZ, math.Log(z))
	fmt.Printf("p(x0 = x1) = %.6f (want %.6f)\n", agree, 3*math.E/z)
	// Output:
	// 2 units, 3-state domain
	// energy of (2, 2): -1
	// energy change of setting unit 1 to 0: 1
	// log Z = 2.650057 (want 2.650057)
	// p(x0 = x1) = 0.576117 (want 0.576117)
}
