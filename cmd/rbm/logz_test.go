package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/rbmexact"
)

func exactLogZ(t *testing.T, path string) float64 {
	t.Helper()
	m, _, err := rbm.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	z, err := rbmexact.RBMLogZ(context.Background(), m, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func TestLogz(t *testing.T) {
	f := newFixture(t)
	want := exactLogZ(t, f.model)
	// The fixture's 20×6 model anneals easily: with 2000 steps the AIS
	// log-weights spread by hundredths of a nat, so the ±3σ intervals must
	// hold the exact value (a 3σ miss has probability ~0.3%).
	ais := []string{"--method", "ais", "--schedule", "2000", "--runs", "50", "--data", f.data, "--json"}
	for _, tc := range []struct {
		name   string
		args   []string
		method string
	}{
		{"auto", []string{f.model, "--json"}, "exact"},
		{"exact", []string{"-method=exact", "-json", f.model}, "exact"},
		{"ais", append([]string{f.model}, ais...), "ais"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rbmRun(t, append([]string{"logz"}, tc.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var res struct {
				Method      string   `json:"method"`
				LogZ        float64  `json:"log_z"`
				StdErr      float64  `json:"std_err"`
				Lower       *float64 `json:"lower"`
				Upper       float64  `json:"upper"`
				Visible     int      `json:"visible"`
				Steps, Runs int
				ESS         float64 `json:"ess"`
				Reliable    *bool   `json:"reliable"`
				Base        string  `json:"base"`
				UpperSide   *struct {
					LogZ    float64 `json:"log_z"`
					StdErr  float64 `json:"std_err"`
					MinSwap float64 `json:"min_swap_rate"`
				} `json:"upper_side"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("%v: %s", err, r.stdout)
			}
			if res.Method != tc.method || res.Visible != 20 {
				t.Errorf("method %q visible %d, want %q 20", res.Method, res.Visible, tc.method)
			}
			if tc.method == "exact" {
				if res.LogZ != want {
					t.Errorf("log Z %v, want %v", res.LogZ, want)
				}
				return
			}
			if res.Lower == nil || want < *res.Lower || want > res.Upper || res.Steps != 2000 || res.Runs != 50 {
				t.Errorf("AIS %v [%v, %v] (%d steps, %d runs), exact %v", res.LogZ, res.Lower, res.Upper, res.Steps, res.Runs, want)
			}
			// The upper side, reverse AIS from tempering samples, must not
			// fall below the exact value by more than its noise.
			if u := res.UpperSide; u == nil || u.LogZ < want-4*u.StdErr || u.LogZ > want+0.5 || u.MinSwap < 0.05 {
				t.Errorf("upper side %+v, exact %v", u, want)
			}
			if res.Reliable == nil || !*res.Reliable || res.ESS < 10 || res.ESS > 50 || res.Base != "data" {
				t.Errorf("ESS %v of 50 (reliable %v), base rates from %q", res.ESS, res.Reliable, res.Base)
			}
		})
	}
	r := rbmRun(t, "logz", f.model)
	if r.code != 0 || !strings.Contains(r.stdout, "exact") {
		t.Errorf("text output: exit %d, %q", r.code, r.stdout)
	}
}

func TestLogzErrors(t *testing.T) {
	f := newFixture(t)
	missing := filepath.Join(f.dir, "missing.rbm")
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{}, 2, "expected"},
		{[]string{f.model, "--method", "magic"}, 2, "--method"},
		{[]string{f.model, "--method", "ais", "--schedule", "0.5/10"}, 2, "--schedule"},
		{[]string{f.model, "--runs", "1"}, 2, "--runs"},
		{[]string{missing}, 1, "missing.rbm"},
		{[]string{f.data}, 1, "data.idx.gz"},
		{[]string{f.model, "--method", "exact", "--max-units", "3"}, 1, "limit is 3"},
		{[]string{f.model, "--method", "ais", "--data", f.model}, 1, "m.rbm"},
	} {
		r := rbmRun(t, append([]string{"logz"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 && tc.code == 1 {
			t.Errorf("logz %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, r.code, r.stderr, tc.code, tc.msg)
		}
	}
}

// Discrete-model flags hand the command over to the discrete form.
func TestLogzDelegatesDiscreteModels(t *testing.T) {
	for _, args := range [][]string{{"--ising", "2x2", "--json"}, {"-ising=2x2", "-json"}} {
		r := rbmRun(t, append([]string{"logz"}, args...)...)
		if r.code != 0 || !strings.Contains(r.stdout, `"ising 2x2`) {
			t.Errorf("logz %v: exit %d, %q %q", args, r.code, r.stdout, r.stderr)
		}
	}
}
