package kernel

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// checkFraction fails unless the number of ones among n Bernoulli(p)
// draws lies within 5σ of np, σ = √(np(1-p)) the binomial standard
// deviation: a correct sampler fails with probability below 6e-7.
func checkFraction(t *testing.T, what string, ones, n int, p float64) {
	t.Helper()
	mean, sd := float64(n)*p, math.Sqrt(float64(n)*p*(1-p))
	if math.Abs(float64(ones)-mean) > 5*sd {
		t.Errorf("%s: %d ones in %d draws with p = %v, want %.1f ± %.1f (5σ)", what, ones, n, p, mean, 5*sd)
	}
}

func TestSampleRowsFrequencies(t *testing.T) {
	implementations(t, func(t *testing.T) {
		probs := []float32{0, 1, 0.5, 0.1, 0.9, 1e-3, 0.3, 1 - 1.0/(1<<24)}
		const rows, cols = 400, 203 // odd width: vector blocks and a tail
		for _, q := range probs {
			p := make([]float32, rows*cols)
			for i := range p {
				p[i] = q
			}
			dst := make([]float32, len(p))
			pool := NewPool(2)
			pool.SampleRows(dst, p, cols, 42, 1)
			pool.Close()
			ones := 0
			for _, x := range dst {
				if x != 0 && x != 1 {
					t.Fatalf("sample %v is not 0 or 1", x)
				}
				ones += int(x)
			}
			checkFraction(t, "SampleRows", ones, len(p), float64(q))
			// Adjacent elements come from different lanes or steps; they
			// agree with probability p² + (1-p)² if independent.
			if q == 0.5 {
				same := 0
				for i := 1; i < len(dst); i++ {
					if dst[i] == dst[i-1] {
						same++
					}
				}
				checkFraction(t, "adjacent pairs equal", same, len(dst)-1, 0.5)
			}
		}
	})
}

func TestSampleRowsPortableTwin(t *testing.T) {
	if !haveAVX2FMA {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, cols := range []int{1, 8, 13, 64, 784} {
		p := make([]float32, 7*cols)
		for i := range p {
			p[i] = rng.Float32()
		}
		fast, slow := make([]float32, len(p)), make([]float32, len(p))
		(*Pool)(nil).SampleRows(fast, p, cols, 5, 6)
		withPortable(t, func() { (*Pool)(nil).SampleRows(slow, p, cols, 5, 6) })
		if !slices.Equal(fast, slow) {
			t.Fatalf("cols %d: assembly and portable samplers differ", cols)
		}
	}
}

func TestSampleRowsSameForAnyWorkerCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	p := make([]float32, 300*784)
	for i := range p {
		p[i] = rng.Float32()
	}
	var first []float32
	for _, w := range []int{1, 2, 3} {
		pool := NewPool(w)
		dst := make([]float32, len(p))
		pool.SampleRows(dst, p, 784, 77, 3)
		pool.Close()
		if first == nil {
			first = dst
		} else if !slices.Equal(dst, first) {
			t.Fatalf("%d workers draw a different sample than 1", w)
		}
	}
	again := make([]float32, len(p))
	(*Pool)(nil).SampleRows(again, p, 784, 77, 4)
	if slices.Equal(again, first) {
		t.Fatal("a new stream repeats the previous draw")
	}
}

func TestBernoulliPCG(t *testing.T) {
	for _, q := range []float32{0, 1, 0.25, 0.7} {
		p := make([]float32, 100001)
		for i := range p {
			p[i] = q
		}
		dst := make([]float32, len(p))
		Bernoulli(dst, p, rand.NewPCG(1, 2))
		ones := 0
		for _, x := range dst {
			ones += int(x)
		}
		checkFraction(t, "Bernoulli", ones, len(p), float64(q))
	}
}

func TestBelow(t *testing.T) {
	for _, c := range []struct {
		u, p float32
		want float32
	}{
		{0, 0, 0}, {0, 1e-30, 1}, {0.5, 0.5, 0}, {0.4999, 0.5, 1}, {0.9999999, 1, 1},
		{0, float32(math.Copysign(0, -1)), 0}, {0, -0.5, 0},
	} {
		if got := below(c.u, c.p); got != c.want {
			t.Errorf("below(%v, %v) = %v, want %v", c.u, c.p, got, c.want)
		}
	}
}

func TestElementwiseAllocatesNothing(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	x, bias := make([]float32, 100*784), make([]float32, 784)
	dst := make([]float32, len(x))
	if n := testing.AllocsPerRun(5, func() { p.SigmoidRows(x, bias) }); n != 0 {
		t.Errorf("SigmoidRows: %v allocations per call", n)
	}
	if n := testing.AllocsPerRun(5, func() { p.SampleRows(dst, x, 784, 1, 2) }); n != 0 {
		t.Errorf("SampleRows: %v allocations per call", n)
	}
}
