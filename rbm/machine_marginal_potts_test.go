package rbm_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/gibbs"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
	"github.com/rbmkit/rbm/rbm/layer"
)

// pottsVisible returns state number code of n units of q states (unit 0
// the least significant digit) and its one-hot visible vector.
func pottsVisible(n, q, code int) ([]int8, []float64) {
	x, v := make([]int8, n), make([]float64, n*q)
	for i := range x {
		x[i] = int8(code % q)
		v[i*q+code%q] = 1
		code /= q
	}
	return x, v
}

// TestMachineMarginalPottsEnergy compares the marginal of 4 Potts visible
// units of 3 states over 3 hidden units of every type with the free
// energy summed or integrated independently from the joint energy
// (bruteFreeEnergy) at every visible state, and every ChangeDelta and
// FlipDelta with the difference of two energies.
func TestMachineMarginalPottsEnergy(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	const nv, nh, q = 4, 3, 3
	for l, hk := range marginalHiddenKinds {
		m := marginalTestMachine(t, "potts", nv, hk, nh, 0.7, uint64(50+l))
		r := newMachineMarginal(t, m)
		d := r.Domain()
		if r.Units() != nv || d.States() != q || d.String() != "3-state" {
			t.Fatalf("potts×%s: marginal of %d %v units", hk, r.Units(), d)
		}
		if _, ok := discrete.GradientOf(r); ok {
			t.Errorf("potts×%s: the marginal claims a gradient", hk)
		}
		for code := range 81 {
			x, v := pottsVisible(nv, q, code)
			want := bruteFreeEnergy(t, m, v, rng)
			got := r.Energy(x)
			if rel := math.Abs(got-want) / math.Max(1, math.Abs(want)); rel > 1e-9 {
				t.Errorf("potts×%s: F(%v) = %.15g, brute force %.15g", hk, x, got, want)
			}
			for i := range nv {
				for a := range int8(q) {
					y := slices.Clone(x)
					y[i] = a
					want := r.Energy(y) - r.Energy(x)
					if got := r.ChangeDelta(x, i, a); math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
						t.Errorf("potts×%s: ChangeDelta(%v, %d, %d) = %v, want %v", hk, x, i, a, got, want)
					}
				}
				y := slices.Clone(x)
				y[i] = d.Flip(y[i])
				if got, want := r.FlipDelta(x, i), r.Energy(y)-r.Energy(x); math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Errorf("potts×%s: FlipDelta(%v, %d) = %v, want %v", hk, x, i, got, want)
				}
			}
		}
	}
}

// TestMachineMarginalPottsLocal walks a Local through 20000 random
// changes on a 12×7 Potts×(every type) machine, checking ChangeDelta
// against two fresh energies along the way and every unit at the end: the
// incrementally kept hidden input must not drift.
func TestMachineMarginalPottsLocal(t *testing.T) {
	const nv, nh, q, steps = 12, 7, 3, 20000
	for l, hk := range marginalHiddenKinds {
		m := marginalTestMachine(t, "potts", nv, hk, nh, 1, uint64(150+l))
		r := newMachineMarginal(t, m)
		rng := rand.New(rand.NewPCG(7, uint64(l)))
		x := make([]int8, nv)
		for i := range x {
			x[i] = int8(rng.IntN(q))
		}
		loc := r.NewLocal(x)
		check := func(i int, v int8) {
			s := loc.State()
			y := slices.Clone(s)
			y[i] = v
			e0, e1 := r.Energy(s), r.Energy(y)
			got := loc.ChangeDelta(i, v)
			if rel := math.Abs(got-(e1-e0)) / math.Max(1, math.Max(math.Abs(e0), math.Abs(e1))); rel > 1e-9 {
				t.Fatalf("potts×%s: ChangeDelta(%d, %d) = %v, energies give %v", hk, i, v, got, e1-e0)
			}
		}
		for step := range steps {
			i, v := rng.IntN(nv), int8(rng.IntN(q))
			// Sometimes change without asking first, or after asking
			// about another move, so that every path of Change runs.
			switch step % 3 {
			case 0:
				check(i, v)
			case 1:
				check(rng.IntN(nv), int8(rng.IntN(q)))
			}
			x[i] = v
			loc.Change(i, v)
		}
		if !slices.Equal(loc.State(), x) {
			t.Fatalf("potts×%s: Local's state %v, want %v", hk, loc.State(), x)
		}
		for i := range nv {
			for v := range int8(q) {
				check(i, v)
			}
		}
	}
}

// TestMachineMarginalPottsLogZ compares package exact's enumeration of the
// marginal of Potts visible units with Machine.LogZ, which enumerates the
// smaller discrete layer through its own state visitor (the binary hidden
// layer of Potts×binary; the Potts layer itself, with hidden units summed
// or integrated by their log-partition, for Potts×ReLU and
// Potts×Gaussian).
func TestMachineMarginalPottsLogZ(t *testing.T) {
	for l, hk := range []string{"binary", "relu", "gaussian", "potts"} {
		for _, q := range []int{3, 4} {
			s := layer.Settings{States: q, LearnScale: true}
			v, err := layer.New("potts", 5, s)
			if err != nil {
				t.Fatal(err)
			}
			h, err := layer.New(hk, 3, s)
			if err != nil {
				t.Fatal(err)
			}
			m := rbm.NewMachine(v, h)
			rng := rand.New(rand.NewPCG(uint64(l), uint64(q)))
			for i := range m.W {
				m.W[i] = 0.8 * rng.NormFloat64()
			}
			for _, ly := range []layer.Layer{v, h} {
				for _, p := range ly.Params() {
					for i := range p.Values {
						p.Values[i] = 0.3 * rng.NormFloat64()
					}
				}
			}
			r := newMachineMarginal(t, m)
			want, err := m.LogZ(context.Background(), exact.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, workers := range []int{1, 2} {
				got, err := exact.LogZ(context.Background(), r, 1, exact.Options{Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Errorf("potts(%d)×%s, %d workers: exact.LogZ %.15g, Machine.LogZ %.15g", q, hk, workers, got, want)
				}
			}
		}
	}
}

// TestMachineMarginalPottsGibbs samples the marginal of a 5×3 Potts×ReLU
// machine (3 states) with the samplers that take q-state models and
// compares every unit's per-state marginal with the exact one from
// exact.Marginals: each sampled frequency must lie within 5 standard
// errors sqrt(p(1-p)/ESS), ESS measured on the trace, with split R-hat
// below 1.05; GWG included, on the one-hot gradient.
func TestMachineMarginalPottsGibbs(t *testing.T) {
	const nv, q = 5, 3
	m := marginalTestMachine(t, "potts", nv, "relu", 3, 0.7, 8)
	r := newMachineMarginal(t, m)
	mo, err := exact.Marginals(context.Background(), r, 1, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []gibbs.Method{gibbs.Systematic, gibbs.RandomScan, gibbs.Metropolis, gibbs.GWG} {
		res, err := gibbs.Run(context.Background(), r, gibbs.Config{
			Method: method, Chains: 4, Sweeps: 3000, Burnin: 200, Seed: 6, Workers: 1,
			NumStats: nv * q, Stats: func(x []int8, out []float64) {
				clear(out)
				for i, a := range x {
					out[i*q+int(a)] = 1
				}
			},
		})
		if err != nil {
			t.Fatalf("%v: %v", method, err)
		}
		worst := 0.0
		for k, p := range mo.Prob {
			dg := res.Trace.Diagnose(k)
			se := math.Sqrt(p * (1 - p) / dg.ESS)
			z := math.Abs(dg.Mean-p) / se
			worst = max(worst, z)
			if !(z <= 5) || !(dg.RHat < 1.05) {
				t.Errorf("%v: unit %d state %d: sampled %.4f, exact %.4f (%.1f standard errors, ESS %.0f, R-hat %.3f)",
					method, k/q, k%q, dg.Mean, p, z, dg.ESS, dg.RHat)
			}
		}
		t.Logf("%v: worst error %.2f standard errors, acceptance %.3f", method, worst, res.AcceptRate())
	}
	// Potts units of two states are binary units of the marginal, whose
	// gradient is the difference of the two columns' one-hot gradients.
	m2 := marginalTestMachine(t, "binary", 3, "binary", 2, 1, 1)
	v2, err := layer.NewPotts(2, make([]float64, 6))
	if err != nil {
		t.Fatal(err)
	}
	m2 = rbm.NewMachine(v2, m2.Hidden)
	r2 := newMachineMarginal(t, m2)
	if r2.Domain() != discrete.Binary {
		t.Errorf("potts units of 2 states: domain %v, want binary", r2.Domain())
	}
	if _, err := gibbs.Run(context.Background(), r2, gibbs.Config{Method: gibbs.GWG, Sweeps: 4}); err != nil {
		t.Errorf("gwg on the marginal of 2-state potts units: %v", err)
	}
	want, err := m2.LogZ(context.Background(), exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := exact.LogZ(context.Background(), r2, 1, exact.Options{}); err != nil || math.Abs(got-want) > 1e-12 {
		t.Errorf("2-state potts marginal: exact.LogZ %v (%v), Machine.LogZ %v", got, err, want)
	}
}

func TestMachineMarginalPottsRefusals(t *testing.T) {
	v, err := layer.NewPotts(128, make([]float64, 256))
	if err != nil {
		t.Fatal(err)
	}
	h, err := layer.New("binary", 2, layer.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = rbm.NewMachineMarginal(rbm.NewMachine(v, h))
	if err == nil || !strings.Contains(err.Error(), "at most 127") {
		t.Errorf("potts units of 128 states: error %v", err)
	}
}

// TestMachineMarginalPottsAIS anneals the marginal of a 10×4 Potts×binary
// machine (3 states) with ais.RunDiscrete from the uniform distribution
// over the 3¹⁰ states and compares with Machine.LogZ, within 5 standard
// errors plus the bias StdErr²/2, as TestMachineMarginalAIS does.
func TestMachineMarginalPottsAIS(t *testing.T) {
	m := marginalTestMachine(t, "potts", 10, "binary", 4, 0.8, 12)
	r := newMachineMarginal(t, m)
	want, err := m.LogZ(context.Background(), exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []gibbs.Method{gibbs.RandomScan, gibbs.Metropolis} {
		res, err := ais.RunDiscrete(context.Background(), r, ais.DiscreteConfig{Steps: 500, Runs: 64, Seed: 1, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		tol := 5*res.StdErr + res.StdErr*res.StdErr/2
		if math.Abs(res.LogZ-want) > tol || res.StdErr > 0.1 {
			t.Errorf("%v: AIS log Z = %.4f ± %.4f, exact %.4f", method, res.LogZ, res.StdErr, want)
		}
		t.Logf("%v: AIS log Z = %.4f ± %.4f, exact %.4f", method, res.LogZ, res.StdErr, want)
	}
}

// TestMachineMarginalPottsOneHotGradient checks the one-hot gradient of
// the marginal of 4 Potts units of 3 states over 3 hidden units of every
// type against central differences of Machine.FreeEnergy along the simplex
// direction e_(i,a) - e_(i,x_i) at every visible state, which is what the
// one-hot gradient defines (up to a constant per unit); and the gradient
// of 2-state Potts units against central differences along e_(i,1) -
// e_(i,0).
func TestMachineMarginalPottsOneHotGradient(t *testing.T) {
	// Central difference with step 1e-4: error O(step²·F‴).
	const step, tol = 1e-4, 1e-6
	fd := func(m *rbm.Machine, v []float64, up, down int) float64 {
		w := slices.Clone(v)
		w[up] += step
		w[down] -= step
		fp := m.FreeEnergy(w)
		w[up] -= 2 * step
		w[down] += 2 * step
		return (fp - m.FreeEnergy(w)) / (2 * step)
	}
	for k, hk := range marginalHiddenKinds {
		const nv, q = 4, 3
		m := marginalTestMachine(t, "potts", nv, hk, 3, 0.7, uint64(40+k))
		r := newMachineMarginal(t, m)
		d, ok := discrete.OneHotGradientOf(r)
		if !ok {
			t.Fatalf("potts×%s: no one-hot gradient", hk)
		}
		g := make([]float64, nv*q)
		for code := range 81 {
			x, v := pottsVisible(nv, q, code)
			d.OneHotGradient(x, g)
			for i := range nv {
				own := i*q + int(x[i])
				for a := range q {
					c := i*q + a
					if c == own {
						continue
					}
					if got, want := g[c]-g[own], fd(m, v, c, own); math.Abs(got-want) > tol {
						t.Fatalf("potts×%s at %v: one-hot gradient along (%d, %d) %v, finite difference %v", hk, x, i, a, got, want)
					}
				}
			}
		}
		// 2-state Potts units: Gradient along x_i.
		v2, err := layer.NewPotts(2, make([]float64, 2*nv))
		if err != nil {
			t.Fatal(err)
		}
		m2 := rbm.NewMachine(v2, m.Hidden)
		rng := rand.New(rand.NewPCG(uint64(k), 9))
		for i := range m2.W {
			m2.W[i] = 0.7 * rng.NormFloat64()
		}
		r2 := newMachineMarginal(t, m2)
		grad := make([]float64, nv)
		for code := range 16 {
			x, v := pottsVisible(nv, 2, code)
			r2.Gradient(x, grad)
			for i := range nv {
				if want := fd(m2, v, 2*i+1, 2*i); math.Abs(grad[i]-want) > tol {
					t.Fatalf("2-state potts×%s at %v: ∂F/∂x_%d %v, finite difference %v", hk, x, i, grad[i], want)
				}
			}
		}
	}
}
