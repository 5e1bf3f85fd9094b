package loglik

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
	"github.com/rbmkit/rbm/rbm/rbmexact"
	"github.com/rbmkit/rbm/rbm/rbmtest"
)

// exactLogLik is the mean of -F(v) - log Z over the rows, from the exact
// log Z.
func exactLogLik(t *testing.T, m *rbm.RBM, data *rbm.Matrix) float64 {
	t.Helper()
	logZ, err := rbmexact.RBMLogZ(context.Background(), m, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var s float64
	for r := range data.Rows {
		s -= m.FreeEnergy(data.Row(r))
	}
	return s/float64(data.Rows) - logZ
}

// TestEstimateMethods checks that Auto enumerates small models exactly and
// anneals large ones, and that the exact figure is the exact one.
func TestEstimateMethods(t *testing.T) {
	ctx := context.Background()
	m := rbm.NewRandom(30, 8, 0.5, rand.New(rand.NewPCG(1, 1)))
	data := rbmtest.ExactSamples(m, 50, 1)
	ll, err := Estimate(ctx, m, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := exactLogLik(t, m, data)
	if ll.Method != Exact || math.Abs(ll.Mean-want) > 1e-6 || *ll.Lower != ll.Mean || *ll.Upper != ll.Mean || ll.Rows != 50 {
		t.Errorf("auto on 30×8: %+v, want exact %.6f", ll, want)
	}
	ll, err = Estimate(ctx, m, data, Options{ExactUnits: 4, AIS: ais.Config{Schedule: ais.Linear(100), Runs: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if ll.Method != AIS || ll.Lower != nil || math.Abs(*ll.Upper-want) > 0.5 {
		t.Errorf("auto with ExactUnits 4: %+v, want AIS near %.4f without a conservative side", ll, want)
	}
	if _, err := Estimate(ctx, m, data, Options{Method: "guess"}); err == nil {
		t.Error("unknown method accepted")
	}
	if _, err := Estimate(ctx, m, rbm.NewMatrix(3, 29), Options{}); err == nil {
		t.Error("data of the wrong width accepted")
	}
}

// TestConservativeSide checks RAISE's side of the estimate over many
// seeds: evaluated on exact samples of the model, the mean RAISE
// log-likelihood lies below the exact mean log-likelihood (Gibbs'
// inequality: samples of p score p above any other model, the annealing
// model included, and RAISE underestimates that model's log-likelihood by
// Jensen), while forward AIS lies above it, each within noise per seed.
func TestConservativeSide(t *testing.T) {
	ctx := context.Background()
	const seeds = 12
	var below, above int
	for seed := range uint64(seeds) {
		m := rbm.NewRandom(16, 10, 2, rand.New(rand.NewPCG(seed, 5)))
		data := rbmtest.ExactSamples(m, 150, seed+100)
		want := exactLogLik(t, m, data)
		ll, err := Estimate(ctx, m, data, Options{Method: AIS, Raise: true,
			AIS: ais.Config{Schedule: ais.Linear(10), Runs: 150, Seed: seed, Base: rbm.BaseRates(data)}})
		if err != nil {
			t.Fatal(err)
		}
		if *ll.Lower > want+4*ll.LowerStdErr {
			t.Errorf("seed %d: RAISE %.4f ± %.4f above the exact %.4f by more than 4σ", seed, *ll.Lower, ll.LowerStdErr, want)
		}
		if *ll.Upper < want-4*ll.StdErr {
			t.Errorf("seed %d: forward AIS %.4f ± %.4f below the exact %.4f by more than 4σ", seed, *ll.Upper, ll.StdErr, want)
		}
		if *ll.Lower < want {
			below++
		}
		if *ll.Upper > want {
			above++
		}
	}
	t.Logf("RAISE below the exact value in %d of %d seeds, forward above in %d", below, seeds, above)
	if below < seeds*3/4 {
		t.Errorf("RAISE was below the exact log-likelihood in only %d of %d seeds", below, seeds)
	}
}

// TestUpperSideFromTempering checks the tempering side of the estimate
// over many seeds on exact samples: the log-likelihood implied by reverse
// AIS from tempering samples lies below the exact one, within noise.
func TestUpperSideFromTempering(t *testing.T) {
	ctx := context.Background()
	const seeds = 8
	var below int
	for seed := range uint64(seeds) {
		m := rbm.NewRandom(16, 10, 2, rand.New(rand.NewPCG(seed, 6)))
		data := rbmtest.ExactSamples(m, 150, seed+200)
		want := exactLogLik(t, m, data)
		ll, err := Estimate(ctx, m, data, Options{Method: AIS, Upper: &ais.Tempered{Ladder: ais.Linear(6), Sweeps: 100},
			AIS: ais.Config{Schedule: ais.Linear(10), Runs: 150, Seed: seed}})
		if err != nil {
			t.Fatal(err)
		}
		if *ll.Lower > want+4*ll.LowerStdErr {
			t.Errorf("seed %d: conservative side %.4f ± %.4f above the exact %.4f by more than 4σ", seed, *ll.Lower, ll.LowerStdErr, want)
		}
		if *ll.Lower < want {
			below++
		}
	}
	if below < seeds*3/4 {
		t.Errorf("the conservative side was below the exact log-likelihood in only %d of %d seeds", below, seeds)
	}
}
