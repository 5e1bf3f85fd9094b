package rbm

import "fmt"

// Gradient holds a gradient of the mean log-likelihood with respect to the
// parameters, laid out like them: W is Visible×Hidden row-major.
type Gradient struct {
	W, B, C []float64
}

// NewGradient returns a zero gradient for m's shape.
func NewGradient(m *RBM) *Gradient {
	return &Gradient{W: make([]float64, len(m.W)), B: make([]float64, m.Visible), C: make([]float64, m.Hidden)}
}

// CDGradient returns the CD-k estimate of the gradient of the mean
// log-likelihood of data, averaged over chains independent chains per row
// (each a fresh CD-k chain started at its data row), exactly as the trainer
// computes its updates. It is the estimate whose bias against the exact
// gradient the exact package measures.
func (m *RBM) CDGradient(data *Matrix, k, chains int, seed uint64, workers int) (*Gradient, error) {
	if data.Cols != m.Visible || data.Rows == 0 {
		return nil, fmt.Errorf("rbm: CD gradient: data is %d×%d, model has %d visible units", data.Rows, data.Cols, m.Visible)
	}
	if k < 1 || chains < 1 {
		return nil, fmt.Errorf("rbm: CD gradient: k = %d and chains = %d must be positive", k, chains)
	}
	s := newStepper(m, Config{K: k, Seed: seed, Workers: workers}, data.Rows)
	defer s.pool.Close()
	g := NewGradient(m)
	for range chains {
		copy(s.vStack.Data, data.Data)
		s.rows = data.Rows
		s.gradient()
		for i, x := range s.gradW {
			g.W[i] += float64(x)
		}
		for i, x := range s.gradB {
			g.B[i] += float64(x)
		}
		for j, x := range s.gradC {
			g.C[j] += float64(x)
		}
	}
	scale := 1 / float64(chains*data.Rows)
	for _, p := range [][]float64{g.W, g.B, g.C} {
		for i := range p {
			p[i] *= scale
		}
	}
	return g, nil
}
