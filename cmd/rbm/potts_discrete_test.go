package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The Potts spec of the command tests: 3 units of 3 states on a triangle,
// E(x) = -h_i(x_i) - [x_0 = x_1] - 0.5·[x_1 = x_2] - J_20(x_2, x_0) with
// J_20(a, b) = a - b.
const pottsSpec = `{"potts": {"units": 3, "states": 3,
  "fields": [[0, 0.5, 0], [0.3, 0, 0], [0, 0, -0.4]],
  "couplings": [{"i": 0, "j": 1, "weights": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]},
                {"i": 1, "j": 2, "weights": [[0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.5]]},
                {"i": 2, "j": 0, "weights": [[0, -1, -2], [1, 0, -1], [2, 1, 0]]}]}}`

// pottsSpecEnergy is the energy of pottsSpec written out by hand.
func pottsSpecEnergy(x [3]int) float64 {
	h := [3][3]float64{{0, 0.5, 0}, {0.3, 0, 0}, {0, 0, -0.4}}
	eq := func(a, b int) float64 {
		if a == b {
			return 1
		}
		return 0
	}
	return -h[0][x[0]] - h[1][x[1]] - h[2][x[2]] - eq(x[0], x[1]) - 0.5*eq(x[1], x[2]) - float64(x[2]-x[0])
}

// pottsSpecExact returns log Z and the mean energy per unit of pottsSpec
// by a plain loop over its 27 states.
func pottsSpecExact() (logZ, meanE float64) {
	var z, ze float64
	for a := range 3 {
		for b := range 3 {
			for c := range 3 {
				e := pottsSpecEnergy([3]int{a, b, c})
				z += math.Exp(-e)
				ze += e * math.Exp(-e)
			}
		}
	}
	return math.Log(z), ze / z / 3
}

func TestDiscretePottsSpec(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "potts.json")
	if err := os.WriteFile(spec, []byte(pottsSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	wantZ, wantE := pottsSpecExact()

	r := runDiscrete(runLogzDiscrete, "--spec", spec, "--json")
	var got logzDiscreteResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("logz: %v %s", err, r.stderr)
	}
	if math.Abs(got.LogZ-wantZ) > 1e-12 || got.Method != "exact" || got.Domain != "3-state" || got.Units != 3 {
		t.Errorf("logz: %+v, want exact log Z %v of 3 3-state units", got, wantZ)
	}
	r = runDiscrete(runLogzDiscrete, "--spec", spec)
	if !strings.Contains(r.stdout, "(3 3-state units)") || !strings.Contains(r.stdout, "(exact, 27 states)") {
		t.Errorf("logz text output: %q", r.stdout)
	}

	// Sixteen independent units of 3 states make 3¹⁶ ≈ 2^25.4 states,
	// beyond --method auto's enumeration: AIS, whose estimate must lie
	// within 5 standard errors of Σᵢ log Σₐ exp(h_i(a)).
	var rows []string
	wantIndep := 0.0
	for i := range 16 {
		h := [3]float64{0, 0.1 * float64(i%4), -0.2}
		rows = append(rows, fmt.Sprintf("[%g, %g, %g]", h[0], h[1], h[2]))
		wantIndep += math.Log(math.Exp(h[0]) + math.Exp(h[1]) + math.Exp(h[2]))
	}
	indep := filepath.Join(dir, "indep.json")
	os.WriteFile(indep, []byte(`{"potts": {"units": 16, "states": 3, "fields": [`+strings.Join(rows, ", ")+`]}}`), 0o644)
	r = runDiscrete(runLogzDiscrete, "--spec", indep, "--steps", "100", "--runs", "16", "--json")
	var ais logzDiscreteResult
	if err := json.Unmarshal([]byte(r.stdout), &ais); err != nil || r.code != 0 {
		t.Fatalf("logz auto: %v %s", err, r.stderr)
	}
	if ais.Method != "ais" || math.Abs(ais.LogZ-wantIndep) > 5*ais.StdErr+1e-9 {
		t.Errorf("logz auto on 3¹⁶ states: %s %v ± %v, exact %v", ais.Method, ais.LogZ, ais.StdErr, wantIndep)
	}

	// The samplers that take q-state units find the exact mean energy
	// within 5 standard errors of the measured ESS, GWG on the gradient
	// over the units' one-hot encodings.
	for _, sampler := range []string{"gibbs", "gibbs-random", "mh", "gwg", "pt"} {
		r := runDiscrete(runSampleDiscrete, "--spec", spec, "--sampler", sampler, "--move", "mh",
			"--sweeps", "2000", "--seed", "3", "--replicas", "3", "--json")
		var got sampleDiscreteResult
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
			t.Fatalf("sample %s: %v %s", sampler, err, r.stderr)
		}
		e := got.Stats["energy"]
		if math.Abs(float64(e.Mean)-wantE) > 5*float64(e.StdErr) || e.RHat > 1.05 || got.Domain != "3-state" {
			t.Errorf("sample %s: energy per unit %.4f ± %.4f (R-hat %.3f), exact %.4f", sampler, e.Mean, e.StdErr, e.RHat, wantE)
		}
	}
}

// TestPottsWidthCountsUnits: data with the wrong number of categorical
// columns for a Potts model is reported in units, not in the one-hot
// columns they become.
func TestPottsWidthCountsUnits(t *testing.T) {
	data := filepath.Join(t.TempDir(), "five.csv")
	if err := os.WriteFile(data, []byte("0,1,2,3,0\n1,1,1,1,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := rbmRun(t, "score", filepath.Join("..", "..", "testdata", "potts-teacher.rbm"), data)
	if want := "rows have 5 categorical values, the model's potts visible layer has 10 units (of 4 states)"; r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, stderr %q; want %q", r.code, r.stderr, want)
	}
}

// TestHiddenStates: Potts hidden units may have their own number of
// states (--hidden-states), here 3 against the 21 of aligned protein
// sequences, and the model keeps both.
func TestHiddenStates(t *testing.T) {
	dir := t.TempDir()
	seqs := filepath.Join(dir, "s.fasta")
	if err := os.WriteFile(seqs, []byte(">a\nACDE-\n>b\nACDFG\n>c\nKCDE-\n>d\nACWEG\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "m.rbm")
	r := rbmRun(t, "train", "--visible", "potts", "--hidden-type", "potts", "--hidden-states", "3", "-hidden", "2", "--epochs", "2", "--monitor", "0", "-o", model, seqs)
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	r = rbmRun(t, "info", model)
	if want := "5 potts (21 states) × 2 potts (3 states)"; !strings.Contains(r.stdout, want) {
		t.Errorf("info: %q, want %q", r.stdout, want)
	}
}
