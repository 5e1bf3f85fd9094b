package rbm_test

import (
	"fmt"
	"log"

	"github.com/rbmkit/rbm/rbm"
)

// Binary data packed one bit per value reads back, a mini-batch at a
// time, as the float32 rows training works on.
func ExamplePackBits() {
	m := &rbm.Matrix{Rows: 3, Cols: 4, Data: []float32{
		1, 0, 0, 1,
		0, 1, 1, 0,
		1, 1, 1, 1,
	}}
	bits, err := rbm.PackBits(m)
	if err != nil {
		log.Fatal(err)
	}
	batch := rbm.NewMatrix(2, 4)
	bits.Gather(batch, []int32{2, 0})
	fmt.Println(batch.Row(0), batch.Row(1))
	sums := make([]float64, 4)
	bits.ColumnSums(sums)
	fmt.Println(sums)
	// Output:
	// [1 1 1 1] [1 0 0 1]
	// [2 2 2 2]
}
