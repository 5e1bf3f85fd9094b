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
	"github.com/rbmkit/rbm/gibbs"
	"github.com/rbmkit/rbm/rbm"
)

// tinyRBM is a 5×3 RBM with weights and biases strong enough to matter.
func tinyRBM() *rbm.RBM {
	return rbm.NewRandom(5, 3, 1.5, rand.New(rand.NewPCG(7, 1)))
}

// freeEnergy is F(v) = -bᵀv - Σⱼ log(1 + exp(cⱼ + Σᵢ vᵢWᵢⱼ)), written out.
func freeEnergy(m *rbm.RBM, v []int8) float64 {
	var f float64
	for i, x := range v {
		f -= float64(m.B[i]) * float64(x)
	}
	for j := range m.Hidden {
		a := float64(m.C[j])
		for i, x := range v {
			a += float64(m.W[i*m.Hidden+j]) * float64(x)
		}
		f -= math.Log1p(math.Exp(a))
	}
	return f
}

// posterior returns p(xᵢ = 1 | y) by enumerating every visible state x:
// the prior exp(-F(x)) times the channel's (1-ε) or ε per unit, or, when
// hidden is set, the prior restricted to the states agreeing with y on
// the known units.
func posterior(m *rbm.RBM, y []int8, noise float64, hidden []bool) []float64 {
	n := m.Visible
	mean := make([]float64, n)
	var z float64
	x := make([]int8, n)
	for s := range 1 << n {
		ok := true
		logw := 0.0
		for i := range x {
			x[i] = int8(s >> i & 1)
			switch {
			case hidden != nil && !hidden[i] && x[i] != y[i]:
				ok = false
			case hidden == nil && x[i] == y[i]:
				logw += math.Log(1 - noise)
			case hidden == nil:
				logw += math.Log(noise)
			}
		}
		if !ok {
			continue
		}
		w := math.Exp(logw - freeEnergy(m, x))
		z += w
		for i, xi := range x {
			mean[i] += w * float64(xi)
		}
	}
	for i := range mean {
		mean[i] /= z
	}
	return mean
}

// replicate returns n copies of y.
func replicate(y []int8, n int) [][]int8 {
	rows := make([][]int8, n)
	for r := range rows {
		rows[r] = slices.Clone(y)
	}
	return rows
}

// columnMeans averages the restorations over the rows.
func columnMeans(x *rbm.Matrix) []float64 {
	mean := make([]float64, x.Cols)
	for r := range x.Rows {
		for i, v := range x.Row(r) {
			mean[i] += float64(v) / float64(x.Rows)
		}
	}
	return mean
}

// TestPosteriorMatchesEnumeration checks both samplers' restorations of a
// tiny RBM, denoising and inpainting, against the posterior means by
// enumeration. Many rows hold the same observation, so their mean
// restoration is accurate; RBM's 2100 rows span three batches.
func TestPosteriorMatchesEnumeration(t *testing.T) {
	m := tinyRBM()
	prior, err := rbm.NewMarginal(m)
	if err != nil {
		t.Fatal(err)
	}
	y := []int8{1, 0, 0, 1, 1}
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		noise  float64
		hidden []bool
	}{
		{"denoise", 0.2, nil},
		{"inpaint", 0, []bool{true, false, true, false, true}},
	} {
		want := posterior(m, y, tc.noise, tc.hidden)
		s := Settings{Noise: tc.noise, Hidden: tc.hidden, Sweeps: 60, Burnin: 10, Seed: 3}
		block, err := RBM(ctx, m, replicate(y, 2100), s)
		if err != nil {
			t.Fatal(err)
		}
		s.Method = gibbs.Systematic
		single, err := Model(ctx, prior, replicate(y, 300), s)
		if err != nil {
			t.Fatal(err)
		}
		if single.Proposals == 0 || single.Accepted == 0 || single.Accepted > single.Proposals {
			t.Errorf("%s: %d of %d proposals accepted", tc.name, single.Accepted, single.Proposals)
		}
		for _, r := range []struct {
			sampler string
			res     *Result
			tol     float64
		}{{"RBM", block, 0.01}, {"Model", single, 0.03}} {
			got := columnMeans(r.res.Mean)
			for i := range want {
				if math.Abs(got[i]-want[i]) > r.tol {
					t.Errorf("%s %s: unit %d: mean %.4f, enumeration %.4f", tc.name, r.sampler, i, got[i], want[i])
				}
			}
			if tc.hidden == nil {
				continue
			}
			for row := range r.res.Mean.Rows {
				for i, h := range tc.hidden {
					if !h && r.res.Mean.Row(row)[i] != float32(y[i]) {
						t.Fatalf("%s: row %d: known unit %d is %v, not %d", r.sampler, row, i, r.res.Mean.Row(row)[i], y[i])
					}
				}
			}
		}
	}
}

// TestDeterministic checks that a seed fixes the restorations whatever
// the number of workers, and that another seed changes them.
func TestDeterministic(t *testing.T) {
	m := tinyRBM()
	prior, err := rbm.NewMarginal(m)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	rows := make([][]int8, 1100)
	for r := range rows {
		rows[r] = make([]int8, m.Visible)
		for i := range rows[r] {
			rows[r][i] = int8(rng.IntN(2))
		}
	}
	ctx := context.Background()
	for _, run := range []struct {
		name string
		f    func(s Settings) (*Result, error)
	}{
		{"RBM", func(s Settings) (*Result, error) { return RBM(ctx, m, rows, s) }},
		{"Model", func(s Settings) (*Result, error) { return Model(ctx, prior, rows[:60], s) }},
	} {
		var first *Result
		for _, workers := range []int{1, 3, 0} {
			res, err := run.f(Settings{Noise: 0.1, Sweeps: 4, Burnin: 1, Method: gibbs.Metropolis, Seed: 11, Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = res
				continue
			}
			if !slices.Equal(res.Mean.Data, first.Mean.Data) || res.Proposals != first.Proposals || res.Accepted != first.Accepted {
				t.Errorf("%s: workers %d changed the result", run.name, workers)
			}
		}
		other, err := run.f(Settings{Noise: 0.1, Sweeps: 4, Burnin: 1, Method: gibbs.Metropolis, Seed: 12})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(other.Mean.Data, first.Mean.Data) {
			t.Errorf("%s: seeds 11 and 12 gave the same result", run.name)
		}
	}
}

func TestSettingsAndCancellation(t *testing.T) {
	m := tinyRBM()
	prior, err := rbm.NewMarginal(m)
	if err != nil {
		t.Fatal(err)
	}
	y := [][]int8{{1, 0, 1, 0, 1}}
	ctx := context.Background()
	for _, s := range []Settings{
		{},                                    // no noise
		{Noise: 0.5},                          // beyond ½
		{Noise: 0.1, Sweeps: -1},              // negative sweeps
		{Hidden: []bool{true}, Burnin: 0},     // mask of the wrong length
		{Noise: 0.1, Hidden: nil, Burnin: -2}, // negative burn-in
	} {
		if _, err := RBM(ctx, m, y, s); err == nil {
			t.Errorf("RBM accepted %+v", s)
		}
		if _, err := Model(ctx, prior, y, s); err == nil {
			t.Errorf("Model accepted %+v", s)
		}
	}
	potts, err := discrete.NewPotts(3, make([]float64, 15), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Model(ctx, potts, [][]int8{{0, 1, 3, 2, 0}}, Settings{Noise: 0.1}); err == nil || !strings.Contains(err.Error(), "row 0") {
		t.Errorf("Model of a 3-state prior, a row holding 3: error %v", err)
	}
	if _, err := Model(ctx, potts, [][]int8{{0, 1, 2, 2, 0}}, Settings{Noise: 2.0 / 3}); err == nil {
		t.Error("Model of a 3-state prior accepted noise 2/3")
	}
	if _, err := RBM(ctx, m, [][]int8{{1, 0}}, Settings{Noise: 0.1}); err == nil {
		t.Error("RBM accepted a short row")
	}
	if _, err := RBM(ctx, m, [][]int8{{1, 0, 2, 0, 1}}, Settings{Noise: 0.1}); err == nil {
		t.Error("RBM accepted a value that is not 0/1")
	}
	// The zero Settings but for the noise run 50 sweeps.
	res, err := Model(ctx, prior, y, Settings{Noise: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(50 * m.Visible); res.Proposals != want {
		t.Errorf("zero Sweeps: %d single-unit updates, want %d", res.Proposals, want)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := RBM(cancelled, m, y, Settings{Noise: 0.1}); !errors.Is(err, context.Canceled) {
		t.Errorf("RBM cancelled: error %v", err)
	}
	if _, err := Model(cancelled, prior, y, Settings{Noise: 0.1}); !errors.Is(err, context.Canceled) {
		t.Errorf("Model cancelled: error %v", err)
	}
}

// TestCorrupt checks the flip rate, that a seed fixes the flips, and that
// a row's flips do not depend on the other rows.
func TestCorrupt(t *testing.T) {
	for _, d := range []discrete.Domain{discrete.Binary, discrete.Spin} {
		off, on := d.Values()
		clean := make([][]int8, 200)
		for r := range clean {
			clean[r] = make([]int8, 100)
			for i := range clean[r] {
				clean[r][i] = off
				if (r+i)%3 == 0 {
					clean[r][i] = on
				}
			}
		}
		rows := make([][]int8, len(clean))
		for r := range rows {
			rows[r] = slices.Clone(clean[r])
		}
		Corrupt(d, rows, 0.1, 4)
		var flips int
		for r := range rows {
			for i, x := range rows[r] {
				if !d.Valid(x) {
					t.Fatalf("%v: %d is not a value", d, x)
				}
				if x != clean[r][i] {
					flips++
				}
			}
		}
		if rate := float64(flips) / 20000; math.Abs(rate-0.1) > 0.01 {
			t.Errorf("%v: flip rate %.4f, want 0.1", d, rate)
		}
		again := [][]int8{slices.Clone(clean[0]), slices.Clone(clean[1])}
		Corrupt(d, again, 0.1, 4)
		if !slices.Equal(again[0], rows[0]) || !slices.Equal(again[1], rows[1]) {
			t.Errorf("%v: the same seed flipped other units", d)
		}
		Corrupt(d, again, 0, 4)
		if !slices.Equal(again[0], rows[0]) {
			t.Errorf("%v: p = 0 flipped units", d)
		}
	}
}
