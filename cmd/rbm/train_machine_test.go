package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
)

// heldOutEpochs returns the epochs of a --log file that carry a held-out
// estimate, and the estimates.
func heldOutEpochs(t *testing.T, logPath string) ([]int, []*rbm.LogLik) {
	t.Helper()
	text, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var epochs []int
	var lls []*rbm.LogLik
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		var st rbm.EpochStats
		if err := json.Unmarshal([]byte(line), &st); err != nil {
			t.Fatal(err)
		}
		if st.HeldOut != nil {
			epochs = append(epochs, st.Epoch)
			lls = append(lls, st.HeldOut)
		}
	}
	return epochs, lls
}

// TestTrainMachineEvalEvery trains Gaussian (learned σ) and Potts
// machines with held-out estimates every 2 of 4 epochs and checks the
// epoch lines, the --log records (exact, on every held-out row), and
// with --keep-best the model's record of the kept epoch, whose estimate
// rbm eval reproduces from the saved file.
func TestTrainMachineEvalEvery(t *testing.T) {
	dir := t.TempDir()
	images, imagesVal := filepath.Join(dir, "images.idx.gz"), filepath.Join(dir, "val.idx.gz")
	writeImages(t, images, 150, 3, 4, 7)
	writeImages(t, imagesVal, 40, 3, 4, 8)
	cats, catsVal := filepath.Join(dir, "cats.idx"), filepath.Join(dir, "cats-val.idx")
	writeCategoryFile(t, cats, 200, 6, 3, 8)
	writeCategoryFile(t, catsVal, 40, 6, 3, 9)
	for _, c := range []struct {
		name       string
		flags      []string
		data, val  string
		keepBest   bool
		visibleLen int
	}{
		{"gaussian", []string{"--visible", "gaussian", "--learn-scale"}, images, imagesVal, true, 12},
		{"potts", []string{"--visible", "potts"}, cats, catsVal, false, 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			model, logPath := filepath.Join(dir, c.name+".rbm"), filepath.Join(dir, c.name+".log")
			args := append([]string{"train", "-hidden", "3", "--epochs", "4", "--batch", "20", "--val", c.val, "--eval-every", "2",
				"--log", logPath, "-o", model}, c.flags...)
			if c.keepBest {
				args = append(args, "--keep-best")
			}
			r := rbmRun(t, append(args, c.data)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if n := strings.Count(r.stderr, "  held-out log-lik "); n != 2 {
				t.Errorf("%d epoch lines with a held-out estimate, want 2 (epochs 2 and 4): %s", n, r.stderr)
			}
			for _, e := range []string{"epoch 2/4", "epoch 4/4"} {
				i := strings.Index(r.stderr, e)
				if i < 0 || !strings.Contains(strings.SplitN(r.stderr[i:], "\n", 2)[0], "(exact)") {
					t.Errorf("the line of %s has no exact held-out estimate: %s", e, r.stderr)
				}
			}
			epochs, lls := heldOutEpochs(t, logPath)
			if len(epochs) != 2 || epochs[0] != 2 || epochs[1] != 4 {
				t.Fatalf("log has held-out estimates for epochs %v", epochs)
			}
			for k, ll := range lls {
				if ll.Method != "exact" || ll.Rows != 40 || math.IsNaN(ll.Mean) {
					t.Errorf("epoch %d: held-out %+v", epochs[k], ll)
				}
			}
			m, meta, err := rbm.LoadMachine(model)
			if err != nil {
				t.Fatal(err)
			}
			if m.Visible.Units() != c.visibleLen {
				t.Fatalf("trained %d visible units", m.Visible.Units())
			}
			if !c.keepBest {
				if meta.BestEpoch != 0 || meta.HeldOut != nil {
					t.Errorf("without --keep-best the model records best epoch %d", meta.BestEpoch)
				}
				return
			}
			best := 2
			if lls[1].Mean > lls[0].Mean {
				best = 4
			}
			if meta.BestEpoch != best || meta.HeldOut == nil || meta.HeldOut.Mean != lls[best/2-1].Mean {
				t.Fatalf("best epoch %d, held-out %+v; the log's estimates %v, %v", meta.BestEpoch, meta.HeldOut, lls[0].Mean, lls[1].Mean)
			}
			if !strings.Contains(r.stderr, "kept the parameters of epoch") {
				t.Errorf("no word of the kept epoch: %s", r.stderr)
			}
			// The saved parameters are the kept epoch's: rbm eval on the
			// held-out rows gives its estimate again.
			r = rbmRun(t, "eval", "--json", model, c.val)
			if r.code != 0 {
				t.Fatalf("eval: exit %d: %s", r.code, r.stderr)
			}
			var ev struct {
				LogLik float64 `json:"log_lik"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &ev); err != nil {
				t.Fatal(err)
			}
			if math.Abs(ev.LogLik-meta.HeldOut.Mean) > 1e-9*math.Max(1, math.Abs(ev.LogLik)) {
				t.Errorf("eval of the saved model: %.12f; the kept epoch's estimate %.12f", ev.LogLik, meta.HeldOut.Mean)
			}
			if info := rbmRun(t, "info", model); !strings.Contains(info.stdout, "kept       epoch") {
				t.Errorf("info does not show the kept epoch:\n%s", info.stdout)
			}
		})
	}
}

// TestTrainMachineEvalAIS trains a Gaussian machine with 26 binary hidden
// units and no discrete visible layer, past the exact limit, so that the
// held-out estimate is AIS, with each conservative side.
func TestTrainMachineEvalAIS(t *testing.T) {
	dir := t.TempDir()
	images, imagesVal := filepath.Join(dir, "images.idx.gz"), filepath.Join(dir, "val.idx.gz")
	writeImages(t, images, 60, 3, 4, 7)
	writeImages(t, imagesVal, 20, 3, 4, 8)
	for _, upper := range []string{"tempering", "raise"} {
		logPath := filepath.Join(dir, upper+".log")
		r := rbmRun(t, "train", "--visible", "gaussian", "-hidden", "26", "--epochs", "2", "--batch", "20", "--val", imagesVal,
			"--eval-every", "2", "--eval-rows", "10", "--eval-schedule", "1/100", "--eval-runs", "20", "--eval-upper", upper,
			"--eval-ladder", "1/4", "--eval-sweeps", "20", "--log", logPath, "-o", filepath.Join(dir, upper+".rbm"), images)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", upper, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "(AIS; conservative ") {
			t.Errorf("%s: no AIS estimate with a conservative side in the epoch lines: %s", upper, r.stderr)
		}
		epochs, lls := heldOutEpochs(t, logPath)
		if len(epochs) != 1 || epochs[0] != 2 || lls[0].Method != "ais" || lls[0].Lower == nil || lls[0].Rows != 10 {
			t.Errorf("%s: held-out estimates for epochs %v: %+v", upper, epochs, lls)
		}
	}
}
