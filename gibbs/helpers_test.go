package gibbs

import (
	"context"
	"math"
	"testing"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
)

func lattice(t testing.TB, rows, cols int, j, h float64, b discrete.Boundary) *discrete.Pairwise {
	t.Helper()
	p, err := discrete.Lattice(rows, cols, j, h, b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// momentStats records x_i for every unit, then x_i·x_j for every pair i < j.
func momentStats(n int) (func(x []int8, out []float64), int) {
	return func(x []int8, out []float64) {
		k := 0
		for i := range n {
			out[k] = float64(x[i])
			k++
		}
		for i := range n {
			for j := i + 1; j < n; j++ {
				out[k] = float64(x[i]) * float64(x[j])
				k++
			}
		}
	}, n + n*(n-1)/2
}

// exactMoments returns the exact values of momentStats' statistics and
// their exact variances.
func exactMoments(t testing.TB, m discrete.Model, beta float64) (mean, variance []float64) {
	t.Helper()
	mo, err := exact.Marginals(context.Background(), m, beta, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := m.Units()
	spin := m.Domain() == discrete.Spin
	add := func(mu float64, sq float64) {
		mean = append(mean, mu)
		variance = append(variance, sq-mu*mu)
	}
	for i := range n {
		add(mo.Mean[i], mo.Pair[i*n+i])
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			c := mo.Pair[i*n+j]
			sq := c // (x_i x_j)² = x_i x_j for binary units
			if spin {
				sq = 1
			}
			add(c, sq)
		}
	}
	return mean, variance
}

// checkAgainst compares every statistic's sampled mean with its exact value.
//
// Tolerance: the sampled mean of a statistic with variance σ² (known exactly
// here) and effective sample size ESS has standard error sqrt(σ²/ESS); we
// allow 5 standard errors. For a normal error the chance of exceeding that
// is 6·10⁻⁷ per statistic, so the few thousand comparisons of the suite
// fail by chance with probability under 1%, and the fixed seeds make the
// outcome reproducible. The ESS is itself estimated (Geyer's initial
// monotone sequence), typically to within 10-20% at these run lengths,
// which the factor 5 absorbs. R̂ must also be below 1.05.
func checkAgainst(t *testing.T, name string, res *Result, mean, variance []float64) {
	t.Helper()
	worst := 0.0
	for s := range mean {
		d := res.Trace.Diagnose(s)
		if variance[s] < 1e-12 {
			continue
		}
		if math.IsNaN(d.ESS) {
			t.Errorf("%s: statistic %d never changed (exact mean %.4f)", name, s, mean[s])
			continue
		}
		se := math.Sqrt(variance[s] / d.ESS)
		z := math.Abs(d.Mean-mean[s]) / se
		worst = max(worst, z)
		if z > 5 {
			t.Errorf("%s: statistic %d: sampled %.5f, exact %.5f, |error| = %.1f standard errors (ESS %.0f)", name, s, d.Mean, mean[s], z, d.ESS)
		}
		if d.RHat > 1.05 {
			t.Errorf("%s: statistic %d: R-hat %.3f", name, s, d.RHat)
		}
	}
	t.Logf("%s: worst error %.2f standard errors, acceptance %.3f, swaps %v", name, worst, res.AcceptRate(), res.SwapRates)
}
