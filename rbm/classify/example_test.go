package classify_test

import (
	"context"
	"fmt"
	"log"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/classify"
)

func ExampleFit() {
	// One feature; class 0 below 0.3, class 1 in the middle, class 2 above 0.7.
	x := &rbm.Matrix{Rows: 6, Cols: 1, Data: []float32{0.05, 0.15, 0.45, 0.55, 0.85, 0.95}}
	labels := []int{0, 0, 1, 1, 2, 2}
	m, err := classify.Fit(context.Background(), x, labels, 3, classify.DefaultSettings())
	if err != nil {
		log.Fatal(err)
	}
	test := &rbm.Matrix{Rows: 3, Cols: 1, Data: []float32{0.1, 0.5, 0.9}}
	pred, err := m.Predict(test)
	if err != nil {
		log.Fatal(err)
	}
	acc, err := classify.Accuracy(pred, []int{0, 1, 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("predicted:", pred)
	fmt.Printf("accuracy: %.2f\n", acc)
	// Output:
	// predicted: [0 1 2]
	// accuracy: 1.00
}
