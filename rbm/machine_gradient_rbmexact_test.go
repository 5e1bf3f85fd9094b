package rbm_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/rbmexact"
	"github.com/rbmkit/rbm/rbm/rbmtest"
)

// TestMachineExactGradientMatchesRBMExact compares the exact gradient of
// a binary RBM taken as a Machine (AsMachine) with rbmexact's, which
// computes the moments of the binary RBM its own way, for an RBM
// enumerated over its visible layer and one over its hidden layer.
func TestMachineExactGradientMatchesRBMExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 31))
	for _, shape := range [][2]int{{5, 8}, {9, 4}} {
		r := rbm.New(shape[0], shape[1])
		for i := range r.W {
			r.W[i] = float32(0.8 * rng.NormFloat64())
		}
		for i := range r.B {
			r.B[i] = float32(0.5 * rng.NormFloat64())
		}
		for j := range r.C {
			r.C[j] = float32(0.5 * rng.NormFloat64())
		}
		data := rbmtest.ExactSamples(r, 30, 5)
		want, wantLogZ, err := rbmexact.Gradient(context.Background(), r, data, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		m := rbm.AsMachine(r)
		rows := make([][]float64, data.Rows)
		for i := range rows {
			for _, x := range data.Row(i) {
				rows[i] = append(rows[i], float64(x))
			}
		}
		got, logZ, err := m.ExactGradient(context.Background(), rows, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(logZ-wantLogZ) > 1e-10*math.Abs(wantLogZ) {
			t.Errorf("%v: log Z %.15g, rbmexact %.15g", shape, logZ, wantLogZ)
		}
		for _, b := range []struct {
			name      string
			got, want []float64
		}{{"W", got.W, want.W}, {"b", got.Visible[0], want.B}, {"c", got.Hidden[0], want.C}} {
			for i := range b.want {
				if math.Abs(b.got[i]-b.want[i]) > 1e-10 {
					t.Errorf("%v: %s[%d]: %.15g, rbmexact %.15g", shape, b.name, i, b.got[i], b.want[i])
				}
			}
		}
	}
}
