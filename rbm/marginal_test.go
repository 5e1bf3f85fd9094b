package rbm_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
)

// marginalTestRBM returns a v×h RBM with standard normal parameters.
func marginalTestRBM(seed uint64, v, h int) *rbm.RBM {
	rng := rand.New(rand.NewPCG(seed, 2))
	m := rbm.New(v, h)
	for i := range m.W {
		m.W[i] = float32(rng.NormFloat64())
	}
	for i := range m.B {
		m.B[i] = float32(rng.NormFloat64())
	}
	for j := range m.C {
		m.C[j] = float32(rng.NormFloat64())
	}
	return m
}

// binaryState returns the binary state whose unit i is on when bit i of
// code is set.
func binaryState(n int, code uint) []int8 {
	x := make([]int8, n)
	for i := range x {
		x[i] = int8(code >> i & 1)
	}
	return x
}

func TestMarginal(t *testing.T) {
	const nv, nh = 5, 3
	m := marginalTestRBM(1, nv, nh)
	r, err := rbm.NewMarginal(m)
	if err != nil {
		t.Fatal(err)
	}
	if r.RBM() != m || r.Units() != nv || r.Domain() != discrete.Binary {
		t.Fatalf("marginal of %d×%d RBM: %d %v units", nv, nh, r.Units(), r.Domain())
	}
	grad := make([]float64, nv)
	for code := range uint(1 << nv) {
		x := binaryState(nv, code)
		// Independent check: F(v) = -log Σ_h exp(-E(v, h)) by brute force.
		var z float64
		for hc := range uint(1 << nh) {
			h := make([]float32, nh)
			for j := range h {
				h[j] = float32(hc >> j & 1)
			}
			v := make([]float32, nv)
			for i := range v {
				v[i] = float32(x[i])
			}
			z += math.Exp(-m.Energy(v, h))
		}
		if got, want := r.Energy(x), -math.Log(z); math.Abs(got-want) > 1e-9 {
			t.Fatalf("F(%v) = %v, want %v", x, got, want)
		}
		l := r.NewLocal(x)
		r.Gradient(x, grad)
		for i := range nv {
			y := append([]int8(nil), x...)
			y[i] = 1 - y[i]
			want := r.Energy(y) - r.Energy(x)
			if got := l.FlipDelta(i); math.Abs(got-want) > 1e-9 {
				t.Fatalf("FlipDelta(%v, %d) = %v, want %v", x, i, got, want)
			}
			// Central difference of F at real v, step 2⁻¹⁰ (exact in float32).
			const step = 1.0 / 1024
			v := make([]float32, nv)
			for k := range v {
				v[k] = float32(x[k])
			}
			v[i] += step
			fp := m.FreeEnergy(v)
			v[i] -= 2 * step
			fm := m.FreeEnergy(v)
			if fd := (fp - fm) / (2 * step); math.Abs(fd-grad[i]) > 1e-4 {
				t.Fatalf("∂F/∂v_%d = %v, finite difference %v", i, grad[i], fd)
			}
		}
		// Walk the Local through flips and compare with fresh values.
		for _, i := range []int{0, 3, 1, 3} {
			l.Flip(i)
			y := l.State()
			for k := range nv {
				if got, want := l.FlipDelta(k), r.FlipDelta(y, k); math.Abs(got-want) > 1e-9 {
					t.Fatalf("after flips, FlipDelta(%d) = %v, want %v", k, got, want)
				}
			}
		}
	}
	if _, err := rbm.NewMarginal(&rbm.RBM{Visible: 2, Hidden: 1}); err == nil {
		t.Error("marginal of an RBM without parameters accepted")
	}
}

// The marginal as an expert of a discrete.Product: energies, flips and
// gradients add up with those of a pairwise expert.
func TestMarginalInProduct(t *testing.T) {
	const n = 5
	rng := rand.New(rand.NewPCG(7, 1))
	h := make([]float64, n)
	for i := range h {
		h[i] = rng.NormFloat64()
	}
	var cs []discrete.Coupling
	for i := range n {
		for j := i + 1; j < n; j++ {
			if rng.IntN(2) == 0 {
				cs = append(cs, discrete.Coupling{I: i, J: j, Value: rng.NormFloat64()})
			}
		}
	}
	a, err := discrete.NewPairwise(discrete.Binary, h, cs)
	if err != nil {
		t.Fatal(err)
	}
	r, err := rbm.NewMarginal(marginalTestRBM(2, n, 4))
	if err != nil {
		t.Fatal(err)
	}
	p, err := discrete.NewProduct(a, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := discrete.GradientOf(p); !ok {
		t.Fatal("product of differentiable experts has no gradient")
	}
	grad, ga, gr := make([]float64, n), make([]float64, n), make([]float64, n)
	for code := range uint(1 << n) {
		x := binaryState(n, code)
		if got, want := p.Energy(x), a.Energy(x)+r.Energy(x); math.Abs(got-want) > 1e-12 {
			t.Fatalf("E = %v, want %v", got, want)
		}
		l := p.NewLocal(x)
		p.Gradient(x, grad)
		a.Gradient(x, ga)
		r.Gradient(x, gr)
		for i := range n {
			want := a.FlipDelta(x, i) + r.FlipDelta(x, i)
			if got := l.FlipDelta(i); math.Abs(got-want) > 1e-9 {
				t.Fatalf("FlipDelta = %v, want %v", got, want)
			}
			if math.Abs(grad[i]-ga[i]-gr[i]) > 1e-12 {
				t.Fatalf("gradient %v, want %v", grad[i], ga[i]+gr[i])
			}
		}
	}
	s, _ := discrete.Lattice(1, n, 1, 0, discrete.Open)
	if _, err := discrete.NewProduct(r, s); err == nil {
		t.Error("product of binary and spin experts accepted")
	}
}

// An RBM's visible marginal is a discrete model, so the general enumerator
// of package exact gives its log Z: with no parameters, F(v) = -2 log 2 for
// each of the 2³ visible states, and log Z = (3 + 2) log 2.
func ExampleMarginal() {
	m, err := rbm.NewMarginal(rbm.New(3, 2))
	if err != nil {
		panic(err)
	}
	logZ, err := exact.LogZ(context.Background(), m, 1, exact.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("log Z = %.6f, 5 log 2 = %.6f\n", logZ, 5*math.Ln2)
	// Output: log Z = 3.465736, 5 log 2 = 3.465736
}
