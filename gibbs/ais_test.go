package gibbs

import (
	"context"
	"math"
	"testing"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
)

func TestAISAgainstEnumeration(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    discrete.Model
		beta float64
	}{
		{"ising 4x4 βc", lattice(t, 4, 4, 1, 0, discrete.Periodic), betaC},
		{"ising 4x4 β=0.7 h=0.1", lattice(t, 4, 4, 1, 0.1, discrete.Periodic), 0.7},
		{"frustrated n=12", frustrated(t, 12, 2), 1},
		{"rbm marginal 10x5", smallRBM(t, 10, 5, 4), 1},
	} {
		want, err := exact.LogZ(context.Background(), tc.m, tc.beta, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := AIS(context.Background(), tc.m, AISConfig{Beta: tc.beta, Steps: 500, Runs: 64, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		// Tolerance: AIS's log Z has standard error StdErr by the delta
		// method over 64 independent runs, and a downward bias of about
		// StdErr²/2; allow 5 standard errors plus the bias.
		tol := 5*res.StdErr + res.StdErr*res.StdErr/2
		if math.Abs(res.LogZ-want) > tol || res.StdErr > 0.1 {
			t.Errorf("%s: AIS log Z = %.4f ± %.4f, exact %.4f", tc.name, res.LogZ, res.StdErr, want)
		}
		t.Logf("%s: AIS %.4f ± %.4f (ESS %.1f of %d), exact %.4f", tc.name, res.LogZ, res.StdErr, res.ESS, res.Runs, want)
	}
}
