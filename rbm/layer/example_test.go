package layer_test

import (
	"fmt"

	"github.com/rbmkit/rbm/rbm/layer"
)

// A layer's log-partition Γ(I) sums (or integrates) its units out at the
// input I they receive; its mean is ∂Γ/∂I.
func Example() {
	for _, name := range []string{"binary", "spin", "gaussian", "relu"} {
		l, err := layer.New(name, 1, layer.Settings{})
		if err != nil {
			panic(err)
		}
		in := []float64{0.5}
		mean := make([]float64, 1)
		l.Mean(mean, in)
		fmt.Printf("%-8s Γ(0.5) = %.4f  E[x | 0.5] = %.4f\n", name, l.LogPartition(in), mean[0])
	}
	// Output:
	// binary   Γ(0.5) = 0.9741  E[x | 0.5] = 0.6225
	// spin     Γ(0.5) = 0.8133  E[x | 0.5] = 0.4621
	// gaussian Γ(0.5) = 1.0439  E[x | 0.5] = 0.5000
	// relu     Γ(0.5) = 0.6750  E[x | 0.5] = 1.0092
}
