package fvbm_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/gibbs/fvbm"
)

// Fitting a fully visible Boltzmann machine over four binary units to data
// in which units 0 and 1 agree 90% of the time and the others are
// independent coins: the fitted coupling between 0 and 1 comes out strong
// (energy -Σ J_ij x_i x_j - Σ h_i x_i, so a positive J favours agreement)
// and the others weak, and the exact log-likelihood rises.
func ExampleTrainPseudoLikelihood() {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([][]int8, 2000)
	for r := range data {
		x := []int8{int8(rng.IntN(2)), 0, int8(rng.IntN(2)), int8(rng.IntN(2))}
		x[1] = x[0]
		if rng.Float64() < 0.1 {
			x[1] = 1 - x[0]
		}
		data[r] = x
	}
	m, err := discrete.FullyConnected(discrete.Binary, make([]float64, 4), make([]float64, 16))
	if err != nil {
		panic(err)
	}
	before, _ := fvbm.LogLikelihood(context.Background(), m, data)
	if _, err := fvbm.TrainPseudoLikelihood(context.Background(), m, data, fvbm.Config{}); err != nil {
		panic(err)
	}
	after, _ := fvbm.LogLikelihood(context.Background(), m, data)
	var others float64
	for _, c := range m.Couplings() {
		if c.I == 0 && c.J == 1 {
			// log(p₁₁p₀₀/(p₁₀p₀₁)) = log 81 ≈ 4.4 for the generating process
			fmt.Printf("coupling J₀₁: %.1f\n", c.Value)
		} else {
			others = max(others, math.Abs(c.Value))
		}
	}
	fmt.Printf("largest other |J|: %.2f\n", others)
	fmt.Printf("log-likelihood per row: %.3f → %.3f\n", before, after)
	// Output:
	// coupling J₀₁: 4.6
	// largest other |J|: 0.18
	// log-likelihood per row: -2.773 → -2.387
}
