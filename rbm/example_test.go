package rbm_test

import (
	"context"
	"fmt"
	"log"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/classify"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/idx"
)

// loadDigits reads one of the MNIST samples in the repository's testdata:
// the images thresholded to binary pixels, and their labels.
func loadDigits(images, labels string) (*rbm.Matrix, []int) {
	x, _, err := dataset.Load("../testdata/"+images, dataset.Options{Binarize: dataset.Threshold})
	if err != nil {
		log.Fatal(err)
	}
	a, err := idx.ReadFile("../testdata/" + labels)
	if err != nil {
		log.Fatal(err)
	}
	y, err := dataset.Labels(a)
	if err != nil {
		log.Fatal(err)
	}
	return x, y
}

// An RBM learns features without labels; a linear classifier fitted on
// them shows what they are worth. This trains a 100-hidden RBM for ten
// epochs on 2000 MNIST digits, extracts p(h=1|v) with Transform, fits a
// softmax classifier on the features of the training digits and measures
// it on 500 held-out digits, next to the same classifier on the pixels.
func Example_features() {
	train, trainLabels := loadDigits("mnist-train-2000-images-idx3-ubyte.gz", "mnist-train-2000-labels-idx1-ubyte.gz")
	test, testLabels := loadDigits("mnist-test-500-images-idx3-ubyte.gz", "mnist-test-500-labels-idx1-ubyte.gz")

	cfg := rbm.DefaultConfig()
	cfg.Epochs = 10
	cfg.Seed = 1
	m := rbm.New(train.Cols, 100)
	m.Init(train, cfg.Seed)
	tr := &rbm.Trainer{Config: cfg, MonitorRows: -1}
	if _, err := tr.Train(context.Background(), m, train); err != nil {
		log.Fatal(err)
	}

	accuracy := func(train, test *rbm.Matrix) float64 {
		c, err := classify.Fit(context.Background(), train, trainLabels, 10, classify.DefaultSettings())
		if err != nil {
			log.Fatal(err)
		}
		pred, err := c.Predict(test)
		if err != nil {
			log.Fatal(err)
		}
		acc, err := classify.Accuracy(pred, testLabels)
		if err != nil {
			log.Fatal(err)
		}
		return acc
	}
	trainFeatures, err := m.Transform(train, 0)
	if err != nil {
		log.Fatal(err)
	}
	testFeatures, err := m.Transform(test, 0)
	if err != nil {
		log.Fatal(err)
	}
	// The features' accuracy is 89.8% with the AVX2 kernels and 89.0%
	// with the portable ones (the pixels' 83.4%): the trained weights
	// depend on the build's summation order in their last bits, and the
	// classifier's decisions on a few digits with them. The example prints
	// what holds on every build.
	onFeatures, onPixels := 100*accuracy(trainFeatures, testFeatures), 100*accuracy(train, test)
	fmt.Printf("softmax on %d RBM features: test accuracy above 85%%: %v\n", m.Hidden, onFeatures > 85)
	fmt.Printf("more than 4 points above softmax on the %d pixels: %v\n", train.Cols, onFeatures-onPixels > 4)
	// Output:
	// softmax on 100 RBM features: test accuracy above 85%: true
	// more than 4 points above softmax on the 784 pixels: true
}
