package rbm

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rbmkit/rbm/rbm/layer"
)

// TestTrainMachineKeepBest checks TrainMachine's KeepBest with scripted
// estimates, as TestKeepBest does Train's: the machine is left at the
// parameters of the evaluated epoch with the highest estimate, the earliest
// on ties, in its own layers (the objects the caller passed), also when
// training is cancelled after a later epoch; EvalEvery 2 evaluates epochs
// 2, 4 and the last.
func TestTrainMachineKeepBest(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	data := NewMatrix(60, 5)
	for i := range data.Data {
		data.Data[i] = float32(rng.NormFloat64())
	}
	newMachine := func() *Machine {
		m := NewMachine(layer.NewGaussian(make([]float64, 5), make([]float64, 5), true), layer.NewBinary(make([]float64, 3)))
		if err := m.Init(data, 1); err != nil {
			t.Fatal(err)
		}
		return m
	}
	same := func(a, b *Machine) bool {
		pa, pb := a.paramVectors(), b.paramVectors()
		for k := range pa {
			if !slices.EqualFunc(pa[k], pb[k], func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }) {
				return false
			}
		}
		return true
	}
	scores := []float64{-5, -3, -4, -3, -6} // epoch 2 is best; epoch 4 ties it later
	var snapshots []*Machine
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelAfter := 0
	tr := &Trainer{
		Config:      Config{Epochs: 5, BatchSize: 10, Optimizer: Adam, LearningRate: 0.05},
		MonitorRows: -1,
		KeepBest:    true,
		EvaluateMachine: func(_ context.Context, m *Machine) (*LogLik, error) {
			snapshots = append(snapshots, m.Clone())
			if len(snapshots) == cancelAfter {
				cancel()
			}
			return &LogLik{Method: "exact", Mean: scores[len(snapshots)-1]}, nil
		},
	}
	m := newMachine()
	vis, hid := m.Visible, m.Hidden
	stats, err := tr.TrainMachine(context.Background(), m, data)
	if err != nil {
		t.Fatal(err)
	}
	if b := BestEpoch(stats); b != 2 {
		t.Errorf("BestEpoch = %d, want 2", b)
	}
	if !same(m, snapshots[1]) {
		t.Error("the machine is not at epoch 2's parameters")
	}
	if same(m, snapshots[4]) {
		t.Error("the machine is at the last epoch's parameters: the test cannot tell")
	}
	if m.Visible != vis || m.Hidden != hid {
		t.Error("KeepBest replaced the machine's layers")
	}

	// Cancelled as epoch 3 is evaluated: training stops before epoch 4
	// and the best so far, epoch 2, is kept.
	snapshots, cancelAfter = nil, 3
	m = newMachine()
	stats, err = tr.TrainMachine(ctx, m, data)
	if !errors.Is(err, context.Canceled) || len(stats) != 3 {
		t.Fatalf("cancelled run: %d epochs, error %v", len(stats), err)
	}
	if !same(m, snapshots[1]) {
		t.Error("cancelled: the machine is not at epoch 2's parameters")
	}

	// EvalEvery 2 evaluates epochs 2, 4 and the last, 5.
	snapshots, cancelAfter = nil, 0
	tr.EvalEvery = 2
	stats, err = tr.TrainMachine(context.Background(), newMachine(), data)
	if err != nil {
		t.Fatal(err)
	}
	var evaluated []int
	for _, st := range stats {
		if st.HeldOut != nil {
			evaluated = append(evaluated, st.Epoch)
		}
	}
	if !slices.Equal(evaluated, []int{2, 4, 5}) {
		t.Errorf("evaluated epochs %v, want [2 4 5]", evaluated)
	}

	// A Trainer with the hook of the other kind of model is refused
	// rather than left silently unevaluated.
	wrong := &Trainer{Config: Config{Epochs: 1}, Evaluate: func(context.Context, *RBM) (*LogLik, error) { return nil, nil }}
	if _, err := wrong.TrainMachine(context.Background(), newMachine(), data); err == nil {
		t.Error("TrainMachine accepted a Trainer with Evaluate but no EvaluateMachine")
	}
	wrong = &Trainer{Config: Config{Epochs: 1}, EvaluateMachine: tr.EvaluateMachine}
	bin := New(5, 3)
	bits := NewMatrix(10, 5)
	if _, err := wrong.Train(context.Background(), bin, bits); err == nil {
		t.Error("Train accepted a Trainer with EvaluateMachine but no Evaluate")
	}
}

// TestInterruptedEvaluationKeepsEpoch checks that an epoch whose updates
// are all done is recorded (and handed to EpochDone) when its held-out
// evaluation is interrupted, for Train and TrainMachine alike: the model
// returned has had that epoch, so the history and the saved metadata must
// count it.
func TestInterruptedEvaluationKeepsEpoch(t *testing.T) {
	data := prototypes(40, 0.1, 2)
	interrupted := func(ctx context.Context) (*LogLik, error) {
		<-ctx.Done() // as an estimate that notices Ctrl-C half-way
		return nil, ctx.Err()
	}
	for _, kind := range []string{"rbm", "machine"} {
		ctx, cancel := context.WithCancel(context.Background())
		var done []int
		tr := &Trainer{
			Config:      Config{Epochs: 3, BatchSize: 10},
			MonitorRows: -1,
			// Ctrl-C arrives during the last mini-batch of epoch 2.
			Progress: func(e, b, n int) {
				if e == 1 && b == n {
					cancel()
				}
			},
			EpochDone: func(st EpochStats) { done = append(done, st.Epoch) },
			Evaluate:  func(ctx context.Context, _ *RBM) (*LogLik, error) { return interrupted(ctx) },
			EvaluateMachine: func(ctx context.Context, _ *Machine) (*LogLik, error) {
				return interrupted(ctx)
			},
			EvalEvery: 2,
		}
		var history []EpochStats
		var err error
		if kind == "rbm" {
			m := New(6, 4)
			m.Init(data, 1)
			history, err = tr.Train(ctx, m, data)
		} else {
			m := NewMachine(layer.NewBinary(make([]float64, 6)), layer.NewBinary(make([]float64, 4)))
			if err := m.Init(data, 1); err != nil {
				t.Fatal(err)
			}
			history, err = tr.TrainMachine(ctx, m, data)
		}
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: err = %v, want context.Canceled", kind, err)
		}
		if len(history) != 2 || history[1].Epoch != 2 || history[1].HeldOut != nil {
			t.Errorf("%s: history %+v, want epochs 1 and 2, the second without a held-out estimate", kind, history)
		}
		if !slices.Equal(done, []int{1, 2}) {
			t.Errorf("%s: EpochDone saw epochs %v, want [1 2]", kind, done)
		}
	}
}
