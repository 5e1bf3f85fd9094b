package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
	"github.com/rbmkit/rbm/rbm/layer"
)

// upperSideMachines writes two small machines whose exact log Z is known
// (Machine.LogZ): a 6 gaussian × 4 binary machine built here, with
// 3×2-pixel images for it to score, and the shipped Potts teacher
// (10 potts of 4 states × 3 binary), with rows sampled from it. It returns
// the model paths, the data paths and the exact values.
func upperSideMachines(t *testing.T) (models, data []string, logZ []float64) {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(17, 4))
	v := layer.NewGaussian(make([]float64, 6), make([]float64, 6), false)
	m := rbm.NewMachine(v, layer.NewBinary(make([]float64, 4)))
	for i := range m.W {
		m.W[i] = rng.NormFloat64()
	}
	for _, l := range []layer.Layer{m.Visible, m.Hidden} {
		for _, p := range l.Params() {
			if !p.Fixed {
				for i := range p.Values {
					p.Values[i] = 0.5 * rng.NormFloat64()
				}
			}
		}
	}
	gauss := filepath.Join(dir, "gauss.rbm")
	if err := rbm.SaveMachine(gauss, m, nil); err != nil {
		t.Fatal(err)
	}
	images := filepath.Join(dir, "images.idx.gz")
	writeImages(t, images, 50, 3, 2, 5)
	teacher := filepath.Join("..", "..", "testdata", "potts-teacher.rbm")
	rows := filepath.Join(dir, "rows.idx")
	if r := rbmRun(t, "sample", teacher, "-n", "50", "--steps", "20", "--binary", "-o", rows); r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, path := range []string{gauss, teacher} {
		m, _, err := rbm.LoadMachine(path)
		if err != nil {
			t.Fatal(err)
		}
		z, err := m.LogZ(context.Background(), exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		logZ = append(logZ, z)
	}
	return []string{gauss, teacher}, []string{images, rows}, logZ
}

// upperAIS is the AIS of the machine upper-side tests: 1000 annealing
// steps, on machines this small enough for the reverse estimate's bias
// (about half the variance of its log-weights) to be a few hundredths of a
// nat, and a short tempering (11 replicas × 200 sweeps).
var upperAIS = []string{"--method", "ais", "--schedule", "1000", "--runs", "100", "--ladder", "10", "--sweeps", "200", "--seed", "3"}

// TestMachineLogzUpperSide runs rbm logz --method ais on machines with a
// known log Z and requires what the binary RBM's test requires: forward
// AIS not above the exact log Z by more than 4 of its standard errors, the
// upper side from tempering not below it by more than 4 of its own nor
// above it by more than half a nat, and the swap rates above 0.05; the
// text output names the upper side, and --upper none leaves it out.
func TestMachineLogzUpperSide(t *testing.T) {
	models, _, exact := upperSideMachines(t)
	for i, model := range models {
		r := rbmRun(t, append([]string{"logz", model, "--json"}, upperAIS...)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", model, r.code, r.stderr)
		}
		var res struct {
			Method    string  `json:"method"`
			LogZ      float64 `json:"log_z"`
			StdErr    float64 `json:"std_err"`
			Runs      int     `json:"runs"`
			UpperSide *struct {
				LogZ      float64   `json:"log_z"`
				StdErr    float64   `json:"std_err"`
				ESS       float64   `json:"ess"`
				Replicas  int       `json:"replicas"`
				Sweeps    int       `json:"sweeps"`
				SwapRates []float64 `json:"swap_rates"`
				MinSwap   float64   `json:"min_swap_rate"`
			} `json:"upper_side"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("%v: %s", err, r.stdout)
		}
		want := exact[i]
		u := res.UpperSide
		if res.Method != "ais" || u == nil {
			t.Fatalf("%s: method %q, upper side %+v", model, res.Method, u)
		}
		t.Logf("%s: forward %.4f ± %.4f, exact %.4f, upper %.4f ± %.4f, lowest swap rate %.2f", filepath.Base(model), res.LogZ, res.StdErr, want, u.LogZ, u.StdErr, u.MinSwap)
		if res.LogZ > want+4*res.StdErr {
			t.Errorf("%s: forward AIS %.4f ± %.4f above the exact %.4f", model, res.LogZ, res.StdErr, want)
		}
		if u.LogZ < want-4*u.StdErr || u.LogZ > want+0.5 {
			t.Errorf("%s: upper side %.4f ± %.4f, exact %.4f", model, u.LogZ, u.StdErr, want)
		}
		if u.Replicas != 11 || u.Sweeps != 200 || len(u.SwapRates) != 10 || u.MinSwap < 0.05 || u.ESS <= 0 || u.ESS > 100 {
			t.Errorf("%s: upper side %+v: want 11 replicas × 200 sweeps, 10 swap rates above 0.05", model, u)
		}

		r = rbmRun(t, append([]string{"logz", model}, upperAIS...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "upper:     ") ||
			!strings.Contains(r.stdout, "(reverse AIS from 100 tempering samples, 11 replicas × 200 sweeps, lowest swap rate") {
			t.Errorf("%s: text output: exit %d, %q", model, r.code, r.stdout)
		}
		r = rbmRun(t, append([]string{"logz", model, "--json", "--upper", "none"}, upperAIS...)...)
		if r.code != 0 || strings.Contains(r.stdout, "upper_side") {
			t.Errorf("%s: --upper none: exit %d, %q", model, r.code, r.stdout)
		}
	}
}

// TestMachineEvalUpperSide runs rbm eval --method ais on the same machines
// and requires the conservative log-likelihood, -F - the upper side of
// log Z, in the JSON and the text, not above the exact log-likelihood by
// more than 4 of its standard errors nor below it by more than half a nat,
// with forward AIS's on the optimistic side of the exact value.
func TestMachineEvalUpperSide(t *testing.T) {
	models, data, _ := upperSideMachines(t)
	for i, model := range models {
		var exact, annealed struct {
			LogLik                   float64  `json:"log_lik"`
			LogLikStdErr             float64  `json:"log_lik_std_err"`
			LogLikConservative       *float64 `json:"log_lik_conservative"`
			LogLikConservativeStdErr float64  `json:"log_lik_conservative_std_err"`
			FreeEnergy               float64  `json:"free_energy"`
			LogZ                     struct {
				UpperSide *struct {
					LogZ float64 `json:"log_z"`
				} `json:"upper_side"`
			} `json:"log_z"`
		}
		for _, c := range []struct {
			args []string
			out  any
		}{
			{[]string{"eval", "--json", model, data[i]}, &exact},
			{append([]string{"eval", "--json", model, data[i]}, upperAIS...), &annealed},
		} {
			r := rbmRun(t, c.args...)
			if r.code != 0 {
				t.Fatalf("%v: exit %d: %s", c.args, r.code, r.stderr)
			}
			if err := json.Unmarshal([]byte(r.stdout), c.out); err != nil {
				t.Fatalf("%v: %s", err, r.stdout)
			}
		}
		c, u := annealed.LogLikConservative, annealed.LogZ.UpperSide
		if c == nil || u == nil {
			t.Fatalf("%s: no conservative log-likelihood: %+v", model, annealed)
		}
		t.Logf("%s: log-lik forward %.4f ± %.4f, exact %.4f, conservative %.4f ± %.4f", filepath.Base(model),
			annealed.LogLik, annealed.LogLikStdErr, exact.LogLik, *c, annealed.LogLikConservativeStdErr)
		if math.Abs(*c-(-annealed.FreeEnergy-u.LogZ)) > 1e-9 {
			t.Errorf("%s: conservative log-lik %v, -F - upper log Z %v", model, *c, -annealed.FreeEnergy-u.LogZ)
		}
		if *c > exact.LogLik+4*annealed.LogLikConservativeStdErr || *c < exact.LogLik-0.5 {
			t.Errorf("%s: conservative log-lik %.4f ± %.4f, exact %.4f", model, *c, annealed.LogLikConservativeStdErr, exact.LogLik)
		}
		if annealed.LogLik < exact.LogLik-4*annealed.LogLikStdErr {
			t.Errorf("%s: forward AIS's log-lik %.4f ± %.4f below the exact %.4f", model, annealed.LogLik, annealed.LogLikStdErr, exact.LogLik)
		}
		r := rbmRun(t, append([]string{"eval", model, data[i]}, upperAIS...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "upper:     ") ||
			!strings.Contains(r.stdout, "nats per row (from the upper side of log Z: conservative if the tempering mixed)") {
			t.Errorf("%s: eval text output: exit %d, %q", model, r.code, r.stdout)
		}
	}
}

// TestMachineUpperSideFlags: the upper side's flags are checked before the
// machine's file is read (a missing file is not reported), and a tempering
// that would not fit in --max-memory is refused.
func TestMachineUpperSideFlags(t *testing.T) {
	models, data, _ := upperSideMachines(t)
	missing := filepath.Join(t.TempDir(), "missing.rbm")
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"logz", "--upper", "magic", missing}, 2, "--upper"},
		{[]string{"logz", "--method", "ais", "--sweeps", "0", missing}, 2, "--sweeps"},
		{[]string{"eval", "--method", "ais", "--ladder", "0.5/10", missing, data[0]}, 2, "--ladder"},
		{[]string{"logz", "--method", "ais", "--runs", "10", "--max-memory", "64K", models[1]}, 1, "more than --max-memory"},
		{[]string{"eval", "--method", "ais", "--runs", "10", "--max-memory", "64K", models[1], data[1]}, 1, "more than --max-memory"},
	} {
		r := rbmRun(t, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) || strings.Contains(r.stderr, "missing.rbm") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, r.code, r.stderr, tc.code, tc.msg)
		}
	}
	// Without the tempering the same budget suffices.
	if r := rbmRun(t, "logz", "--method", "ais", "--runs", "10", "--schedule", "10", "--upper", "none", "--max-memory", "64K", models[1]); r.code != 0 {
		t.Errorf("--upper none within --max-memory 64K: exit %d, %q", r.code, r.stderr)
	}
}

// TestMachineWithoutDensity: a 3 gaussian × 2 relu machine whose weights
// outgrow the units' precisions has a free energy unbounded below (the
// ReLU units' log-partition grows like the square of their input) and no
// log Z; rbm logz must say so and fail, in text and JSON, rather than
// print NaN. And a gaussian × gaussian machine in that state is refused
// as it is read.
func TestMachineWithoutDensity(t *testing.T) {
	dir := t.TempDir()
	m := rbm.NewMachine(layer.NewGaussian(make([]float64, 3), make([]float64, 3), false), layer.NewReLU(make([]float64, 2), make([]float64, 2), false))
	for i := range m.W {
		m.W[i] = 3
	}
	if f0, f1 := m.FreeEnergy([]float64{10, 10, 10}), m.FreeEnergy([]float64{20, 20, 20}); !(f1 < f0) {
		t.Fatalf("F(10·1) = %v, F(20·1) = %v: the test machine has a density after all", f0, f1)
	}
	relu := filepath.Join(dir, "relu.rbm")
	if err := rbm.SaveMachine(relu, m, nil); err != nil {
		t.Fatal(err)
	}
	for _, extra := range [][]string{nil, {"--json"}} {
		r := rbmRun(t, append([]string{"logz", relu, "--method", "ais", "--schedule", "200", "--runs", "10", "--upper", "none"}, extra...)...)
		if r.code != 1 || !strings.Contains(r.stderr, "no finite normalising constant") || strings.Contains(r.stdout, "NaN") {
			t.Errorf("logz %v: exit %d, stdout %q, stderr %q", extra, r.code, r.stdout, r.stderr)
		}
	}
	g := rbm.NewMachine(layer.NewGaussian(make([]float64, 2), make([]float64, 2), false), layer.NewGaussian(make([]float64, 1), make([]float64, 1), false))
	copy(g.W, []float64{0.8, 0.7})
	if err := rbm.SaveMachine(filepath.Join(dir, "gg.rbm"), g, nil); err == nil {
		t.Error("a gaussian × gaussian machine without a density was saved")
	}
}

// TestEvalStandardisedInOwnUnits: rbm eval of a model of standardised data
// reports the log-likelihood of the rows in the file's own units. With no
// weights the model is independent normals N(bⱼ, σⱼ²) of the standardised
// values zⱼ = (xⱼ - μⱼ)/sⱼ, so xⱼ ~ N(μⱼ + sⱼbⱼ, (sⱼσⱼ)²), whose density is
// written out here.
func TestEvalStandardisedInOwnUnits(t *testing.T) {
	dir := t.TempDir()
	b, logSigma := []float64{0.3, -0.5}, []float64{0.2, -0.1}
	m := rbm.NewMachine(layer.NewGaussian(slices.Clone(b), slices.Clone(logSigma), false), layer.NewBinary(make([]float64, 2)))
	scaling := &rbm.Scaling{Mean: []float64{10, -3}, Scale: []float64{4, 0.5}}
	model := filepath.Join(dir, "std.rbm")
	if err := rbm.SaveMachine(model, m, &rbm.Meta{Scaling: scaling}); err != nil {
		t.Fatal(err)
	}
	rows := [][2]float64{{11, -3.1}, {6.5, -2.8}, {13, -3.4}}
	var csv strings.Builder
	var want float64
	for _, x := range rows {
		fmt.Fprintf(&csv, "%g,%g\n", x[0], x[1])
		for j, xj := range x {
			mean := scaling.Mean[j] + scaling.Scale[j]*b[j]
			sd := scaling.Scale[j] * math.Exp(logSigma[j])
			want += -0.5*math.Pow((xj-mean)/sd, 2) - math.Log(sd) - 0.5*math.Log(2*math.Pi)
		}
	}
	want /= float64(len(rows))
	data := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(data, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r := rbmRun(t, "eval", "--json", model, data)
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	var got struct {
		LogLik      float64 `json:"log_lik"`
		LogJacobian float64 `json:"log_jacobian"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	// float32 rows: the standardised values carry ~1e-7 relative error.
	if math.Abs(got.LogLik-want) > 1e-5 {
		t.Errorf("log-lik %.9f, the normals' %.9f", got.LogLik, want)
	}
	if j := -math.Log(4) - math.Log(0.5); math.Abs(got.LogJacobian-j) > 1e-12 {
		t.Errorf("log_jacobian %v, want %v", got.LogJacobian, j)
	}
}

// TestByteScaleRecorded: a Gaussian model trained on IDX bytes (read as
// v/255) refuses data given as values on the bytes' own scale, naming the
// file and the value, and scores the same values on its scale as it scores
// the bytes.
func TestByteScaleRecorded(t *testing.T) {
	dir := t.TempDir()
	images := filepath.Join(dir, "images.idx")
	writeImages(t, images, 40, 3, 2, 9)
	model := filepath.Join(dir, "g.rbm")
	if r := rbmRun(t, "train", "--visible", "gaussian", "-hidden", "2", "--epochs", "2", "--monitor", "0", "-o", model, images); r.code != 0 {
		t.Fatal(r.stderr)
	}
	a, err := idx.ReadFile(images)
	if err != nil {
		t.Fatal(err)
	}
	var raw, scaled strings.Builder
	for i, v := range a.Data.([]uint8) {
		sep := ","
		if i%6 == 5 {
			sep = "\n"
		}
		fmt.Fprintf(&raw, "%d%s", v, sep)
		fmt.Fprintf(&scaled, "%v%s", float32(float64(v)/255), sep)
	}
	rawPath, scaledPath := filepath.Join(dir, "raw.csv"), filepath.Join(dir, "scaled.csv")
	if os.WriteFile(rawPath, []byte(raw.String()), 0o644) != nil || os.WriteFile(scaledPath, []byte(scaled.String()), 0o644) != nil {
		t.Fatal("cannot write the CSV files")
	}
	if r := rbmRun(t, "eval", model, rawPath); r.code != 1 || !strings.Contains(r.stderr, "outside [0, 1]: the model was trained on byte data") {
		t.Errorf("eval of the raw bytes as CSV: exit %d, %q", r.code, r.stderr)
	}
	logLik := func(data string) float64 {
		r := rbmRun(t, "eval", "--json", model, data)
		var ev struct {
			LogLik float64 `json:"log_lik"`
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &ev) != nil {
			t.Fatalf("eval %s: exit %d, %s", data, r.code, r.stderr)
		}
		return ev.LogLik
	}
	if b, s := logLik(images), logLik(scaledPath); b != s {
		t.Errorf("log-lik %v of the bytes, %v of the same values as CSV", b, s)
	}
}
