package rbm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/rbm/layer"
)

// TestWeightL1Step checks the L1 penalty in both trainers: one SGD step
// (no momentum) from the same model, rows and seed, with WeightL1 = λ and
// with none, must differ in each weight by -lr·λ·sign(w) and not at all in
// the biases. The samples of a first step do not depend on the penalty, so
// the two steps see the same gradient; the difference is then exact up to
// the roundings of the two steps: a few in each, each at most half an ulp
// of the values involved (float32 for the binary trainer, float64 for the
// machine trainer), which the tolerance bounds by 8 ulps of the largest.
func TestWeightL1Step(t *testing.T) {
	const nv, nh, rows, lambda, lr = 9, 5, 20, 0.03, 0.5
	rng := rand.New(rand.NewPCG(3, 4))
	data := NewMatrix(rows, nv)
	for i := range data.Data {
		if rng.Float64() < 0.4 {
			data.Data[i] = 1
		}
	}
	idx := make([]int32, rows)
	for r := range idx {
		idx[r] = int32(r)
	}
	start := randomRBM(nv, nh, 0.5, 9)
	start.W[3] = 0 // a weight at zero takes no L1 step
	want := func(w float64) float64 {
		switch {
		case w > 0:
			return -lr * lambda
		case w < 0:
			return lr * lambda
		}
		return 0
	}

	t.Run("binary", func(t *testing.T) {
		after := make([]*RBM, 2)
		for k, l1 := range []float64{0, lambda} {
			m := start.Clone()
			s := newTestStepper(t, m, Config{K: 1, WeightDecay: 0.01, WeightL1: l1, Workers: 1}, data, rows)
			s.load(data, idx)
			if _, ok := s.step(lr, 0); !ok {
				t.Fatal("step refused")
			}
			after[k] = m
		}
		const ulp = 0x1p-24
		for i, w := range start.W {
			got := float64(after[1].W[i]) - float64(after[0].W[i])
			scale := math.Max(math.Abs(float64(after[0].W[i])), math.Abs(float64(w))) + lr*lambda
			if math.Abs(got-want(float64(w))) > 8*ulp*scale {
				t.Errorf("W[%d] = %v: L1 moved it by %v, want %v", i, w, got, want(float64(w)))
			}
		}
		for _, b := range [][2][]float32{{after[0].B, after[1].B}, {after[0].C, after[1].C}} {
			for i := range b[0] {
				if b[0][i] != b[1][i] {
					t.Errorf("a bias moved under the L1 penalty: %v, without it %v", b[1][i], b[0][i])
				}
			}
		}
	})

	t.Run("machine", func(t *testing.T) {
		after := make([]*Machine, 2)
		for k, l1 := range []float64{0, lambda} {
			m := AsMachine(start)
			cfg, err := Config{K: 1, WeightDecay: 0.01, WeightL1: l1, Workers: 1, Seed: 5}.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			s := newMachineStepper(m, cfg, rows)
			if !s.step(data, idx, lr, 0) {
				t.Fatal("step refused")
			}
			s.pool.Close()
			after[k] = m
		}
		const ulp = 0x1p-53
		w0 := AsMachine(start).W
		for i, w := range w0 {
			got := after[1].W[i] - after[0].W[i]
			scale := math.Max(math.Abs(after[0].W[i]), math.Abs(w)) + lr*lambda
			if math.Abs(got-want(w)) > 8*ulp*scale {
				t.Errorf("W[%d] = %v: L1 moved it by %v, want %v", i, w, got, want(w))
			}
		}
		for _, pair := range [][2]layer.Layer{{after[0].Visible, after[1].Visible}, {after[0].Hidden, after[1].Hidden}} {
			a, b := pair[0].(*layer.Binary).Bias, pair[1].(*layer.Binary).Bias
			for i := range a {
				if a[i] != b[i] {
					t.Errorf("a bias moved under the L1 penalty: %v, without it %v", b[i], a[i])
				}
			}
		}
	})
}

// TestWeightL1Refused checks that a negative or non-finite L1 penalty is a
// configuration error.
func TestWeightL1Refused(t *testing.T) {
	for _, l1 := range []float64{-0.1, math.NaN(), math.Inf(1)} {
		if err := (Config{WeightL1: l1}).Validate(); err == nil {
			t.Errorf("WeightL1 %v accepted", l1)
		}
	}
}
