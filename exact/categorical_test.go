package exact

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/discrete"
)

// potts is a q-state test model written independently of discrete.Potts:
// E(x) = -Σᵢ h[i][xᵢ] - Σ_{i<j} J[i][j][xᵢ][xⱼ], dense, with Energy only,
// so that enumerators reach it through discrete.ChangeDelta's fallback.
type potts struct {
	n, q int
	dom  discrete.Domain
	h    [][]float64
	j    [][][][]float64
}

func randomPottsModel(t *testing.T, rng *rand.Rand, n, q int, scale float64) *potts {
	t.Helper()
	d, err := discrete.Categorical(q)
	if err != nil {
		t.Fatal(err)
	}
	m := &potts{n: n, q: q, dom: d, h: make([][]float64, n), j: make([][][][]float64, n)}
	for i := range n {
		m.h[i] = make([]float64, q)
		for a := range q {
			m.h[i][a] = scale * rng.NormFloat64()
		}
		m.j[i] = make([][][]float64, n)
		for k := i + 1; k < n; k++ {
			m.j[i][k] = make([][]float64, q)
			for a := range q {
				m.j[i][k][a] = make([]float64, q)
				for b := range q {
					m.j[i][k][a][b] = scale * rng.NormFloat64()
				}
			}
		}
	}
	return m
}

func (m *potts) Units() int              { return m.n }
func (m *potts) Domain() discrete.Domain { return m.dom }
func (m *potts) Energy(x []int8) float64 {
	var e float64
	for i := range m.n {
		e -= m.h[i][x[i]]
		for k := i + 1; k < m.n; k++ {
			e -= m.j[i][k][x[i]][x[k]]
		}
	}
	return e
}

// asDiscrete returns the same model as a discrete.Potts.
func (m *potts) asDiscrete(t *testing.T) *discrete.Potts {
	t.Helper()
	var h []float64
	for i := range m.n {
		h = append(h, m.h[i]...)
	}
	var cs []discrete.PottsCoupling
	for i := range m.n {
		for k := i + 1; k < m.n; k++ {
			var w []float64
			for a := range m.q {
				w = append(w, m.j[i][k][a]...)
			}
			cs = append(cs, discrete.PottsCoupling{I: i, J: k, Value: w})
		}
	}
	p, err := discrete.NewPotts(m.q, h, cs)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// bruteStates is the ground truth for q-state models: a plain loop over
// the qⁿ state numbers k = Σᵢ xᵢ·qⁱ, each state decoded and its energy
// computed from scratch, the weights summed in 256-bit floating point.
// It returns log Z, p(state k) and the one-unit and two-unit marginals in
// the layout of Moments.Prob and Moments.Joint.
func bruteStates(m discrete.Model, beta float64) (logZ float64, dist, prob, joint []float64) {
	n, q := m.Units(), m.Domain().States()
	total := 1
	for range n {
		total *= q
	}
	logw := make([]float64, total)
	x := make([]int8, n)
	ref := math.Inf(-1)
	for k := range total {
		for i, r := 0, k; i < n; i, r = i+1, r/q {
			x[i] = m.Domain().Value(uint(r % q))
		}
		logw[k] = -beta * m.Energy(x)
		ref = max(ref, logw[k])
	}
	sum := new(big.Float).SetPrec(256)
	for _, l := range logw {
		sum.Add(sum, new(big.Float).SetPrec(256).SetFloat64(math.Exp(l-ref)))
	}
	s, _ := sum.Float64()
	logZ = ref + math.Log(s)
	nq := n * q
	dist, prob, joint = make([]float64, total), make([]float64, nq), make([]float64, nq*nq)
	for k, l := range logw {
		p := math.Exp(l - logZ)
		dist[k] = p
		digits := make([]int, n)
		for i, r := 0, k; i < n; i, r = i+1, r/q {
			digits[i] = r % q
		}
		for i := range n {
			prob[i*q+digits[i]] += p
			for j := range n {
				if j != i {
					joint[(i*q+digits[i])*nq+j*q+digits[j]] += p
				}
			}
		}
	}
	for k := range prob {
		joint[k*nq+k] = prob[k]
	}
	return logZ, dist, prob, joint
}

func allClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for k := range got {
		if math.Abs(got[k]-want[k]) > tol {
			t.Fatalf("%s[%d] = %.15g, want %.15g", what, k, got[k], want[k])
		}
	}
}

func TestStatesModelsAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	ctx := context.Background()
	for _, c := range []struct {
		n, q  int
		scale float64
	}{{1, 3, 1}, {3, 3, 1}, {4, 4, 0.8}, {5, 3, 1.5}, {5, 4, 0.5}, {8, 3, 0.7}} {
		plain := randomPottsModel(t, rng, c.n, c.q, c.scale)
		prod, err := discrete.NewProduct(plain.asDiscrete(t), randomPottsModel(t, rng, c.n, c.q, c.scale))
		if err != nil {
			t.Fatal(err)
		}
		for _, mc := range []struct {
			name string
			m    discrete.Model
		}{{"plain", plain}, {"discrete.Potts", plain.asDiscrete(t)}, {"product", prod}} {
			for _, beta := range []float64{1, 0.6} {
				wantZ, wantDist, wantProb, wantJoint := bruteStates(mc.m, beta)
				for _, workers := range []int{1, 2} {
					opt := Options{Workers: workers}
					name := func(s string) string {
						return fmt.Sprintf("%s q=%d n=%d β=%v: %s", mc.name, c.q, c.n, beta, s)
					}
					logZ, err := LogZ(ctx, mc.m, beta, opt)
					if err != nil {
						t.Fatal(err)
					}
					if !closeTo(logZ, wantZ, 1e-12) {
						t.Errorf("%s = %.15g, want %.15g", name("log Z"), logZ, wantZ)
					}
					mo, err := Marginals(ctx, mc.m, beta, opt)
					if err != nil {
						t.Fatal(err)
					}
					if !closeTo(mo.LogZ, wantZ, 1e-12) {
						t.Errorf("%s = %.15g, want %.15g", name("Marginals' log Z"), mo.LogZ, wantZ)
					}
					allClose(t, name("Prob"), mo.Prob, wantProb, 1e-12)
					allClose(t, name("Joint"), mo.Joint, wantJoint, 1e-12)
					// The moments of the values, from the brute-force
					// marginals.
					n, q := c.n, c.q
					for i := range n {
						var mean float64
						for a := range q {
							mean += float64(a) * wantProb[i*q+a]
						}
						if math.Abs(mo.Mean[i]-mean) > 1e-12 || math.Abs(mo.On[i]-wantProb[i*q+q-1]) > 1e-12 {
							t.Fatalf("%s: unit %d: mean %v, on %v; want %v, %v", name("moments"), i, mo.Mean[i], mo.On[i], mean, wantProb[i*q+q-1])
						}
						for j := range n {
							var pair float64
							for a := range q {
								for b := range q {
									pair += float64(a*b) * wantJoint[(i*q+a)*n*q+j*q+b]
								}
							}
							if math.Abs(mo.Pair[i*n+j]-pair) > 1e-12 {
								t.Fatalf("%s: E[x%d x%d] = %v, want %v", name("moments"), i, j, mo.Pair[i*n+j], pair)
							}
						}
					}
					dist, err := Distribution(ctx, mc.m, beta, opt)
					if err != nil {
						t.Fatal(err)
					}
					allClose(t, name("Distribution"), dist, wantDist, 1e-12)
				}
			}
		}
	}
}

// TestTwoStateProbJoint checks the state marginals Marginals now reports
// for two-state models against the brute-force loop.
func TestTwoStateProbJoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, d := range []discrete.Domain{discrete.Binary, discrete.Spin} {
		m := flipping{randomPairwise(rng, 6, d, 1)}
		mo, err := Marginals(context.Background(), m, 0.8, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, _, prob, joint := bruteStates(m, 0.8)
		allClose(t, d.String()+" Prob", mo.Prob, prob, 1e-12)
		allClose(t, d.String()+" Joint", mo.Joint, joint, 1e-12)
	}
}

func TestStatesModelErrors(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	huge := randomPottsModel(t, rng, 21, 3, 1) // 3²¹ ≈ 2^33.3 states
	_, err := LogZ(ctx, huge, 1, Options{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "3-state model") || !strings.Contains(err.Error(), "states") {
		t.Errorf("3²¹ states: error %v", err)
	}
	if _, err := Marginals(ctx, huge, 1, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Marginals of 3²¹ states: error %v", err)
	}
	// Accepted under a raised limit, where the context stops it.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := LogZ(cancelled, huge, 1, Options{MaxUnits: 34}); !errors.Is(err, context.Canceled) {
		t.Errorf("3²¹ states with MaxUnits 34, cancelled: error %v", err)
	}
	mid := randomPottsModel(t, rng, 16, 3, 1) // 3¹⁶ ≈ 2^25.4 probabilities
	if _, err := Distribution(ctx, mid, 1, Options{}); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "probabilities") {
		t.Errorf("Distribution of 3¹⁶ states: error %v", err)
	}
	// Progress counts every state once, in chunks, up to qⁿ.
	var done, total uint64
	var calls int
	progress := func(d, tot uint64) { done, total, calls = max(done, d), tot, calls+1 }
	if _, err := LogZ(ctx, randomPottsModel(t, rng, 9, 3, 1).asDiscrete(t), 1, Options{Workers: 2, Progress: progress}); err != nil {
		t.Fatal(err)
	}
	if want := uint64(19683); done != want || total != want || calls < 2 { // 3⁹ states in 3² chunks
		t.Errorf("progress ended at %d of %d after %d calls, want 3⁹ = %d in several", done, total, calls, want)
	}
	small := randomPottsModel(t, rng, 3, 3, 1)
	if _, err := LogZ(ctx, small, math.NaN(), Options{}); err == nil {
		t.Error("β = NaN accepted")
	}
}
