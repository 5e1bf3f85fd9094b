package rbmexact

import (
	"context"
	"fmt"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/rbm"
)

// LogLikelihood returns the exact mean log-likelihood per row of data,
// (1/N) Σᵣ log p(vᵣ) = -(1/N) Σᵣ F(vᵣ) - log Z, in nats, together with
// log Z. The free energies are computed in float64 by rbm.(*RBM).FreeEnergy.
func LogLikelihood(ctx context.Context, m *rbm.RBM, data *rbm.Matrix, opt exact.Options) (ll, logZ float64, err error) {
	if err := checkData(m, data); err != nil {
		return 0, 0, err
	}
	logZ, err = RBMLogZ(ctx, m, opt)
	if err != nil {
		return 0, 0, err
	}
	return -MeanFreeEnergy(m, data) - logZ, logZ, nil
}

// MeanFreeEnergy returns (1/N) Σᵣ F(vᵣ) over the rows of data, each free
// energy computed in float64 and summed in row order.
func MeanFreeEnergy(m *rbm.RBM, data *rbm.Matrix) float64 {
	var sum float64
	for r := range data.Rows {
		sum += m.FreeEnergy(data.Row(r))
	}
	return sum / float64(data.Rows)
}

// Gradient returns the exact gradient of the mean log-likelihood of data
// with respect to W, b and c: the data term minus the model's expectation,
//
//	∂/∂Wᵢⱼ = ⟨vᵢ p(hⱼ=1|v)⟩_data - E[vᵢhⱼ]
//	∂/∂bᵢ  = ⟨vᵢ⟩_data - p(vᵢ=1)
//	∂/∂cⱼ  = ⟨p(hⱼ=1|v)⟩_data - p(hⱼ=1)
//
// with the model's expectations from RBMMoments. The data term is
// accumulated in float64. It also returns log Z, which the enumeration
// computes on the way.
func Gradient(ctx context.Context, m *rbm.RBM, data *rbm.Matrix, opt exact.Options) (*rbm.Gradient, float64, error) {
	if err := checkData(m, data); err != nil {
		return nil, 0, err
	}
	st, err := RBMMoments(ctx, m, opt)
	if err != nil {
		return nil, 0, err
	}
	g := DataTerm(m, data)
	for i, v := range st.VH {
		g.W[i] -= v
	}
	for i, v := range st.Visible {
		g.B[i] -= v
	}
	for j, v := range st.Hidden {
		g.C[j] -= v
	}
	return g, st.LogZ, nil
}

// DataTerm returns the positive phase of the log-likelihood gradient, the
// means over the rows of data of vᵢp(hⱼ=1|v), vᵢ and p(hⱼ=1|v), computed in
// float64 through rbm.(*RBM).HiddenInput and kernel.Sigmoid.
func DataTerm(m *rbm.RBM, data *rbm.Matrix) *rbm.Gradient {
	g := rbm.NewGradient(m)
	act := make([]float64, m.Hidden)
	for r := range data.Rows {
		v := data.Row(r)
		m.HiddenInput(act, v)
		for j, a := range act {
			act[j] = kernel.Sigmoid(a)
			g.C[j] += act[j]
		}
		for i, vi := range v {
			if vi == 0 {
				continue
			}
			g.B[i] += float64(vi)
			row := g.W[i*m.Hidden : (i+1)*m.Hidden]
			for j, p := range act {
				row[j] += float64(vi) * p
			}
		}
	}
	inv := 1 / float64(data.Rows)
	scaleAll(inv, g.W, g.B, g.C)
	return g
}

func checkData(m *rbm.RBM, data *rbm.Matrix) error {
	switch {
	case data == nil || data.Rows == 0:
		return fmt.Errorf("rbmexact: the data set has no rows")
	case data.Cols != m.Visible || len(data.Data) != data.Rows*data.Cols:
		return fmt.Errorf("rbmexact: data has %d columns, the model %d visible units", data.Cols, m.Visible)
	}
	return nil
}
