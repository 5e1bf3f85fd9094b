package main

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/rbmexact"
)

type evalJSON struct {
	Rows                     int      `json:"rows"`
	LogLik                   float64  `json:"log_lik"`
	LogLikStdErr             float64  `json:"log_lik_std_err"`
	LogLikLower              float64  `json:"log_lik_lower"`
	LogLikUpper              *float64 `json:"log_lik_upper"`
	LogLikConservative       *float64 `json:"log_lik_conservative"`
	LogLikConservativeStdErr float64  `json:"log_lik_conservative_std_err"`
	Raise                    *struct {
		Rows    int     `json:"rows"`
		LogLik  float64 `json:"log_lik"`
		StdErr  float64 `json:"std_err"`
		Forward float64 `json:"forward_log_lik"`
	} `json:"raise"`
	LogZ struct {
		Method string  `json:"method"`
		LogZ   float64 `json:"log_z"`
		ESS    float64 `json:"ess"`
	} `json:"log_z"`
	FreeEnergy   float64 `json:"free_energy"`
	PseudoLogLik float64 `json:"pseudo_log_lik"`
	PseudoRows   int     `json:"pseudo_log_lik_rows"`
	ReconError   float64 `json:"recon_error"`
}

func TestEval(t *testing.T) {
	f := newFixture(t)
	m, _, err := rbm.LoadFile(f.model)
	if err != nil {
		t.Fatal(err)
	}
	data, _, err := dataset.Load(f.data, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantLL, _, err := rbmexact.LogLikelihood(context.Background(), m, data, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wantPLL float64
	for r := range 50 {
		wantPLL += m.PseudoLogLikelihood(data.Row(r)) / 50
	}

	r := rbmRun(t, "eval", f.model, f.data, "--json", "--pll-rows", "50")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var res evalJSON
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	// eval's free energies come from a float32 product: agreement to the
	// float32 rounding of the hidden inputs.
	if res.LogZ.Method != "exact" || res.Rows != 120 || math.Abs(res.LogLik-wantLL) > 1e-4 {
		t.Errorf("exact eval: %+v, want log-lik %v", res, wantLL)
	}
	if math.Abs(res.LogLik-(-res.FreeEnergy-res.LogZ.LogZ)) > 1e-12 {
		t.Errorf("log-lik %v is not -F - log Z = %v", res.LogLik, -res.FreeEnergy-res.LogZ.LogZ)
	}
	if res.PseudoRows != 50 || math.Abs(res.PseudoLogLik-wantPLL) > 1e-9 || res.ReconError <= 0 {
		t.Errorf("pseudo-LL %v over %d rows (want %v over 50), recon error %v", res.PseudoLogLik, res.PseudoRows, wantPLL, res.ReconError)
	}

	// AIS on the same model: the log-likelihood interval must hold the
	// exact value (see TestLogz for why), and RAISE on a subset of the
	// rows be close to the exact mean of those rows: forward AIS on the
	// same rows differs from the exact value by the error of log Z alone.
	r = rbmRun(t, "eval", f.model, f.data, "--json", "--method", "ais", "--schedule", "2000", "--runs", "50", "--raise-rows", "40")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	res = evalJSON{}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if res.LogZ.Method != "ais" || res.LogLikUpper == nil || wantLL < res.LogLikLower-1e-4 || wantLL > *res.LogLikUpper+1e-4 {
		t.Errorf("AIS eval: log-lik %v [%v, %v], exact %v", res.LogLik, res.LogLikLower, res.LogLikUpper, wantLL)
	}
	if res.LogZ.ESS < 10 || res.LogZ.ESS > 50 {
		t.Errorf("effective sample size %v of 50 runs", res.LogZ.ESS)
	}
	// The exact mean log-likelihood of RAISE's rows: forward AIS's on the
	// same rows corrected by the error of its log Z.
	if rs := res.Raise; rs == nil {
		t.Error("no RAISE result")
	} else if exactRows := rs.Forward + res.LogZ.LogZ - exactLogZ(t, f.model); rs.Rows != 40 || rs.StdErr <= 0 || math.Abs(rs.LogLik-exactRows) > 0.5 {
		t.Errorf("RAISE %+v, exact mean log-likelihood of its rows %v", rs, exactRows)
	}

	if c := res.LogLikConservative; c == nil || *c > wantLL+4*res.LogLikConservativeStdErr || *c < wantLL-0.5 {
		t.Errorf("conservative log-lik %v ± %v, exact %v", c, res.LogLikConservativeStdErr, wantLL)
	}

	r = rbmRun(t, "eval", f.model, f.data, "--method", "ais", "--schedule", "100", "--runs", "10", "--raise-rows", "10", "--sweeps", "50")
	for _, want := range []string{"log-lik:", "conservative if the tempering mixed", "RAISE:", "effective sample size", "pseudo-LL:", "recon error:"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("text output lacks %q (exit %d): %s%s", want, r.code, r.stdout, r.stderr)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{f.model}, 2, "expected"},
		{[]string{f.model, f.data, "--pll-rows", "-1"}, 2, "--pll-rows"},
		{[]string{f.model, f.data, "--raise-rows", "-1"}, 2, "--raise-rows"},
		{[]string{f.model, f.data, "--upper", "magic"}, 2, "--upper"},
		{[]string{f.model, f.data, "--ladder", "0.5/3"}, 2, "--ladder"},
		{[]string{f.model, f.data, "--sweeps", "0"}, 2, "--sweeps"},
		{[]string{f.model, f.model}, 1, "m.rbm"},
		{[]string{f.data, f.data}, 1, "data.idx.gz"},
		{[]string{f.model, f.data, "--binarize", "fuzzy"}, 2, "--binarize"},
	} {
		r := rbmRun(t, append([]string{"eval"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("eval %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, r.code, r.stderr, tc.code, tc.msg)
		}
	}
}
