package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDenoisePottsTeacher denoises samples of the Potts teacher (10 units
// of 4 states) with the teacher itself as prior, through the symmetric
// channel at ε = 0.4: the corrupted fraction must be ε within 5 binomial
// standard errors, and since the teacher's posterior is the Bayes
// posterior, the mean log-probability of the true states under the
// restoration must beat the channel alone (1-ε on the observed state),
// by more than 5 standard errors of the per-unit differences. The same
// with the teacher as a JSON spec (single-unit samplers), which also
// inpaints halves of the rows. Flags that do not apply are usage errors.
func TestDenoisePottsTeacher(t *testing.T) {
	const rows, units, eps = 2000, 10, 0.4
	dir := t.TempDir()
	teacher := filepath.Join("..", "..", "testdata", "potts-teacher.rbm")
	data := filepath.Join(dir, "samples.idx")
	if r := rbmRun(t, "sample", teacher, "-n", "2000", "--steps", "50", "--binary", "--seed", "4", "-o", data); r.code != 0 {
		t.Fatalf("sample: %s", r.stderr)
	}
	r := rbmRun(t, "denoise", teacher, data, "--corrupt", "0.4", "--noise", "0.4", "--sweeps", "100", "--burnin", "20", "--json")
	if r.code != 0 {
		t.Fatalf("denoise: exit %d: %s", r.code, r.stderr)
	}
	var got denoiseResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	n := float64(rows * units)
	if se := math.Sqrt(eps * (1 - eps) / n); math.Abs(*got.ErrorBefore-eps) > 5*se {
		t.Errorf("corrupted fraction %.4f, want %.2f ± %.4f", *got.ErrorBefore, eps, 5*se)
	}
	// The log-probability of a unit's true state varies by about a nat
	// between units (log 0.6 against log 0.133 under the channel), so
	// the standard error of the mean difference is below 1/√n.
	if gain := *got.LogProbAfter - *got.LogProbBaseline; !(gain > 5/math.Sqrt(n)) {
		t.Errorf("log-prob %.4f after, %.4f from the channel alone: the teacher's posterior should beat it", *got.LogProbAfter, *got.LogProbBaseline)
	}
	t.Logf("state error %.4f → %.4f, log-prob %.4f (channel alone %.4f)", *got.ErrorBefore, *got.ErrorAfter, *got.LogProbAfter, *got.LogProbBaseline)

	// The teacher as a JSON spec (its visible marginal): single-unit
	// samplers of the product of prior and channel, Rao-Blackwellised.
	spec := filepath.Join("..", "..", "testdata", "potts-teacher.json")
	// Gibbs restores every row and must beat the channel by the bound
	// above; GWG, checked against exact posteriors in package denoise,
	// restores 300 here and must only gain.
	for _, c := range []struct {
		sampler string
		rows    int
		bound   float64
	}{{"gibbs", rows, 5 / math.Sqrt(n)}, {"gwg", 300, 0}} {
		sampler := c.sampler
		r := rbmRun(t, "denoise", spec, data, "--corrupt", "0.4", "--noise", "0.4", "--sampler", sampler, "--sweeps", "30", "--burnin", "10",
			"--limit", strconv.Itoa(c.rows), "--json")
		if r.code != 0 {
			t.Fatalf("denoise spec %s: exit %d: %s", sampler, r.code, r.stderr)
		}
		var got denoiseResult
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatal(err)
		}
		if got.Sampler != sampler || got.Rows != c.rows || !(*got.LogProbAfter-*got.LogProbBaseline > c.bound) {
			t.Errorf("denoise spec %s: sampler %q, log-prob %.4f after, %.4f from the channel alone", sampler, got.Sampler, *got.LogProbAfter, *got.LogProbBaseline)
		}
	}
	// Inpainting the right half with the spec: the hidden units' true
	// states get more probability than a uniform guess, log(1/4), by the
	// same bound on 5 units a row.
	r = rbmRun(t, "denoise", spec, data, "--missing", "right", "--sweeps", "30", "--burnin", "10", "--json")
	if r.code != 0 {
		t.Fatalf("inpaint with the spec: exit %d: %s", r.code, r.stderr)
	}
	var inp denoiseResult
	if err := json.Unmarshal([]byte(r.stdout), &inp); err != nil {
		t.Fatal(err)
	}
	if inp.Mode != "inpaint" || inp.Missing != "right" || inp.ErrorAfter == nil || inp.LogProbAfter == nil || inp.LogProbBaseline != nil ||
		!(*inp.LogProbAfter > math.Log(0.25)+5/math.Sqrt(rows*units/2)) {
		t.Errorf("inpaint with the spec: %s", r.stdout)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--missing", "top", "--model-is-spec"}, "left or right half"},
		{[]string{"--missing", "left", "--noise", "0.2", "--model-is-spec"}, "does not apply to inpainting"},
		{[]string{"--noise", "0.3", "--sampler", "block", "--model-is-spec"}, "needs an RBM or machine model file"},
		{[]string{"--noise", "0.75"}, "(0, 0.75)"},
		{[]string{"--noise", "0.3", "--corrupt", "0.8"}, "--corrupt"},
		{[]string{"--noise", "0.3", "--beta", "2"}, "β = 1"},
		{[]string{"--noise", "0.3", "--sampler", "gibbs"}, "block Gibbs only"},
	} {
		model := teacher
		if c.args[len(c.args)-1] == "--model-is-spec" {
			model, c.args = spec, c.args[:len(c.args)-1]
		}
		r := rbmRun(t, append([]string{"denoise", model, data}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("denoise %v: exit %d, %q; want exit 2 saying %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
