package rbmexact_test

import (
	"context"
	"fmt"
	"math"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/rbmexact"
)

// The partition function of an RBM with no parameters counts its states:
// log Z = (3 + 2) log 2.
func ExampleRBMLogZ() {
	m := rbm.New(3, 2)
	logZ, err := rbmexact.RBMLogZ(context.Background(), m, exact.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("log Z = %.6f, 5 log 2 = %.6f\n", logZ, 5*math.Ln2)
	// Output: log Z = 3.465736, 5 log 2 = 3.465736
}
