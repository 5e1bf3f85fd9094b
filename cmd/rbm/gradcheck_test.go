package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm/idx"
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

// writeTwoModeImages writes n 3×4 images that are mostly blank (even
// rows) or mostly inked (odd rows), a fixed ninth of the pixels flipped:
// data that a machine of strong weights models, with two modes that Gibbs
// chains cross slowly.
func writeTwoModeImages(t *testing.T, path string, n int) {
	t.Helper()
	pix := make([]uint8, n*12)
	for r := range n {
		for j := range 12 {
			if (r%2 == 0) != ((r*7+j*5)%9 == 0) {
				pix[r*12+j] = 255
			}
		}
	}
	a, err := idx.New([]int{n, 3, 4}, pix)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.WriteFile(path, a, false); err != nil {
		t.Fatal(err)
	}
}

// writeZeros writes n rows of zeros (blank images, category 0) of the
// given shape: data far from what a trained model expects, whose exact
// gradient is large.
func writeZeros(t *testing.T, path string, shape ...int) {
	t.Helper()
	size := 1
	for _, d := range shape {
		size *= d
	}
	a, err := idx.New(shape, make([]uint8, size))
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.WriteFile(path, a, false); err != nil {
		t.Fatal(err)
	}
}

// gradcheckMachine trains a 3-hidden-unit machine with the given flags on
// train and runs rbm gradcheck --json on data with 50 chains per row.
func gradcheckMachine(t *testing.T, dir, name, train, data, ks string, flags ...string) machineGradcheckResult {
	t.Helper()
	model := filepath.Join(dir, name+".rbm")
	args := append([]string{"train", "-hidden", "3", "--batch", "20", "-o", model}, flags...)
	if r := rbmRun(t, append(args, train)...); r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	r := rbmRun(t, "gradcheck", model, data, "--k", ks, "--chains", "50", "--json")
	if r.code != 0 {
		t.Fatalf("gradcheck: exit %d: %s", r.code, r.stderr)
	}
	var res machineGradcheckResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	for _, k := range res.Results {
		t.Logf("%s on %s: k=%d: all rel err %.4f, cosine %.4f (exact norm %.4g)", name, filepath.Base(data), k.K, *k.All.RelErr, k.All.Cosine, res.Norm)
		for _, b := range append(k.Blocks, namedBlock{"all", k.All}) {
			if b.RelErr == nil || *b.RelErr < 0 || math.Abs(b.Cosine) > 1+1e-12 {
				t.Errorf("%s: k=%d: block %s %+v out of range", name, k.K, b.Name, b.blockError)
			}
		}
	}
	return res
}

// TestGradcheckMachine runs rbm gradcheck on version 2 files, with fixed
// seeds and 50 chains per row, where the answer is known:
//
//   - a Gaussian×binary machine trained with strong weights on two-mode
//     images, checked on its training data: CD-1's chains stay in the
//     mode of their row, and CD-25's are much closer to the exact
//     gradient (in relative error and in angle); its exact log-likelihood
//     is rbm eval's;
//   - a Potts×binary machine trained on correlated categories, checked on
//     rows of category 0 only (a large gradient): CD-25 is several times
//     closer than CD-1;
//   - a Gaussian×binary machine of weights near zero (trained briefly on
//     independent pixels), checked on blank images: its units are nearly
//     independent, one sweep samples the model, and CD-1 is within
//     sampling noise of the exact gradient.
func TestGradcheckMachine(t *testing.T) {
	dir := t.TempDir()
	twoMode := filepath.Join(dir, "two-mode.idx")
	writeTwoModeImages(t, twoMode, 150)
	blank := filepath.Join(dir, "blank.idx")
	writeZeros(t, blank, 200, 3, 4)
	images := filepath.Join(dir, "images.idx.gz")
	writeImages(t, images, 150, 3, 4, 7)
	cats := filepath.Join(dir, "cats.idx")
	writeCategoryFile(t, cats, 200, 6, 3, 8)
	zeroCats := filepath.Join(dir, "zero-cats.idx")
	writeZeros(t, zeroCats, 40, 6)

	t.Run("gaussian", func(t *testing.T) {
		res := gradcheckMachine(t, dir, "gaussian", twoMode, twoMode, "1,5,25",
			"--visible", "gaussian", "--dequantize", "--learn-scale", "--epochs", "60", "--optimizer", "adam", "--lr", "0.01")
		var names []string
		for _, b := range res.Results[0].Blocks {
			names = append(names, b.Name)
		}
		if strings.Join(names, " ") != "W visible.bias visible.log_sigma hidden.bias" || res.Rows != 150 || len(res.Results) != 3 {
			t.Fatalf("blocks %v, %d rows, %d results", names, res.Rows, len(res.Results))
		}
		first, last := res.Results[0].All, res.Results[2].All
		if !(*last.RelErr < *first.RelErr-0.15 && last.Cosine > first.Cosine+0.2) {
			t.Errorf("CD-1 rel err %.3f cosine %.3f, CD-25 %.3f %.3f: CD-25 should be much closer to the exact gradient",
				*first.RelErr, first.Cosine, *last.RelErr, last.Cosine)
		}
		r := rbmRun(t, "eval", "--json", filepath.Join(dir, "gaussian.rbm"), twoMode)
		var ev struct {
			LogLik float64 `json:"log_lik"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &ev); err != nil {
			t.Fatalf("eval: %v: %s%s", err, r.stdout, r.stderr)
		}
		if math.Abs(ev.LogLik-res.LogLik) > 1e-9*math.Max(1, math.Abs(ev.LogLik)) {
			t.Errorf("gradcheck's exact log-lik %.12g, eval's %.12g", res.LogLik, ev.LogLik)
		}
		r = rbmRun(t, "gradcheck", filepath.Join(dir, "gaussian.rbm"), twoMode, "--k", "1,5,25", "--limit", "40")
		if r.code != 0 || !strings.Contains(r.stdout, "12 gaussian × 3 binary") || !strings.Contains(r.stdout, "(40 rows)") || !strings.Contains(r.stdout, "visible.log_sigma") ||
			!strings.Contains(r.stdout, "rel err") || strings.Count(r.stdout, "\n") != 6 {
			t.Errorf("text output (exit %d): %s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("potts", func(t *testing.T) {
		res := gradcheckMachine(t, dir, "potts", cats, zeroCats, "1,25", "--visible", "potts", "--epochs", "30", "--lr", "0.1")
		first, last := res.Results[0].All, res.Results[1].All
		if !(*last.RelErr < *first.RelErr/3) {
			t.Errorf("CD-1 rel err %.3f, CD-25 %.3f: CD-25 should be several times closer", *first.RelErr, *last.RelErr)
		}
	})
	t.Run("independent", func(t *testing.T) {
		res := gradcheckMachine(t, dir, "independent", images, blank, "1",
			"--visible", "gaussian", "--dequantize", "--epochs", "30", "--lr", "0.05")
		// 200 rows × 50 chains: the noise of each negative statistic (of
		// variance at most about 1 for these units of σ = 1) has a standard
		// deviation near 1/√10000 = 0.01, so ‖noise‖ ≲ 0.01·√51 ≈ 0.07
		// against an exact gradient of norm above 1.
		if rel := *res.Results[0].All.RelErr; rel > 0.1 || res.Norm < 1 {
			t.Errorf("CD-1 on nearly independent units: rel err %.3f (exact norm %.3g), want sampling noise only", rel, res.Norm)
		}
	})
}

// TestGradcheckMachineErrors: a machine too large to enumerate is
// refused naming --max-units, and one with no discrete layer saying so.
func TestGradcheckMachineErrors(t *testing.T) {
	dir := t.TempDir()
	cats := filepath.Join(dir, "cats.idx")
	writeCategoryFile(t, cats, 50, 6, 3, 8)
	model := filepath.Join(dir, "potts.rbm")
	if r := rbmRun(t, "train", "-hidden", "3", "--epochs", "1", "--visible", "potts", "-o", model, cats); r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	r := rbmRun(t, "gradcheck", model, cats, "--max-units", "2")
	if r.code != 1 || !strings.Contains(r.stderr, "--max-units") || !strings.Contains(r.stderr, model) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want one line naming the model and --max-units", r.code, r.stderr)
	}
	images := filepath.Join(dir, "images.idx")
	writeImages(t, images, 40, 3, 4, 7)
	model = filepath.Join(dir, "gaussian-relu.rbm")
	if r := rbmRun(t, "train", "-hidden", "2", "--epochs", "1", "--visible", "gaussian", "--hidden-type", "relu", "-o", model, images); r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	r = rbmRun(t, "gradcheck", model, images)
	if r.code != 1 || !strings.Contains(r.stderr, "discrete layer") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("gaussian×relu: exit %d, stderr %q; want one line saying there is no discrete layer", r.code, r.stderr)
	}
}
