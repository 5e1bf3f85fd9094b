package gibbs

import (
	"context"
	"testing"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/internal/mnisttest"
	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
)

// TestMNISTDenoising trains a small RBM on MNIST digits, flips 10% of the
// pixels of held-out digits and restores them by single-site Gibbs
// sampling of the posterior (the RBM's marginal times the flip-noise
// likelihood), taking the posterior mean over the recorded sweeps
// thresholded at ½. It reports the pixel error before and after, which
// must fall (see mnisttest.Path for where the data is looked for).
func TestMNISTDenoising(t *testing.T) {
	trainPath := mnisttest.Path(t, "train-images-idx3-ubyte.gz")
	testPath := mnisttest.Path(t, "t10k-images-idx3-ubyte.gz")
	train, _, err := dataset.Load(trainPath, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	test, _, err := dataset.Load(testPath, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const trainRows, testRows, hidden = 5000, 100, 200
	train = train.Slice(0, trainRows)
	m := rbm.New(train.Cols, hidden)
	m.Init(train, 1)
	cfg := rbm.DefaultConfig()
	cfg.Epochs, cfg.Seed = 15, 1 // CD-1 with the practical guide's settings
	tr := rbm.Trainer{Config: cfg, MonitorRows: -1}
	if _, err := tr.Train(context.Background(), m, train); err != nil {
		t.Fatal(err)
	}
	prior, err := rbm.NewMarginal(m)
	if err != nil {
		t.Fatal(err)
	}
	const rate = 0.1
	var before, after, total int
	for r := range testRows {
		clean := make([]int8, test.Cols)
		noisy := make([]int8, test.Cols)
		rng := seeds.RowRand(7, 1, r)
		for i, v := range test.Row(r) {
			clean[i] = int8(v)
			noisy[i] = clean[i]
			if rng.Float64() < rate {
				noisy[i] = 1 - noisy[i]
			}
		}
		lik, err := discrete.FlipNoise(discrete.Binary, noisy, rate)
		if err != nil {
			t.Fatal(err)
		}
		post, err := discrete.NewProduct(prior, lik)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), post, Config{
			Method: Systematic, Chains: 1, Sweeps: 30, Burnin: 10, Init: noisy, Seed: uint64(r),
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range clean {
			var restored int8
			if res.Mean[i] >= 0.5 {
				restored = 1
			}
			if noisy[i] != c {
				before++
			}
			if restored != c {
				after++
			}
			total++
		}
	}
	eb, ea := float64(before)/float64(total), float64(after)/float64(total)
	t.Logf("MNIST denoising (%d training rows, %d hidden units, %d test digits, 10%% flipped): pixel error %.4f before, %.4f after", trainRows, hidden, testRows, eb, ea)
	if ea >= eb {
		t.Errorf("pixel error %.4f after restoration, %.4f before", ea, eb)
	}
}
