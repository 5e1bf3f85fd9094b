package ais_test

import (
	"context"
	"fmt"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
	"github.com/rbmkit/rbm/rbm/rbmexact"
)

// Estimate log Z of a small RBM by AIS and compare it with the exact value.
func ExampleRun() {
	m := rbm.New(16, 8)
	for i := range m.W {
		m.W[i] = float32(i%7-3) / 10
	}
	est, err := ais.Run(context.Background(), m, ais.Config{Schedule: ais.Linear(2000), Runs: 50, Seed: 1})
	if err != nil {
		panic(err)
	}
	logZ, _ := rbmexact.RBMLogZ(context.Background(), m, exact.Options{})
	fmt.Printf("exact %.2f, AIS %.2f, inside ±3σ: %v\n", logZ, est.LogZ, est.Lower <= logZ && logZ <= est.Upper)
	// Output: exact 16.71, AIS 16.71, inside ±3σ: true
}
