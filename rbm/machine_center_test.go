package rbm

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm/layer"
)

// machineParams returns copies of m's weights and layer parameters, in
// the order W, then each layer's Params.
func machineParams(m *Machine) [][]float64 {
	out := [][]float64{slices.Clone(m.W)}
	for _, l := range []layer.Layer{m.Visible, m.Hidden} {
		for _, p := range l.Params() {
			out = append(out, slices.Clone(p.Values))
		}
	}
	return out
}

// TestCenteredMachineMatchesRBM checks that centered training of a machine
// of two binary layers takes the binary RBM's centered steps: both
// steppers start from one model and offsets, and the machine's is fed the
// data and negative-phase rows the binary stepper drew, step after step,
// for plain SGD, momentum and Adam. The binary stepper works in float32,
// so the parameters agree to float32 rounding, not bit for bit.
func TestCenteredMachineMatchesRBM(t *testing.T) {
	const nv, nh, rows, batch = 9, 5, 60, 20
	rng := rand.New(rand.NewPCG(5, 6))
	data := NewMatrix(rows, nv)
	for i := range data.Data {
		if rng.Float64() < 0.3+0.4*float64(i%nv)/nv {
			data.Data[i] = 1
		}
	}
	for name, c := range map[string]struct {
		cfg      Config
		lr, mom  float64
		tol      float64
		worstOut *float64
	}{
		"sgd":      {Config{Centered: true, Persistent: true, OffsetRate: 0.3, Workers: 1}, 0.5, 0, 2e-5, nil},
		"momentum": {Config{Centered: true, OffsetRate: 0.2, Workers: 1, K: 2}, 0.3, 0.7, 2e-5, nil},
		"adam":     {Config{Centered: true, Persistent: true, OffsetRate: 0.3, Workers: 1, Optimizer: Adam}, 0.02, 0, 1e-4, nil},
	} {
		r := randomRBM(nv, nh, 0.5, 9)
		// Zero hidden biases: both trainers then start λ at ½.
		clear(r.C)
		m := AsMachine(r)
		bs := newTestStepper(t, r, c.cfg, data, batch)
		cfg, _ := c.cfg.withDefaults()
		ms := newMachineStepper(m, cfg, batch)
		ms.center = newMachineCentering(m, data, cfg.OffsetRate)
		for i := range ms.center.mu {
			if math.Abs(ms.center.mu[i]-bs.center.mu[i]) > 1e-12 {
				t.Fatalf("%s: μ[%d] starts at %v, the binary trainer's at %v", name, i, ms.center.mu[i], bs.center.mu[i])
			}
		}
		for j, l := range ms.center.lambda {
			if l != 0.5 {
				t.Fatalf("%s: λ[%d] starts at %v, want ½", name, j, l)
			}
		}
		var worst float64
		for step := range 12 {
			idx := make([]int32, batch)
			for k := range idx {
				idx[k] = int32((step*batch + k*7) % rows)
			}
			bs.load(data, idx)
			if _, ok := bs.step(c.lr, c.mom); !ok {
				t.Fatalf("%s: binary step %d failed", name, step)
			}
			v0 := toDense(bs.vStack.Slice(0, batch))
			vk := toDense(bs.vStack.Slice(batch, 2*batch))
			if !ms.update(v0, vk, c.lr, c.mom) {
				t.Fatalf("%s: machine step %d failed", name, step)
			}
			for _, blk := range []struct {
				name string
				want []float32
				got  []float64
			}{{"W", r.W, m.W}, {"b", r.B, m.Visible.(*layer.Binary).Bias}, {"c", r.C, m.Hidden.(*layer.Binary).Bias}} {
				for i, w := range blk.want {
					d := math.Abs(blk.got[i]-float64(w)) / math.Max(1, math.Abs(float64(w)))
					worst = max(worst, d)
					if d > c.tol {
						t.Fatalf("%s: step %d: %s[%d] = %.9f, the binary trainer's %.9f", name, step+1, blk.name, i, blk.got[i], w)
					}
				}
			}
			for j := range ms.center.lambda {
				if d := math.Abs(ms.center.lambda[j] - bs.center.lambda[j]); d > 1e-6 {
					t.Fatalf("%s: step %d: λ[%d] = %v, the binary trainer's %v", name, step+1, j, ms.center.lambda[j], bs.center.lambda[j])
				}
			}
		}
		t.Logf("%s: largest relative difference from the binary trainer after 12 steps: %.2g", name, worst)
		bs.pool.Close()
	}
}

// TestCenteredMachineZeroOffsets checks, for every pair of unit types,
// that a centered step with offsets μ = 0 and λ = 0 is the plain step:
// the centered parameterisation is then the stored one.
func TestCenteredMachineZeroOffsets(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, vk := range layer.Names() {
		for _, hk := range layer.Names() {
			m := randomMachine(t, rng, vk, 3, hk, 2, 0.5)
			c := m.Clone()
			const n = 6
			v0, neg := mat.NewDense(n, m.Visible.Width(), nil), mat.NewDense(n, m.Visible.Width(), nil)
			zero := make([]float64, m.Visible.Width())
			for r := range n {
				m.Visible.Sample(v0.RawRowView(r), zero, rng)
				m.Visible.Sample(neg.RawRowView(r), zero, rng)
			}
			cfg, _ := Config{LearningRate: 0.05, Momentum: 0.5}.withDefaults()
			plain := newMachineStepper(m, cfg, n)
			centered := newMachineStepper(c, cfg, n)
			centered.center = newMachineCentering(c, &Matrix{Rows: 1, Cols: m.Visible.Width(), Data: make([]float32, m.Visible.Width())}, cfg.OffsetRate)
			clear(centered.center.lambda)
			clear(centered.center.mu)
			centered.center.rate = 1e-300 // keep the offsets at 0 in effect
			for range 3 {
				if !plain.update(v0, neg, 0.05, 0.5) || !centered.update(v0, neg, 0.05, 0.5) {
					t.Fatalf("%s×%s: a step failed", vk, hk)
				}
			}
			a, b := machineParams(m), machineParams(c)
			for k := range a {
				for i := range a[k] {
					if d := math.Abs(a[k][i] - b[k][i]); d > 1e-12*math.Max(1, math.Abs(a[k][i])) {
						t.Fatalf("%s×%s: parameter %d[%d] is %v centered at zero offsets, %v plain", vk, hk, k, i, b[k][i], a[k][i])
					}
				}
			}
		}
	}
}

// TestCenteredTrainMachineIsDeterministic trains centered machines of
// real-valued and Potts units twice with one seed, and once with another,
// and compares every parameter bit for bit.
func TestCenteredTrainMachineIsDeterministic(t *testing.T) {
	for _, kinds := range [][2]string{{"gaussian", "binary"}, {"potts", "relu"}} {
		teacher := randomMachine(t, rand.New(rand.NewPCG(3, 3)), kinds[0], 4, "binary", 2, 1)
		states, _, err := teacher.Sample(context.Background(), 80, 10, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		data := NewMatrix(80, teacher.Visible.Width())
		for i, x := range states.RawMatrix().Data {
			data.Data[i] = float32(x)
		}
		train := func(seed uint64) [][]float64 {
			m := randomMachine(t, rand.New(rand.NewPCG(4, 4)), kinds[0], 4, kinds[1], 3, 0.1)
			tr := &Trainer{Config: Config{Epochs: 3, BatchSize: 20, Persistent: true, Centered: true, OffsetRate: 0.1,
				Optimizer: Adam, LearningRate: 0.01, Seed: seed}, MonitorRows: -1}
			if _, err := tr.TrainMachine(context.Background(), m, data); err != nil {
				t.Fatal(err)
			}
			return machineParams(m)
		}
		same := func(x, y [][]float64) bool {
			for k := range x {
				for i := range x[k] {
					if math.Float64bits(x[k][i]) != math.Float64bits(y[k][i]) {
						return false
					}
				}
			}
			return true
		}
		a, b, c := train(1), train(1), train(2)
		if !same(a, b) {
			t.Errorf("%s×%s: one seed gave two machines", kinds[0], kinds[1])
		}
		if same(a, c) {
			t.Errorf("%s×%s: two seeds gave one machine", kinds[0], kinds[1])
		}
	}
}

// TestCenteredMachineLikelihood trains Potts×binary and Gaussian×binary
// machines by PCD on data drawn from a teacher of the same types, plain
// and centered from one start with one seed, and compares the exact mean
// log-likelihoods of the training rows (log Z by enumerating the binary
// hidden layer; densities for the Gaussian rows): centering must do at
// least as well. The numbers are in the test's log (go test -v).
func TestCenteredMachineLikelihood(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		visible      string
		teacherSeed  uint64
		scale        float64
		epochs       int
		trainingSeed uint64
	}{
		{"potts", 21, 1.5, 30, 3},
		{"gaussian", 1, 1.5, 20, 1},
		{"gaussian", 2, 1.5, 20, 2},
		{"gaussian", 4, 1.5, 20, 4},
	} {
		teacher := randomMachine(t, rand.New(rand.NewPCG(c.teacherSeed, 21)), c.visible, 5, "binary", 3, c.scale)
		if c.visible == "gaussian" {
			// Halved weights keep the teacher's rows of moderate size.
			for i := range teacher.W {
				teacher.W[i] /= 2
			}
		}
		const rows = 400
		states, _, err := teacher.Sample(ctx, rows, 100, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		data := NewMatrix(rows, teacher.Visible.Width())
		table := make([][]float64, rows)
		for r := range rows {
			table[r] = states.RawRowView(r)
			for i, x := range table[r] {
				data.Data[r*data.Cols+i] = float32(x)
			}
		}
		teacherLL, _, err := teacher.LogLikelihood(ctx, table, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		train := func(centered bool) float64 {
			v, _ := layer.New(c.visible, 5, layer.Settings{States: 3})
			h, _ := layer.New("binary", 4, layer.Settings{})
			m := NewMachine(v, h)
			if err := m.Init(data, c.trainingSeed); err != nil {
				t.Fatal(err)
			}
			tr := &Trainer{Config: Config{Epochs: c.epochs, BatchSize: 20, Persistent: true, LearningRate: 0.05,
				Momentum: 0.5, FinalMomentum: 0.5, LRSchedule: "linear", Centered: centered, Seed: c.trainingSeed}, MonitorRows: -1}
			if _, err := tr.TrainMachine(ctx, m, data); err != nil {
				t.Fatal(err)
			}
			ll, _, err := m.LogLikelihood(ctx, table, exact.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return ll
		}
		plain, centered := train(false), train(true)
		t.Logf("%s×binary, teacher seed %d: mean log-likelihood of the %d training rows: teacher %.4f, plain PCD %.4f, centered PCD %.4f",
			c.visible, c.teacherSeed, rows, teacherLL, plain, centered)
		if !(centered >= plain) {
			t.Errorf("%s×binary, teacher seed %d: centered PCD reached %.4f nats per row, plain %.4f", c.visible, c.teacherSeed, centered, plain)
		}
	}
}

// TestCenteredMachineGradient checks the centered gradient of every pair
// of unit types, at offsets away from zero, against central finite
// differences in the centered parameterisation. Taken between two sets of
// rows D and S in place of the data and the model, the gradient of the
// log-likelihood is that of Σ_S F̃(v) - Σ_D F̃(v), F̃ being the free energy
// of the centered machine: log Z drops out, and so does the constant μᵀWλ
// by which F̃ differs from the stored machine's free energy. The stepper's
// statistics, accumulated over D minus over S, must be its derivatives
// with respect to W and the centered layer parameters θ̃, the stored
// machine being θ̃ shifted back by -Wλ and -Wᵀμ.
func TestCenteredMachineGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, vk := range layer.Names() {
		for _, hk := range layer.Names() {
			m := randomMachine(t, rng, vk, 3, hk, 2, 0.5)
			const n = 4
			d, sm := mat.NewDense(n, m.Visible.Width(), nil), mat.NewDense(n, m.Visible.Width(), nil)
			zero := make([]float64, m.Visible.Width())
			for r := range n {
				m.Visible.Sample(d.RawRowView(r), zero, rng)
				m.Visible.Sample(sm.RawRowView(r), zero, rng)
			}
			cfg, _ := Config{}.withDefaults()
			s := newMachineStepper(m, cfg, n)
			c := &machineCentering{
				mu: make([]float64, m.Visible.Width()), lambda: make([]float64, m.Hidden.Width()),
				shiftV: make([]float64, m.Visible.Width()), shiftH: make([]float64, m.Hidden.Width()),
			}
			for i := range c.mu {
				c.mu[i] = rng.Float64()
			}
			for j := range c.lambda {
				c.lambda[j] = rng.Float64()
			}
			s.center = c
			// The stepper's gradient, in the centered parameterisation.
			c.shift(m, 1)
			centered := m.Clone() // θ̃ and W
			s.accumulate(d, 1, nil)
			s.accumulate(sm, -1, nil)
			c.shift(m, -1)

			// phi is Σ_S F̃ - Σ_D F̃ at the centered parameters of p.
			phi := func(p *Machine) float64 {
				stored := p.Clone()
				c.shift(stored, -1)
				var f float64
				for r := range n {
					f += stored.FreeEnergy(sm.RawRowView(r)) - stored.FreeEnergy(d.RawRowView(r))
				}
				return f
			}
			// The trained vectors of the centered copy, in the stepper's
			// order: W, then each layer's parameters that are not fixed.
			vecs := [][]float64{centered.W}
			for _, l := range []layer.Layer{centered.Visible, centered.Hidden} {
				for _, p := range l.Params() {
					if !p.Fixed {
						vecs = append(vecs, p.Values)
					}
				}
			}
			if len(vecs) != len(s.grads) {
				t.Fatalf("%s×%s: %d trained vectors, %d gradients", vk, hk, len(vecs), len(s.grads))
			}
			const h = 1e-5
			for k, vec := range vecs {
				for i := range vec {
					old := vec[i]
					vec[i] = old + h
					up := phi(centered)
					vec[i] = old - h
					down := phi(centered)
					vec[i] = old
					want := (up - down) / (2 * h)
					if got := s.grads[k][i]; math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
						t.Errorf("%s×%s: centered gradient %d[%d] = %.9f, finite differences %.9f", vk, hk, k, i, got, want)
					}
				}
			}
		}
	}
}
