package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/idx"
	"github.com/rbmkit/rbm/rbm/layer"
)

// writeBlocks writes n h×w ubyte images, each entirely on or entirely off.
func writeBlocks(t *testing.T, path string, n, h, w int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(4, 4))
	pix := make([]uint8, n*h*w)
	for r := range n {
		if rng.IntN(2) == 0 {
			for i := range h * w {
				pix[r*h*w+i] = 255
			}
		}
	}
	a, err := idx.New([]int{n, h, w}, pix)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.WriteFile(path, a, false); err != nil {
		t.Fatal(err)
	}
}

func TestDenoise(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "blocks.idx")
	writeBlocks(t, data, 40, 6, 6)
	// A ferromagnet on the image grid is the right prior for uniform blocks.
	spec := filepath.Join(dir, "prior.json")
	os.WriteFile(spec, []byte(`{"ising": {"rows": 6, "cols": 6, "coupling": 0.6, "boundary": "open"}}`), 0o644)
	out := filepath.Join(dir, "restored.csv")
	for _, sampler := range []string{"gibbs", "gwg"} {
		r := rbmRun(t, "denoise", spec, data, "--corrupt", "0.1", "--noise", "0.1", "--sampler", sampler,
			"--shape", "6x6", "--binary", "-o", out, "--json")
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", sampler, r.code, r.stderr)
		}
		var got denoiseResult
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatal(err)
		}
		// With 40×36 pixels each flipped with probability 0.1 the error
		// before is 0.10 ± 0.008; a 6×6 ferromagnet at coupling 0.6 against
		// a likelihood of log 9 per pixel restores isolated flips, so the
		// error after must fall well below it.
		if got.ErrorBefore == nil || *got.ErrorBefore < 0.07 || *got.ErrorAfter > *got.ErrorBefore/3 {
			t.Errorf("%s: error before %v, after %v", sampler, deref(got.ErrorBefore), deref(got.ErrorAfter))
		}
		t.Logf("%s: pixel error %.4f → %.4f", sampler, *got.ErrorBefore, *got.ErrorAfter)
	}
	b, err := os.ReadFile(out)
	if err != nil || strings.Count(string(b), "\n") != 40 {
		t.Errorf("output has %d lines (%v)", strings.Count(string(b), "\n"), err)
	}

	// Inpainting with an RBM model file: the known half is clamped, so it
	// comes back exactly.
	m := rbm.New(36, 4)
	for i := range m.W {
		m.W[i] = 0.3
	}
	model := filepath.Join(dir, "m.rbm")
	if err := rbm.SaveFile(model, m, &rbm.Meta{ImageRows: 6, ImageCols: 6}); err != nil {
		t.Fatal(err)
	}
	r := rbmRun(t, "denoise", model, data, "--missing", "bottom", "--sweeps", "20", "-o", out, "--json")
	var got denoiseResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("inpaint: %v %s", err, r.stderr)
	}
	a, err := idx.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	// The errors count the hidden half only: blank (off) before, it is
	// wrong exactly in the blocks that are on. This hand-set prior (every
	// weight 0.3, zero biases) turns every hidden pixel on, as the guess
	// from its visible layer alone (p = ½) does, so both are wrong in the
	// blocks that are off.
	on := 0
	for r := range 40 {
		if a.Data.([]uint8)[r*36] == 255 {
			on++
		}
	}
	if got.Mode != "inpaint" || got.ErrorBefore == nil || got.ErrorAfter == nil || got.ErrorBaseline == nil ||
		*got.ErrorBefore != float64(on)/40 || *got.ErrorAfter != float64(40-on)/40 || *got.ErrorBaseline != *got.ErrorAfter {
		t.Errorf("inpaint: %+v, errors %v before, %v after, %v baseline; want %v, %v, %v", got,
			deref(got.ErrorBefore), deref(got.ErrorAfter), deref(got.ErrorBaseline), float64(on)/40, float64(40-on)/40, float64(40-on)/40)
	}
	b, _ = os.ReadFile(out)
	for r, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		for i, f := range strings.Split(line, ",")[:18] { // the top three rows of pixels
			want := "0"
			if a.Data.([]uint8)[r*36+i] == 255 {
				want = "1"
			}
			if f != want {
				t.Fatalf("inpaint: row %d, clamped unit %d came back as %s, want %s", r, i, f, want)
			}
		}
	}
	r = rbmRun(t, "denoise", model, data, "--corrupt", "0.1")
	if r.code != 0 || !strings.Contains(r.stdout, "pixel error") {
		t.Errorf("text output %q %s", r.stdout, r.stderr)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestDenoiseErrors(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "blocks.idx")
	writeBlocks(t, data, 4, 3, 3)
	spec := filepath.Join(dir, "prior.json")
	os.WriteFile(spec, []byte(`{"ising": {"rows": 2, "cols": 2}}`), 0o644)
	spec9 := filepath.Join(dir, "prior9.json")
	os.WriteFile(spec9, []byte(`{"ising": {"rows": 3, "cols": 3}}`), 0o644)
	potts9 := filepath.Join(dir, "potts9.json")
	os.WriteFile(potts9, []byte(`{"potts": {"units": 9, "states": 3}}`), 0o644)
	model9 := filepath.Join(dir, "m9.rbm")
	if err := rbm.SaveFile(model9, rbm.New(9, 2), nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"denoise", spec9}, 2, ""},
		{[]string{"denoise", spec, data}, 1, "4 units"},
		{[]string{"denoise", spec9, data, "--noise", "0.7"}, 2, "noise"},
		{[]string{"denoise", spec9, data, "--corrupt", "1.5"}, 2, "corrupt"},
		{[]string{"denoise", spec9, data, "--sampler", "pt"}, 2, "sampler"},
		{[]string{"denoise", spec9, data, "--sampler", "block"}, 2, "RBM or machine model file"},
		{[]string{"denoise", model9, data, "--sampler", "block", "--beta", "0.5"}, 2, "--beta 1"},
		{[]string{"denoise", spec9, data, "--missing", "middle"}, 2, "missing"},
		// A spec of 3-state units reads categories: grey levels are not.
		{[]string{"denoise", potts9, data}, 1, "blocks.idx: row 1, column 1: category 255 is outside [0, 3)"},
		{[]string{"denoise", potts9, data, "--missing", "left"}, 1, "category 255 is outside [0, 3)"},
		{[]string{"denoise", potts9, data, "--missing", "top"}, 2, "hide its left or right half"},
		{[]string{"denoise", filepath.Join(dir, "none.rbm"), data}, 1, "none.rbm"},
		{[]string{"denoise", spec9, filepath.Join(dir, "none.idx")}, 1, "none.idx"},
	} {
		r := rbmRun(t, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d mentioning %q", tc.args[1:], r.code, r.stderr, tc.code, tc.msg)
		}
	}
}

// TestDenoiseBlockPosterior checks the block-Gibbs restoration of an RBM
// against the posterior marginals enumerated over all 2⁸ states: for
// denoising, p(v|y) ∝ e^{-F(v)} Π ε^[v≠y] (1-ε)^[v=y]; for inpainting,
// the prior conditioned on the known half. Every input row is the same y,
// so the rows are independent replicates and the spread of their
// restorations gives the standard error of their mean (autocorrelation
// included).
func TestDenoiseBlockPosterior(t *testing.T) {
	const units, rows, eps = 8, 400, 0.2
	rng := rand.New(rand.NewPCG(21, 22))
	m := rbm.New(units, 4)
	for i := range m.W {
		m.W[i] = float32(1.2 * rng.NormFloat64())
	}
	for i := range m.B {
		m.B[i] = float32(0.5 * rng.NormFloat64())
	}
	for j := range m.C {
		m.C[j] = float32(0.5 * rng.NormFloat64())
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "m.rbm")
	if err := rbm.SaveFile(model, m, &rbm.Meta{ImageRows: 2, ImageCols: 4}); err != nil {
		t.Fatal(err)
	}
	y := []uint8{1, 0, 0, 1, 1, 1, 0, 0}
	pix := make([]uint8, rows*units)
	for r := range rows {
		for i, b := range y {
			pix[r*units+i] = 255 * b
		}
	}
	a, err := idx.New([]int{rows, 2, 4}, pix)
	if err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(dir, "y.idx")
	if err := idx.WriteFile(input, a, false); err != nil {
		t.Fatal(err)
	}

	for _, mode := range []string{"denoise", "inpaint"} {
		// Exact posterior marginals by enumeration.
		want := make([]float64, units)
		var z float64
		for s := range 1 << units {
			v := make([]float32, units)
			for i := range v {
				v[i] = float32(s >> i & 1)
			}
			logw := -m.FreeEnergy(v)
			for i, b := range y {
				same := v[i] == float32(b)
				switch {
				case mode == "inpaint" && i%4 < 2 && !same:
					logw = math.Inf(-1) // the known left half
				case mode == "denoise" && same:
					logw += math.Log(1 - eps)
				case mode == "denoise":
					logw += math.Log(eps)
				}
			}
			w := math.Exp(logw)
			z += w
			for i := range v {
				want[i] += w * float64(v[i])
			}
		}
		args := []string{"denoise", model, input, "--sweeps", "200", "--burnin", "50", "--seed", "5", "--json"}
		if mode == "denoise" {
			args = append(args, "--noise", fmt.Sprint(eps))
		} else {
			args = append(args, "--missing", "right")
		}
		out := filepath.Join(dir, mode+".csv")
		r := rbmRun(t, append(args, "-o", out)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", mode, r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, `"sampler":"block"`) {
			t.Errorf("%s: did not use block Gibbs: %s", mode, r.stdout)
		}
		got := readCSV(t, out)
		for i := range units {
			var sum, sq float64
			for _, row := range got {
				sum += row[i]
				sq += row[i] * row[i]
			}
			mean := sum / rows
			se := math.Sqrt(max(sq/rows-mean*mean, 0) / rows)
			exact := want[i] / z
			// float32 probabilities: allow their rounding besides 5 s.e.
			if math.Abs(mean-exact) > 5*se+1e-6 {
				t.Errorf("%s: unit %d: posterior mean %.4f ± %.4f, exact %.4f", mode, i, mean, se, exact)
			}
		}
	}
}

// TestDenoiseBlockIgnoresWorkers checks that the block-Gibbs restoration
// is the same bytes for any number of workers: an RBM's denoising, and a
// spin×ReLU machine's denoising and inpainting.
func TestDenoiseBlockIgnoresWorkers(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "blocks.idx")
	writeBlocks(t, data, 30, 6, 6)
	m := rbm.New(36, 5)
	rng := rand.New(rand.NewPCG(8, 8))
	for i := range m.W {
		m.W[i] = float32(rng.NormFloat64())
	}
	model := filepath.Join(dir, "m.rbm")
	if err := rbm.SaveFile(model, m, nil); err != nil {
		t.Fatal(err)
	}
	machine := rbm.NewMachine(layer.NewSpin(make([]float64, 36)), layer.NewReLU(make([]float64, 5), make([]float64, 5), false))
	for i := range machine.W {
		machine.W[i] = 0.3 * rng.NormFloat64()
	}
	spin := filepath.Join(dir, "spin.rbm")
	if err := rbm.SaveMachine(spin, machine, &rbm.Meta{ImageRows: 6, ImageCols: 6}); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{{model, "--corrupt", "0.1"}, {spin, "--corrupt", "0.1"}, {spin, "--missing", "top"}} {
		var outs [][]byte
		for _, w := range []string{"1", "2", "3"} {
			out := filepath.Join(dir, "w"+w+".npy")
			if r := rbmRun(t, append([]string{"denoise", c[0], data, "--workers", w, "-o", out}, c[1:]...)...); r.code != 0 {
				t.Fatalf("%v, workers %s: exit %d: %s", c, w, r.code, r.stderr)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, b)
		}
		if string(outs[0]) != string(outs[1]) || string(outs[0]) != string(outs[2]) {
			t.Errorf("%v: restorations differ between 1, 2 and 3 workers", c)
		}
	}
}

// readCSV reads rows of comma-separated numbers.
func readCSV(t *testing.T, path string) [][]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]float64
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var row []float64
		for _, f := range strings.Split(line, ",") {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatal(err)
			}
			row = append(row, x)
		}
		rows = append(rows, row)
	}
	return rows
}

// TestDenoiseMNIST trains a small RBM on the MNIST digits in testdata and
// restores 100 test digits with 10% of their pixels flipped, by the
// default (block Gibbs) path. The restoration must beat not only the
// corrupted input but also the best prior that treats pixels as
// independent (each pixel's training frequency as its bias, no weights):
// that prior alone already removes most flips on the always-dark border,
// so only beating it shows that the hidden units shape the posterior.
func TestDenoiseMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model on 2000 digits")
	}
	const (
		trainPath = "../../testdata/mnist-train-2000-images-idx3-ubyte.gz"
		testPath  = "../../testdata/mnist-test-500-images-idx3-ubyte.gz"
		rows      = 100
		flip      = 0.1
	)
	dir := t.TempDir()
	model := filepath.Join(dir, "mnist.rbm")
	if r := rbmRun(t, "train", "--recipe", "hinton", "--hidden", "100", "--epochs", "5", "--monitor", "0", "-o", model, trainPath); r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}

	// The independent-pixel prior, from the same thresholded data.
	train, _, err := dataset.Load(trainPath, dataset.Options{Binarize: dataset.Threshold, Threshold: dataset.DefaultThreshold})
	if err != nil {
		t.Fatal(err)
	}
	ind := rbm.New(train.Cols, 1)
	for i := range ind.B {
		on := 0.0
		for r := range train.Rows {
			on += float64(train.Row(r)[i])
		}
		p := (on + 1) / float64(train.Rows+2)
		ind.B[i] = float32(math.Log(p / (1 - p)))
	}
	independent := filepath.Join(dir, "independent.rbm")
	if err := rbm.SaveFile(independent, ind, &rbm.Meta{ImageRows: 28, ImageCols: 28}); err != nil {
		t.Fatal(err)
	}

	clean, _, err := dataset.Load(testPath, dataset.Options{Binarize: dataset.Threshold, Threshold: dataset.DefaultThreshold})
	if err != nil {
		t.Fatal(err)
	}
	// restore returns the overall result and each row's fraction of wrong
	// pixels: the rows are corrupted and sampled independently, so the
	// spread of their errors gives standard errors without assuming the
	// pixels of an image err independently (they do not).
	restore := func(m string) (denoiseResult, []float64) {
		t.Helper()
		out := filepath.Join(dir, filepath.Base(m)+".csv")
		r := rbmRun(t, "denoise", m, testPath, "--limit", fmt.Sprint(rows),
			"--corrupt", fmt.Sprint(flip), "--noise", fmt.Sprint(flip), "--binary", "-o", out, "--json")
		if r.code != 0 {
			t.Fatalf("denoise %s: exit %d: %s", filepath.Base(m), r.code, r.stderr)
		}
		var got denoiseResult
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatal(err)
		}
		if got.Sampler != "block" || got.ErrorBefore == nil || got.ErrorAfter == nil {
			t.Fatalf("denoise %s: %s", filepath.Base(m), r.stdout)
		}
		restored := readCSV(t, out)
		if len(restored) != rows {
			t.Fatalf("denoise %s: %d rows written, want %d", filepath.Base(m), len(restored), rows)
		}
		errs := make([]float64, rows)
		for r, row := range restored {
			for i, x := range row {
				if x != float64(clean.Row(r)[i]) {
					errs[r]++
				}
			}
			errs[r] /= float64(len(row))
		}
		return got, errs
	}
	rbmRes, rbmErrs := restore(model)
	indRes, indErrs := restore(independent)
	before, after, baseline := *rbmRes.ErrorBefore, *rbmRes.ErrorAfter, *indRes.ErrorAfter
	t.Logf("pixel error %.4f → %.4f (independent-pixel prior: %.4f)", before, after, baseline)

	// The corruption flips each of the pixels independently with
	// probability 0.1, so the error before is binomial.
	seBefore := math.Sqrt(flip * (1 - flip) / (rows * 784))
	if math.Abs(before-flip) > 5*seBefore {
		t.Errorf("error before %.4f, want %.1f ± %.4f", before, flip, 5*seBefore)
	}
	if m, _ := meanSE(rbmErrs); math.Abs(m-after) > 1e-9 {
		t.Fatalf("per-row errors average %.6f, the command reports %.6f", m, after)
	}
	// Paired over rows: both restorations see the same corrupted rows.
	diff := make([]float64, rows)
	for r := range diff {
		diff[r] = indErrs[r] - rbmErrs[r]
	}
	gain, se := meanSE(diff)
	t.Logf("gain over the independent-pixel prior %.4f ± %.4f per row", gain, se)
	if !(gain > 5*se) { // identical restorations give 0 ± 0, which must fail too
		t.Errorf("error after %.4f is not below the independent-pixel prior's %.4f by 5 s.e. (%.4f)", after, baseline, 5*se)
	}
	// The error before and after rise and fall together with the number
	// of flips in a row; adding their variances overstates the variance
	// of the difference, which errs on the side of failing.
	if _, se := meanSE(rbmErrs); !(before-after > 5*math.Hypot(se, seBefore)) {
		t.Errorf("error after %.4f is not below the error before %.4f by 5 s.e. (%.4f)", after, before, 5*math.Hypot(se, seBefore))
	}
}

// meanSE returns the mean of x and its standard error.
func meanSE(x []float64) (mean, se float64) {
	var sum, sq float64
	for _, v := range x {
		sum += v
	}
	mean = sum / float64(len(x))
	for _, v := range x {
		sq += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sq / float64(len(x)-1) / float64(len(x)))
}

// TestDenoiseMachine trains small machines with spin and binary visible
// units (hidden: ReLU, spin) on uniform blocks, corrupts the blocks and
// denoises them: the output has the binary path's formats (probabilities
// of being on in [0, 1], one row per image), the figures are finite and
// the restoration beats the corrupted input. A Potts machine is refused
// without --missing, in one line naming the file and the unit type.
func TestDenoiseMachine(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "blocks.idx")
	writeBlocks(t, data, 40, 6, 6)
	out := filepath.Join(dir, "restored.csv")
	for _, c := range []struct {
		units   []string
		sampler string
	}{
		// ReLU units, unbounded, diverge at the default rate.
		{[]string{"--visible", "spin", "--hidden-type", "relu", "--lr", "0.02"}, "auto"},
		{[]string{"--visible", "binary", "--hidden-type", "spin"}, "auto"},
		{[]string{"--visible", "spin", "--hidden-type", "binary"}, "gibbs"},
	} {
		model := filepath.Join(dir, "m.rbm")
		if r := rbmRun(t, append(append([]string{"train", "-hidden", "3", "--epochs", "30", "--batch", "10", "--seed", "2", "-o", model}, c.units...), data)...); r.code != 0 {
			t.Fatalf("%v: train: %s", c.units, r.stderr)
		}
		r := rbmRun(t, "denoise", model, data, "--corrupt", "0.1", "--noise", "0.1", "--sampler", c.sampler, "--sweeps", "20", "-o", out, "--json")
		if r.code != 0 {
			t.Fatalf("%v: denoise: exit %d: %s", c.units, r.code, r.stderr)
		}
		var got denoiseResult
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatal(err)
		}
		want := "block"
		if c.sampler != "auto" {
			want = c.sampler
		}
		if got.Mode != "denoise" || got.Sampler != want || got.Rows != 40 || got.Units != 36 || got.ErrorBefore == nil || got.ErrorAfter == nil ||
			math.IsNaN(got.AcceptRate) || got.AcceptRate <= 0 || got.AcceptRate > 1 {
			t.Fatalf("%v: %+v", c.units, got)
		}
		// 1440 pixels flipped with probability 0.1: 0.10 ± 0.008 before.
		// Blocks are all on or all off, which three hidden units learn in
		// 30 short epochs well enough to undo many of the flips (the
		// figures with these seeds: 0.090 before, 0.000, 0.031 and 0.050
		// after); a quarter off the error is a loose bar.
		if *got.ErrorBefore < 0.07 || *got.ErrorAfter > 0.75**got.ErrorBefore {
			t.Errorf("%v: pixel error %v before, %v after", c.units, *got.ErrorBefore, *got.ErrorAfter)
		}
		t.Logf("%v %s: pixel error %.4f → %.4f", c.units, got.Sampler, *got.ErrorBefore, *got.ErrorAfter)
		rows := readCSV(t, out)
		if len(rows) != 40 || len(rows[0]) != 36 {
			t.Fatalf("%v: output is %d rows of %d", c.units, len(rows), len(rows[0]))
		}
		for _, row := range rows {
			for _, x := range row {
				if !(x >= 0 && x <= 1) {
					t.Fatalf("%v: restored value %v outside [0, 1]", c.units, x)
				}
			}
		}
	}
	// The text output of the binary path.
	r := rbmRun(t, "denoise", filepath.Join(dir, "m.rbm"), data, "--corrupt", "0.1", "--sweeps", "5")
	if r.code != 0 || !strings.Contains(r.stdout, "pixel error") {
		t.Errorf("text output %q %s", r.stdout, r.stderr)
	}

	cats := filepath.Join(dir, "cats.idx")
	writeCategoryFile(t, cats, 30, 4, 3, 1)
	potts := filepath.Join(dir, "p.rbm")
	if r := rbmRun(t, "train", "--visible", "potts", "-hidden", "2", "--epochs", "1", "-o", potts, cats); r.code != 0 {
		t.Fatal(r.stderr)
	}
	// A Potts machine is denoised through the symmetric channel; its
	// output has a column per state, each row's states summing to 1.
	restored := filepath.Join(dir, "restored.csv")
	if r := rbmRun(t, "denoise", potts, cats, "--noise", "0.1", "--sweeps", "5", "-o", restored); r.code != 0 {
		t.Fatalf("denoise with a Potts machine: exit %d, %s", r.code, r.stderr)
	}
	for i, row := range readCSV(t, restored) {
		if len(row) != 4*3 {
			t.Fatalf("row %d: %d values, want 4 units × 3 states", i, len(row))
		}
		for u := range 4 {
			if s := row[3*u] + row[3*u+1] + row[3*u+2]; math.Abs(s-1) > 1e-6 {
				t.Fatalf("row %d unit %d: state probabilities sum to %v", i, u, s)
			}
		}
	}
}

// TestDenoiseFollowsModelBinarization checks that denoise reads grey-level
// data with the binarisation the model was trained with, as every other
// command does: with the model trained on stochastic binarisation, the
// run without --binarize is the run with --binarize stochastic, and
// differs from the one with --binarize threshold.
func TestDenoiseFollowsModelBinarization(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "stochastic.rbm")
	train := filepath.Join("..", "..", "testdata", "mnist-test-500-images-idx3-ubyte.gz")
	if r := rbmRun(t, "train", "-hidden", "4", "--epochs", "1", "--monitor", "0", "--binarize", "stochastic", "-o", model, train); r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	run := func(extra ...string) string {
		t.Helper()
		out := filepath.Join(dir, "restored.csv")
		args := append([]string{"denoise", model, train, "--limit", "20", "--corrupt", "0.1", "--burnin", "2", "--sweeps", "2", "-o", out}, extra...)
		if r := rbmRun(t, args...); r.code != 0 {
			t.Fatalf("denoise %v: exit %d: %s", extra, r.code, r.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	implicit, stochastic, threshold := run(), run("--binarize", "stochastic"), run("--binarize", "threshold")
	if implicit != stochastic {
		t.Error("denoise without --binarize did not read the data as the model's stochastic binarisation does")
	}
	if implicit == threshold {
		t.Error("--binarize threshold gave the same output as the model's stochastic binarisation: the test cannot tell them apart")
	}
}

// TestInpaintSpinMachineOutput checks that inpainting with a machine of
// spin visible units writes what denoising writes: the probability of +1
// in [0, 1], the known half exactly the data's bits, and with --binary
// the more probable state as 0 or 1 (it wrote the means in [-1, 1]).
func TestInpaintSpinMachineOutput(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "blocks.idx")
	writeBlocks(t, data, 20, 6, 6)
	model := filepath.Join(dir, "spin.rbm")
	if r := rbmRun(t, "train", "--visible", "spin", "-hidden", "3", "--epochs", "5", "--batch", "10", "-o", model, data); r.code != 0 {
		t.Fatalf("train: %s", r.stderr)
	}
	restored := filepath.Join(dir, "restored.csv")
	if r := rbmRun(t, "denoise", model, data, "--missing", "left", "--sweeps", "2", "--burnin", "1", "-o", restored); r.code != 0 {
		t.Fatalf("denoise: %s", r.stderr)
	}
	probs := readCSV(t, restored)
	bin := filepath.Join(dir, "binary.csv")
	if r := rbmRun(t, "denoise", model, data, "--missing", "left", "--sweeps", "2", "--burnin", "1", "--binary", "-o", bin); r.code != 0 {
		t.Fatalf("denoise --binary: %s", r.stderr)
	}
	bits := readCSV(t, bin)
	if len(probs) != 20 || len(bits) != 20 {
		t.Fatalf("%d and %d rows, want 20", len(probs), len(bits))
	}
	for r := range probs {
		for c, p := range probs[r] {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("row %d, unit %d: %v is not a probability", r, c, p)
			}
			if b := bits[r][c]; b != 0 && b != 1 || b != map[bool]float64{false: 0, true: 1}[p >= 0.5] {
				t.Fatalf("row %d, unit %d: --binary wrote %v for probability %v", r, c, b, p)
			}
			// Known units (the right half) come back as the data's bits.
			if c%6 >= 3 && p != 0 && p != 1 {
				t.Fatalf("row %d, known unit %d: %v, want the data's 0 or 1", r, c, p)
			}
		}
	}
}

// TestDenoiseOutputShapes pins the one shape of rbm denoise's output
// across its paths (an RBM's block Gibbs, a machine's, single-unit
// Gibbs, a machine's inpainting of bits, real values and categories):
// the JSON members each path and mode prints, and the text lines.
func TestDenoiseOutputShapes(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "blocks.idx")
	writeBlocks(t, data, 20, 6, 6)
	binary := filepath.Join(dir, "b.rbm")
	m := rbm.New(36, 4)
	for i := range m.W {
		m.W[i] = 0.3
	}
	if err := rbm.SaveFile(binary, m, &rbm.Meta{ImageRows: 6, ImageCols: 6}); err != nil {
		t.Fatal(err)
	}
	train := func(name, input string, args ...string) string {
		t.Helper()
		model := filepath.Join(dir, name)
		if r := rbmRun(t, append(append([]string{"train", "-hidden", "3", "--epochs", "2", "--batch", "10", "-o", model}, args...), input)...); r.code != 0 {
			t.Fatalf("train %v: %s", args, r.stderr)
		}
		return model
	}
	spin := train("spin.rbm", data, "--visible", "spin")
	gauss := train("gauss.rbm", data, "--visible", "gaussian")
	cats := filepath.Join(dir, "cats.idx")
	writeCategoryFile(t, cats, 30, 4, 3, 1)
	potts := train("potts.rbm", cats, "--visible", "potts")

	common := []string{"model", "input", "rows", "units", "mode", "sampler", "beta", "sweeps", "burnin", "accept_rate", "seconds"}
	denoised := append(slices.Clone(common), "noise", "corrupt", "error_before", "error_after")
	inpainted := append(slices.Clone(common), "missing", "error_before", "error_after", "error_baseline")
	const (
		header  = `^(denoise|inpaint) \d+ rows of \d+ units with \S+ \((block|gibbs), β = 1, 3 sweeps after 1 burn-in\), acceptance [01]\.\d{3}, \S+s$`
		errors  = `^(pixel|RMS|state) error: \d\.\d{4} before, \d\.\d{4} after$`
		guessed = `^(pixel|RMS|state) error: \d\.\d{4} before, \d\.\d{4} after, \d\.\d{4} guessed from the (training data|model's visible layer) alone$`
		logProb = `^log-prob: -\d+\.\d{4} after, -\d+\.\d{4} guessed from the (training data|model's visible layer) alone \(mean nats of each hidden unit's true state\)$`
		channel = `^log-prob: -\d+\.\d{4} after, -\d+\.\d{4} guessed from the observation alone \(mean nats of each unit's true state\)$`
	)
	for _, c := range []struct {
		name  string
		args  []string
		keys  []string
		lines []string
	}{
		{"rbm denoise", []string{binary, data, "--corrupt", "0.1"}, denoised, []string{header, errors}},
		{"rbm gibbs", []string{binary, data, "--corrupt", "0.1", "--sampler", "gibbs"}, denoised, []string{header, errors}},
		{"rbm inpaint", []string{binary, data, "--missing", "bottom"}, inpainted, []string{header, guessed}},
		{"spin machine denoise", []string{spin, data, "--corrupt", "0.1"}, denoised, []string{header, errors}},
		{"spin machine inpaint", []string{spin, data, "--missing", "left"}, inpainted, []string{header, guessed}},
		{"gaussian machine inpaint", []string{gauss, data, "--missing", "top"}, inpainted, []string{header, guessed}},
		{"potts machine inpaint", []string{potts, cats, "--missing", "right"},
			append(slices.Clone(inpainted), "log_prob_after", "log_prob_baseline"), []string{header, guessed, logProb}},
		{"potts machine denoise", []string{potts, cats, "--corrupt", "0.3", "--noise", "0.3"},
			append(slices.Clone(denoised), "log_prob_after", "log_prob_baseline"), []string{header, errors, channel}},
	} {
		args := append([]string{"denoise"}, append(c.args, "--sweeps", "3", "--burnin", "1")...)
		r := rbmRun(t, append(args, "--json")...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, r.code, r.stderr)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		keys := slices.Sorted(maps.Keys(got))
		if want := slices.Sorted(slices.Values(c.keys)); !slices.Equal(keys, want) {
			t.Errorf("%s: JSON members %v, want %v", c.name, keys, want)
		}
		r = rbmRun(t, args...)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if r.code != 0 || len(lines) != len(c.lines) {
			t.Fatalf("%s: exit %d, %d lines %q, want %d", c.name, r.code, len(lines), r.stdout, len(c.lines))
		}
		for i, pattern := range c.lines {
			if !regexp.MustCompile(pattern).MatchString(lines[i]) {
				t.Errorf("%s: line %d %q does not match %s", c.name, i+1, lines[i], pattern)
			}
		}
	}
}
