package gibbs

import (
	"context"
	"fmt"
	"github.com/rbmkit/rbm/internal/enumtest"
	"slices"
	"testing"

	"github.com/rbmkit/rbm/discrete"
)

// TestGWGPairwiseIsTheSameChain runs the incremental Gibbs-with-Gradients
// proposal of pairwise models and the general one with the same seeds:
// both must make the same moves, so the final states, the acceptance
// counts and every recorded statistic agree, on a lattice near β_c with and
// without a field, on a frustrated model with strong couplings (where one flip can
// hold almost all of the proposal's mass), with clamped units, and under
// tempering (replicas change temperature).
func TestGWGPairwiseIsTheSameChain(t *testing.T) {
	lat := lattice(t, 8, 8, 1, 0.1, discrete.Periodic)
	frus := enumtest.Frustrated(t, 12, 3)
	clamp, init := make([]bool, 64), make([]int8, 64)
	for i := range init {
		init[i] = -1
		if i%7 == 0 {
			clamp[i], init[i] = true, 1
		}
	}
	// Unit 0's flip holds almost all of the proposal's mass until it is
	// made: the incremental total would cancel, and the proposal must be
	// evaluated from scratch.
	h := []float64{40, 0.3, -0.2, 0.1, -0.4, 0.2}
	w := make([]float64, 36)
	for i := range 6 {
		for j := range 6 {
			if i != j {
				w[i*6+j] = 0.1 * float64((i+j)%3-1)
			}
		}
	}
	dominant, err := discrete.FullyConnected(discrete.Binary, h, w)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		m    *discrete.Pairwise
		cfg  Config
	}{
		{"lattice", lat, Config{Beta: 0.44}},
		// Without a field the logits tie and logA is often exactly zero
		// in exact arithmetic, either side of it after rounding.
		{"lattice-ties", lattice(t, 8, 8, 1, 0, discrete.Periodic), Config{Beta: 0.4}},
		{"frustrated-cold", frus, Config{Beta: 3}},
		{"clamped", lat, Config{Beta: 0.3, Clamp: clamp, Init: init}},
		{"tempering", frus, Config{Ladder: []float64{0.5, 1, 2}}},
		{"dominant", dominant, Config{Beta: 1, Starts: [][]int8{make([]int8, 6), make([]int8, 6)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var results [2]*Result
			for n, incremental := range []bool{true, false} {
				saved := incrementalGWG
				incrementalGWG = incremental
				stats, k := momentStats(c.m.Units())
				cfg := c.cfg
				cfg.Method, cfg.Chains, cfg.Sweeps, cfg.Burnin, cfg.Seed = GWG, 2, 300, 20, 11
				cfg.Stats, cfg.NumStats = stats, k
				res, err := Run(context.Background(), c.m, cfg)
				incrementalGWG = saved
				if err != nil {
					t.Fatal(err)
				}
				results[n] = res
			}
			fast, slow := results[0], results[1]
			if fast.Accepted != slow.Accepted || fast.Proposals != slow.Proposals {
				t.Errorf("accepted %d of %d proposals, the general proposal %d of %d", fast.Accepted, fast.Proposals, slow.Accepted, slow.Proposals)
			}
			for ch := range fast.Final {
				if !slices.Equal(fast.Final[ch], slow.Final[ch]) {
					t.Errorf("chain %d ends in a different state", ch)
				}
			}
			if got, want := fmt.Sprint(fast.Mean), fmt.Sprint(slow.Mean); got != want {
				t.Errorf("means differ:\n%s\n%s", got, want)
			}
			if fast.Accepted == 0 || fast.Accepted == fast.Proposals {
				t.Errorf("accepted %d of %d: the comparison exercises nothing", fast.Accepted, fast.Proposals)
			}
		})
	}
}
