package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
)

// trainedConfig trains with args on the fixture's data and returns the
// settings the model file records.
func trainedConfig(t *testing.T, f fixture, args ...string) (*rbm.Config, *rbm.Meta) {
	t.Helper()
	out := filepath.Join(f.dir, "recipe.rbm")
	r := rbmRun(t, append(append([]string{"train", "-hidden", "4", "--epochs", "1", "-o", out}, args...), f.data)...)
	if r.code != 0 {
		t.Fatalf("train %v: exit %d: %s", args, r.code, r.stderr)
	}
	_, meta, err := rbm.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return meta.Training, meta
}

// TestTrainRecipes checks that a recipe sets every setting it names, that a
// flag given explicitly overrides it in any spelling, and that the model
// records what was used.
func TestTrainRecipes(t *testing.T) {
	f := newFixture(t)
	density, _ := rbm.Recipe("density")
	hinton, _ := rbm.Recipe("hinton")
	for _, tc := range []struct {
		args  []string
		check func(c *rbm.Config) bool
	}{
		{[]string{"--recipe", "density"}, func(c *rbm.Config) bool {
			return c.Recipe == "density" && c.Centered && c.Persistent && c.LearningRate == density.LearningRate && c.LRSchedule == "linear"
		}},
		{[]string{"-recipe=density", "--lr", "0.02", "--centered=false"}, func(c *rbm.Config) bool {
			return c.Recipe == "density" && !c.Centered && c.Persistent && c.LearningRate == 0.02 && c.LRSchedule == "linear"
		}},
		{[]string{"--recipe", "hinton"}, func(c *rbm.Config) bool {
			return c.Recipe == "hinton" && !c.Persistent && c.LearningRate == hinton.LearningRate && c.FinalMomentum == 0.9
		}},
		// Persistent chains on the CD recipe keep its first momentum and
		// decay the rate linearly...
		{[]string{"--recipe", "hinton", "--persistent"}, func(c *rbm.Config) bool {
			return c.Persistent && c.Momentum == 0.5 && c.FinalMomentum == 0.5 && c.LRSchedule == "linear"
		}},
		// ...unless told otherwise.
		{[]string{"--recipe", "hinton", "--persistent", "--final-momentum", "0.9", "--lr-schedule", "constant"}, func(c *rbm.Config) bool {
			return c.Persistent && c.FinalMomentum == 0.9 && c.LRSchedule == "constant"
		}},
		{[]string{"--recipe", "hinton", "--optimizer", "adam"}, func(c *rbm.Config) bool {
			return c.Optimizer == rbm.Adam && c.LearningRate == 0
		}},
		{[]string{"--replicas", "3", "--ladder", "0.5,0.8,1", "--k", "2"}, func(c *rbm.Config) bool {
			return c.Replicas == 3 && len(c.Ladder) == 3 && c.Ladder[0] == 0.5 && c.K == 2
		}},
	} {
		c, _ := trainedConfig(t, f, tc.args...)
		if !tc.check(c) {
			js, _ := json.Marshal(c)
			t.Errorf("train %v recorded %s", tc.args, js)
		}
	}
}

func TestTrainRecipeAndEvalErrors(t *testing.T) {
	f := newFixture(t)
	out := filepath.Join(f.dir, "never.rbm")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--recipe", "magic"}, "--recipe"},
		{[]string{"--optimizer", "rmsprop"}, "optimizer"},
		{[]string{"--replicas", "1"}, "replicas"},
		{[]string{"--replicas", "3", "--ladder", "0,1"}, "ladder"},
		{[]string{"--eval-every", "2"}, "--val"},
		{[]string{"--keep-best"}, "--eval-every"},
		{[]string{"--eval-every", "-1"}, "--eval-every"},
		{[]string{"--val", f.data, "--eval-every", "1", "--eval-schedule", "0.5/3"}, "--eval-schedule"},
		{[]string{"--val", f.data, "--eval-every", "1", "--eval-upper", "magic"}, "--eval-upper"},
		{[]string{"--val", f.data, "--eval-every", "1", "--eval-sweeps", "0"}, "--eval-sweeps"},
		// Zero means "the default" in rbm.Config, but not on the command line.
		{[]string{"--offset-rate", "0"}, "--offset-rate"},
		{[]string{"--offset-rate", "-0"}, "--offset-rate"},
		{[]string{"--optimizer", "adam", "--adam-beta1", "0"}, "--adam-beta1"},
		{[]string{"--optimizer", "adam", "--adam-eps", "0"}, "--adam-eps"},
	} {
		r := rbmRun(t, append(append([]string{"train", "-o", out}, tc.args...), f.data)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("train %v: exit %d, stderr %q; want exit 2 mentioning %q", tc.args, r.code, r.stderr, tc.msg)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused command wrote a model")
	}
}

// TestTrainEvalEveryKeepBest runs held-out estimates during training and
// checks the epoch lines, the log and the model's record of the kept epoch.
func TestTrainEvalEveryKeepBest(t *testing.T) {
	f := newFixture(t)
	out, logPath := filepath.Join(f.dir, "best.rbm"), filepath.Join(f.dir, "train.log")
	r := rbmRun(t, "train", "-hidden", "4", "--epochs", "4", "--batch", "16", "--val", f.data, "--eval-every", "2",
		"--keep-best", "--log", logPath, "-o", out, f.data)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, "  held-out log-lik "); n != 2 {
		t.Errorf("%d epoch lines with a held-out estimate, want 2 (epochs 2 and 4): %s", n, r.stderr)
	}
	logText, _ := os.ReadFile(logPath)
	var evaluated []int
	for _, line := range strings.Split(strings.TrimSpace(string(logText)), "\n") {
		var st rbm.EpochStats
		if err := json.Unmarshal([]byte(line), &st); err != nil {
			t.Fatal(err)
		}
		if st.HeldOut != nil {
			if st.HeldOut.Method != "exact" || st.HeldOut.Rows != 120 {
				t.Errorf("epoch %d: held-out %+v", st.Epoch, st.HeldOut)
			}
			evaluated = append(evaluated, st.Epoch)
		}
	}
	if len(evaluated) != 2 || evaluated[0] != 2 || evaluated[1] != 4 {
		t.Errorf("log has held-out estimates for epochs %v", evaluated)
	}
	_, meta, err := rbm.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if meta.BestEpoch != 2 && meta.BestEpoch != 4 || meta.HeldOut == nil || len(meta.BaseRates) != 20 {
		t.Errorf("best epoch %d, held-out %+v, %d base rates", meta.BestEpoch, meta.HeldOut, len(meta.BaseRates))
	}
	info := rbmRun(t, "info", out)
	if !strings.Contains(info.stdout, "kept       epoch") || !strings.Contains(info.stdout, "recipe") {
		t.Errorf("info does not show the kept epoch and recipe:\n%s", info.stdout)
	}
}

// TestTrainDivergenceKeepsModel trains at an absurd learning rate: training
// stops at the first batch with one line saying so, exit 1, and the model
// written is the one before that update, marked interrupted.
func TestTrainDivergenceKeepsModel(t *testing.T) {
	f := newFixture(t)
	out := filepath.Join(f.dir, "diverged.rbm")
	r := rbmRun(t, "train", "-hidden", "4", "--epochs", "9", "--lr", "1e30", "-o", out, f.data)
	if r.code != 1 || !strings.Contains(r.stderr, "training diverged in epoch 1, mini-batch 1 of 2") || strings.Contains(r.stderr, "epoch 1/9") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	m, meta, err := rbm.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !meta.Interrupted || meta.Epochs != 0 || m.Validate() != nil || !strings.Contains(meta.Stopped, "diverged in epoch 1, mini-batch 1") {
		t.Errorf("saved model: interrupted %v after %d epochs, stopped %q", meta.Interrupted, meta.Epochs, meta.Stopped)
	}
	info := rbmRun(t, "info", out)
	if !strings.Contains(info.stdout, "note       training stopped: ") || !strings.Contains(info.stdout, "diverged in epoch 1") {
		t.Errorf("rbm info does not say why training stopped:\n%s", info.stdout)
	}
}

// TestTrainFromBitsMatchesMatrix checks rbm train, which streams binarized
// data into bits, against training on the float32 matrix dataset.Load
// gives for the same file and flags: the parameters must be equal bit for
// bit, for both recipes and for stochastic binarization (whose draws the
// stream must take in Load's order).
func TestTrainFromBitsMatchesMatrix(t *testing.T) {
	const (
		data = "../../testdata/mnist-train-2000-images-idx3-ubyte.gz"
		val  = "../../testdata/mnist-test-500-images-idx3-ubyte.gz"
	)
	for _, args := range [][]string{
		{"--recipe", "density", "--limit", "700", "--val", val},
		{"--recipe", "hinton", "--binarize", "stochastic", "--seed", "5"},
	} {
		out := filepath.Join(t.TempDir(), "m.rbm")
		r := rbmRun(t, append([]string{"train", "-hidden", "16", "--epochs", "2", "--monitor", "300", "-o", out}, append(args, data)...)...)
		if r.code != 0 {
			t.Fatalf("train %v: exit %d: %s", args, r.code, r.stderr)
		}
		got, meta, err := rbm.LoadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		opt := dataset.Options{}
		if meta.Binarize == "stochastic" {
			opt = dataset.Options{Binarize: dataset.Stochastic, Rand: seeds.Rand(meta.Training.Seed, seeds.Binarize)}
		}
		matrix, _, err := dataset.Load(data, opt)
		if err != nil {
			t.Fatal(err)
		}
		matrix = matrix.Slice(0, meta.Rows)
		want := rbm.New(784, 16)
		want.Init(matrix, meta.Training.Seed)
		tr := &rbm.Trainer{Config: *meta.Training, MonitorRows: 300}
		if slices.Contains(args, "--val") {
			held, _, err := dataset.Load(val, opt)
			if err != nil {
				t.Fatal(err)
			}
			tr.Validation = held
		}
		stats, err := tr.Train(context.Background(), want, matrix)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.W, want.W) || !slices.Equal(got.B, want.B) || !slices.Equal(got.C, want.C) {
			t.Errorf("%v: rbm train's parameters differ from training on dataset.Load's matrix", args)
		}
		final := stats[len(stats)-1]
		final.Seconds, meta.Final.Seconds = 0, 0
		gotStats, _ := json.Marshal(meta.Final)
		wantStats, _ := json.Marshal(final)
		if !bytes.Equal(gotStats, wantStats) {
			t.Errorf("%v: monitoring figures %s, want %s", args, gotStats, wantStats)
		}
	}
}
