package discrete

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestCategoricalDomain(t *testing.T) {
	if d, err := Categorical(2); err != nil || d != Binary {
		t.Errorf("Categorical(2) = %v, %v; want binary", d, err)
	}
	for _, q := range []int{-1, 0, 1, 128, 1000} {
		if _, err := Categorical(q); err == nil {
			t.Errorf("Categorical(%d) accepted", q)
		}
	}
	if _, err := Categorical(128); err == nil || !strings.Contains(err.Error(), "at most 127") {
		t.Errorf("Categorical(128): error %v does not give the limit", err)
	}
	for _, q := range []int{3, 4, 127} {
		d, err := Categorical(q)
		if err != nil {
			t.Fatal(err)
		}
		if d.States() != q || d == Binary || d == Spin {
			t.Errorf("q = %d: domain %v has %d states", q, d, d.States())
		}
		if off, on := d.Values(); off != 0 || int(on) != q-1 {
			t.Errorf("q = %d: values (%d, %d)", q, off, on)
		}
		if want := fmt.Sprintf("%d-state", q); d.String() != want {
			t.Errorf("q = %d: String() = %q, want %q", q, d, want)
		}
		for a := range q {
			x := d.Value(uint(a))
			if int(x) != a || d.Index(x) != a || !d.Valid(x) {
				t.Errorf("q = %d: state %d: value %d, index %d, valid %v", q, a, x, d.Index(x), d.Valid(x))
			}
			if next := d.Flip(x); int(next) != (a+1)%q {
				t.Errorf("q = %d: Flip(%d) = %d", q, x, next)
			}
		}
		for _, x := range []int8{-1, -128} {
			if d.Valid(x) {
				t.Errorf("q = %d: %d valid", q, x)
			}
		}
		if q < 127 && d.Valid(int8(q)) {
			t.Errorf("q = %d: %d valid", q, q)
		}
	}
	// The two-state domains keep their values and numbering.
	for _, d := range []Domain{Binary, Spin} {
		off, on := d.Values()
		if d.States() != 2 || d.Index(off) != 0 || d.Index(on) != 1 || d.Value(0) != off || d.Value(3) != on {
			t.Errorf("%v: states, Index or Value changed", d)
		}
	}
}

// randomPotts returns a Potts model of n units with q states, random
// fields and random couplings on about half the pairs (some given as
// (j, i), one pair given twice), with the couplings as passed.
func randomPotts(t *testing.T, n, q int, seed uint64) (*Potts, []float64, []PottsCoupling) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
	h := make([]float64, n*q)
	for k := range h {
		h[k] = rng.NormFloat64()
	}
	var cs []PottsCoupling
	for i := range n {
		for j := i + 1; j < n; j++ {
			if rng.IntN(2) == 0 && !(i == 0 && j == 1) {
				continue
			}
			w := make([]float64, q*q)
			for k := range w {
				w[k] = rng.NormFloat64()
			}
			if rng.IntN(2) == 0 {
				cs = append(cs, PottsCoupling{I: j, J: i, Value: w})
			} else {
				cs = append(cs, PottsCoupling{I: i, J: j, Value: w})
			}
		}
	}
	w := make([]float64, q*q)
	for k := range w {
		w[k] = rng.NormFloat64()
	}
	cs = append(cs, PottsCoupling{I: 1, J: 0, Value: w})
	p, err := NewPotts(q, h, cs)
	if err != nil {
		t.Fatal(err)
	}
	return p, h, cs
}

// brutePottsEnergy is the Potts energy straight from the definition,
// summing every coupling as given (including repeated pairs and pairs
// given as (j, i)), independently of the model's merging and adjacency.
func brutePottsEnergy(q int, h []float64, cs []PottsCoupling, x []int8) float64 {
	var e float64
	for i, a := range x {
		e -= h[i*q+int(a)]
	}
	for _, c := range cs {
		e -= c.Value[int(x[c.I])*q+int(x[c.J])]
	}
	return e
}

// pottsState returns state number code of n units with q states, unit 0
// the least significant digit.
func pottsState(n, q, code int) []int8 {
	x := make([]int8, n)
	for i := range x {
		x[i] = int8(code % q)
		code /= q
	}
	return x
}

func TestPottsEnergyAndChanges(t *testing.T) {
	for _, q := range []int{2, 3, 4} {
		const n = 5
		p, h, cs := randomPotts(t, n, q, uint64(q))
		if p.Units() != n || p.States() != q || p.Domain().States() != q {
			t.Fatalf("q = %d: %d units, %d states, domain %v", q, p.Units(), p.States(), p.Domain())
		}
		total := int(math.Pow(float64(q), n))
		for code := range total {
			x := pottsState(n, q, code)
			e := p.Energy(x)
			if want := brutePottsEnergy(q, h, cs, x); math.Abs(e-want) > 1e-12 {
				t.Fatalf("q = %d: E(%v) = %v, want %v", q, x, e, want)
			}
			l := NewLocal(p, x)
			for i := range n {
				for v := range int8(q) {
					y := append([]int8(nil), x...)
					y[i] = v
					want := brutePottsEnergy(q, h, cs, y) - e
					if got := p.ChangeDelta(x, i, v); math.Abs(got-want) > 1e-12 {
						t.Fatalf("q = %d: ChangeDelta(%v, %d, %d) = %v, want %v", q, x, i, v, got, want)
					}
					if got := ChangeDelta(p, x, i, v); math.Abs(got-want) > 1e-12 {
						t.Fatalf("q = %d: discrete.ChangeDelta(%v, %d, %d) = %v, want %v", q, x, i, v, got, want)
					}
					if got := l.ChangeDelta(i, v); math.Abs(got-want) > 1e-12 {
						t.Fatalf("q = %d: Local.ChangeDelta(%d, %d) at %v = %v, want %v", q, i, v, x, got, want)
					}
					if got := p.LocalField(x, i, x[i]) - p.LocalField(x, i, v); math.Abs(got-want) > 1e-12 {
						t.Fatalf("q = %d: local fields give %v, want %v", q, got, want)
					}
				}
				y := append([]int8(nil), x...)
				y[i] = p.Domain().Flip(y[i])
				if got, want := FlipDelta(p, x, i), brutePottsEnergy(q, h, cs, y)-e; math.Abs(got-want) > 1e-12 {
					t.Fatalf("q = %d: FlipDelta = %v, want %v", q, got, want)
				}
			}
			// A Local follows a walk of changes.
			i, v := code%n, int8(code%q)
			l.Change(i, v)
			x[i] = v
			if s := l.State(); !slices.Equal(s, x) {
				t.Fatalf("q = %d: Local state %v after change, want %v", q, s, x)
			}
		}
	}
}

func TestPottsProduct(t *testing.T) {
	a, ha, ca := randomPotts(t, 4, 3, 10)
	b, hb, cb := randomPotts(t, 4, 3, 11)
	p, err := NewProduct(a, b)
	if err != nil {
		t.Fatal(err)
	}
	x := []int8{2, 0, 1, 1}
	l := NewLocal(p, x)
	for i := range 4 {
		for v := range int8(3) {
			y := append([]int8(nil), x...)
			y[i] = v
			want := brutePottsEnergy(3, ha, ca, y) + brutePottsEnergy(3, hb, cb, y) - p.Energy(x)
			if got := l.ChangeDelta(i, v); math.Abs(got-want) > 1e-12 {
				t.Errorf("product Local.ChangeDelta(%d, %d) = %v, want %v", i, v, got, want)
			}
			if got := p.ChangeDelta(x, i, v); math.Abs(got-want) > 1e-12 {
				t.Errorf("product ChangeDelta(%d, %d) = %v, want %v", i, v, got, want)
			}
		}
	}
	l.Change(2, 0)
	if s := l.State(); s[2] != 0 {
		t.Errorf("product Local state %v after setting unit 2 to 0", s)
	}
	q4, _, _ := randomPotts(t, 4, 4, 12)
	if _, err := NewProduct(a, q4); err == nil {
		t.Error("product of 3-state and 4-state experts accepted")
	}
}

func TestNewPottsErrors(t *testing.T) {
	eye := []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}
	for _, tc := range []struct {
		q    int
		h    []float64
		cs   []PottsCoupling
		want string
	}{
		{1, []float64{0}, nil, "at least 2"},
		{128, make([]float64, 128), nil, "at most 127"},
		{3, nil, nil, "not a positive multiple"},
		{3, make([]float64, 4), nil, "not a positive multiple"},
		{3, []float64{0, math.NaN(), 0}, nil, "unit 0, state 1 is NaN"},
		{3, make([]float64, 6), []PottsCoupling{{I: 0, J: 2, Value: eye}}, "coupling 0 joins units 0 and 2"},
		{3, make([]float64, 6), []PottsCoupling{{I: 1, J: 1, Value: eye}}, "to itself"},
		{3, make([]float64, 6), []PottsCoupling{{I: 0, J: 1, Value: eye[:4]}}, "has 4 values, want 3×3"},
		{3, make([]float64, 6), []PottsCoupling{{I: 0, J: 1, Value: []float64{0, 0, 0, 0, 0, math.Inf(1), 0, 0, 0}}}, "+Inf at states (1, 2)"},
	} {
		_, err := NewPotts(tc.q, tc.h, tc.cs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("q = %d, %d fields, couplings %v: error %v, want one saying %q", tc.q, len(tc.h), tc.cs, err, tc.want)
		}
	}
}

// noGradient is Differentiable by its methods but reports no gradient, as
// the marginal of an RBM's Potts units does.
type noGradient struct{ *Pairwise }

func (noGradient) Differentiable() bool { return false }

// TestProductGradientOf checks that a product has a gradient only when
// every expert has one by GradientOf, nested products included.
func TestProductGradientOf(t *testing.T) {
	p := randomPairwise(t, Binary, 4, 1)
	with, err := NewProduct(p, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := GradientOf(with); !ok {
		t.Error("product of pairwise experts has no gradient")
	}
	without, err := NewProduct(p, noGradient{p})
	if err != nil {
		t.Fatal(err)
	}
	nested, err := NewProduct(p, without)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]Model{"product": without, "nested product": nested} {
		if _, ok := GradientOf(m); ok {
			t.Errorf("%s with an expert that has no gradient claims one", name)
		}
	}
}

// energyOnly hides every method of a model but those of Model.
type energyOnly struct{ Model }

// TestPottsOneHotGradient checks the one-hot gradient of a Potts model and
// of a product of Potts experts against the definition: the energy is
// linear in each unit's one-hot encoding, so the derivative along column
// (i, a) less that along (i, x_i) is the energy change of setting unit i
// to a, computed here straight from the couplings as given. A product
// with an expert lacking the gradient has none.
func TestPottsOneHotGradient(t *testing.T) {
	const n, q = 4, 3
	a, ha, ca := randomPotts(t, n, q, 20)
	b, hb, cb := randomPotts(t, n, q, 21)
	prod, err := NewProduct(a, b)
	if err != nil {
		t.Fatal(err)
	}
	models := []struct {
		name   string
		m      Model
		energy func(x []int8) float64
	}{
		{"potts", a, func(x []int8) float64 { return brutePottsEnergy(q, ha, ca, x) }},
		{"product", prod, func(x []int8) float64 {
			return brutePottsEnergy(q, ha, ca, x) + brutePottsEnergy(q, hb, cb, x)
		}},
	}
	for _, mc := range models {
		d, ok := OneHotGradientOf(mc.m)
		if !ok {
			t.Fatalf("%s has no one-hot gradient", mc.name)
		}
		g := make([]float64, n*q)
		for code := range 81 {
			x := pottsState(n, q, code)
			d.OneHotGradient(x, g)
			e := mc.energy(x)
			for i := range n {
				for v := range int8(q) {
					y := slices.Clone(x)
					y[i] = v
					want := mc.energy(y) - e
					if got := g[i*q+int(v)] - g[i*q+int(x[i])]; math.Abs(got-want) > 1e-12 {
						t.Fatalf("%s at %v: gradient difference (%d, %d) = %v, energy change %v", mc.name, x, i, v, got, want)
					}
				}
			}
		}
	}
	without, err := NewProduct(a, energyOnly{b})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := OneHotGradientOf(without); ok {
		t.Error("a product with an expert without one-hot gradient claims one")
	}
}

// TestSymmetricNoise checks the channel's expert against the definition
// p(y_i | x_i) = 1-ε if x_i = y_i, ε/(q-1) otherwise: E(x) - E(x') must be
// log p(y | x') - log p(y | x) for every pair of states of 3 units of 4
// states, and Bayes' rule with a uniform prior must give each unit's
// posterior 1-ε on the observed value. Rates outside (0, (q-1)/q), values
// outside the domain and two-state domains are refused.
func TestSymmetricNoise(t *testing.T) {
	const n, q, eps = 3, 4, 0.3
	d, err := Categorical(q)
	if err != nil {
		t.Fatal(err)
	}
	y := []int8{2, 0, 3}
	e, err := SymmetricNoise(d, y, eps)
	if err != nil {
		t.Fatal(err)
	}
	logLik := func(x []int8) float64 {
		var l float64
		for i := range x {
			if x[i] == y[i] {
				l += math.Log(1 - eps)
			} else {
				l += math.Log(eps / (q - 1))
			}
		}
		return l
	}
	total := 64
	x0 := pottsState(n, q, 0)
	post := make([]float64, n*q)
	var z float64
	for code := range total {
		x := pottsState(n, q, code)
		if got, want := e.Energy(x)-e.Energy(x0), logLik(x0)-logLik(x); math.Abs(got-want) > 1e-12 {
			t.Fatalf("E(%v) - E(%v) = %v, want %v", x, x0, got, want)
		}
		w := math.Exp(logLik(x))
		z += w
		for i, a := range x {
			post[i*q+int(a)] += w
		}
	}
	for i, v := range y {
		if p := post[i*q+int(v)] / z; math.Abs(p-(1-eps)) > 1e-12 {
			t.Errorf("unit %d: posterior of the observed value %v, want %v", i, p, 1-eps)
		}
	}
	for _, c := range []struct {
		d    Domain
		y    []int8
		rate float64
	}{
		{d, y, 0}, {d, y, 0.75}, {d, y, math.NaN()}, {d, []int8{0, 4, 1}, 0.1}, {Binary, []int8{0, 1}, 0.1},
	} {
		if _, err := SymmetricNoise(c.d, c.y, c.rate); err == nil {
			t.Errorf("SymmetricNoise(%v, %v, %v) accepted", c.d, c.y, c.rate)
		}
	}
}
