package exact_test

import (
	"context"
	"fmt"
	"math"
	"math/bits"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
)

// Two spins on an open 1×2 lattice with coupling J = 1: the aligned states
// have energy -1, the others +1, so Z = 2e^β + 2e^-β and the spins agree
// with correlation tanh β.
func ExampleMarginals() {
	m, err := discrete.Lattice(1, 2, 1, 0, discrete.Open)
	if err != nil {
		panic(err)
	}
	mo, err := exact.Marginals(context.Background(), m, 0.5, exact.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("log Z = %.6f (want %.6f)\n", mo.LogZ, math.Log(4*math.Cosh(0.5)))
	fmt.Printf("E[s0 s1] = %.6f (want %.6f)\n", mo.Pair[1], math.Tanh(0.5))
	// Output:
	// log Z = 1.506409 (want 1.506409)
	// E[s0 s1] = 0.462117 (want 0.462117)
}

// fieldWalker carries the energy E(x) = -h·Σᵢxᵢ of independent binary units
// in a field h along a Gray-code walk.
type fieldWalker struct {
	h, e float64
	on   uint64 // the state's bits
}

func (w *fieldWalker) Reset(g uint64) {
	w.on = g
	w.e = -w.h * float64(bits.OnesCount64(g))
}

func (w *fieldWalker) Flip(i int) {
	w.on ^= 1 << i
	if w.on>>i&1 == 1 {
		w.e -= w.h
	} else {
		w.e += w.h
	}
}

// An enumerator of a particular model is built from ForChunks, Walk and
// LogSumExp: here n independent units in a field h, whose log Z is
// n·log(1 + e^h).
func ExampleForChunks() {
	const n, h = 20, 0.5
	opt := exact.Options{Workers: 2}
	if err := opt.CheckSize("field model", n); err != nil {
		panic(err)
	}
	parts, err := exact.ForChunks(context.Background(), n, opt, func(ctx context.Context, lo, hi uint64) (exact.LogSumExp, error) {
		var acc exact.LogSumExp
		w := &fieldWalker{h: h}
		err := exact.Walk(ctx, lo, hi, w, func(uint64) { acc.Add(-w.e) })
		return acc, err
	})
	if err != nil {
		panic(err)
	}
	ref, sum, _ := exact.CombineLogSumExp(parts)
	fmt.Printf("log Z = %.9f (want %.9f)\n", ref+math.Log(sum), n*math.Log1p(math.Exp(h)))
	// Output: log Z = 19.481539684 (want 19.481539684)
}
