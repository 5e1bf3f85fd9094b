package loglik

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/ais"
	"github.com/rbmkit/rbm/rbm/layer"
)

// newTestMachine returns a machine of the given visible type (Potts units
// with 3 states, continuous units with a learned scale) over nh binary
// hidden units, its parameters drawn at the given scale from a source
// seeded by seed.
func newTestMachine(t *testing.T, kind string, nv, nh int, scale float64, seed uint64) *rbm.Machine {
	t.Helper()
	v, err := layer.New(kind, nv, layer.Settings{States: 3, LearnScale: true})
	if err != nil {
		t.Fatal(err)
	}
	m := rbm.NewMachine(v, layer.NewBinary(make([]float64, nh)))
	rng := rand.New(rand.NewPCG(seed, 17))
	for i := range m.W {
		m.W[i] = scale * rng.NormFloat64()
	}
	for _, l := range []layer.Layer{m.Visible, m.Hidden} {
		for _, p := range l.Params() {
			for i := range p.Values {
				// Scale parameters (log σ) stay near 0, as in the rbm
				// package's tests, so that the model is well conditioned.
				p.Values[i] = 0.3 * scale * rng.NormFloat64()
			}
		}
	}
	return m
}

// exactMachineSamples draws n exact samples of m, whose hidden layer is
// binary and small: h from p(h) ∝ exp(-F(h)) by enumerating every hidden
// state, then v from p(v|h). It returns them with log Σ_h exp(-F(h)),
// which is log Z by a route other than Machine.LogZ's (that enumerates
// the same layer, but sums -F over visible states when they are fewer).
func exactMachineSamples(m *rbm.Machine, n int, seed uint64) (*mat.Dense, float64) {
	nh := m.Hidden.Width()
	states := 1 << nh
	negF := make([]float64, states)
	h := make([]float64, nh)
	for s := range states {
		for j := range h {
			h[j] = float64(s >> j & 1)
		}
		negF[s] = -m.HiddenFreeEnergy(h)
	}
	top := negF[0]
	for _, x := range negF {
		top = math.Max(top, x)
	}
	var sum float64
	for _, x := range negF {
		sum += math.Exp(x - top)
	}
	rng := rand.New(rand.NewPCG(seed, 23))
	data := mat.NewDense(n, m.Visible.Width(), nil)
	in := make([]float64, m.Visible.Width())
	for r := range n {
		u, s := rng.Float64()*sum, 0
		for acc := math.Exp(negF[0] - top); acc < u && s < states-1; acc += math.Exp(negF[s] - top) {
			s++
		}
		for j := range h {
			h[j] = float64(s >> j & 1)
		}
		m.VisibleInput(in, h)
		m.Visible.Sample(data.RawRowView(r), in, rng)
	}
	return data, top + math.Log(sum)
}

// rowsOf returns the rows of d as slices, the form Machine.LogLikelihood
// takes.
func rowsOf(d *mat.Dense) [][]float64 {
	n, _ := d.Dims()
	out := make([][]float64, n)
	for r := range out {
		out[r] = d.RawRowView(r)
	}
	return out
}

func toMatrix(d *mat.Dense) *rbm.Matrix {
	n, c := d.Dims()
	m := rbm.NewMatrix(n, c)
	for i, x := range d.RawMatrix().Data {
		m.Data[i] = float32(x)
	}
	return m
}

// sameMachine reports whether two machines have the same parameters bit
// for bit.
func sameMachine(a, b *rbm.Machine) bool {
	pa, pb := params(a), params(b)
	for k := range pa {
		for i := range pa[k] {
			if math.Float64bits(pa[k][i]) != math.Float64bits(pb[k][i]) {
				return false
			}
		}
	}
	return true
}

func params(m *rbm.Machine) [][]float64 {
	ps := [][]float64{m.W}
	for _, l := range []layer.Layer{m.Visible, m.Hidden} {
		for _, p := range l.Params() {
			ps = append(ps, p.Values)
		}
	}
	return ps
}

// TestTrainMachineHeldOutExact trains small machines (Gaussian with a
// learned σ, and Potts, over 4 binary hidden units) with the exact
// estimate as TrainMachine's held-out evaluation and checks that:
// the evaluated epochs are every second and the last; each estimate is
// Machine.LogLikelihood of that epoch's parameters on the held-out rows
// (to 1e-9); evaluating, exactly or by AIS, leaves training unchanged bit
// for bit; and KeepBest leaves the machine at the parameters of the best
// evaluated epoch, whose exact log-likelihood is the best estimate.
func TestTrainMachineHeldOutExact(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []string{"gaussian", "potts"} {
		t.Run(kind, func(t *testing.T) {
			teacher := newTestMachine(t, kind, 5, 4, 1, 1)
			trainRows, _ := exactMachineSamples(teacher, 80, 2)
			valRows, _ := exactMachineSamples(teacher, 30, 3)
			train := toMatrix(trainRows)
			newStudent := func() *rbm.Machine {
				m := newTestMachine(t, kind, 5, 4, 0, 0)
				if err := m.Init(train, 4); err != nil {
					t.Fatal(err)
				}
				return m
			}
			base := newStudent().Visible.Clone()
			cfg := rbm.Config{Epochs: 5, BatchSize: 10, Optimizer: rbm.Adam, LearningRate: 0.03, Persistent: true, Seed: 5}

			// run trains a fresh student with the given evaluation and
			// returns it, its statistics and each epoch's parameters.
			run := func(opt *Options, keepBest bool) (*rbm.Machine, []rbm.EpochStats, []*rbm.Machine) {
				m := newStudent()
				var snapshots []*rbm.Machine
				tr := &rbm.Trainer{Config: cfg, MonitorRows: -1, EvalEvery: 2, KeepBest: keepBest,
					EpochDone: func(rbm.EpochStats) { snapshots = append(snapshots, m.Clone()) }}
				if opt != nil {
					tr.EvaluateMachine = func(ctx context.Context, m *rbm.Machine) (*rbm.LogLik, error) {
						return EstimateMachine(ctx, m, valRows, *opt)
					}
				}
				stats, err := tr.TrainMachine(ctx, m, train)
				if err != nil {
					t.Fatal(err)
				}
				return m, stats, snapshots
			}

			plain, _, _ := run(nil, false)
			m, stats, snapshots := run(&Options{}, false)
			if !sameMachine(m, plain) {
				t.Error("training with the exact evaluation gave other parameters than without it")
			}
			var evaluated []int
			for k, st := range stats {
				if st.HeldOut == nil {
					continue
				}
				evaluated = append(evaluated, st.Epoch)
				want, _, err := snapshots[k].LogLikelihood(ctx, rowsOf(valRows), exact.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if st.HeldOut.Method != Exact || st.HeldOut.Rows != 30 || math.Abs(st.HeldOut.Mean-want) > 1e-9 {
					t.Errorf("epoch %d: held-out %+v, want exact %.12f on 30 rows", st.Epoch, st.HeldOut, want)
				}
			}
			if len(evaluated) != 3 || evaluated[0] != 2 || evaluated[1] != 4 || evaluated[2] != 5 {
				t.Errorf("evaluated epochs %v, want [2 4 5]", evaluated)
			}

			// AIS draws from its own sources: training is unchanged too.
			sched, _ := ais.ParseSchedule("1/50")
			withAIS, aisStats, _ := run(&Options{ExactUnits: 1, Upper: &ais.Tempered{Ladder: ais.Linear(4), Sweeps: 20},
				MachineBase: base, AIS: ais.Config{Schedule: sched, Runs: 20, Seed: 9}}, false)
			if !sameMachine(withAIS, plain) {
				t.Error("training with the AIS evaluation gave other parameters than without it")
			}
			if ll := aisStats[len(aisStats)-1].HeldOut; ll == nil || ll.Method != AIS || ll.Lower == nil {
				t.Errorf("the AIS evaluation gave %+v, want AIS with a conservative side", ll)
			}

			kept, keptStats, keptSnapshots := run(&Options{}, true)
			best := rbm.BestEpoch(keptStats)
			if best == 0 {
				t.Fatal("no best epoch")
			}
			if !sameMachine(kept, keptSnapshots[best-1]) {
				t.Errorf("KeepBest: the machine is not at the parameters of epoch %d", best)
			}
			got, _, err := kept.LogLikelihood(ctx, rowsOf(valRows), exact.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range keptStats {
				if st.HeldOut != nil && st.HeldOut.Mean > got+1e-9 {
					t.Errorf("KeepBest: kept log-likelihood %.9f, but epoch %d scored %.9f", got, st.Epoch, st.HeldOut.Mean)
				}
			}
			if math.Abs(got-keptStats[best-1].HeldOut.Mean) > 1e-9 {
				t.Errorf("KeepBest: the kept machine scores %.12f, epoch %d's estimate was %.12f", got, best, keptStats[best-1].HeldOut.Mean)
			}
			t.Logf("held-out log-likelihood by epoch: %v; best epoch %d", heldOutMeans(keptStats), best)
		})
	}
}

func heldOutMeans(stats []rbm.EpochStats) []float64 {
	var out []float64
	for _, st := range stats {
		if st.HeldOut != nil {
			out = append(out, st.HeldOut.Mean)
		}
	}
	return out
}

// TestEstimateMachineAIS forces the AIS branch (ExactUnits 2) on machines
// of 8 hidden binary units, 256 states, and compares with the exact
// figure on exact samples of the machine: forward AIS within 4 standard
// errors of it (and with a standard error small enough for that to mean
// something), and each conservative side — reverse AIS from tempering
// samples, and RAISE — no more than 4 of its standard errors above it.
// On samples of the model, RAISE's figure is conservative by Gibbs'
// inequality as well as by Jensen's (see TestConservativeSide).
func TestEstimateMachineAIS(t *testing.T) {
	ctx := context.Background()
	sched, _ := ais.ParseSchedule("0.5/300,1/700")
	for k, kind := range []string{"gaussian", "potts"} {
		m := newTestMachine(t, kind, 6, 8, 0.5, uint64(10+k))
		data, logZ := exactMachineSamples(m, 200, uint64(20+k))
		want, exactLogZ, err := m.LogLikelihood(ctx, rowsOf(data), exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(logZ-exactLogZ) > 1e-9*math.Max(1, math.Abs(logZ)) {
			t.Fatalf("%s: log Z %.12f by the hidden states, %.12f by Machine.LogZ", kind, logZ, exactLogZ)
		}
		exactEst, err := EstimateMachine(ctx, m, data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if exactEst.Method != Exact || math.Abs(exactEst.Mean-want) > 1e-9 {
			t.Errorf("%s: auto gave %+v, want exact %.9f", kind, exactEst, want)
		}
		base := m.Visible.Clone()
		sum, sq := columnSums(data)
		n, _ := data.Dims()
		base.Fit(sum, sq, n)
		for _, side := range []string{"tempering", "raise"} {
			opt := Options{ExactUnits: 2, MachineBase: base, AIS: ais.Config{Schedule: sched, Runs: 200, Seed: uint64(30 + k)}}
			if side == "tempering" {
				opt.Upper = &ais.Tempered{Ladder: ais.Linear(8), Sweeps: 300}
			} else {
				opt.Raise = true
			}
			ll, err := EstimateMachine(ctx, m, data, opt)
			if err != nil {
				t.Fatal(err)
			}
			if ll.Method != AIS || ll.Lower == nil || ll.Rows != n {
				t.Fatalf("%s, %s: %+v, want AIS with a conservative side on %d rows", kind, side, ll, n)
			}
			t.Logf("%s, %s: exact %.4f, forward %.4f ± %.4f, conservative %.4f ± %.4f", kind, side, want, ll.Mean, ll.StdErr, *ll.Lower, ll.LowerStdErr)
			if math.Abs(ll.Mean-want) > 4*ll.StdErr {
				t.Errorf("%s, %s: forward AIS %.4f ± %.4f, more than 4σ from the exact %.4f", kind, side, ll.Mean, ll.StdErr, want)
			}
			if ll.StdErr > 0.05 {
				t.Errorf("%s, %s: standard error %.3g: the annealing is too short for the test to mean anything", kind, side, ll.StdErr)
			}
			if *ll.Lower > want+4*ll.LowerStdErr {
				t.Errorf("%s, %s: conservative side %.4f ± %.4f above the exact %.4f by more than 4σ", kind, side, *ll.Lower, ll.LowerStdErr, want)
			}
		}
	}
	// The estimate refuses rows the visible layer cannot take.
	m := newTestMachine(t, "potts", 6, 8, 0.5, 1)
	if _, err := EstimateMachine(ctx, m, mat.NewDense(2, 17, nil), Options{}); err == nil {
		t.Error("rows of the wrong width accepted")
	}
	if _, err := EstimateMachine(ctx, m, mat.NewDense(2, 18, nil), Options{}); err == nil {
		t.Error("Potts rows that are not one-hot accepted")
	}
}

func columnSums(d *mat.Dense) (sum, sq []float64) {
	n, c := d.Dims()
	sum, sq = make([]float64, c), make([]float64, c)
	for r := range n {
		for j, x := range d.RawRowView(r) {
			sum[j] += x
			sq[j] += x * x
		}
	}
	return sum, sq
}
