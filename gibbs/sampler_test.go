package gibbs

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/rbmkit/rbm/internal/enumtest"
	"github.com/rbmkit/rbm/rbm/rbmtest"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/internal/testenv"
)

func TestSamplersAgainstEnumeration(t *testing.T) {
	testenv.Long(t)
	rbmExpert := rbmtest.Marginal(t, 9, 4, 3)
	chainExpert := lattice(t, 1, 9, 0.4, 0, discrete.Open)
	chainBinary, _ := chainExpert.Convert(discrete.Binary)
	product, err := discrete.NewProduct(rbmExpert, chainBinary)
	if err != nil {
		t.Fatal(err)
	}
	models := []struct {
		name string
		m    discrete.Model
		beta float64
	}{
		{"ising 4x4 periodic β=0.25", lattice(t, 4, 4, 1, 0, discrete.Periodic), 0.25},
		{"ising 4x4 periodic β=βc", lattice(t, 4, 4, 1, 0, discrete.Periodic), enumtest.BetaC},
		{"ising 3x4 open h=0.2 β=0.6", lattice(t, 3, 4, 1, 0.2, discrete.Open), 0.6},
		{"frustrated binary n=10 β=1", enumtest.Frustrated(t, 10, 4), 1},
		{"rbm marginal 9x4", rbmExpert, 1},
		{"product rbm × chain", product, 1},
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
		{"pt", Systematic, true},
	}
	// Runs must be long enough for R-hat to certify mixing at β_c, where
	// the magnetization of single-site samplers has an autocorrelation
	// time of tens of sweeps, so -short drops models rather than sweeps.
	const sweeps = 4000
	for mi, mc := range models {
		if testing.Short() && mi%2 == 0 {
			continue
		}
		mean, variance := exactMoments(t, mc.m, mc.beta)
		stats, k := momentStats(mc.m.Units())
		for _, me := range methods {
			cfg := Config{
				Method: me.method, Beta: mc.beta, Chains: 4, Sweeps: sweeps, Burnin: 100,
				Stats: stats, NumStats: k, Seed: uint64(100 + mi),
			}
			if me.ladder {
				cfg.Ladder = GeometricLadder(mc.beta/4, mc.beta, 4)
			}
			name := mc.name + " / " + me.name
			res, err := Run(context.Background(), mc.m, cfg)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			checkAgainst(t, name, res, mean, variance)
		}
	}
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	m := lattice(t, 4, 4, 1, 0.1, discrete.Periodic)
	stats, k := momentStats(16)
	for _, method := range []Method{Systematic, RandomScan, Metropolis, GWG} {
		var prev *Result
		for _, workers := range []int{1, 3} {
			res, err := Run(context.Background(), m, Config{
				Method: method, Beta: 0.4, Chains: 5, Sweeps: 50, Ladder: []float64{0.2, 0.3, 0.4},
				Stats: stats, NumStats: k, Seed: 7, Workers: workers,
			})
			if err != nil {
				t.Fatal(err)
			}
			if prev != nil && (!slices.Equal(prev.Trace.Data, res.Trace.Data) || prev.Accepted != res.Accepted ||
				!slices.Equal(prev.SwapRates, res.SwapRates) || !slices.Equal(prev.Mean, res.Mean)) {
				t.Errorf("%v: results differ between 1 and 3 workers", method)
			}
			prev = res
		}
	}
}

// TestClamped checks conditional sampling: the clamped units never move and
// the free units follow the exact conditional distribution, computed by
// summing the exact joint distribution over the states that agree with the
// clamped values.
func TestClamped(t *testing.T) {
	m := enumtest.Frustrated(t, 10, 8)
	const beta = 1
	p, err := exact.Distribution(context.Background(), m, beta, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	init := []int8{1, 0, 0, 0, 0, 1, 0, 0, 0, 0}
	clamp := []bool{true, false, false, true, false, true, false, false, true, false}
	n := m.Units()
	on := make([]float64, n)
	var z float64
	for s, ps := range p {
		ok := true
		for i := range n {
			if clamp[i] && int8(s>>i&1) != init[i] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		z += ps
		for i := range n {
			on[i] += ps * float64(s>>i&1)
		}
	}
	for _, method := range []Method{Systematic, RandomScan, Metropolis, GWG} {
		res, err := Run(context.Background(), m, Config{
			Method: method, Beta: beta, Chains: 4, Sweeps: 4000, Init: init, Clamp: clamp, Seed: 3,
			Stats: func(x []int8, out []float64) {
				for i, v := range x {
					out[i] = float64(v)
				}
			},
			NumStats: n,
		})
		if err != nil {
			t.Fatal(err)
		}
		mean, variance := make([]float64, n), make([]float64, n)
		for i := range n {
			mean[i] = on[i] / z
			variance[i] = mean[i] * (1 - mean[i])
			if clamp[i] && res.Mean[i] != float64(init[i]) {
				t.Errorf("%v: clamped unit %d moved (mean %v)", method, i, res.Mean[i])
			}
		}
		checkAgainst(t, fmt.Sprintf("clamped/%v", method), res, mean, variance)
	}
}

// TestTemperingVisitsBothModes uses the 4×4 periodic Ising model at β = 1
// in a weak field h = 0.05: the two magnetised modes hold almost all the
// mass, in the ratio of about exp(2βh·16) ≈ 5, and leaving one needs two
// domain walls across the torus, an energy barrier of 16 (a rate of order
// e⁻¹⁶ per sweep). Single-site Gibbs started in the minority mode stays
// there; parallel tempering visits both in the exact proportion.
func TestTemperingVisitsBothModes(t *testing.T) {
	m := lattice(t, 4, 4, 1, 0.05, discrete.Periodic)
	const beta = 1
	p, err := exact.Distribution(context.Background(), m, beta, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// up is the indicator of the majority (up) mode: magnetisation > 0,
	// counting a zero magnetisation as half.
	up := func(x []int8, out []float64) {
		var s int
		for _, v := range x {
			s += int(v)
		}
		switch {
		case s > 0:
			out[0] = 1
		case s == 0:
			out[0] = 0.5
		default:
			out[0] = 0
		}
	}
	var want float64
	x := make([]int8, 16)
	o := []float64{0}
	for s, ps := range p {
		for i := range x {
			x[i] = discrete.Spin.Value(uint(s >> i))
		}
		up(x, o)
		want += ps * o[0]
	}
	down := make([]int8, 16)
	for i := range down {
		down[i] = -1
	}
	const sweeps = 4000
	gibbs, err := Run(context.Background(), m, Config{
		Method: Systematic, Beta: beta, Chains: 4, Sweeps: sweeps, Init: down, Seed: 5, Stats: up, NumStats: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	for c := range 4 {
		if v := slices.Max(gibbs.Trace.Series(c, 0)); v != 0 {
			t.Errorf("Gibbs chain %d left the down mode", c)
		}
	}
	pt, err := Run(context.Background(), m, Config{
		Method: Systematic, Ladder: GeometricLadder(0.1, beta, 8), Chains: 4, Sweeps: sweeps, Init: down,
		Seed: 5, Stats: up, NumStats: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	d := pt.Trace.Diagnose(0)
	// Tolerance: 5 standard errors of the mean of an indicator with exact
	// variance want(1 - want) and the measured ESS (see checkAgainst).
	se := math.Sqrt(want * (1 - want) / d.ESS)
	if math.Abs(d.Mean-want) > 5*se {
		t.Errorf("tempering: time in the up mode %.4f, exact %.4f (5 standard errors = %.4f)", d.Mean, want, 5*se)
	}
	t.Logf("exact p(up) = %.4f; tempering %.4f ± %.4f (ESS %.0f, R-hat %.3f), swap rates %.2f",
		want, d.Mean, se, d.ESS, d.RHat, pt.SwapRates)
}

func TestConfigErrors(t *testing.T) {
	m := lattice(t, 2, 2, 1, 0, discrete.Open)
	for _, cfg := range []Config{
		{Beta: -1},
		{Beta: math.NaN()},
		{Ladder: []float64{1}},
		{Ladder: []float64{0.5, 0.2}},
		{Ladder: []float64{0.2, 0.5}, Beta: 1},
		{Clamp: []bool{true, false, false, false}},
		{Init: []int8{0, 1, 1, 1}},
		{Init: []int8{1, 1}},
		{NumStats: 2},
		{Method: 9},
	} {
		if _, err := Run(context.Background(), m, cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
	r := rbmtest.Marginal(t, 3, 2, 1)
	p, _ := discrete.NewProduct(r, plainModel{r})
	if _, err := Run(context.Background(), p, Config{Method: GWG}); err == nil {
		t.Error("GWG accepted a model without a gradient")
	}
}

type plainModel struct{ m discrete.Model }

func (p plainModel) Units() int              { return p.m.Units() }
func (p plainModel) Domain() discrete.Domain { return p.m.Domain() }
func (p plainModel) Energy(x []int8) float64 { return p.m.Energy(x) }
