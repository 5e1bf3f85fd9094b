package classify

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
)

// randomProblem returns n rows of d features uniform in [0,1) with labels
// uniform over k classes.
func randomProblem(seed uint64, n, d, k int) (*rbm.Matrix, []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := rbm.NewMatrix(n, d)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(k)
	}
	return x, labels
}

// naiveLoss computes L(θ) directly from its definition, term by term, as
// the independent reference for the objective: -log p(y|x) as
// -log(exp(z_y) / Σ exp(z_k)), with no shift and no matrix products.
func naiveLoss(x *rbm.Matrix, labels []int, k int, l2 float64, theta []float64) float64 {
	d := x.Cols
	var sum float64
	for r := range x.Rows {
		z := make([]float64, k)
		var norm float64
		for c := range k {
			z[c] = theta[k*d+c]
			for j := range d {
				z[c] += theta[c*d+j] * float64(x.Data[r*d+j])
			}
			norm += math.Exp(z[c])
		}
		sum -= math.Log(math.Exp(z[labels[r]]) / norm)
	}
	var pen float64
	for _, w := range theta[:k*d] {
		pen += w * w
	}
	return sum/float64(x.Rows) + l2/2*pen
}

// TestObjectiveAgainstFiniteDifferences checks the loss against naiveLoss
// and the gradient against central differences of naiveLoss. The data
// span three chunks, the last one partial.
//
// Tolerance of the gradient: the central difference with step h has
// truncation error h²/6·|L⁽³⁾|, and along a coordinate L⁽³⁾ is at most the
// third cumulant of a variable in [0,1] scaled by x³ ≤ 1, so below 1: that
// is 2e-11 for h = 1e-5. Rounding adds about ε·|L|/h ≈ 2e-16·3/1e-5 = 6e-11.
// The bound 1e-8 leaves two orders of magnitude of room.
func TestObjectiveAgainstFiniteDifferences(t *testing.T) {
	const n, d, k, l2 = 2*chunkRows + 37, 3, 4, 0.37
	x, labels := randomProblem(1, n, d, k)
	rng := rand.New(rand.NewPCG(2, 2))
	theta := make([]float64, k*(d+1))
	for i := range theta {
		theta[i] = rng.NormFloat64()
	}
	o := newObjective(x, labels, k, l2)
	grad := make([]float64, len(theta))
	o.Grad(grad, theta)
	if got, want := o.Func(theta), naiveLoss(x, labels, k, l2, theta); math.Abs(got-want) > 1e-12*math.Abs(want) {
		t.Errorf("loss %v, direct computation %v", got, want)
	}
	if o.evals != 1 {
		t.Errorf("Func and Grad at one point made %d passes over the data, want 1", o.evals)
	}
	const h = 1e-5
	for i := range theta {
		plus, minus := slices.Clone(theta), slices.Clone(theta)
		plus[i] += h
		minus[i] -= h
		fd := (naiveLoss(x, labels, k, l2, plus) - naiveLoss(x, labels, k, l2, minus)) / (2 * h)
		if math.Abs(grad[i]-fd) > 1e-8 {
			t.Errorf("∂L/∂θ[%d] = %v, central difference %v", i, grad[i], fd)
		}
	}
}

func TestSeparableClusters(t *testing.T) {
	// Three clusters of spread 0.3 around centres 4 apart: every point is
	// more than 6 spreads from the boundaries between the centres.
	centres := [][2]float64{{0, 0}, {4, 0}, {0, 4}}
	rng := rand.New(rand.NewPCG(3, 3))
	cluster := func(n int) (*rbm.Matrix, []int) {
		x := rbm.NewMatrix(n, 2)
		labels := make([]int, n)
		for i := range n {
			c := i % len(centres)
			labels[i] = c
			for j := range 2 {
				x.Data[2*i+j] = float32(centres[c][j] + 0.3*max(-6, min(6, rng.NormFloat64())))
			}
		}
		return x, labels
	}
	train, trainLabels := cluster(300)
	test, testLabels := cluster(300)
	m, err := Fit(context.Background(), train, trainLabels, 3, DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if !m.Converged {
		t.Errorf("not converged after %d iterations", m.Iterations)
	}
	for _, c := range []struct {
		name   string
		x      *rbm.Matrix
		labels []int
	}{{"training", train, trainLabels}, {"fresh", test, testLabels}} {
		pred, err := m.Predict(c.x)
		if err != nil {
			t.Fatal(err)
		}
		if acc, err := Accuracy(pred, c.labels); err != nil || acc != 1 {
			t.Errorf("%s data: accuracy %v (%v), want 1", c.name, acc, err)
		}
	}
}

// With features that are all zero, only the biases can act, and the
// optimum sets p(k) to the frequency of class k: the gradient with respect
// to b is exactly p - frequencies, so the tolerance bounds the error.
func TestInterceptOnlyOptimum(t *testing.T) {
	labels := []int{0, 2, 1, 2, 0, 2, 0, 2}
	x := rbm.NewMatrix(len(labels), 1)
	s := DefaultSettings()
	s.GradientTolerance = 1e-10
	m, err := Fit(context.Background(), x, labels, 3, s)
	if err != nil {
		t.Fatal(err)
	}
	p := slices.Clone(m.B)
	softmaxRow(p)
	for k, want := range []float64{3.0 / 8, 1.0 / 8, 4.0 / 8} {
		if math.Abs(p[k]-want) > 1e-9 {
			t.Errorf("p(%d) = %v, want the frequency %v", k, p[k], want)
		}
	}
	if m.W[0] != 0 || m.W[1] != 0 || m.W[2] != 0 {
		t.Errorf("weights of an all-zero feature are %v, want 0", m.W)
	}
}

// Two points, x = +1 of class 1 and x = -1 of class 0. By symmetry the
// biases are equal and w₁ = -w₀ = δ/2, so L = log(1 + e^{-δ}) + λδ²/4,
// minimal where σ(-δ) = λδ/2: a scalar equation solved here by bisection.
func TestSymmetricPairOptimum(t *testing.T) {
	const l2 = 0.1
	sigmoid := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	lo, hi := 0.0, 2/l2 // λδ/2 - σ(-δ) is increasing, negative at 0, positive at 2/λ
	for range 200 {
		mid := (lo + hi) / 2
		if l2*mid/2-sigmoid(-mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	delta := (lo + hi) / 2

	x := &rbm.Matrix{Rows: 2, Cols: 1, Data: []float32{1, -1}}
	s := Settings{L2: l2, GradientTolerance: 1e-12}
	m, err := Fit(context.Background(), x, []int{1, 0}, 2, s)
	if err != nil {
		t.Fatal(err)
	}
	// L is λ/2-strongly convex in W, so a gradient below 1e-12 puts W
	// within 2e-11 of the optimum; 1e-9 allows for the last iterate.
	if math.Abs(m.W[0]+delta/2) > 1e-9 || math.Abs(m.W[1]-delta/2) > 1e-9 {
		t.Errorf("W = %v, want [%v %v]", m.W, -delta/2, delta/2)
	}
	if math.Abs(m.B[0]-m.B[1]) > 1e-9 {
		t.Errorf("biases %v differ", m.B)
	}
	want := math.Log1p(math.Exp(-delta)) + l2*delta*delta/4
	if math.Abs(m.Loss-want) > 1e-12 {
		t.Errorf("loss %v, want %v", m.Loss, want)
	}
}

// The same data and settings give the same model bit for bit, whatever
// the number of cores gonum's products use.
func TestFitDeterministic(t *testing.T) {
	x, labels := randomProblem(4, 3000, 40, 4)
	s := Settings{L2: 1e-3, MaxIterations: 30}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first *Softmax
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		m, err := Fit(context.Background(), x, labels, 4, s)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = m
			continue
		}
		if !slices.Equal(m.W, first.W) || !slices.Equal(m.B, first.B) || m.Loss != first.Loss {
			t.Errorf("GOMAXPROCS %d: the fit differs from GOMAXPROCS 1", procs)
		}
	}
}

func TestProbabilities(t *testing.T) {
	x, labels := randomProblem(5, 50, 6, 3)
	m, err := Fit(context.Background(), x, labels, 3, DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Probabilities(x)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	if p.Rows != x.Rows || p.Cols != 3 || len(p.Data) != p.Rows*p.Cols {
		t.Fatalf("probabilities are %d×%d with %d values", p.Rows, p.Cols, len(p.Data))
	}
	for r := range x.Rows {
		// Direct computation: exp(z_k) / Σ exp(z_l).
		want := make([]float64, 3)
		var norm float64
		for k := range 3 {
			z := m.B[k]
			for j := range x.Cols {
				z += m.W[k*x.Cols+j] * float64(x.Row(r)[j])
			}
			want[k] = math.Exp(z)
			norm += want[k]
		}
		for k, v := range p.Row(r) {
			if math.Abs(float64(v)-want[k]/norm) > 1e-6 { // float32 output
				t.Errorf("row %d: p(%d) = %v, want %v", r, k, v, want[k]/norm)
			}
		}
		if best := slices.Index(p.Row(r), slices.Max(p.Row(r))); best != pred[r] {
			t.Errorf("row %d: predicted %d, most probable %d", r, pred[r], best)
		}
	}
}

func TestFitErrors(t *testing.T) {
	good := &rbm.Matrix{Rows: 2, Cols: 2, Data: []float32{0, 1, 1, 0}}
	nan := &rbm.Matrix{Rows: 2, Cols: 2, Data: []float32{0, 1, float32(math.NaN()), 0}}
	inf := &rbm.Matrix{Rows: 2, Cols: 2, Data: []float32{0, float32(math.Inf(1)), 1, 0}}
	short := &rbm.Matrix{Rows: 2, Cols: 2, Data: []float32{0, 1, 1}}
	for _, c := range []struct {
		name     string
		x        *rbm.Matrix
		labels   []int
		classes  int
		settings Settings
		want     string
	}{
		{"nil data", nil, nil, 2, DefaultSettings(), "no data"},
		{"no rows", &rbm.Matrix{Cols: 2}, nil, 2, DefaultSettings(), "0×2"},
		{"inconsistent", short, []int{0, 1}, 2, DefaultSettings(), "holds 3 values"},
		{"NaN", nan, []int{0, 1}, 2, DefaultSettings(), "row 2, column 1 is NaN"},
		{"Inf", inf, []int{0, 1}, 2, DefaultSettings(), "row 1, column 2 is +Inf"},
		{"label count", good, []int{0}, 2, DefaultSettings(), "1 labels for 2 rows"},
		{"label too large", good, []int{0, 2}, 2, DefaultSettings(), "label 2 of row 1 is outside [0, 2)"},
		{"negative label", good, []int{-1, 0}, 2, DefaultSettings(), "label -1 of row 0"},
		{"one class", good, []int{0, 0}, 1, DefaultSettings(), "at least 2"},
		{"negative L2", good, []int{0, 1}, 2, Settings{L2: -1}, "L2 penalty -1"},
		{"NaN L2", good, []int{0, 1}, 2, Settings{L2: math.NaN()}, "L2 penalty NaN"},
		{"negative iterations", good, []int{0, 1}, 2, Settings{MaxIterations: -1}, "iteration limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Fit(context.Background(), c.x, c.labels, c.classes, c.settings)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "classify: fit: ") {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestPredictErrors(t *testing.T) {
	m := &Softmax{Classes: 2, Features: 2, W: make([]float64, 4), B: make([]float64, 2)}
	for _, c := range []struct {
		name string
		m    *Softmax
		x    *rbm.Matrix
		want string
	}{
		{"width", m, &rbm.Matrix{Rows: 1, Cols: 3, Data: make([]float32, 3)}, "3 columns, the model 2 features"},
		{"NaN", m, &rbm.Matrix{Rows: 1, Cols: 2, Data: []float32{0, float32(math.NaN())}}, "is NaN"},
		{"nil", m, nil, "no data"},
		{"bad model", &Softmax{Classes: 2, Features: 2, W: make([]float64, 3), B: make([]float64, 2)}, rbm.NewMatrix(1, 2), "3 weights"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.m.Predict(c.x); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Predict: error %v, want one containing %q", err, c.want)
			}
			if _, err := c.m.Probabilities(c.x); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Probabilities: error %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := Accuracy([]int{1}, []int{1, 2}); err == nil {
		t.Error("Accuracy of 1 prediction for 2 labels: no error")
	}
	if acc, err := Accuracy([]int{1, 2, 0, 0}, []int{1, 2, 3, 0}); err != nil || acc != 0.75 {
		t.Errorf("Accuracy = %v, %v; want 0.75", acc, err)
	}
}

func TestFitCancelled(t *testing.T) {
	x, labels := randomProblem(6, 100, 5, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Fit(ctx, x, labels, 3, DefaultSettings()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fit: error %v, want context.Canceled", err)
	}
	// Cancelling from the progress hook stops the fit mid-way.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	s := DefaultSettings()
	s.Progress = func(it int, _ float64) {
		if it == 3 {
			cancel()
		}
	}
	if _, err := Fit(ctx, x, labels, 3, s); !errors.Is(err, context.Canceled) {
		t.Errorf("fit cancelled at iteration 3: error %v, want context.Canceled", err)
	}
}
