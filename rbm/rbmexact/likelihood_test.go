package rbmexact

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
)

func randomData(rng *rand.Rand, rows, cols int) *rbm.Matrix {
	d := rbm.NewMatrix(rows, cols)
	for i := range d.Data {
		if rng.IntN(3) == 0 {
			d.Data[i] = 1
		}
	}
	return d
}

// The exact gradient against central differences of the exact
// log-likelihood. The parameters are float32, so each difference uses the
// perturbations actually stored. The truncation error is h²/6 times the
// third derivative, a third cumulant of statistics in [0, 1] (at most 0.2
// in size), so about 5·10⁻⁷ for h = 2⁻⁸; the float64 rounding of the
// likelihoods adds ~10⁻¹² after division by 2h.
func TestGradientAgainstFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	ctx := context.Background()
	for _, shape := range [][2]int{{5, 3}, {3, 5}} {
		m := randomRBM(rng, shape[0], shape[1], 1)
		data := randomData(rng, 17, shape[0])
		g, _, err := Gradient(ctx, m, data, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		const h = 1.0 / 256
		check := func(name string, p []float32, grad []float64) {
			for i := range p {
				old := p[i]
				p[i] = old + h
				up := float64(p[i]) - float64(old)
				llUp, _, err := LogLikelihood(ctx, m, data, exact.Options{})
				if err != nil {
					t.Fatal(err)
				}
				p[i] = old - h
				down := float64(p[i]) - float64(old)
				llDown, _, _ := LogLikelihood(ctx, m, data, exact.Options{})
				p[i] = old
				fd := (llUp - llDown) / (up - down)
				if math.Abs(fd-grad[i]) > 2e-6 {
					t.Errorf("%v %s[%d]: exact %.9f, finite difference %.9f", shape, name, i, grad[i], fd)
				}
			}
		}
		check("W", m.W, g.W)
		check("b", m.B, g.B)
		check("c", m.C, g.C)
	}
}

// Gradient ascent with the exact gradient reaches the maximum-likelihood fit
// of a known distribution. The data hold every pattern of 3 visible units
// with counts 1…8, a full-support distribution that an RBM with 8 hidden
// units can represent as closely as wanted (Le Roux & Bengio 2008), so the
// maximum of the mean log-likelihood is -H(data), the negative entropy of
// the empirical distribution: the fit must come within 10⁻³ nats of it,
// match the data's moments, and match every pattern's frequency.
func TestExactGradientReachesMaximumLikelihood(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few thousand exact steps")
	}
	const v = 3
	var rows [][]float32
	freq := make([]float64, 1<<v)
	for s := range 1 << v {
		for range s + 1 {
			row := make([]float32, v)
			for i := range v {
				row[i] = float32(s >> i & 1)
			}
			rows = append(rows, row)
		}
	}
	data := rbm.NewMatrix(len(rows), v)
	for r, row := range rows {
		copy(data.Row(r), row)
	}
	var entropy float64
	for s := range freq {
		freq[s] = float64(s+1) / float64(len(rows))
		entropy -= freq[s] * math.Log(freq[s])
	}

	m := randomRBM(rand.New(rand.NewPCG(23, 24)), v, 8, 0.1)
	ctx := context.Background()
	var ll float64
	for step := range 20000 {
		g, _, err := Gradient(ctx, m, data, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		const lr = 0.5
		for i := range m.W {
			m.W[i] += float32(lr * g.W[i])
		}
		for i := range m.B {
			m.B[i] += float32(lr * g.B[i])
		}
		for j := range m.C {
			m.C[j] += float32(lr * g.C[j])
		}
		if step%1000 == 999 {
			ll, _, _ = LogLikelihood(ctx, m, data, exact.Options{})
			if -entropy-ll < 1e-4 {
				break
			}
		}
	}
	ll, logZ, err := LogLikelihood(ctx, m, data, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gap := -entropy - ll
	t.Logf("mean log-likelihood %.6f, maximum %.6f (gap %.2g)", ll, -entropy, gap)
	if gap > 1e-3 || gap < -1e-9 {
		t.Errorf("mean log-likelihood %.6f, maximum %.6f (gap %.2g)", ll, -entropy, gap)
	}
	for s := range freq {
		v := make([]float32, v)
		for i := range v {
			v[i] = float32(s >> i & 1)
		}
		if p := math.Exp(-m.FreeEnergy(v) - logZ); math.Abs(p-freq[s]) > 0.01 {
			t.Errorf("p(%03b) = %.4f, data frequency %.4f", s, p, freq[s])
		}
	}
}
