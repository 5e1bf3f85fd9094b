package gibbs_test

import (
	"context"
	"fmt"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/gibbs"
)

// Sampling a small Ising model by single-site Gibbs and checking the
// nearest-neighbour correlation against exact enumeration, with the
// sampler's own standard error.
func ExampleRun() {
	m, err := discrete.Lattice(3, 3, 1, 0, discrete.Periodic)
	if err != nil {
		panic(err)
	}
	const beta = 0.3
	res, err := gibbs.Run(context.Background(), m, gibbs.Config{
		Method: gibbs.Systematic, Beta: beta, Chains: 4, Sweeps: 20000, Burnin: 100, Seed: 1,
		NumStats: 1,
		Stats:    func(x []int8, out []float64) { out[0] = float64(x[0] * x[1]) },
	})
	if err != nil {
		panic(err)
	}
	d := res.Trace.Diagnose(0)
	mom, err := exact.Marginals(context.Background(), m, beta, exact.Options{})
	if err != nil {
		panic(err)
	}
	exactCorr := mom.Pair[0*m.Units()+1]
	fmt.Printf("exact E[s0 s1] = %.3f\n", exactCorr)
	fmt.Printf("within 4 standard errors: %v\n", abs(d.Mean-exactCorr) < 4*d.StdErr)
	fmt.Printf("R-hat below 1.01: %v\n", d.RHat < 1.01)
	// Output:
	// exact E[s0 s1] = 0.494
	// within 4 standard errors: true
	// R-hat below 1.01: true
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
