package layer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// countingSource counts the values taken from it.
type countingSource struct {
	rand.Source
	n int
}

func (c *countingSource) Uint64() uint64 { c.n++; return c.Source.Uint64() }

// TestFixedDraws checks that the layers claiming a fixed number of draws
// per Sample take exactly that many, at inputs from strongly negative to
// strongly positive, and that every discrete type claims it.
func TestFixedDraws(t *testing.T) {
	src := &countingSource{Source: rand.NewPCG(3, 4)}
	rng := rand.New(src)
	for _, name := range Names() {
		l, err := New(name, 7, Settings{States: 3})
		if err != nil {
			t.Fatal(err)
		}
		f, ok := l.(FixedDraws)
		_, discrete := l.(Discrete)
		if !ok {
			// Discrete units draw one uniform per unit (or per state), so
			// every discrete type can say so; continuous types may sample
			// by rejection, which the count below would catch.
			if discrete {
				t.Errorf("%s layer does not implement FixedDraws", name)
			}
			continue
		}
		in, dst := make([]float64, l.Width()), make([]float64, l.Width())
		for _, scale := range []float64{0, 1, -30, 30} {
			for i := range in {
				in[i] = scale * rng.NormFloat64()
			}
			// Fifty calls: a rejection sampler that claimed a fixed count
			// (math/rand's normal and exponential draws reject about 1% of
			// their values) would show on one of them.
			for range 50 {
				src.n = 0
				l.Sample(dst, in, rng)
				if src.n != f.Draws() {
					t.Fatalf("%s layer: Sample took %d values at input scale %v, Draws says %d", name, src.n, scale, f.Draws())
				}
			}
		}
	}
}

// TestMeanGrader checks that MeanLogPartitionGrad gives Mean's and
// LogPartitionGrad's values bit for bit, adding to a gradient that
// already holds values, for every type that implements it, with learned
// scales too.
func TestMeanGrader(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, name := range Names() {
		for _, learn := range []bool{false, true} {
			l, err := New(name, 9, Settings{States: 4, LearnScale: learn})
			if err != nil {
				t.Fatal(err)
			}
			g, ok := l.(MeanGrader)
			if !ok {
				if name != "gaussian" {
					t.Errorf("%s layer does not implement MeanGrader", name)
				}
				continue
			}
			for _, p := range l.Params() {
				for i := range p.Values {
					p.Values[i] = rng.NormFloat64()
				}
			}
			in := make([]float64, l.Width())
			for _, scale := range []float64{0, 1, -30, 30} {
				for i := range in {
					in[i] = scale * rng.NormFloat64()
				}
				wantMean, gotMean := make([]float64, l.Width()), make([]float64, l.Width())
				want, got := NewGrad(l), NewGrad(l)
				for k := range want {
					for i := range want[k] {
						want[k][i] = rng.NormFloat64()
						got[k][i] = want[k][i]
					}
				}
				l.Mean(wantMean, in)
				l.LogPartitionGrad(want, in)
				g.MeanLogPartitionGrad(gotMean, got, in)
				for i := range wantMean {
					if math.Float64bits(gotMean[i]) != math.Float64bits(wantMean[i]) {
						t.Fatalf("%s (learned scale %v): mean[%d] = %v, Mean gives %v", name, learn, i, gotMean[i], wantMean[i])
					}
				}
				for k := range want {
					for i := range want[k] {
						if math.Float64bits(got[k][i]) != math.Float64bits(want[k][i]) {
							t.Fatalf("%s (learned scale %v): grad[%d][%d] = %v, LogPartitionGrad gives %v", name, learn, k, i, got[k][i], want[k][i])
						}
					}
				}
			}
		}
	}
}
