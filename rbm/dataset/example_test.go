package dataset_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"slices"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/idx"
)

func ExampleFromIDX() {
	// Two 2×3 ubyte images, as an MNIST image file holds them.
	images, err := idx.New([]int{2, 2, 3}, []uint8{
		0, 128, 255,
		127, 200, 30,

		255, 255, 0,
		0, 64, 192,
	})
	if err != nil {
		log.Fatal(err)
	}

	m, shape, err := dataset.FromIDX(images, dataset.Options{Binarize: dataset.Threshold})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d×%d matrix of %d×%d images\n", m.Rows, m.Cols, shape.Height, shape.Width)
	for i := range m.Rows {
		fmt.Println(m.Row(i))
	}

	// Output:
	// 2×6 matrix of 2×3 images
	// [0 1 1 0 1 0]
	// [1 1 0 0 0 1]
}

// A stochastic binarization draws every pixel afresh from the caller's
// random source, so that equal seeds give equal samples.
func ExampleFromIDX_stochastic() {
	gray, err := idx.New([]int{1, 8}, []uint8{128, 128, 128, 128, 128, 128, 128, 128})
	if err != nil {
		log.Fatal(err)
	}
	mode, err := dataset.ParseBinarize("stochastic")
	if err != nil {
		log.Fatal(err)
	}
	sample := func(seed uint64) []float32 {
		opt := dataset.Options{Binarize: mode, Rand: rand.New(rand.NewPCG(seed, 0))}
		m, _, err := dataset.FromIDX(gray, opt)
		if err != nil {
			log.Fatal(err)
		}
		return m.Data
	}
	fmt.Println(slices.Equal(sample(42), sample(42)))
	// Output: true
}

// LoadCompact reads binarized training data straight into bits, which
// rbm's trainer reads as it reads a Matrix.
func ExampleLoadCompact() {
	data, shape, err := dataset.LoadCompact("../../testdata/mnist-train-2000-images-idx3-ubyte.gz", dataset.Options{})
	if err != nil {
		log.Fatal(err)
	}
	rows, cols := data.Dims()
	_, packed := data.(*rbm.BitMatrix)
	fmt.Printf("%d rows of %d units (%d×%d images), packed: %v\n", rows, cols, shape.Height, shape.Width, packed)
	// Output: 2000 rows of 784 units (28×28 images), packed: true
}
