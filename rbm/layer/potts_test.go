package layer

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestPotts(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, q := range []int{2, 3, 5} {
		for n := 1; n <= 3; n++ {
			for _, scale := range []float64{0.5, 3, 20} {
				l, err := NewPotts(q, randomValues(rng, n*q, scale))
				if err != nil {
					t.Fatal(err)
				}
				if l.Q() != q || l.States() != q || l.Units() != n || l.Width() != n*q {
					t.Fatalf("NewPotts(%d, %d biases): Q %d, States %d, Units %d, Width %d", q, n*q, l.Q(), l.States(), l.Units(), l.Width())
				}
				checkDiscrete(t, l, randomInput(l, rng, scale), scale)
			}
		}
	}
}

// checkDiscrete runs checkLayer on a discrete layer, except that at large
// scales it leaves out checkSampleMoments, whose bound cannot hold there:
// a state of probability ~1e-10 changes Γ (~40) by less than its rounding
// over the second difference's step, so the variance comes out 0 or
// negative, the bound shrinks to its 1e-12 slack, and the sample mean 0
// of a state never drawn fails against the mean 1e-10. (With random
// parameters of scale 20, about 2 layers in 5 of any type, binary
// included, hit this.) checkStateFrequencies checks the samples at every
// scale, with a bound that holds for rare states.
func checkDiscrete(t *testing.T, l Discrete, in []float64, scale float64) {
	t.Helper()
	if scale <= 3 {
		checkLayer(t, l, in)
	} else {
		if err := Validate(l); err != nil {
			t.Fatalf("Validate: %v", err)
		}
		checkMeanIsGradient(t, l, in)
		checkParamGradients(t, l, in)
		checkEnumeration(t, l, in)
		checkClone(t, l)
	}
	checkStateFrequencies(t, l, in)
}

// checkStateFrequencies draws states of l at in and counts the state each
// unit takes, requiring each count within 5 binomial standard errors of
// its expectation, plus 5 draws: for a rare state (n·p ≲ 1) the normal
// bound alone is far too tight (one draw of a state of probability 1e-7
// in 20000 happens 2 times in 1000), while with the 5 extra draws the
// false alarm rate stays at or below the normal bound's 6e-7 per state
// at every n·p.
//
// The probabilities come from the energy of the states, not from Mean or
// the code Sample shares with it: the layer's units are independent given
// the input, so unit i's marginal is the softmax over a of -E(x) + Iᵀx at
// the states x that differ from state 0 only in unit i.
func checkStateFrequencies(t *testing.T, l Discrete, in []float64) {
	t.Helper()
	const draws = 20000
	n, q := l.Units(), l.States()
	w := l.Width() / n
	prob := make([][]float64, n)
	code := make([][][]float64, n) // code[i][a]: unit i's columns in state a
	s := make([]int, n)
	for i := range n {
		logw := make([]float64, q)
		code[i] = make([][]float64, q)
		for a := range q {
			x := make([]float64, l.Width())
			s[i] = a
			l.SetState(x, s)
			logw[a] = -l.Energy(x) + dot(in, x)
			code[i][a] = x[i*w : (i+1)*w]
		}
		s[i] = 0
		z := logSumExp(logw)
		prob[i] = make([]float64, q)
		for a := range q {
			prob[i][a] = math.Exp(logw[a] - z)
		}
	}
	count := make([][]int, n)
	for i := range count {
		count[i] = make([]int, q)
	}
	rng := rand.New(rand.NewPCG(17, 18))
	x := make([]float64, l.Width())
	for range draws {
		l.Sample(x, in, rng)
	units:
		for i := range n {
			for a := range q {
				if equalFloats(x[i*w:(i+1)*w], code[i][a]) {
					count[i][a]++
					continue units
				}
			}
			t.Fatalf("%s: sample %v: unit %d is in no state", l.Kind(), x, i)
		}
	}
	for i := range n {
		for a := range q {
			p := prob[i][a]
			want := draws * p
			tol := 5*math.Sqrt(draws*p*(1-p)) + 5
			if got := float64(count[i][a]); math.Abs(got-want) > tol {
				t.Errorf("%s: unit %d state %d drawn %v times in %d, expected %.4g ± %.3g", l.Kind(), i, a, got, draws, want, tol)
			}
		}
	}
}

// TestPottsTwoStatesIsBinary compares a Potts unit of 2 states with the
// binary unit of its second column: only the difference of the two
// columns' fields matters, so with d = (θ₁+I₁) - (θ₀+I₀) the mean of
// column 1 is σ(d) and Γ = (θ₀+I₀) + softplus(d). At the largest scale
// a plain sum of exponentials overflows, so it also checks the stable form.
func TestPottsTwoStatesIsBinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, scale := range []float64{0.5, 3, 20, 2000} {
		const n = 4
		p, err := NewPotts(2, randomValues(rng, 2*n, scale))
		if err != nil {
			t.Fatal(err)
		}
		in := randomInput(p, rng, scale)
		b := NewBinary(make([]float64, n))
		bin := make([]float64, n)
		var shift, largest float64
		for j := range in {
			largest = math.Max(largest, p.Bias[j]+in[j])
		}
		if scale == 2000 && !math.IsInf(math.Exp(largest), 1) {
			t.Fatalf("largest θ+I %v does not overflow exp", largest)
		}
		for i := range n {
			f0 := p.Bias[2*i] + in[2*i]
			b.Bias[i] = p.Bias[2*i+1] - p.Bias[2*i]
			bin[i] = in[2*i+1] - in[2*i]
			shift += f0
		}
		got, want := p.LogPartition(in), b.LogPartition(bin)+shift
		if math.IsInf(got, 0) || math.IsNaN(got) || !close(got, want, 1e-12) {
			t.Errorf("scale %v: Potts LogPartition = %.15g, binary %.15g", scale, got, want)
		}
		mp, mb := make([]float64, 2*n), make([]float64, n)
		p.Mean(mp, in)
		b.Mean(mb, bin)
		for i := range n {
			if !close(mp[2*i+1], mb[i], 1e-12) || !close(mp[2*i], 1-mb[i], 1e-12) {
				t.Errorf("scale %v: unit %d: Potts Mean (%.15g, %.15g), binary σ %.15g", scale, i, mp[2*i], mp[2*i+1], mb[i])
			}
		}
	}
}

// TestPottsSampleFrequencies counts the states drawn for units whose
// probabilities are all large enough to matter (scale 1), with more draws
// than checkStateFrequencies uses, against the softmax computed here.
func TestPottsSampleFrequencies(t *testing.T) {
	const q, n, draws = 5, 3, 50000
	rng := rand.New(rand.NewPCG(15, 16))
	l, err := NewPotts(q, randomValues(rng, n*q, 1))
	if err != nil {
		t.Fatal(err)
	}
	in := randomInput(l, rng, 1)
	count := make([]int, n*q)
	x := make([]float64, n*q)
	for range draws {
		l.Sample(x, in, rng)
		if err := l.Check(x); err != nil {
			t.Fatalf("sample %v fails Check: %v", x, err)
		}
		for j, xj := range x {
			if xj == 1 {
				count[j]++
			}
		}
	}
	for i := range n {
		var z float64
		for a := range q {
			z += math.Exp(l.Bias[i*q+a] + in[i*q+a])
		}
		for a := range q {
			p := math.Exp(l.Bias[i*q+a]+in[i*q+a]) / z
			// At scale 1 the fields are in [-2, 2], so every p is at least
			// e⁻⁴/(e⁻⁴ + 4) > 4e-3 and draws·p > 200: the normal
			// approximation of the binomial holds.
			se := math.Sqrt(p * (1 - p) / draws)
			if got := float64(count[i*q+a]) / draws; math.Abs(got-p) > 5*se {
				t.Errorf("unit %d state %d: frequency %.5f, softmax %.5f, 5 standard errors %.5f", i, a, got, p, 5*se)
			}
		}
	}
}

func TestPottsCheck(t *testing.T) {
	l, err := NewPotts(3, make([]float64, 6))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Check([]float64{0, 0, 1, 1, 0, 0}); err != nil {
		t.Errorf("Check of a one-hot state: %v", err)
	}
	for _, bad := range [][]float64{
		{0, 0, 1, 0, 0, 0},          // unit 2 in no state
		{0, 0, 1, 0, 1, 1},          // unit 2 in two states
		{0, 0, 1, 0, 0.5, 0.5},      // unit 2 a distribution
		{0, 0, 1, 0, 2, 0},          // unit 2 not 0/1
		{0, 0, 1, -1, 1, 1},         // one-hot sum but not 0/1
		{0, 0, 1, math.NaN(), 1, 0}, // not a number
	} {
		err := l.Check(bad)
		if err == nil {
			t.Errorf("Check(%v) accepted", bad)
		} else if !strings.Contains(err.Error(), "unit 2") {
			t.Errorf("Check(%v): %q does not name unit 2 (counted from 1)", bad, err)
		}
	}
	if l.Check([]float64{0, 0, 1}) == nil {
		t.Error("Check accepted a state of one unit for a layer of two")
	}
	x := []float64{7, 7, 7, 7, 7, 7}
	l.SetState(x, []int{2, 0})
	if want := []float64{0, 0, 1, 1, 0, 0}; !equalFloats(x, want) {
		t.Errorf("SetState(2, 0) = %v, want %v", x, want)
	}
}

func TestPottsNew(t *testing.T) {
	for _, c := range []struct {
		q    int
		bias []float64
	}{
		{1, make([]float64, 3)},
		{0, make([]float64, 3)},
		{3, make([]float64, 4)},
		{3, nil},
	} {
		if _, err := NewPotts(c.q, c.bias); err == nil {
			t.Errorf("NewPotts(%d, %d biases) accepted", c.q, len(c.bias))
		}
	}
	for _, q := range []int{0, 1} {
		if _, err := New("potts", 3, Settings{States: q}); err == nil {
			t.Errorf("New(potts, States %d) accepted", q)
		} else if errors.Is(err, ErrUnknownType) {
			t.Errorf("New(potts, States %d): %v", q, err)
		}
	}
	l, err := New("potts", 3, Settings{States: 4})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := l.(*Potts)
	if !ok || p.Q() != 4 || p.Units() != 3 || p.Width() != 12 {
		t.Errorf("New(potts, 3 units, 4 states) = %#v", l)
	}
	if c := p.Clone().(*Potts); c.Q() != 4 || c.Width() != 12 {
		t.Errorf("Clone has %d states and width %d, want 4 and 12", c.Q(), c.Width())
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
