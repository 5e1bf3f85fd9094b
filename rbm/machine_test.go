package rbm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/rbm/layer"
)

// randomMachine returns a machine of the given unit types and sizes with
// parameters drawn at the given scale. Continuous layers get their scale
// parameters learned, so that the gradient checks cover them.
func randomMachine(t testing.TB, rng *rand.Rand, vKind string, nv int, hKind string, nh int, scale float64) *Machine {
	t.Helper()
	s := layer.Settings{States: 3, LearnScale: true}
	v, err := layer.New(vKind, nv, s)
	if err != nil {
		t.Fatal(err)
	}
	h, err := layer.New(hKind, nh, s)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMachine(v, h)
	for i := range m.W {
		m.W[i] = scale * rng.NormFloat64()
	}
	for _, l := range []layer.Layer{v, h} {
		for _, p := range l.Params() {
			for i := range p.Values {
				// Scale parameters (log σ, log γ) stay near 0 so that the
				// continuous models stay normalisable and well conditioned.
				p.Values[i] = 0.3 * scale * rng.NormFloat64()
			}
		}
	}
	shrinkGaussianPair(m)
	return m
}

// shrinkGaussianPair scales the weights of a machine of two Gaussian
// layers down, when they are too strong for it to have a joint density
// (gaussianCheck), until the largest singular value of
// diag(σ_v)·W·diag(σ_h) is 0.8; other machines are left alone.
func shrinkGaussianPair(m *Machine) {
	gv, ok1 := m.Visible.(*layer.Gaussian)
	gh, ok2 := m.Hidden.(*layer.Gaussian)
	if !ok1 || !ok2 {
		return
	}
	nv, nh := gv.Units(), gh.Units()
	a := make([]float64, nv*nh)
	for i := range nv {
		for j := range nh {
			a[i*nh+j] = math.Exp(gv.LogSigma[i]) * m.W[i*nh+j] * math.Exp(gh.LogSigma[j])
		}
	}
	if s := largestSingularValue(nv, nh, a); s > 0.8 {
		for i := range m.W {
			m.W[i] *= 0.8 / s
		}
	}
}

// TestMachineMatchesRBM checks that a machine of two binary layers gives
// the binary RBM's energy and free energy.
func TestMachineMatchesRBM(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	r := New(7, 5)
	for i := range r.W {
		r.W[i] = float32(rng.NormFloat64())
	}
	for i := range r.B {
		r.B[i] = float32(rng.NormFloat64())
	}
	for i := range r.C {
		r.C[i] = float32(rng.NormFloat64())
	}
	m := AsMachine(r)
	v32, h32 := make([]float32, 7), make([]float32, 5)
	v, h := make([]float64, 7), make([]float64, 5)
	for range 20 {
		for i := range v {
			v[i] = float64(rng.IntN(2))
			v32[i] = float32(v[i])
		}
		for j := range h {
			h[j] = float64(rng.IntN(2))
			h32[j] = float32(h[j])
		}
		if got, want := m.FreeEnergy(v), r.FreeEnergy(v32); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("F(v) = %.15g, RBM %.15g", got, want)
		}
		if got, want := m.Energy(v, h), r.Energy(v32, h32); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("E(v,h) = %.15g, RBM %.15g", got, want)
		}
		if got, want := m.HiddenFreeEnergy(h), r.Transpose().FreeEnergy(h32); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("F(h) = %.15g, RBM %.15g", got, want)
		}
	}
}

// TestMachineFreeEnergyByEnumeration sums exp(-E(v, h)) over every hidden
// state of discrete hidden layers and compares with exp(-F(v)).
func TestMachineFreeEnergyByEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, vk := range []string{"binary", "spin", "potts", "gaussian", "relu"} {
		for _, hk := range []string{"binary", "spin", "potts"} {
			if !registered(vk) || !registered(hk) {
				t.Fatalf("unit types %s/%s not registered", vk, hk)
			}
			m := randomMachine(t, rng, vk, 3, hk, 3, 1)
			v := make([]float64, m.Visible.Width())
			m.Visible.Sample(v, make([]float64, len(v)), rng)
			hd := m.Hidden.(layer.Discrete)
			var terms []float64
			forEachState(hd, func(h []float64) { terms = append(terms, -m.Energy(v, h)) })
			if got, want := -m.FreeEnergy(v), logSumExp(terms); math.Abs(got-want) > 1e-10*math.Max(1, math.Abs(want)) {
				t.Errorf("%s×%s: -F(v) = %.15g, enumeration %.15g", vk, hk, got, want)
			}
		}
	}
}

// TestMachineDataGradient compares the positive phase of a training step
// — the statistics accumulate adds for each parameter — with the finite
// differences of the mean free energy, -∂⟨F(v)⟩/∂θ, for every pair of
// unit types.
func TestMachineDataGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, vk := range layer.Names() {
		for _, hk := range layer.Names() {
			m := randomMachine(t, rng, vk, 3, hk, 2, 0.5)
			const n = 4
			data := mat.NewDense(n, m.Visible.Width(), nil)
			for r := range n {
				m.Visible.Sample(data.RawRowView(r), make([]float64, m.Visible.Width()), rng)
			}
			s := newMachineStepper(m, Config{}, n)
			s.accumulate(data, 1, nil)
			for k, p := range s.params {
				for i := range p {
					old := p[i]
					const h = 1e-5
					p[i] = old + h
					fp := m.meanFreeEnergy(nil, data)
					p[i] = old - h
					fm := m.meanFreeEnergy(nil, data)
					p[i] = old
					want := -(fp - fm) / (2 * h)
					if got := s.grads[k][i] / n; math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
						t.Errorf("%s×%s: parameter vector %d [%d]: statistics %.9g, -∂F/∂θ %.9g", vk, hk, k, i, got, want)
					}
				}
			}
		}
	}
}

// TestTrainMachineIsDeterministic trains twice with one seed (and once with
// another) and compares the parameters bit for bit.
func TestTrainMachineIsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, persistent := range []bool{false, true} {
		data := NewMatrix(50, 6)
		for i := range data.Data {
			data.Data[i] = float32(rng.IntN(2))
		}
		train := func(seed uint64, workers ...int) *Machine {
			m := NewMachine(layer.NewBinary(make([]float64, 6)), layer.NewBinary(make([]float64, 4)))
			r := rand.New(rand.NewPCG(seed, 9))
			for i := range m.W {
				m.W[i] = 0.01 * r.NormFloat64()
			}
			tr := &Trainer{Config: Config{Epochs: 3, BatchSize: 10, K: 2, Persistent: persistent, Seed: seed}}
			if len(workers) > 0 {
				tr.Workers = workers[0]
			}
			if _, err := tr.TrainMachine(context.Background(), m, data); err != nil {
				t.Fatal(err)
			}
			return m
		}
		a, b, c := train(1), train(1), train(2)
		same := func(x, y *Machine) bool {
			for i := range x.W {
				if math.Float64bits(x.W[i]) != math.Float64bits(y.W[i]) {
					return false
				}
			}
			return true
		}
		if !same(a, b) {
			t.Errorf("persistent=%v: one seed gave two machines", persistent)
		}
		if same(a, c) {
			t.Errorf("persistent=%v: two seeds gave one machine", persistent)
		}
		if !same(train(1, 1), train(1, 3)) {
			t.Errorf("persistent=%v: one and three workers gave two machines", persistent)
		}
	}
}

// TestTrainMachineValidationWithoutMonitoring trains with held-out data
// and monitoring off (MonitorRows < 0, rbm train --monitor 0 --val), which
// used to size the held-out subset from the negative row count and panic:
// the held-out figures are skipped like the training ones.
func TestTrainMachineValidationWithoutMonitoring(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	data, val := NewMatrix(40, 6), NewMatrix(10, 6)
	for _, d := range []*Matrix{data, val} {
		for i := range d.Data {
			d.Data[i] = float32(rng.IntN(2))
		}
	}
	for _, monitor := range []int{-1, 0, 5} {
		m := NewMachine(layer.NewGaussian(make([]float64, 6), make([]float64, 6), false), layer.NewBinary(make([]float64, 3)))
		tr := &Trainer{Config: Config{Epochs: 2, BatchSize: 10, Optimizer: Adam, LearningRate: 0.01}, Validation: val, MonitorRows: monitor}
		stats, err := tr.TrainMachine(context.Background(), m, data)
		if err != nil {
			t.Fatalf("MonitorRows %d: %v", monitor, err)
		}
		if got, want := stats[1].FreeEnergyVal != nil, monitor >= 0; got != want {
			t.Errorf("MonitorRows %d: held-out free energy reported: %v, want %v", monitor, got, want)
		}
	}
}

func TestTrainMachineRefusals(t *testing.T) {
	m := NewMachine(layer.NewBinary(make([]float64, 2)), layer.NewBinary(make([]float64, 2)))
	ctx := context.Background()
	good := &Matrix{Rows: 1, Cols: 2, Data: []float32{0, 1}}
	for name, c := range map[string]struct {
		cfg  Config
		data Data
	}{
		"sparsity":   {Config{SparsityTarget: 0.1}, good},
		"columns":    {Config{}, &Matrix{Rows: 1, Cols: 3, Data: []float32{0, 1, 0}}},
		"no rows":    {Config{}, &Matrix{Rows: 0, Cols: 2}},
		"not binary": {Config{}, &Matrix{Rows: 1, Cols: 2, Data: []float32{0, 7}}},
		"bad config": {Config{LearningRate: -1}, good},
		"nil data":   {Config{}, nil},
	} {
		if _, err := (&Trainer{Config: c.cfg}).TrainMachine(ctx, m, c.data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func registered(kind string) bool {
	for _, n := range layer.Names() {
		if n == kind {
			return true
		}
	}
	return false
}

// forEachState calls f with every state of a discrete layer.
func forEachState(l layer.Discrete, f func(x []float64)) {
	n, q := l.Units(), l.States()
	s := make([]int, n)
	x := make([]float64, l.Width())
	for {
		l.SetState(x, s)
		f(x)
		i := 0
		for ; i < n; i++ {
			if s[i]++; s[i] < q {
				break
			}
			s[i] = 0
		}
		if i == n {
			return
		}
	}
}

// TestMachineInitMatchesRBM checks that a binary machine starts where the
// binary RBM does: the same weights and visible biases.
func TestMachineInitMatchesRBM(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	data := NewMatrix(30, 5)
	for i := range data.Data {
		data.Data[i] = float32(rng.IntN(2))
	}
	r := New(5, 3)
	r.Init(data, 42)
	m := NewMachine(layer.NewBinary(make([]float64, 5)), layer.NewBinary(make([]float64, 3)))
	if err := m.Init(data, 42); err != nil {
		t.Fatal(err)
	}
	for i, w := range r.W {
		if float32(m.W[i]) != w {
			t.Fatalf("W[%d] = %v, RBM %v", i, m.W[i], w)
		}
	}
	for i, b := range r.B {
		if math.Abs(m.Visible.Params()[0].Values[i]-float64(b)) > 1e-6 {
			t.Fatalf("b[%d] = %v, RBM %v", i, m.Visible.Params()[0].Values[i], b)
		}
	}
	if err := m.Init(NewMatrix(2, 4), 1); err == nil {
		t.Error("Init accepted data of the wrong width")
	}
}

// TestMachineStepAllocatesNothing checks that a training step of a
// machine allocates nothing once its buffers have grown, on one worker
// and on two, for CD and for centered PCD: the batch views, W's matrix
// and the layers' parameters are made once. Gaussian units whose σ is
// learned are left out: they replace their cache of σ and its powers
// (six slices) whenever log σ has changed, which is every step, so that a
// reader never sees a cache half rebuilt.
func TestMachineStepAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	data := NewMatrix(120, 12)
	for i := range data.Data {
		data.Data[i] = float32(rng.IntN(2))
	}
	potts, err := layer.NewPotts(3, make([]float64, 12))
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]*Machine{
		"gaussian×binary": NewMachine(layer.NewGaussian(make([]float64, 12), make([]float64, 12), false), layer.NewBinary(make([]float64, 5))),
		"binary×relu":     NewMachine(layer.NewBinary(make([]float64, 12)), layer.NewReLU(make([]float64, 5), make([]float64, 5), true)),
		"spin×potts":      NewMachine(layer.NewSpin(make([]float64, 12)), potts),
	} {
		if err := m.Init(data, 1); err != nil {
			t.Fatal(err)
		}
		for _, cfg := range []Config{
			{K: 1, LearningRate: 0.01},
			{K: 1, LearningRate: 0.01, Momentum: 0.5, Centered: true, OffsetRate: 0.01, Persistent: true, Optimizer: Adam, AdamBeta1: 0.9, AdamBeta2: 0.999, AdamEpsilon: 1e-8},
		} {
			for _, workers := range []int{1, 2} {
				cfg.Workers = workers
				s := newMachineStepper(m, cfg, 40)
				idx := make([]int32, 40)
				for r := range idx {
					idx[r] = int32(r)
				}
				if cfg.Centered {
					s.center = newMachineCentering(m, data, cfg.OffsetRate)
					s.center.pool = s.pool
				}
				if cfg.Persistent {
					data.Gather(s.gather, idx)
					s.chain = toDense(s.gather)
				}
				s.step(data, idx, cfg.LearningRate, cfg.Momentum)
				if a := testing.AllocsPerRun(10, func() { s.step(data, idx, cfg.LearningRate, cfg.Momentum) }); a != 0 {
					t.Errorf("%s, centered %v, %d workers: %v allocations per step", name, cfg.Centered, workers, a)
				}
				s.pool.Close()
			}
		}
	}
}

// BenchmarkMachineStep times one CD-1 step with Adam of a Gaussian (σ
// learned) × binary machine on batches of 100 random rows, at 784×64 and
// 784×500.
func BenchmarkMachineStep(b *testing.B) {
	benchMachineStep(b, Config{K: 1, LearningRate: 0.001, Optimizer: Adam, AdamBeta1: 0.9, AdamBeta2: 0.999, AdamEpsilon: 1e-8})
}

// BenchmarkMachineStepCentered times one step of the density recipe
// (centered persistent CD-1, momentum SGD) on the same machines as
// BenchmarkMachineStep: the centered step adds the offsets' products and
// sums to it.
func BenchmarkMachineStepCentered(b *testing.B) {
	benchMachineStep(b, Config{K: 1, LearningRate: 0.001, Momentum: 0.5, Centered: true, OffsetRate: 0.01, Persistent: true})
}

// benchMachineStep times the steps of cfg on a Gaussian (σ learned) ×
// binary machine, batches of 100 of 1,000 random rows, at 784×64 and
// 784×500; persistent chains start at the first batch.
func benchMachineStep(b *testing.B, cfg Config) {
	rng := rand.New(rand.NewPCG(1, 1))
	data := NewMatrix(1000, 784)
	for i := range data.Data {
		data.Data[i] = float32(rng.Float64())
	}
	for _, hidden := range []int{64, 500} {
		b.Run(fmt.Sprintf("hidden=%d", hidden), func(b *testing.B) {
			m := NewMachine(layer.NewGaussian(make([]float64, 784), make([]float64, 784), true), layer.NewBinary(make([]float64, hidden)))
			if err := m.Init(data, 1); err != nil {
				b.Fatal(err)
			}
			s := newMachineStepper(m, cfg, 100)
			defer s.pool.Close()
			idx := make([]int32, 100)
			if cfg.Centered {
				s.center = newMachineCentering(m, data, cfg.OffsetRate)
				s.center.pool = s.pool
			}
			if cfg.Persistent {
				for r := range idx {
					idx[r] = int32(r)
				}
				data.Gather(s.gather, idx)
				s.chain = toDense(s.gather)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				for r := range idx {
					idx[r] = int32((i*100 + r) % 1000)
				}
				s.step(data, idx, cfg.LearningRate, cfg.Momentum)
			}
		})
	}
}

// TestMachineInputsMatchPlainLoops checks HiddenInput and VisibleInput,
// and their column and row splits, against the plain loops written out
// here, bit for bit: Wᵀv adds each unit's row (skipping units that are
// off) in order, Wh sums each row over h in order.
func TestMachineInputsMatchPlainLoops(t *testing.T) {
	if !kernel.RoundsSeparately() {
		// The loops here would be compiled with their own choice of
		// fused multiply-adds, and the machine's run as one-row loops.
		t.Skip("this build fuses multiply-adds")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range [][2]int{{1, 1}, {3, 5}, {7, 9}, {13, 4}, {37, 23}, {64, 17}} {
		vw, hw := size[0], size[1]
		m := NewMachine(layer.NewGaussian(make([]float64, vw), make([]float64, vw), false), layer.NewBinary(make([]float64, hw)))
		for i := range m.W {
			m.W[i] = rng.NormFloat64()
		}
		for _, density := range []float64{0, 0.1, 0.5, 1} {
			v, h := make([]float64, vw), make([]float64, hw)
			for i := range v {
				if rng.Float64() < density {
					v[i] = rng.NormFloat64()
				}
			}
			for j := range h {
				h[j] = rng.NormFloat64()
			}
			wantH, wantV := make([]float64, hw), make([]float64, vw)
			for i, vi := range v {
				if vi == 0 {
					continue
				}
				for j := range hw {
					wantH[j] += vi * m.W[i*hw+j]
				}
			}
			for i := range vw {
				var s float64
				for j, hj := range h {
					s += m.W[i*hw+j] * hj
				}
				wantV[i] = s
			}
			gotH, gotV := make([]float64, hw), make([]float64, vw)
			m.HiddenInput(gotH, v)
			m.VisibleInput(gotV, h)
			loopH, loopV := make([]float64, hw), make([]float64, vw)
			m.hiddenInputColsLoop(loopH, v, 0, hw)
			m.visibleInputRowsLoop(loopV, h, 0, vw)
			if _, ok := sameBits(loopH, wantH); !ok {
				t.Fatalf("%d×%d, density %v: the one-row loop's Wᵀv differs from the plain loop's", vw, hw, density)
			}
			if _, ok := sameBits(loopV, wantV); !ok {
				t.Fatalf("%d×%d: the one-row loop's Wh differs from the plain loop's", vw, hw)
			}
			splitH, splitV := make([]float64, hw), make([]float64, vw)
			for lo := 0; lo < hw; lo += 3 {
				m.hiddenInputCols(splitH, v, lo, min(lo+3, hw))
			}
			for lo := 0; lo < vw; lo += 5 {
				m.visibleInputRows(splitV, h, lo, min(lo+5, vw))
			}
			for j := range hw {
				if math.Float64bits(gotH[j]) != math.Float64bits(wantH[j]) || math.Float64bits(splitH[j]) != math.Float64bits(wantH[j]) {
					t.Fatalf("%d×%d, density %v: Wᵀv[%d] = %v (split %v), want %v", vw, hw, density, j, gotH[j], splitH[j], wantH[j])
				}
			}
			for i := range vw {
				if math.Float64bits(gotV[i]) != math.Float64bits(wantV[i]) || math.Float64bits(splitV[i]) != math.Float64bits(wantV[i]) {
					t.Fatalf("%d×%d: Wh[%d] = %v (split %v), want %v", vw, hw, i, gotV[i], splitV[i], wantV[i])
				}
			}
		}
	}
}
