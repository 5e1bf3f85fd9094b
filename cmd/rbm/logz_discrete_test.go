package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runDiscrete calls one of the discrete entry points in-process and
// returns the exit status run would give, and the output.
func runDiscrete(f func(context.Context, *env, []string) error, args ...string) result {
	var out, errb bytes.Buffer
	err := f(context.Background(), &env{stdout: &out, stderr: &errb}, args)
	code := 0
	switch {
	case err == nil:
	case errors.As(err, new(usageError)):
		code = 2
	default:
		code = 1
	}
	if err != nil {
		errb.WriteString(err.Error())
	}
	return result{code, out.String(), errb.String()}
}

// bruteIsingLogZ enumerates the periodic rows×cols Ising model directly
// from its bonds, independently of package discrete.
func bruteIsingLogZ(rows, cols int, j, h, beta float64) float64 {
	n := rows * cols
	var z float64
	for code := range 1 << n {
		s := func(r, c int) float64 {
			if code>>((r%rows)*cols+c%cols)&1 == 1 {
				return 1
			}
			return -1
		}
		var e float64
		for r := range rows {
			for c := range cols {
				e -= j*s(r, c)*s(r, c+1) + j*s(r, c)*s(r+1, c) + h*s(r, c)
			}
		}
		z += math.Exp(-beta * e)
	}
	return math.Log(z)
}

func TestLogzDiscrete(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "m.json")
	os.WriteFile(spec, []byte(`{"units": 3, "domain": "spin", "fields": [0.5, 0, 0], "couplings": [[0, 1, 1], [1, 2, -1]]}`), 0o644)
	// The spec's log Z at β = 1 by hand: Σ over 8 states of exp(0.5 s0 + s0 s1 - s1 s2).
	var want float64
	for code := range 8 {
		s := [3]float64{}
		for i := range s {
			s[i] = float64(2*(code>>i&1) - 1)
		}
		want += math.Exp(0.5*s[0] + s[0]*s[1] - s[1]*s[2])
	}
	for _, tc := range []struct {
		args []string
		want float64
	}{
		{[]string{"--ising", "4x4", "--beta", "0.44", "--method", "exact", "--json"}, bruteIsingLogZ(4, 4, 1, 0, 0.44)},
		{[]string{"-ising", "3x3", "-beta", "0.3", "-coupling", "-0.5", "-field", "0.2", "-json"}, bruteIsingLogZ(3, 3, -0.5, 0.2, 0.3)},
		{[]string{"--spec", spec, "--json"}, math.Log(want)},
	} {
		r := runDiscrete(runLogzDiscrete, tc.args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, r.code, r.stderr)
		}
		var got logzDiscreteResult
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("%v: %v in %q", tc.args, err, r.stdout)
		}
		if math.Abs(got.LogZ-tc.want) > 1e-9 || got.Method != "exact" {
			t.Errorf("%v: log Z = %v (%s), want %v", tc.args, got.LogZ, got.Method, tc.want)
		}
	}
	// Open boundaries differ from periodic ones.
	r := runDiscrete(runLogzDiscrete, "--ising", "2x3", "--open", "--json")
	var open logzDiscreteResult
	json.Unmarshal([]byte(r.stdout), &open)
	if r.code != 0 || !strings.Contains(open.Model, "open") || math.Abs(open.LogZ-bruteIsingLogZ(2, 3, 1, 0, 1)) < 0.1 {
		t.Errorf("--open: %+v %s", open, r.stderr)
	}

	// AIS agrees with the enumeration within its reported uncertainty
	// (5 standard errors, the bound argued in rbm/ais's RunDiscrete test),
	// with the ±3σ interval and the weights' ESS of ais.Estimate.
	r = runDiscrete(runLogzDiscrete, "--ising", "4x4", "--beta", "0.44", "--method", "ais", "--steps", "300", "--runs", "32", "--json")
	var ais logzDiscreteResult
	if err := json.Unmarshal([]byte(r.stdout), &ais); err != nil || r.code != 0 {
		t.Fatalf("ais: %v %s", err, r.stderr)
	}
	if exact := bruteIsingLogZ(4, 4, 1, 0, 0.44); math.Abs(ais.LogZ-exact) > 5*ais.StdErr || ais.StdErr <= 0 {
		t.Errorf("ais: %v ± %v, exact %v", ais.LogZ, ais.StdErr, exact)
	}
	if ais.Lower == nil || !(*ais.Lower < ais.LogZ && ais.LogZ < ais.Upper) || ais.Reliable == nil || !*ais.Reliable ||
		!(ais.ESS > 0 && ais.ESS <= 32) || ais.Runs != 32 || ais.Steps != 300 {
		t.Errorf("ais: %+v", ais)
	}
	for _, key := range []string{`"log_z"`, `"std_err"`, `"lower"`, `"upper"`, `"ess"`, `"reliable"`, `"runs"`, `"steps"`, `"log_z_per_unit"`} {
		if !strings.Contains(r.stdout, key) {
			t.Errorf("ais --json has no %s: %s", key, r.stdout)
		}
	}
	r = runDiscrete(runLogzDiscrete, "--ising", "2x2")
	if r.code != 0 || !strings.Contains(r.stdout, "log Z:") {
		t.Errorf("text output: %q", r.stdout)
	}
}

func TestLogzDiscreteErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"units": 2, "couplings": [[0, 0, 1]]}`), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--ising", "4by4"}, 2, "ROWSxCOLS"},
		{[]string{"--ising", "2x2", "--spec", bad}, 2, "not both"},
		{[]string{"--ising", "2x2", "--beta", "-1"}, 2, "beta"},
		{[]string{"--ising", "2x2", "--method", "magic"}, 2, "method"},
		{[]string{"--ising", "2x2", "extra"}, 2, ""},
		{[]string{"--spec", bad}, 1, bad},
		{[]string{"--spec", filepath.Join(dir, "none.json")}, 1, "none.json"},
		{[]string{"--ising", "8x8", "--method", "exact"}, 1, "too many"},
	} {
		r := runDiscrete(runLogzDiscrete, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, r.code, r.stderr, tc.code, tc.msg)
		}
	}
	if !hasDiscreteFlag([]string{"-n", "3", "-ising=4x4"}) || !hasDiscreteFlag([]string{"--spec", "x"}) || hasDiscreteFlag([]string{"model.rbm", "--", "--ising"}) {
		t.Error("hasDiscreteFlag")
	}
}
