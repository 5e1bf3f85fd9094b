package ais

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

// TestRunMachineAgainstExact anneals machines of several unit types small
// enough to enumerate and requires the exact log Z inside the estimate's
// ±3σ interval; the annealing is long enough for the weights to be nearly
// equal, so the interval is narrow (its width is checked too, so that a
// test with useless error bars cannot pass).
func TestRunMachineAgainstExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	for _, kinds := range [][2]string{{"binary", "binary"}, {"gaussian", "binary"}, {"potts", "binary"}, {"spin", "potts"}, {"relu", "spin"}, {"binary", "gaussian"}} {
		v, _ := layer.New(kinds[0], 6, layer.Settings{States: 3})
		h, _ := layer.New(kinds[1], 4, layer.Settings{States: 3})
		m := rbm.NewMachine(v, h)
		for i := range m.W {
			m.W[i] = 0.5 * rng.NormFloat64()
		}
		for _, l := range []layer.Layer{v, h} {
			for _, p := range l.Params() {
				if !p.Fixed {
					for i := range p.Values {
						p.Values[i] = 0.5 * rng.NormFloat64()
					}
				}
			}
		}
		want, err := m.LogZ(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := ParseSchedule("1/2000")
		e, err := RunMachine(context.Background(), m, nil, Config{Schedule: s, Runs: 200, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if !(e.Lower <= want && want <= e.Upper) {
			t.Errorf("%s×%s: exact log Z %.6f outside the AIS interval [%.6f, %.6f] (estimate %.6f ± %.6f)",
				kinds[0], kinds[1], want, e.Lower, e.Upper, e.LogZ, e.StdErr)
		}
		if e.StdErr > 0.05 {
			t.Errorf("%s×%s: standard error %.3g: the annealing is too short for the test to mean anything", kinds[0], kinds[1], e.StdErr)
		}
	}
}

// TestRunMachineZeroWeights: with W = 0 and the base equal to the model,
// every weight is 1 and the estimate is exact.
func TestRunMachineZeroWeights(t *testing.T) {
	v := layer.NewGaussian([]float64{0.3, -1}, []float64{0.2, -0.1}, true)
	m := rbm.NewMachine(v, layer.NewBinary([]float64{1, -2, 0.5}))
	want := v.LogPartition(make([]float64, 2)) + m.Hidden.LogPartition(make([]float64, 3))
	e, err := RunMachine(context.Background(), m, nil, Config{Schedule: Schedule{0, 0.5, 1}, Runs: 10})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(e.LogZ-want) > 1e-12 {
		t.Errorf("log Z %.15g, want %.15g", e.LogZ, want)
	}
}

func TestRunMachineIsDeterministic(t *testing.T) {
	v, _ := layer.New("potts", 5, layer.Settings{States: 4})
	m := rbm.NewMachine(v, layer.NewBinary(make([]float64, 3)))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range m.W {
		m.W[i] = rng.NormFloat64()
	}
	cfg := Config{Schedule: Schedule{0, 0.3, 0.7, 1}, Runs: 7, Seed: 5}
	a, _ := RunMachine(context.Background(), m, nil, cfg)
	b, _ := RunMachine(context.Background(), m, nil, cfg)
	if math.Float64bits(a.LogZ) != math.Float64bits(b.LogZ) {
		t.Errorf("one seed, two estimates: %v and %v", a.LogZ, b.LogZ)
	}
	if _, err := RunMachine(context.Background(), m, layer.NewBinary(make([]float64, 20)), cfg); err == nil {
		t.Error("a base layer of another type was accepted")
	}
}
