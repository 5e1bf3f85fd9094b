package gibbs

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/internal/enumtest"
)

// stateStats records the indicator [xᵢ = a] of every unit and value, then
// the indicators [x_i0 = a, x_j0 = b] of the pair (i0, j0), all a, b.
func stateStats(d discrete.Domain, n, i0, j0 int) (func(x []int8, out []float64), int) {
	q := d.States()
	return func(x []int8, out []float64) {
		clear(out)
		for i, v := range x {
			out[i*q+d.Index(v)] = 1
		}
		out[n*q+d.Index(x[i0])*q+d.Index(x[j0])] = 1
	}, n*q + q*q
}

// exactStateStats returns the exact means of stateStats' indicators and
// their variances p(1-p), from exact.Marginals.
func exactStateStats(t *testing.T, m discrete.Model, beta float64, i0, j0 int) (mean, variance []float64) {
	t.Helper()
	mo, err := exact.Marginals(context.Background(), m, beta, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n, q := m.Units(), m.Domain().States()
	mean = slices.Clone(mo.Prob)
	for a := range q {
		for b := range q {
			mean = append(mean, mo.Joint[(i0*q+a)*n*q+j0*q+b])
		}
	}
	for _, p := range mean {
		variance = append(variance, p*(1-p))
	}
	return mean, variance
}

// TestStatesSamplersAgainstEnumeration compares the per-unit, per-state
// marginals and one pair's joint marginal sampled by every sampler that
// takes q-state models with the exact ones, with checkAgainst's z-bound
// on the estimated effective sample size.
func TestStatesSamplersAgainstEnumeration(t *testing.T) {
	a := enumtest.Potts(t, 5, 3, 0.8, 1)
	b := enumtest.Potts(t, 5, 3, 0.5, 2)
	product, err := discrete.NewProduct(a, b)
	if err != nil {
		t.Fatal(err)
	}
	models := []struct {
		name string
		m    discrete.Model
		beta float64
	}{
		{"potts q=3 n=5", a, 1},
		{"potts q=4 n=4 β=1.5", enumtest.Potts(t, 4, 4, 0.6, 3), 1.5},
		{"product of potts q=3", product, 1},
	}
	methods := []struct {
		name   string
		method Method
		ladder bool
	}{
		{"gibbs", Systematic, false},
		{"gibbs-random", RandomScan, false},
		{"mh", Metropolis, false},
		{"gwg", GWG, false},
		{"pt", Metropolis, true},
		{"pt-gwg", GWG, true},
	}
	for mi, mc := range models {
		mean, variance := exactStateStats(t, mc.m, mc.beta, 0, 2)
		// The z-bound relies on the normal approximation of each
		// indicator's mean, which needs many occurrences of every state:
		// the models are mild enough that none is rarer than 10⁻³ (16
		// expected in 16000 draws, before autocorrelation).
		if p := slices.Min(mean); p < 1e-3 {
			t.Fatalf("%s: a recorded state has probability %.2g; the test needs a milder model", mc.name, p)
		}
		stats, k := stateStats(mc.m.Domain(), mc.m.Units(), 0, 2)
		for _, me := range methods {
			cfg := Config{
				Method: me.method, Beta: mc.beta, Chains: 4, Sweeps: 4000, Burnin: 100,
				Stats: stats, NumStats: k, Seed: uint64(200 + mi),
			}
			if me.ladder {
				cfg.Ladder = GeometricLadder(mc.beta/4, mc.beta, 3)
			}
			name := mc.name + " / " + me.name
			res, err := Run(context.Background(), mc.m, cfg)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if res.Accepted == 0 {
				t.Errorf("%s: no move accepted", name)
			}
			checkAgainst(t, name, res, mean, variance)
			for _, x := range res.Final {
				for i, v := range x {
					if !mc.m.Domain().Valid(v) {
						t.Fatalf("%s: final state unit %d is %d", name, i, v)
					}
				}
			}
		}
	}
}

// TestStatesClampedAndChain checks conditional sampling of a q-state model
// (clamped units stay, the free ones follow the exact conditional) and
// that NewChain takes q-state models.
func TestStatesClampedAndChain(t *testing.T) {
	m := enumtest.Potts(t, 5, 3, 1, 4)
	p, err := exact.Distribution(context.Background(), m, 1, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	init := []int8{2, 0, 0, 1, 0}
	clamp := []bool{true, false, false, true, false}
	const n, q = 5, 3
	// The exact conditional marginals: the joint restricted to the states
	// that agree with the clamped units, renormalised.
	want := make([]float64, n*q)
	var z float64
	for s, ps := range p {
		ok := true
		for i, r := 0, s; i < n; i, r = i+1, r/q {
			if clamp[i] && int8(r%q) != init[i] {
				ok = false
			}
		}
		if !ok {
			continue
		}
		z += ps
		for i, r := 0, s; i < n; i, r = i+1, r/q {
			want[i*q+r%q] += ps
		}
	}
	var variance []float64
	for k := range want {
		want[k] /= z
		variance = append(variance, want[k]*(1-want[k]))
	}
	stats, _ := stateStats(m.Domain(), n, 0, 1)
	res, err := Run(context.Background(), m, Config{
		Method: Systematic, Chains: 4, Sweeps: 4000, Burnin: 50, Init: init, Clamp: clamp,
		Stats: func(x []int8, out []float64) {
			all := make([]float64, n*q+q*q)
			stats(x, all)
			copy(out, all[:n*q])
		},
		NumStats: n * q, Seed: 9,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range res.Final {
		if x[0] != 2 || x[3] != 1 {
			t.Fatalf("clamped units moved: %v", x)
		}
	}
	checkAgainst(t, "clamped potts", res, want, variance)

	c, err := NewChain(m, Metropolis, []int8{0, 1, 2, 0, 1}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		c.Sweep(1)
	}
	for _, v := range c.State() {
		if v < 0 || v > 2 {
			t.Fatalf("chain state %v", c.State())
		}
	}
}

// energyOnly hides every method of a model but those of discrete.Model.
type energyOnly struct{ discrete.Model }

// TestStatesGWGRefused checks that GWG refuses a q-state model without a
// one-hot gradient, and that values outside a unit's states are refused.
func TestStatesGWGRefused(t *testing.T) {
	m := energyOnly{enumtest.Potts(t, 3, 3, 1, 5)}
	_, err := Run(context.Background(), m, Config{Method: GWG, Sweeps: 4})
	if err == nil || !strings.Contains(err.Error(), "3-state") || !strings.Contains(err.Error(), "one-hot") {
		t.Errorf("gwg on a 3-state model without one-hot gradient: error %v", err)
	}
	if _, err := NewChain(m, GWG, make([]int8, 3), rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("NewChain took gwg on a 3-state model without one-hot gradient")
	}
	if _, err := Run(context.Background(), m, Config{Init: []int8{0, 3, 0}, Sweeps: 4}); err == nil {
		t.Error("initial value 3 of a 3-state unit accepted")
	}
}

func TestStatesDeterministicAcrossWorkers(t *testing.T) {
	m := enumtest.Potts(t, 6, 4, 1, 6)
	stats, k := stateStats(m.Domain(), 6, 0, 1)
	for _, method := range []Method{Systematic, RandomScan, Metropolis} {
		var prev *Result
		for _, workers := range []int{1, 3} {
			res, err := Run(context.Background(), m, Config{
				Method: method, Chains: 5, Sweeps: 50, Ladder: []float64{0.5, 1},
				Stats: stats, NumStats: k, Seed: 7, Workers: workers,
			})
			if err != nil {
				t.Fatal(err)
			}
			if prev != nil && (!slices.Equal(prev.Trace.Data, res.Trace.Data) || prev.Accepted != res.Accepted || !slices.Equal(prev.Mean, res.Mean)) {
				t.Errorf("%v: results differ between 1 and 3 workers", method)
			}
			prev = res
		}
	}
}
