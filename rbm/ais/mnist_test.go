package ais

import (
	"context"
	"math"
	"testing"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/internal/mnisttest"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/rbmexact"
)

// mnistRows loads the first n rows of the MNIST training images, binarised
// at one half (see mnisttest.Path for where they are looked for).
func mnistRows(t testing.TB, n int) *rbm.Matrix {
	data, _, err := dataset.Load(mnisttest.Path(t, "train-images-idx3-ubyte.gz"), dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return data.Slice(0, min(n, data.Rows))
}

// trainMNIST trains a 784×hidden RBM by CD-1 on 3000 MNIST rows.
func trainMNIST(t testing.TB, hidden int) (*rbm.RBM, *rbm.Matrix) {
	data := mnistRows(t, 3000)
	m := rbm.New(784, hidden)
	m.Init(data, 1)
	cfg := rbm.DefaultConfig()
	cfg.Epochs, cfg.Seed = 15, 1
	tr := rbm.Trainer{Config: cfg, MonitorRows: -1}
	if _, err := tr.Train(context.Background(), m, data); err != nil {
		t.Fatal(err)
	}
	return m, data
}

// AIS with the default schedule against the exact log Z of a 784×20 model
// trained on MNIST: the error must be below 0.5 nats and the exact value
// inside the ±3σ interval. Reverse annealing from the training rows must
// come within 0.5 nats too; it is not required to lie above the truth,
// since the training rows are not samples of the model: RAISE bounds the
// log-likelihood of the annealed model, which can put more mass on data
// than the model does (on this model, by about 0.3 nats).
func TestAgainstExactMNIST(t *testing.T) {
	m, data := trainMNIST(t, 20)
	ctx := context.Background()
	want, err := rbmexact.RBMLogZ(ctx, m, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Seed: 1, Base: BaseRates(data)}
	fwd, err := Run(ctx, m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := Reverse(ctx, m, data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exact log Z %.4f; AIS %.4f ± %.4f [%.4f, %.4f]; reverse %.4f ± %.4f",
		want, fwd.LogZ, fwd.StdErr, fwd.Lower, fwd.Upper, rev.LogZ, rev.StdErr)
	if math.Abs(fwd.LogZ-want) >= 0.5 || want < fwd.Lower || want > fwd.Upper {
		t.Errorf("AIS %.4f [%.4f, %.4f], exact %.4f", fwd.LogZ, fwd.Lower, fwd.Upper, want)
	}
	if math.Abs(rev.LogZ-want) >= 0.5 {
		t.Errorf("reverse %.4f [%.4f, %.4f], exact %.4f", rev.LogZ, rev.Lower, rev.Upper, want)
	}
}
