package gibbs

import (
	"context"
	"math"
	"testing"

	"github.com/rbmkit/rbm/discrete"
)

// isingStats records the energy per spin and the absolute magnetization.
func isingStats(m discrete.Model) (func(x []int8, out []float64), int) {
	n := float64(m.Units())
	return func(x []int8, out []float64) {
		var s float64
		for _, v := range x {
			s += float64(v)
		}
		out[0] = m.Energy(x) / n
		out[1] = math.Abs(s) / n
	}, 2
}

// essPerEvaluation runs method on m and returns the smaller ESS of the two
// Ising statistics per energy evaluation, per second, and the result.
func essPerEvaluation(tb testing.TB, m discrete.Model, method Method, beta float64, sweeps int, seed uint64) (perEval, perSec float64, res *Result) {
	stats, k := isingStats(m)
	res, err := Run(context.Background(), m, Config{
		Method: method, Beta: beta, Chains: 4, Sweeps: sweeps, Burnin: 200, Stats: stats, NumStats: k, Seed: seed,
	})
	if err != nil {
		tb.Fatal(err)
	}
	ess := math.Inf(1)
	for s := range k {
		ess = min(ess, res.Trace.Diagnose(s).ESS)
	}
	return ess / float64(res.Evaluations), ess / res.Seconds, res
}

// TestGWGBeatsRandomScanPerEvaluation compares the accuracy reached per
// energy evaluation on the 8×8 periodic Ising model near β_c: a mean's
// standard error is sqrt(σ²/ESS), so the sampler with more effective
// samples per evaluation reaches any given accuracy in fewer evaluations.
// Evaluations are counted as in Grathwohl et al. (one per Gibbs update;
// one energy-and-gradient per GWG proposal).
func TestGWGBeatsRandomScanPerEvaluation(t *testing.T) {
	if testing.Short() {
		t.Skip("long comparison")
	}
	m := lattice(t, 8, 8, 1, 0, discrete.Periodic)
	gibbs, _, _ := essPerEvaluation(t, m, RandomScan, 0.4, 1500, 1)
	gwg, _, _ := essPerEvaluation(t, m, GWG, 0.4, 1500, 1)
	t.Logf("ESS per 1000 energy evaluations: random-scan Gibbs %.3f, Gibbs-with-Gradients %.3f", 1000*gibbs, 1000*gwg)
	if gwg <= gibbs {
		t.Errorf("GWG %.3g ESS per evaluation, random-scan Gibbs %.3g", gwg, gibbs)
	}
}

// BenchmarkGWGVersusGibbs reports, for the 2-D Ising model, the effective
// sample size (the smaller of the energy's and |magnetization|'s) per
// second and per 1000 energy evaluations of random-scan Gibbs and
// Gibbs-with-Gradients. Run with -benchtime=1x.
func BenchmarkGWGVersusGibbs(b *testing.B) {
	m := lattice(b, 8, 8, 1, 0, discrete.Periodic)
	for _, method := range []Method{RandomScan, Systematic, GWG} {
		b.Run(method.String(), func(b *testing.B) {
			var perEval, perSec float64
			for i := range b.N {
				e, s, _ := essPerEvaluation(b, m, method, 0.4, 3000, uint64(i+1))
				perEval += e
				perSec += s
			}
			b.ReportMetric(1000*perEval/float64(b.N), "ESS/1000evals")
			b.ReportMetric(perSec/float64(b.N), "ESS/s")
		})
	}
}
