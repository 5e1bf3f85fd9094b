package rbm

import (
	"fmt"

	"github.com/rbmkit/rbm/internal/kernel"
)

// HiddenProbs sets each row of dst to p(h=1|v) = σ(c + vᵀW) for the
// corresponding row of v. dst must be v.Rows×Hidden.
func (m *RBM) HiddenProbs(dst, v *Matrix) { hiddenProbs(nil, m, dst, v) }

// VisibleProbs sets each row of dst to p(v=1|h) = σ(b + Wh) for the
// corresponding row of h. dst must be h.Rows×Visible.
func (m *RBM) VisibleProbs(dst, h *Matrix) { visibleProbs(nil, m, dst, h, nil) }

// FreeEnergies sets dst[r] to F(v_r) for each row of v. The inputs to the
// hidden units come from a float32 product, so the result agrees with
// FreeEnergy to float32 precision of those inputs.
func (m *RBM) FreeEnergies(dst []float64, v *Matrix) { freeEnergies(nil, m, dst, v) }

func hiddenProbs(p *kernel.Pool, m *RBM, dst, v *Matrix) {
	mustShape("v", v, -1, m.Visible)
	mustShape("p(h|v)", dst, v.Rows, m.Hidden)
	// Visible states are binary, and on images mostly zeros: the sparse
	// product skips those and gives the dense product's bits.
	p.GemmSparseA(false, v.Rows, m.Hidden, m.Visible, v.Data, m.Visible, m.W, m.Hidden, dst.Data, m.Hidden)
	p.SigmoidRows(dst.Data, m.C)
}

// visibleProbs sets dst to p(v|h) = σ(b + Wh + field): field, when not
// nil, is a per-row addition to the visible units' input (the evidence of
// an observation; see Sampler.VisibleField).
func visibleProbs(p *kernel.Pool, m *RBM, dst, h, field *Matrix) {
	mustShape("h", h, -1, m.Hidden)
	mustShape("p(v|h)", dst, h.Rows, m.Visible)
	var beta float32
	if field != nil {
		mustShape("visible field", field, h.Rows, m.Visible)
		copy(dst.Data, field.Data)
		beta = 1
	}
	p.Gemm(false, true, h.Rows, m.Visible, m.Hidden, 1, h.Data, m.Hidden, m.W, m.Hidden, beta, dst.Data, m.Visible)
	p.SigmoidRows(dst.Data, m.B)
}

func freeEnergies(p *kernel.Pool, m *RBM, dst []float64, v *Matrix) {
	mustShape("v", v, -1, m.Visible)
	if len(dst) != v.Rows {
		panic(fmt.Sprintf("rbm: free energies: dst has %d entries for %d rows", len(dst), v.Rows))
	}
	in := NewMatrix(v.Rows, m.Hidden)
	p.GemmSparseA(false, v.Rows, m.Hidden, m.Visible, v.Data, m.Visible, m.W, m.Hidden, in.Data, m.Hidden)
	act := make([]float64, m.Hidden)
	for r := range v.Rows {
		for j, x := range in.Row(r) {
			act[j] = float64(x) + float64(m.C[j])
		}
		dst[r] = FreeEnergyFromInput(m.B, v.Row(r), act)
	}
}

// mustShape panics when x is not rows×cols (rows < 0 accepts any count):
// a shape mismatch inside the package is a programming error, and the
// exported entry points that take user data validate it first.
func mustShape(name string, x *Matrix, rows, cols int) {
	if x.Cols != cols || (rows >= 0 && x.Rows != rows) || len(x.Data) != x.Rows*x.Cols {
		panic(fmt.Sprintf("rbm: %s is %d×%d (%d values), want %d×%d", name, x.Rows, x.Cols, len(x.Data), rows, cols))
	}
}

// Transform returns p(h=1|v) for every row of data: the hidden features a
// downstream model consumes. It uses workers goroutines (0: every core).
func (m *RBM) Transform(data *Matrix, workers int) (*Matrix, error) {
	if err := m.checkData("transform", data); err != nil {
		return nil, err
	}
	p := kernel.NewPool(workers)
	defer p.Close()
	h := NewMatrix(data.Rows, m.Hidden)
	hiddenProbs(p, m, h, data)
	return h, nil
}

// Reconstruct returns the mean-field reconstruction p(v=1|h) with
// h = p(h=1|v) for every row of data, using workers goroutines.
func (m *RBM) Reconstruct(data *Matrix, workers int) (*Matrix, error) {
	if err := m.checkData("reconstruct", data); err != nil {
		return nil, err
	}
	p := kernel.NewPool(workers)
	defer p.Close()
	h := NewMatrix(data.Rows, m.Hidden)
	hiddenProbs(p, m, h, data)
	r := NewMatrix(data.Rows, m.Visible)
	visibleProbs(p, m, r, h, nil)
	return r, nil
}

// checkData reports data that does not fit the visible layer.
func (m *RBM) checkData(op string, data *Matrix) error {
	if data.Cols != m.Visible || len(data.Data) != data.Rows*data.Cols {
		return fmt.Errorf("rbm: %s: data is %d×%d, model has %d visible units", op, data.Rows, data.Cols, m.Visible)
	}
	return nil
}
