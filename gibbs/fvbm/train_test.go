package fvbm

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/internal/testenv"
)

// truth returns a fully connected binary model on n units with moderate
// random parameters.
func truth(t *testing.T, n int, seed uint64) *discrete.Pairwise {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	h := make([]float64, n)
	w := make([]float64, n*n)
	for i := range n {
		h[i] = 0.5 * rng.NormFloat64()
		for j := i + 1; j < n; j++ {
			w[i*n+j] = 0.5 * rng.NormFloat64()
			w[j*n+i] = w[i*n+j]
		}
	}
	m, err := discrete.FullyConnected(discrete.Binary, h, w)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// draw returns rows exact samples of m, by inverting the cumulative exact
// distribution.
func draw(t *testing.T, m discrete.Model, rows int, seed uint64) [][]int8 {
	t.Helper()
	p, err := exact.Distribution(context.Background(), m, 1, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cdf := make([]float64, len(p))
	var c float64
	for s, v := range p {
		c += v
		cdf[s] = c
	}
	rng := rand.New(rand.NewPCG(seed, 4))
	data := make([][]int8, rows)
	for r := range data {
		s, _ := slices.BinarySearch(cdf, rng.Float64()*c)
		s = min(s, len(p)-1)
		x := make([]int8, m.Units())
		for i := range x {
			x[i] = m.Domain().Value(uint(s >> i))
		}
		data[r] = x
	}
	return data
}

func blank(t *testing.T, n int) *discrete.Pairwise {
	t.Helper()
	m, err := discrete.FullyConnected(discrete.Binary, make([]float64, n), make([]float64, n*n))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPseudoGradientFiniteDifferences(t *testing.T) {
	m := truth(t, 5, 1)
	data := draw(t, m, 50, 2)
	edges := m.Couplings()
	theta := append(m.Fields(), make([]float64, len(edges))...)
	for e, c := range edges {
		theta[5+e] = c.Value
	}
	grad := make([]float64, len(theta))
	f0 := pseudoObjective(m, edges, data, 0.1, theta, grad)
	// The objective also equals minus PseudoLogLikelihood plus the penalty.
	var pen float64
	for _, v := range theta[5:] {
		pen += v * v
	}
	if want := -PseudoLogLikelihood(m, data) + 0.05*pen; math.Abs(f0-want) > 1e-12 {
		t.Fatalf("objective %v, want %v", f0, want)
	}
	const step = 1e-5
	for k := range theta {
		p := slices.Clone(theta)
		p[k] += step
		fp := pseudoObjective(m, edges, data, 0.1, p, nil)
		p[k] -= 2 * step
		fm := pseudoObjective(m, edges, data, 0.1, p, nil)
		// Central differences err by O(step²·f''') ≈ 1e-10 here, plus
		// rounding of order 1e-16/step.
		if fd := (fp - fm) / (2 * step); math.Abs(fd-grad[k]) > 1e-7 {
			t.Errorf("parameter %d: gradient %v, finite difference %v", k, grad[k], fd)
		}
	}
}

// The exact log-likelihood of the data under its generating model, ℓ₀, is
// a benchmark both estimators must reach: the maximum-likelihood estimate
// exceeds it on the training data by χ²_d/(2N) in distribution (d free
// parameters, N rows; mean d/2N = 0.0009 here), and both pseudo-likelihood
// and PCD are consistent, losing O(d/N) more. We allow them to fall short
// of ℓ₀ by at most 10·d/(2N) = 0.009 nats per row, several standard
// deviations of the χ² term (sd sqrt(2d)/(2N) = 0.0002).
func TestTrainRecoversModel(t *testing.T) {
	testenv.Long(t)
	const n, rows = 8, 20000
	gen := truth(t, n, 7)
	data := draw(t, gen, rows, 8)
	ctx := context.Background()
	ll0, err := LogLikelihood(ctx, gen, data)
	if err != nil {
		t.Fatal(err)
	}
	d := n + n*(n-1)/2
	slack := 10 * float64(d) / (2 * rows)

	pl := blank(t, n)
	st, err := TrainPseudoLikelihood(ctx, pl, data, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if st.LogLik == nil || *st.LogLik < ll0-slack {
		t.Errorf("pseudo-likelihood: log-likelihood %v, generating model %v", st.LogLik, ll0)
	}
	t.Logf("generating model ℓ = %.5f; pseudo-likelihood ℓ = %.5f after %d iterations (%.2fs)", ll0, *st.LogLik, st.Epoch, st.Seconds)

	pcd := blank(t, n)
	epochs := 30
	if testing.Short() {
		epochs = 10
	}
	hist, err := TrainPCD(ctx, pcd, data, Config{Epochs: epochs, LearningRate: 0.1, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	ll, err := LogLikelihood(ctx, pcd, data)
	if err != nil {
		t.Fatal(err)
	}
	if !testing.Short() && ll < ll0-slack {
		t.Errorf("PCD: log-likelihood %v, generating model %v", ll, ll0)
	}
	t.Logf("PCD ℓ = %.5f (last iterate %.5f) after %d epochs", ll, *hist[len(hist)-1].LogLik, epochs)
}

func TestTrainErrors(t *testing.T) {
	m := blank(t, 3)
	ctx := context.Background()
	for _, data := range [][][]int8{nil, {{0, 1}}, {{0, 1, 2}}} {
		if _, err := TrainPCD(ctx, m, data, Config{}); err == nil {
			t.Errorf("PCD accepted %v", data)
		}
		if _, err := TrainPseudoLikelihood(ctx, m, data, Config{}); err == nil {
			t.Errorf("pseudo-likelihood accepted %v", data)
		}
	}
	if _, err := TrainPCD(ctx, m, [][]int8{{0, 1, 1}}, Config{LearningRate: -1}); err == nil {
		t.Error("negative learning rate accepted")
	}
}
