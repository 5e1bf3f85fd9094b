package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestSampleDiscrete(t *testing.T) {
	// Exact mean energy per spin of the 3×3 periodic Ising model at β = 0.3,
	// d log Z/dβ by enumeration through bruteIsingLogZ's sum (central
	// difference, error O(h²) ≈ 1e-8).
	const beta, h = 0.3, 1e-4
	meanE := -(bruteIsingLogZ(3, 3, 1, 0, beta+h) - bruteIsingLogZ(3, 3, 1, 0, beta-h)) / (2 * h) / 9
	for _, sampler := range []string{"gibbs", "gibbs-random", "mh", "gwg", "pt"} {
		r := runDiscrete(runSampleDiscrete, "--ising", "3x3", "--beta", "0.3", "--sampler", sampler,
			"--chains", "4", "--sweeps", "2000", "--seed", "2", "--replicas", "4", "--json")
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", sampler, r.code, r.stderr)
		}
		var got sampleDiscreteResult
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("%s: %v", sampler, err)
		}
		e := got.Stats["energy"]
		// 5 Monte Carlo standard errors (from the measured ESS), as in the
		// gibbs package's checks.
		if math.Abs(float64(e.Mean)-meanE) > 5*float64(e.StdErr) || e.RHat > 1.05 {
			t.Errorf("%s: energy per spin %.4f ± %.4f (R-hat %.3f), exact %.4f", sampler, e.Mean, e.StdErr, e.RHat, meanE)
		}
		if m := got.Stats["magnetization"]; math.Abs(float64(m.Mean)) > 5*float64(m.StdErr) {
			t.Errorf("%s: magnetization %.4f ± %.4f, exact 0", sampler, m.Mean, m.StdErr)
		}
		if sampler == "pt" && len(got.SwapRates) != 3 {
			t.Errorf("pt: swap rates %v", got.SwapRates)
		}
		if got.AcceptRate <= 0 || got.Evaluations <= 0 {
			t.Errorf("%s: acceptance %v, evaluations %v", sampler, got.AcceptRate, got.Evaluations)
		}
	}
	r := runDiscrete(runSampleDiscrete, "--ising", "4x4", "--sampler", "pt", "--sweeps", "50")
	for _, want := range []string{"swap rates", "R-hat", "abs_magnetization"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("text output lacks %q: %q %s", want, r.stdout, r.stderr)
		}
	}
	// Same seed, same output, whatever the number of workers.
	a := runDiscrete(runSampleDiscrete, "--ising", "4x4", "--sweeps", "100", "--workers", "1", "--json")
	b := runDiscrete(runSampleDiscrete, "--ising", "4x4", "--sweeps", "100", "--workers", "3", "--json")
	var ra, rb sampleDiscreteResult
	json.Unmarshal([]byte(a.stdout), &ra)
	json.Unmarshal([]byte(b.stdout), &rb)
	if ra.Stats["energy"] != rb.Stats["energy"] {
		t.Error("results depend on --workers")
	}
}

func TestSampleDiscreteErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"--ising", "3x3", "--sampler", "hmc"}, 2},
		{[]string{"--ising", "3x3", "--sampler", "pt", "--move", "hmc"}, 2},
		{[]string{"--ising", "3x3", "--sampler", "pt", "--replicas", "1"}, 2},
		{[]string{"--ising", "3x3", "--sampler", "pt", "--beta-min", "2"}, 2},
		{[]string{"--ising", "3x3", "--chains", "0"}, 2},
		{[]string{"--ising", "3x3", "--beta", "0"}, 2},
		{[]string{"--sweeps", "10"}, 2},
		{[]string{"--spec", "/nonexistent/m.json"}, 1},
	} {
		if r := runDiscrete(runSampleDiscrete, tc.args...); r.code != tc.code {
			t.Errorf("%v: exit %d (%s), want %d", tc.args, r.code, r.stderr, tc.code)
		}
	}
}

// TestSampleUndefinedFiguresAreNullInJSON samples a model frozen by a huge
// field, whose energy never changes: its ESS, IAT and R-hat are undefined,
// NaN in the text output and null (not 0) in JSON.
func TestSampleUndefinedFiguresAreNullInJSON(t *testing.T) {
	args := []string{"--ising", "4x4", "--field", "1000", "--beta", "10", "--sweeps", "20"}
	r := runDiscrete(runSampleDiscrete, append(args, "--json")...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var raw struct {
		Stats        map[string]map[string]*float64 `json:"stats"`
		ESSPerSecond *float64                       `json:"ess_per_second"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatal(err)
	}
	energy := raw.Stats["energy"]
	for _, k := range []string{"ess", "iat", "rhat", "std_err"} {
		if x, ok := energy[k]; !ok || x != nil {
			t.Errorf("energy %s in JSON: %v, want null", k, x)
		}
	}
	if energy["mean"] == nil || raw.ESSPerSecond != nil {
		t.Errorf("energy mean %v (want a number), ess_per_second %v (want null)", energy["mean"], raw.ESSPerSecond)
	}
	text := runDiscrete(runSampleDiscrete, args...)
	if line := grepLine(text.stdout, "energy "); strings.Count(line, "NaN") != 4 {
		t.Errorf("text line %q: want NaN for the 4 undefined figures", line)
	}
}

func grepLine(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// TestSampleOutputCheckedFirst: an output a Potts model's samples cannot
// be written to is refused before any sampling starts.
func TestSampleOutputCheckedFirst(t *testing.T) {
	teacher := filepath.Join("..", "..", "testdata", "potts-teacher.rbm")
	for _, args := range [][]string{
		{"--binary", "-o", filepath.Join(t.TempDir(), "x.png")},
		{"-o", filepath.Join(t.TempDir(), "x.png")},
		{"--binary", "-o", filepath.Join(t.TempDir(), "x.bin")},
	} {
		r := rbmRun(t, append([]string{"sample", teacher, "-n", "5", "--steps", "5"}, args...)...)
		if r.code != 2 || strings.Contains(r.stderr, "sampling") {
			t.Errorf("sample %v: exit %d, stderr %q; want a usage error before sampling", args, r.code, r.stderr)
		}
	}
}
