package discrete

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomPairwise returns a pairwise model with n units, random fields and
// couplings on a random half of the pairs.
func randomPairwise(t *testing.T, d Domain, n int, seed uint64) *Pairwise {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	h := make([]float64, n)
	for i := range h {
		h[i] = rng.NormFloat64()
	}
	var cs []Coupling
	for i := range n {
		for j := i + 1; j < n; j++ {
			if rng.IntN(2) == 0 {
				cs = append(cs, Coupling{I: i, J: j, Value: rng.NormFloat64()})
			}
		}
	}
	p, err := NewPairwise(d, h, cs)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// state returns the state whose unit i is on when bit i of code is set.
func state(d Domain, n int, code uint) []int8 {
	x := make([]int8, n)
	for i := range x {
		x[i] = d.Value(code >> i)
	}
	return x
}

// bruteEnergy is the pairwise energy computed from the dense coupling
// matrix, independently of the model's edge list and adjacency.
func bruteEnergy(n int, h []float64, dense []float64, x []int8) float64 {
	var e float64
	for i := range n {
		e -= h[i] * float64(x[i])
		for j := i + 1; j < n; j++ {
			e -= dense[i*n+j] * float64(x[i]) * float64(x[j])
		}
	}
	return e
}

func TestPairwiseEnergyAndFlips(t *testing.T) {
	for _, d := range []Domain{Binary, Spin} {
		const n = 7
		p := randomPairwise(t, d, n, 3)
		dense := make([]float64, n*n)
		for _, c := range p.Couplings() {
			dense[c.I*n+c.J] += c.Value
		}
		grad := make([]float64, n)
		for code := range uint(1 << n) {
			x := state(d, n, code)
			e := p.Energy(x)
			if want := bruteEnergy(n, p.Fields(), dense, x); math.Abs(e-want) > 1e-12 {
				t.Fatalf("%v: E(%v) = %v, want %v", d, x, e, want)
			}
			p.Gradient(x, grad)
			l := NewLocal(p, x)
			for i := range n {
				y := append([]int8(nil), x...)
				y[i] = d.Flip(y[i])
				want := p.Energy(y) - e
				if got := p.FlipDelta(x, i); math.Abs(got-want) > 1e-12 {
					t.Fatalf("%v: FlipDelta(%v, %d) = %v, want %v", d, x, i, got, want)
				}
				if got := float64(y[i]-x[i]) * grad[i]; math.Abs(got-want) > 1e-12 {
					t.Fatalf("%v: gradient predicts %v for flip %d, want %v", d, got, i, want)
				}
				if got := l.FlipDelta(i); math.Abs(got-want) > 1e-12 {
					t.Fatalf("%v: Local.FlipDelta = %v, want %v", d, got, want)
				}
			}
		}
	}
}

func TestPairwiseConvert(t *testing.T) {
	for _, d := range []Domain{Binary, Spin} {
		const n = 6
		p := randomPairwise(t, d, n, 5)
		other := Spin
		if d == Spin {
			other = Binary
		}
		q, shift := p.Convert(other)
		if q.Domain() != other {
			t.Fatalf("converted domain %v, want %v", q.Domain(), other)
		}
		y := make([]int8, n)
		for code := range uint(1 << n) {
			x := state(d, n, code)
			ConvertState(y, x, d, other)
			if got, want := q.Energy(y)+shift, p.Energy(x); math.Abs(got-want) > 1e-12 {
				t.Fatalf("%v→%v: E_q(y)+shift = %v, E_p(x) = %v", d, other, got, want)
			}
		}
		back, shift2 := q.Convert(d)
		for code := range uint(1 << n) {
			x := state(d, n, code)
			if got, want := back.Energy(x)+shift+shift2, p.Energy(x); math.Abs(got-want) > 1e-12 {
				t.Fatalf("round trip: %v, want %v", got, want)
			}
		}
	}
}

func TestLatticeBonds(t *testing.T) {
	for _, tc := range []struct {
		rows, cols int
		b          Boundary
		edges      int
		sumJ       float64 // total coupling, counting doubled bonds twice
	}{
		{4, 4, Periodic, 32, 32},
		{3, 5, Periodic, 30, 30},
		{2, 2, Periodic, 4, 8}, // every bond doubled
		{2, 3, Periodic, 9, 12},
		{4, 4, Open, 24, 24},
		{1, 5, Periodic, 5, 5}, // a ring
		{1, 5, Open, 4, 4},
	} {
		p, err := Lattice(tc.rows, tc.cols, 1, 0.5, tc.b)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, c := range p.Couplings() {
			sum += c.Value
		}
		if len(p.Couplings()) != tc.edges || sum != tc.sumJ {
			t.Errorf("%d×%d %v: %d edges with total coupling %v, want %d and %v", tc.rows, tc.cols, tc.b, len(p.Couplings()), sum, tc.edges, tc.sumJ)
		}
		// All spins up: E = -J·(bonds) - h·n.
		x := make([]int8, tc.rows*tc.cols)
		for i := range x {
			x[i] = 1
		}
		if got, want := p.Energy(x), -tc.sumJ-0.5*float64(len(x)); got != want {
			t.Errorf("%d×%d %v: ground energy %v, want %v", tc.rows, tc.cols, tc.b, got, want)
		}
	}
}

func TestNewPairwiseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    []float64
		cs   []Coupling
	}{
		{"empty", nil, nil},
		{"self", []float64{0, 0}, []Coupling{{1, 1, 1}}},
		{"range", []float64{0, 0}, []Coupling{{0, 2, 1}}},
		{"nan field", []float64{math.NaN()}, nil},
		{"inf coupling", []float64{0, 0}, []Coupling{{0, 1, math.Inf(1)}}},
	} {
		if _, err := NewPairwise(Spin, tc.h, tc.cs); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := FullyConnected(Binary, []float64{0, 0}, []float64{0, 1, 2, 0}); err == nil {
		t.Error("asymmetric weights accepted")
	}
	if _, err := Lattice(0, 3, 1, 0, Open); err == nil {
		t.Error("empty lattice accepted")
	}
}

// TestProduct checks a product of two pairwise experts; rbm's
// TestMarginalInProduct checks one with an RBM's marginal, an expert with
// its own Local.
func TestProduct(t *testing.T) {
	const n = 5
	a := randomPairwise(t, Binary, n, 7)
	r := randomPairwise(t, Binary, n, 8)
	p, err := NewProduct(a, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := GradientOf(p); !ok {
		t.Fatal("product of differentiable experts has no gradient")
	}
	grad, ga, gr := make([]float64, n), make([]float64, n), make([]float64, n)
	for code := range uint(1 << n) {
		x := state(Binary, n, code)
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
	s, _ := Lattice(1, n, 1, 0, Open)
	if _, err := NewProduct(a, s); err == nil {
		t.Error("product of binary and spin experts accepted")
	}
	if _, ok := GradientOf(mustProduct(t, a, plain{a})); ok {
		t.Error("product with a non-differentiable expert reports a gradient")
	}
}

// plain hides every optional method of a model.
type plain struct{ m Model }

func (p plain) Units() int              { return p.m.Units() }
func (p plain) Domain() Domain          { return p.m.Domain() }
func (p plain) Energy(x []int8) float64 { return p.m.Energy(x) }

func mustProduct(t *testing.T, ms ...Model) *Product {
	p, err := NewProduct(ms...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
