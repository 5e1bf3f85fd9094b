package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestGradcheck(t *testing.T) {
	f := newFixture(t)
	r := rbmRun(t, "gradcheck", f.model, f.data, "--k", "1,100", "--chains", "20", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var res gradcheckResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if len(res.Results) != 2 || res.Results[0].K != 1 || res.Results[1].K != 100 || res.Rows != 120 {
		t.Fatalf("results: %+v", res)
	}
	for _, k := range res.Results {
		for _, b := range []blockError{k.W, k.B, k.C, k.All} {
			if b.RelErr == nil || *b.RelErr < 0 || math.Abs(b.Cosine) > 1+1e-12 {
				t.Errorf("k=%d: block %+v out of range", k.K, b)
			}
		}
	}
	// With k = 100 on this weakly coupled 20×6 model the chains have mixed
	// and what remains is sampling noise. Each element of the negative
	// phase averages rows×chains = 2400 independent terms in [0, 1], whose
	// variance is at most 1/4, so E‖noise‖² ≤ P/(4·2400) for the P = 146
	// parameters: an RMS norm of 0.12. Three times that bounds the error.
	last := res.Results[1].All
	if abs := *last.RelErr * res.Norm; abs > 3*math.Sqrt(146/(4*2400.0)) {
		t.Errorf("CD-100 is %.3g from the exact gradient (norm %.3g), beyond the sampling noise", abs, res.Norm)
	}

	r = rbmRun(t, "gradcheck", f.model, f.data, "--k", "2", "--chains", "2")
	if r.code != 0 || !strings.Contains(r.stdout, "rel err") || !strings.Contains(r.stdout, "cosine") {
		t.Errorf("text output (exit %d): %s%s", r.code, r.stdout, r.stderr)
	}
}

func TestGradcheckErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{f.model, f.data, "--k", "1,x"}, 2, "--k"},
		{[]string{f.model, f.data, "--k", "0"}, 2, "--k"},
		{[]string{f.model, f.data, "--chains", "0"}, 2, "--chains"},
		{[]string{f.model, f.data, "--max-units", "5"}, 1, "limit is 5"},
		{[]string{f.model, "nope.idx"}, 1, "nope.idx"},
	} {
		r := rbmRun(t, append([]string{"gradcheck"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("gradcheck %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, r.code, r.stderr, tc.code, tc.msg)
		}
	}
}
