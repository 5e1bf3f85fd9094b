package rbm

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
)

// TestMeanPseudoLogLikelihoodMatchesEnumeration checks the mean exact
// pseudo-log-likelihood of a tiny RBM against Σᵢ log p(vᵢ | v₋ᵢ) computed
// from the brute-force free energies, and that it does not depend on the
// number of workers.
func TestMeanPseudoLogLikelihoodMatchesEnumeration(t *testing.T) {
	m := randomRBM(5, 3, 1.5, 21)
	for i := range m.B {
		m.B[i] = float32(i)*0.4 - 0.8
	}
	for j := range m.C {
		m.C[j] = 0.3 - float32(j)*0.5
	}
	const rows = 13
	v := NewMatrix(rows, m.Visible)
	for r := range rows {
		copy(v.Row(r), bits(r*7%32, m.Visible))
	}
	var want float64
	for r := range rows {
		x := v.Row(r)
		f := bruteFreeEnergy(m, x)
		for i := range x {
			y := slices.Clone(x)
			y[i] = 1 - y[i]
			// log p(xᵢ | x₋ᵢ) = -F(x) - log(e^{-F(x)} + e^{-F(y)})
			want += -f - logSumExp([]float64{-f, -bruteFreeEnergy(m, y)})
		}
	}
	want /= rows
	for _, workers := range []int{1, 2, 5} {
		got, err := m.MeanPseudoLogLikelihood(context.Background(), v, workers)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("workers %d: mean pseudo-LL %v, enumeration %v", workers, got, want)
		}
		if workers == 1 {
			continue
		}
		one, _ := m.MeanPseudoLogLikelihood(context.Background(), v, 1)
		if got != one {
			t.Errorf("workers %d: %v differs from one worker's %v", workers, got, one)
		}
	}
}

func TestMeanPseudoLogLikelihoodEdges(t *testing.T) {
	m := randomRBM(4, 2, 1, 3)
	if got, err := m.MeanPseudoLogLikelihood(context.Background(), NewMatrix(0, 4), 0); got != 0 || err != nil {
		t.Errorf("no rows: %v, %v; want 0, nil", got, err)
	}
	if _, err := m.MeanPseudoLogLikelihood(context.Background(), NewMatrix(2, 3), 0); err == nil {
		t.Error("wrong width accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.MeanPseudoLogLikelihood(ctx, NewMatrix(3, 4), 1); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v, want context.Canceled", err)
	}
}

// TestBaseRateStates checks the unit frequencies against σ(bᵢ), that every
// value is 0 or 1 (whatever v held before), and that a seed fixes the
// states.
func TestBaseRateStates(t *testing.T) {
	m := New(4, 2)
	copy(m.B, []float32{-2, 0, 1.5, 4})
	const n = 40000
	v := NewMatrix(n, 4)
	for i := range v.Data {
		v.Data[i] = 0.5
	}
	m.BaseRateStates(v, 9)
	for i, b := range m.B {
		var ones float64
		for r := range n {
			switch v.Row(r)[i] {
			case 1:
				ones++
			case 0:
			default:
				t.Fatalf("row %d unit %d: %v is not 0 or 1", r, i, v.Row(r)[i])
			}
		}
		p := 1 / (1 + math.Exp(-float64(b)))
		if se := math.Sqrt(p * (1 - p) / n); math.Abs(ones/n-p) > 5*se {
			t.Errorf("unit %d: frequency %.4f, σ(b) = %.4f", i, ones/n, p)
		}
	}
	w := NewMatrix(n, 4)
	m.BaseRateStates(w, 9)
	if !slices.Equal(v.Data, w.Data) {
		t.Error("the same seed drew different states")
	}
	m.BaseRateStates(w, 10)
	if slices.Equal(v.Data, w.Data) {
		t.Error("different seeds drew the same states")
	}
}
