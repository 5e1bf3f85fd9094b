package denoise

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/discrete"
	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/gibbs"
	"github.com/rbmkit/rbm/internal/enumtest"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

// scaledMachine is randomMachine with weights of standard deviation
// scale, so that the posterior is neither flat nor frozen.
func scaledMachine(t *testing.T, v, h layer.Layer, scale float64, seed uint64) *rbm.Machine {
	t.Helper()
	m := randomMachine(t, v, h, seed)
	for i := range m.W {
		m.W[i] *= scale
	}
	return m
}

// machinePosterior returns p(xᵢ = on | y) for a machine with binary or
// spin visible units (values off < on) by enumerating every visible
// state x: the prior exp(-F(x)) from Machine.FreeEnergy times the
// channel's (1-ε) or ε per unit, or, when hidden is set, the prior
// restricted to the states agreeing with y on the known units.
func machinePosterior(m *rbm.Machine, off, on int8, y []int8, noise float64, hidden []bool) []float64 {
	n := m.Visible.Units()
	p := make([]float64, n)
	x := make([]float64, n)
	var logw []float64
	var states [][]bool
	for s := range 1 << n {
		ok := true
		lw := 0.0
		bits := make([]bool, n)
		for i := range x {
			bits[i] = s>>i&1 == 1
			x[i] = float64(off)
			if bits[i] {
				x[i] = float64(on)
			}
			agree := x[i] == float64(y[i])
			switch {
			case hidden != nil && !hidden[i] && !agree:
				ok = false
			case hidden == nil && agree:
				lw += math.Log(1 - noise)
			case hidden == nil:
				lw += math.Log(noise)
			}
		}
		if ok {
			logw = append(logw, lw-m.FreeEnergy(x))
			states = append(states, bits)
		}
	}
	top := slices.Max(logw)
	var z float64
	for k, lw := range logw {
		w := math.Exp(lw - top)
		z += w
		for i, b := range states[k] {
			if b {
				p[i] += w
			}
		}
	}
	for i := range p {
		p[i] /= z
	}
	return p
}

// chainStats returns, per unit, the mean over the rows of the restored
// probabilities and its standard error. Every row is an independent
// chain (its own source) on the same observation, so the spread of the
// rows' restorations measures the Monte Carlo error of one chain,
// autocorrelation included, and the standard error of their mean is that
// spread over √rows.
func chainStats(x *rbm.Matrix) (mean, se []float64) {
	mean, se = make([]float64, x.Cols), make([]float64, x.Cols)
	for r := range x.Rows {
		for i, v := range x.Row(r) {
			mean[i] += float64(v)
		}
	}
	for i := range mean {
		mean[i] /= float64(x.Rows)
	}
	for r := range x.Rows {
		for i, v := range x.Row(r) {
			d := float64(v) - mean[i]
			se[i] += d * d
		}
	}
	for i := range se {
		se[i] = math.Sqrt(se[i] / float64(x.Rows-1) / float64(x.Rows))
	}
	return mean, se
}

// TestMachinePosteriorMatchesEnumeration checks Machine's restorations of
// tiny machines with binary or spin visible units and hidden layers of
// every type against the exact posterior means by enumeration of the 2⁷
// visible states. 800 rows hold the same observation: independent chains
// of 300 burn-in and 50 recorded sweeps, whose mean must lie within 5
// standard errors (estimated from the rows' spread; 1e-5 more for the
// float32 results) of the exact value, and the standard errors must be
// below 0.01 for the check to mean anything. The posteriors are bimodal
// enough that chains started at the observation take tens of sweeps to
// forget it (spin×relu: 20 burn-in sweeps leave a bias of 0.4, 200 none
// measurable at a standard error of 0.01), so the burn-in is long.
func TestMachinePosteriorMatchesEnumeration(t *testing.T) {
	const n, rows = 7, 800
	zeros := func(k int) []float64 { return make([]float64, k) }
	potts, _ := layer.NewPotts(3, zeros(3*3))
	cases := []struct {
		name    string
		m       *rbm.Machine
		off, on int8
	}{
		{"spin×relu", scaledMachine(t, layer.NewSpin(zeros(n)), layer.NewReLU(zeros(3), zeros(3), false), 0.7, 1), -1, 1},
		{"binary×gaussian", scaledMachine(t, layer.NewBinary(zeros(n)), layer.NewGaussian(zeros(3), zeros(3), false), 0.7, 2), 0, 1},
		{"spin×potts", scaledMachine(t, layer.NewSpin(zeros(n)), potts, 1, 3), -1, 1},
		{"binary×spin", scaledMachine(t, layer.NewBinary(zeros(n)), layer.NewSpin(zeros(3)), 1, 4), 0, 1},
		{"binary×binary", rbm.AsMachine(rbm.NewRandom(n, 3, 1.5, rand.New(rand.NewPCG(7, 1)))), 0, 1},
	}
	ctx := context.Background()
	for _, c := range cases {
		y := []int8{c.on, c.off, c.off, c.on, c.on, c.off, c.on}
		for _, tc := range []struct {
			mode   string
			noise  float64
			hidden []bool
		}{
			{"denoise", 0.2, nil},
			{"inpaint", 0, []bool{true, false, true, false, true, true, false}},
		} {
			want := machinePosterior(c.m, c.off, c.on, y, tc.noise, tc.hidden)
			res, err := Machine(ctx, c.m, replicate(y, rows), Settings{Noise: tc.noise, Hidden: tc.hidden, Sweeps: 50, Burnin: 300, Seed: 9})
			if err != nil {
				t.Fatalf("%s %s: %v", c.name, tc.mode, err)
			}
			got, se := chainStats(res.Mean)
			for i := range want {
				if se[i] > 0.01 {
					t.Errorf("%s %s: unit %d: standard error %.4f too large to test", c.name, tc.mode, i, se[i])
				}
				if math.Abs(got[i]-want[i]) > 5*se[i]+1e-5 {
					t.Errorf("%s %s: unit %d: mean %.4f ± %.4f, enumeration %.4f", c.name, tc.mode, i, got[i], se[i], want[i])
				}
				if tc.hidden != nil && !tc.hidden[i] {
					known := float32(0)
					if y[i] == c.on {
						known = 1
					}
					for r := range res.Mean.Rows {
						if res.Mean.Row(r)[i] != known {
							t.Fatalf("%s: row %d: known unit %d restored as %v", c.name, r, i, res.Mean.Row(r)[i])
						}
					}
				}
			}
		}
	}
}

// TestMachineMatchesRBM checks that a binary RBM denoised as a machine
// (rbm.AsMachine) and by RBM, from different random streams, give the
// same posterior means within the Monte Carlo error of their difference.
func TestMachineMatchesRBM(t *testing.T) {
	r := tinyRBM()
	y := []int8{1, 0, 0, 1, 1}
	s := Settings{Noise: 0.2, Sweeps: 20, Burnin: 100, Seed: 3}
	ctx := context.Background()
	a, err := Machine(ctx, rbm.AsMachine(r), replicate(y, 1500), s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RBM(ctx, r, replicate(y, 1500), s)
	if err != nil {
		t.Fatal(err)
	}
	ma, sa := chainStats(a.Mean)
	mb, sb := chainStats(b.Mean)
	for i := range ma {
		if tol := 5*math.Hypot(sa[i], sb[i]) + 1e-5; math.Abs(ma[i]-mb[i]) > tol {
			t.Errorf("unit %d: Machine %.4f, RBM %.4f (tolerance %.4f)", i, ma[i], mb[i], tol)
		}
	}
}

// TestMachineDeterministicAndErrors checks that the seed alone fixes
// Machine's result, whatever the number of workers, and that machines,
// settings and rows it cannot take are refused.
func TestMachineDeterministicAndErrors(t *testing.T) {
	m := scaledMachine(t, layer.NewSpin(make([]float64, 5)), layer.NewReLU(make([]float64, 3), make([]float64, 3), false), 1, 6)
	rng := rand.New(rand.NewPCG(5, 6))
	rows := make([][]int8, 40)
	for r := range rows {
		rows[r] = make([]int8, 5)
		for i := range rows[r] {
			rows[r][i] = int8(2*rng.IntN(2) - 1)
		}
	}
	ctx := context.Background()
	var first *Result
	for _, workers := range []int{1, 3, 0} {
		res, err := Machine(ctx, m, rows, Settings{Noise: 0.1, Sweeps: 4, Burnin: 1, Seed: 11, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res
		} else if !slices.Equal(res.Mean.Data, first.Mean.Data) {
			t.Errorf("workers %d changed the result", workers)
		}
	}
	other, err := Machine(ctx, m, rows, Settings{Noise: 0.1, Sweeps: 4, Burnin: 1, Seed: 12})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(other.Mean.Data, first.Mean.Data) {
		t.Error("seeds 11 and 12 gave the same result")
	}
	for _, x := range first.Mean.Data {
		if !(x >= 0 && x <= 1) {
			t.Fatalf("restored probability %v", x)
		}
	}

	for _, s := range []Settings{{}, {Noise: 0.5}, {Noise: 0.1, Sweeps: -1}, {Hidden: []bool{true}}} {
		if _, err := Machine(ctx, m, rows[:1], s); err == nil {
			t.Errorf("accepted %+v", s)
		}
	}
	if _, err := Machine(ctx, m, [][]int8{{1, -1, 0, 1, 1}}, Settings{Noise: 0.1}); err == nil || !strings.Contains(err.Error(), "row 0") {
		t.Errorf("a spin row holding 0: error %v", err)
	}
	if _, err := Machine(ctx, m, [][]int8{{1, -1, 0, 1, 1}}, Settings{Hidden: make([]bool, 5)}); err == nil {
		t.Error("inpainting accepted a spin row holding 0")
	}
	g := scaledMachine(t, layer.NewGaussian(make([]float64, 5), make([]float64, 5), false), layer.NewBinary(make([]float64, 2)), 1, 7)
	if _, err := Machine(ctx, g, rows[:1], Settings{Noise: 0.1}); err == nil || !strings.Contains(err.Error(), "gaussian") {
		t.Errorf("a gaussian visible layer: error %v", err)
	}
	// Potts visible units take the symmetric channel: values outside
	// their states, and rates from (q-1)/q up, are refused.
	for _, q := range []int{2, 3} {
		v, err := layer.NewPotts(q, make([]float64, 5*q))
		if err != nil {
			t.Fatal(err)
		}
		p := scaledMachine(t, v, layer.NewBinary(make([]float64, 2)), 1, 8)
		if _, err := Machine(ctx, p, [][]int8{{0, 1, 0, int8(q), 1}}, Settings{Noise: 0.1}); err == nil || !strings.Contains(err.Error(), "row 0") {
			t.Errorf("a potts row of %d states holding %d: error %v", q, q, err)
		}
		limit := float64(q-1) / float64(q)
		if _, err := Machine(ctx, p, [][]int8{{0, 1, 0, 1, 1}}, Settings{Noise: limit}); err == nil {
			t.Errorf("potts units of %d states: noise %v accepted", q, limit)
		}
		res, err := Machine(ctx, p, [][]int8{{0, 1, 0, 1, 1}}, Settings{Noise: 0.1, Sweeps: 2})
		if err != nil {
			t.Fatalf("potts units of %d states: %v", q, err)
		}
		if res.Mean.Cols != 5*q {
			t.Errorf("potts units of %d states: %d columns restored, want %d", q, res.Mean.Cols, 5*q)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Machine(cancelled, m, rows, Settings{Noise: 0.1}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v", err)
	}
}

// pottsPosterior returns p(x_i = a | y) at index i*q+a for a machine with
// Potts visible units of q states, by enumerating every visible state x:
// the prior exp(-F(x)) from Machine.FreeEnergy times the symmetric
// channel's 1-ε or ε/(q-1) per unit, or, when hidden is set, the prior
// restricted to the states agreeing with y on the known units.
func pottsPosterior(m *rbm.Machine, q int, y []int8, noise float64, hidden []bool) []float64 {
	n := len(y)
	p := make([]float64, n*q)
	var logw []float64
	var states [][]int
	total := 1
	for range n {
		total *= q
	}
	l := m.Visible.(*layer.Potts)
	v := make([]float64, n*q)
	for code := range total {
		x := make([]int, n)
		ok, lw := true, 0.0
		for i, c := 0, code; i < n; i, c = i+1, c/q {
			x[i] = c % q
			agree := x[i] == int(y[i])
			switch {
			case hidden != nil && !hidden[i] && !agree:
				ok = false
			case hidden == nil && agree:
				lw += math.Log(1 - noise)
			case hidden == nil:
				lw += math.Log(noise / float64(q-1))
			}
		}
		if !ok {
			continue
		}
		l.SetState(v, x)
		logw = append(logw, lw-m.FreeEnergy(v))
		states = append(states, x)
	}
	top := slices.Max(logw)
	var z float64
	for k, lw := range logw {
		w := math.Exp(lw - top)
		z += w
		for i, a := range states[k] {
			p[i*q+a] += w
		}
	}
	for i := range p {
		p[i] /= z
	}
	return p
}

// TestMachinePottsPosteriorMatchesEnumeration checks Machine's
// restorations of machines with 5 Potts visible units of 3 states (and
// of 2, whose channel is the flip one on two columns) over binary and
// ReLU hidden layers against the exact posterior state probabilities by
// enumeration, as TestMachinePosteriorMatchesEnumeration does for
// two-state units: 800 independent chains on the same observation, the
// mean within 5 standard errors (from the rows' spread) of the exact
// value, each standard error below 0.01.
func TestMachinePottsPosteriorMatchesEnumeration(t *testing.T) {
	const n, rows = 5, 800
	zeros := func(k int) []float64 { return make([]float64, k) }
	potts := func(q int) *layer.Potts {
		l, err := layer.NewPotts(q, zeros(n*q))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	cases := []struct {
		name string
		q    int
		m    *rbm.Machine
	}{
		{"potts3×binary", 3, scaledMachine(t, potts(3), layer.NewBinary(zeros(3)), 1, 21)},
		{"potts3×relu", 3, scaledMachine(t, potts(3), layer.NewReLU(zeros(3), zeros(3), false), 0.7, 22)},
		{"potts2×binary", 2, scaledMachine(t, potts(2), layer.NewBinary(zeros(3)), 1, 23)},
	}
	ctx := context.Background()
	for _, c := range cases {
		y := []int8{1, 0, int8(c.q - 1), 1, 0}
		for _, tc := range []struct {
			mode   string
			noise  float64
			hidden []bool
		}{
			{"denoise", 0.3, nil},
			{"inpaint", 0, []bool{true, false, true, false, true}},
		} {
			want := pottsPosterior(c.m, c.q, y, tc.noise, tc.hidden)
			res, err := Machine(ctx, c.m, replicate(y, rows), Settings{Noise: tc.noise, Hidden: tc.hidden, Sweeps: 50, Burnin: 100, Seed: 9})
			if err != nil {
				t.Fatalf("%s %s: %v", c.name, tc.mode, err)
			}
			got, se := chainStats(res.Mean)
			for k := range want {
				if se[k] > 0.01 {
					t.Errorf("%s %s: unit %d state %d: standard error %.4f too large to test", c.name, tc.mode, k/c.q, k%c.q, se[k])
				}
				if math.Abs(got[k]-want[k]) > 5*se[k]+1e-5 {
					t.Errorf("%s %s: unit %d state %d: mean %.4f ± %.4f, enumeration %.4f", c.name, tc.mode, k/c.q, k%c.q, got[k], se[k], want[k])
				}
			}
		}
	}
}

// TestModelPottsPosterior checks Model's restorations with a Potts prior
// of 5 units of 3 states (enumtest.Potts), denoising through the symmetric
// channel, against the posterior state probabilities of the product of
// the prior and discrete.SymmetricNoise by exact.Marginals: 400 chains on
// the same observation, each row's state frequencies over 200 sweeps,
// their mean within 5 standard errors (from the rows' spread) of the
// exact value, every standard error below 0.01; for every single-unit
// sampler.
func TestModelPottsPosterior(t *testing.T) {
	const n, q, rows, eps = 5, 3, 400, 0.3
	prior := enumtest.Potts(t, n, q, 0.6, 5)
	y := []int8{0, 2, 1, 1, 0}
	lik, err := discrete.SymmetricNoise(prior.Domain(), y, eps)
	if err != nil {
		t.Fatal(err)
	}
	post, err := discrete.NewProduct(prior, lik)
	if err != nil {
		t.Fatal(err)
	}
	mo, err := exact.Marginals(context.Background(), post, 1, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []gibbs.Method{gibbs.Systematic, gibbs.RandomScan, gibbs.Metropolis, gibbs.GWG} {
		res, err := Model(context.Background(), prior, replicate(y, rows), Settings{Noise: eps, Sweeps: 200, Burnin: 20, Method: method, Seed: 3})
		if err != nil {
			t.Fatalf("%v: %v", method, err)
		}
		got, se := chainStats(res.Mean)
		for k, want := range mo.Prob {
			if se[k] > 0.01 {
				t.Errorf("%v: unit %d state %d: standard error %.4f too large to test", method, k/q, k%q, se[k])
			}
			if math.Abs(got[k]-want) > 5*se[k]+1e-5 {
				t.Errorf("%v: unit %d state %d: mean %.4f ± %.4f, exact %.4f", method, k/q, k%q, got[k], se[k], want)
			}
		}
	}
}

// TestModelPottsInpaint checks Model's inpainting with a Potts prior: the
// known units come back as their one-hot values, the hidden ones match
// the prior's conditional given the known units, by enumeration of the
// hidden units' states, within 5 standard errors of 400 chains.
func TestModelPottsInpaint(t *testing.T) {
	const n, q, rows = 5, 3, 400
	prior := enumtest.Potts(t, n, q, 0.6, 6)
	y := []int8{2, 0, 1, 1, 0}
	hidden := []bool{true, false, true, false, true}
	want := make([]float64, n*q)
	var z float64
	x := make([]int8, n)
	for code := range 27 {
		for i, c := 0, code; i < n; i++ {
			if hidden[i] {
				x[i] = int8(c % q)
				c /= q
			} else {
				x[i] = y[i]
			}
		}
		w := math.Exp(-prior.Energy(x))
		z += w
		for i, a := range x {
			want[i*q+int(a)] += w
		}
	}
	res, err := Model(context.Background(), prior, replicate(y, rows), Settings{Hidden: hidden, Sweeps: 200, Burnin: 20, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	got, se := chainStats(res.Mean)
	for k := range want {
		want[k] /= z
		if !hidden[k/q] {
			for r := range res.Mean.Rows {
				if v := res.Mean.Row(r)[k]; float64(v) != want[k] {
					t.Fatalf("row %d: known unit %d state %d restored as %v, want %v", r, k/q, k%q, v, want[k])
				}
			}
			continue
		}
		if se[k] > 0.01 || math.Abs(got[k]-want[k]) > 5*se[k]+1e-5 {
			t.Errorf("unit %d state %d: mean %.4f ± %.4f, enumeration %.4f", k/q, k%q, got[k], se[k], want[k])
		}
	}
}
