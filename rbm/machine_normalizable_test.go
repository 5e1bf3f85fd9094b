package rbm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm/layer"
)

// TestGaussianPairNormalizable checks the joint-density test of two
// Gaussian layers on machines of two visible units and one hidden unit,
// where diag(σ_v)·W·diag(σ_h) is a column whose one singular value is
// σ_h·‖σ_v∘w‖, against the free energy itself: along the direction
// u = σ_v²∘w the free energy is a quadratic in t whose leading
// coefficient, uᵀD_v u - σ_h²(wᵀu)², is negative exactly when the model
// has no density, so F(t·u) falls without bound as t grows.
func TestGaussianPairNormalizable(t *testing.T) {
	for _, c := range []struct {
		sv     [2]float64
		sh     float64
		w      [2]float64
		normal bool
	}{
		{[2]float64{1, 1}, 1, [2]float64{0.6, 0.7}, true},   // 0.922
		{[2]float64{1, 1}, 1, [2]float64{0.8, 0.7}, false},  // 1.063
		{[2]float64{2, 1}, 1, [2]float64{0.3, 0.5}, true},   // 0.781
		{[2]float64{2, 1}, 1, [2]float64{0.45, 0.5}, false}, // 1.030
		{[2]float64{1, 1}, 0.5, [2]float64{1.5, 0.9}, true}, // 0.875
		{[2]float64{1, 1}, 3, [2]float64{-0.2, 0.3}, false}, // 1.082
	} {
		m := NewMachine(
			layer.NewGaussian([]float64{0.1, -0.2}, []float64{math.Log(c.sv[0]), math.Log(c.sv[1])}, false),
			layer.NewGaussian([]float64{0.3}, []float64{math.Log(c.sh)}, false))
		copy(m.W, c.w[:])
		s := c.sh * math.Hypot(c.sv[0]*c.w[0], c.sv[1]*c.w[1])
		normal := s < 1
		if normal != c.normal {
			t.Fatalf("case %+v: singular value %v; the table is wrong", c, s)
		}
		err := m.Validate()
		if (err == nil) != normal {
			t.Errorf("σ_v %v σ_h %v W %v (singular value %.4f): Validate says %v", c.sv, c.sh, c.w, s, err)
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("%.6g", s)) {
			t.Errorf("the error does not give the singular value %.6g: %v", s, err)
		}
		// The free energy along u, far out: falling iff no density.
		u := []float64{c.sv[0] * c.sv[0] * c.w[0], c.sv[1] * c.sv[1] * c.w[1]}
		at := func(t float64) float64 { return m.FreeEnergy([]float64{t * u[0], t * u[1]}) }
		falls := at(2e3) < at(1e3)
		if falls == normal {
			t.Errorf("σ_v %v σ_h %v W %v: F(1000u) = %v, F(2000u) = %v, yet singular value %.4f", c.sv, c.sh, c.w, at(1e3), at(2e3), s)
		}
	}
}

// TestTrainingKeepsGaussianPairNormalizable trains a machine of two
// Gaussian layers with a step far too large: training must stop with
// ErrDiverged, saying why, and leave a machine that still has a density
// (the step that would have crossed the line refused and undone).
func TestTrainingKeepsGaussianPairNormalizable(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const rows, nv, nh = 200, 4, 2
	data := NewMatrix(rows, nv)
	for r := range rows {
		z := rng.NormFloat64()
		for i := range nv {
			data.Data[r*nv+i] = float32(z + 0.1*rng.NormFloat64())
		}
	}
	m := NewMachine(layer.NewGaussian(make([]float64, nv), make([]float64, nv), true), layer.NewGaussian(make([]float64, nh), make([]float64, nh), false))
	if err := m.Init(data, 3); err != nil {
		t.Fatal(err)
	}
	tr := &Trainer{Config: Config{Epochs: 50, BatchSize: 20, K: 1, LearningRate: 0.5, Optimizer: Momentum, Seed: 4, Workers: 1}, MonitorRows: -1}
	_, err := tr.TrainMachine(context.Background(), m, data)
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "no joint density") {
		t.Fatalf("training at learning rate 0.5 ended with %v, want the refusal of a step that loses the density", err)
	}
	if err := m.Validate(); err != nil {
		t.Errorf("the machine left after the refusal: %v", err)
	}
}
