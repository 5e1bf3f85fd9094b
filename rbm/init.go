package rbm

import (
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/internal/seeds"
)

// Marginals returns the mean of each column of data, smoothed by one pseudo
// observation of 0 and one of 1 (p = (Σv + 1)/(n + 2)) so that units that
// are always off or always on still get finite log-odds.
func Marginals(data Data) []float64 {
	rows, cols := data.Dims()
	p := make([]float64, cols)
	data.ColumnSums(p)
	for i := range p {
		p[i] = (p[i] + 1) / (float64(rows) + 2)
	}
	return p
}

// Init sets the parameters as Hinton's practical guide recommends: weights
// drawn from N(0, 0.01²) with a source seeded by seed, hidden biases zero,
// and each visible bias at the log-odds log(pᵢ/(1-pᵢ)) of the data's
// smoothed marginal pᵢ (see Marginals), so that the model starts with the
// data's base rates. A nil data leaves the visible biases at zero.
func (m *RBM) Init(data Data, seed uint64) {
	rng := seeds.Rand(seed, seeds.Init)
	for i := range m.W {
		m.W[i] = float32(0.01 * rng.NormFloat64())
	}
	clear(m.C)
	clear(m.B)
	if noData(data) {
		return
	}
	for i, p := range Marginals(data) {
		m.B[i] = float32(math.Log(p / (1 - p)))
	}
}

// NewRandom returns a visible×hidden RBM whose every parameter, biases
// included, is drawn from N(0, scale²): the test and benchmark model of
// the toolkit, where large scales give the rugged energy landscapes that
// expose numerical trouble.
func NewRandom(visible, hidden int, scale float64, rng *rand.Rand) *RBM {
	m := New(visible, hidden)
	for _, p := range [][]float32{m.W, m.B, m.C} {
		for i := range p {
			p[i] = float32(scale * rng.NormFloat64())
		}
	}
	return m
}
