package gibbs

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/discrete"
)

// TestChainIsRunsChain checks that a Chain's sweeps are Run's: from the
// same start on the same source, after the same sweeps at a fixed β, both
// reach the same state, for every method.
func TestChainIsRunsChain(t *testing.T) {
	m := lattice(t, 4, 5, 1, 0.2, discrete.Periodic)
	start := make([]int8, m.Units())
	for i := range start {
		start[i] = m.Domain().Value(uint(i*7) % 3 % 2)
	}
	for _, method := range []Method{RandomScan, Systematic, Metropolis, GWG} {
		res, err := Run(context.Background(), m, Config{Method: method, Beta: 0.4, Chains: 1, Sweeps: 25, Starts: [][]int8{start}, Seed: 9, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		c, err := NewChain(m, method, slices.Clone(start), NewChainRand(9, 0))
		if err != nil {
			t.Fatal(err)
		}
		for range 25 {
			c.Sweep(0.4)
		}
		if !slices.Equal(c.State(), res.Final[0]) {
			t.Errorf("%v: chain ends at %v, Run at %v", method, c.State(), res.Final[0])
		}
	}
}

func TestChainErrors(t *testing.T) {
	m := lattice(t, 2, 2, 1, 0, discrete.Periodic)
	x := make([]int8, m.Units())
	for i := range x {
		x[i] = 1
	}
	rng := NewChainRand(1, 0)
	for _, tc := range []struct {
		m      discrete.Model
		method Method
		x      []int8
		msg    string
	}{
		{m, GWG + 1, x, "method"},
		{m, Systematic, x[:3], "units"},
		{plainModel{m}, GWG, x, "differentiable"},
	} {
		if _, err := NewChain(tc.m, tc.method, tc.x, rng); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v on %T: error %v, want one mentioning %q", tc.method, tc.m, err, tc.msg)
		}
	}
	if _, err := NewChain(m, Systematic, x, nil); err == nil {
		t.Error("no source: no error")
	}
}
