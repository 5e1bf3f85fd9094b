package gibbs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/discrete"
)

// This file adds two samplers to the package, as a new sampler's file
// would, and nothing else in the package knows of them: mhScan is
// Metropolis-Hastings visiting the units in order, a correct sampler that
// is checked against enumeration below; frozen never moves, and exercises
// a sampler's model check and per-replica state.
const (
	mhScan Method = 100
	frozen Method = 101
)

// frozenState is frozen's per-replica state: the sweeps the replica made.
type frozenState struct{ sweeps int }

func init() {
	register(mhScan, sampler{
		name:    "mh-scan",
		summary: "Metropolis-Hastings with single bit flips visiting the units in order",
		sweep: func(s *stepper, r *replica, beta float64) {
			for _, i := range s.free {
				d := beta * r.loc.FlipDelta(i)
				if d <= 0 || s.rng.Float64() < expNeg(d) {
					r.loc.Flip(i)
					s.out.accepted++
				}
			}
		},
	})
	register(frozen, sampler{
		name:    "frozen",
		summary: "never moves; binary units only",
		check: func(m discrete.Model) error {
			if m.Domain() != discrete.Binary {
				return fmt.Errorf("frozen: binary units only, not %v", m.Domain())
			}
			return nil
		},
		setup: func(discrete.Model, *replica) any { return &frozenState{} },
		sweep: func(s *stepper, r *replica, beta float64) {
			r.state.(*frozenState).sweeps++
		},
	})
}

// TestRegisteredSampler runs the sampler registered above through
// ParseMethod, Run (plain, clamped and tempering) and NewChain.
func TestRegisteredSampler(t *testing.T) {
	m, err := ParseMethod("mh-scan")
	if err != nil || m != mhScan || m.String() != "mh-scan" || !strings.Contains(m.Summary(), "in order") {
		t.Fatalf("ParseMethod(mh-scan) = %v (%q), %v", m, m.Summary(), err)
	}
	if !slices.Contains(Methods(), mhScan) {
		t.Errorf("Methods() = %v lacks mh-scan", Methods())
	}
	p := lattice(t, 3, 3, 1, 0.1, discrete.Periodic)
	const beta = 0.35
	mean, variance := exactMoments(t, p, beta)
	stats, k := momentStats(p.Units())
	for _, ladder := range [][]float64{nil, {0.1, 0.2, beta}} {
		res, err := Run(context.Background(), p, Config{
			Method: mhScan, Beta: beta, Ladder: ladder, Chains: 4, Sweeps: 4000, Burnin: 100,
			Stats: stats, NumStats: k, Seed: 21,
		})
		if err != nil {
			t.Fatal(err)
		}
		if reps := int64(max(len(ladder), 1)); res.Proposals != reps*4*4100*9 || res.Accepted == 0 {
			t.Errorf("ladder %v: %d of %d proposals accepted", ladder, res.Accepted, res.Proposals)
		}
		checkAgainst(t, fmt.Sprintf("mh-scan ladder %v", ladder), res, mean, variance)
	}

	// Clamped units stay put.
	init, clamp := make([]int8, 9), make([]bool, 9)
	for i := range init {
		init[i] = 1
	}
	clamp[4] = true
	res, err := Run(context.Background(), p, Config{Method: mhScan, Beta: beta, Init: init, Clamp: clamp, Sweeps: 50, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mean[4] != 1 {
		t.Errorf("clamped unit moved: mean %v", res.Mean[4])
	}

	// A Chain's sweeps are Run's.
	start := make([]int8, 9)
	for i := range start {
		start[i] = p.Domain().Value(uint(i % 2))
	}
	res, err = Run(context.Background(), p, Config{Method: mhScan, Beta: beta, Chains: 1, Sweeps: 30, Starts: [][]int8{start}, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChain(p, mhScan, slices.Clone(start), NewChainRand(4, 0))
	if err != nil {
		t.Fatal(err)
	}
	for range 30 {
		c.Sweep(beta)
	}
	if !slices.Equal(c.State(), res.Final[0]) {
		t.Errorf("chain ends at %v, Run at %v", c.State(), res.Final[0])
	}
}

// TestRegisteredCheckAndState checks that a sampler's model check refuses
// models in Run and NewChain, and that its per-replica state is made for
// every replica and kept by it.
func TestRegisteredCheckAndState(t *testing.T) {
	spins := lattice(t, 2, 2, 1, 0, discrete.Open)
	if _, err := Run(context.Background(), spins, Config{Method: frozen}); err == nil || !strings.Contains(err.Error(), "binary units only") {
		t.Errorf("Run on spins: %v", err)
	}
	if _, err := NewChain(spins, frozen, make([]int8, 4), NewChainRand(1, 0)); err == nil || !strings.Contains(err.Error(), "binary units only") {
		t.Errorf("NewChain on spins: %v", err)
	}
	bin, _ := spins.Convert(discrete.Binary)
	res, err := Run(context.Background(), bin, Config{Method: frozen, Init: []int8{1, 0, 1, 1}, Sweeps: 20, Ladder: []float64{0.5, 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Final {
		if !slices.Equal(f, []int8{1, 0, 1, 1}) || res.Accepted != 0 {
			t.Fatalf("frozen moved: %v, %d accepted", f, res.Accepted)
		}
	}
	c, err := NewChain(bin, frozen, []int8{0, 0, 1, 0}, NewChainRand(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	for range 7 {
		c.Sweep(1)
	}
	if got := c.rep.state.(*frozenState).sweeps; got != 7 {
		t.Errorf("the replica's state counted %d sweeps, want 7", got)
	}
}

// TestBuiltinMethods pins the built-in methods' values and names, which
// callers and results depend on, and the round trip through ParseMethod of
// every registered method.
func TestBuiltinMethods(t *testing.T) {
	for m, name := range map[Method]string{RandomScan: "gibbs-random", Systematic: "gibbs", Metropolis: "mh", GWG: "gwg"} {
		if m.String() != name || m.Summary() == "" {
			t.Errorf("method %d is %q (%q), want %q", uint8(m), m.String(), m.Summary(), name)
		}
	}
	if got := Methods()[:4]; !slices.Equal(got, []Method{RandomScan, Systematic, Metropolis, GWG}) {
		t.Errorf("Methods() starts %v", got)
	}
	for _, m := range Methods() {
		if p, err := ParseMethod(m.String()); err != nil || p != m {
			t.Errorf("ParseMethod(%q) = %v, %v", m, p, err)
		}
	}
	if _, err := ParseMethod("nope"); err == nil || !strings.Contains(err.Error(), "gibbs-random, gibbs, mh, gwg") {
		t.Errorf("ParseMethod(nope): %v", err)
	}
	if s := Method(200).String(); s != "Method(200)" {
		t.Errorf("unregistered method prints as %q", s)
	}
}

// TestRegisterRefuses checks that register refuses a taken value or name
// and an incomplete sampler.
func TestRegisterRefuses(t *testing.T) {
	sweep := func(*stepper, *replica, float64) {}
	for _, tc := range []struct {
		m Method
		s sampler
	}{
		{GWG, sampler{name: "other", summary: "s", sweep: sweep}},
		{150, sampler{name: "gibbs", summary: "s", sweep: sweep}},
		{151, sampler{name: "x", summary: "s"}},
		{152, sampler{summary: "s", sweep: sweep}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("register(%d, %q) did not panic", tc.m, tc.s.name)
				}
			}()
			register(tc.m, tc.s)
		}()
	}
	if slices.ContainsFunc(Methods(), func(m Method) bool { return m >= 150 }) {
		t.Errorf("a refused sampler was registered: %v", Methods())
	}
}
