package rbm

import (
	"context"
	"math"
)

// heldOut runs a training run's held-out evaluations and keeps the best
// evaluated parameters: the one implementation of Trainer.EvalEvery and
// Trainer.KeepBest, which Train and TrainMachine share, each supplying
// the estimate and the copying of its own kind of model.
type heldOut struct {
	// evaluate estimates the held-out log-likelihood of the model as it
	// is; nil turns evaluation off.
	evaluate func(ctx context.Context) (*LogLik, error)
	every    int // evaluate after every every-th epoch …
	epochs   int // … and after the last
	keepBest bool
	// save copies the model's parameters aside as the best so far;
	// restore copies the last saved ones back into the model.
	save, restore func()
	saved         bool
	bestMean      float64
}

func newHeldOut(t *Trainer, epochs int, evaluate func(ctx context.Context) (*LogLik, error), save, restore func()) *heldOut {
	return &heldOut{evaluate: evaluate, every: max(t.EvalEvery, 1), epochs: epochs, keepBest: t.KeepBest,
		save: save, restore: restore, bestMean: math.Inf(-1)}
}

// after evaluates the model after epoch st.Epoch when it is due, records
// the estimate in st.HeldOut and, with keepBest, saves the parameters when
// they score above every earlier evaluation (the earliest wins ties). It
// reports whether it evaluated.
func (h *heldOut) after(ctx context.Context, st *EpochStats) (bool, error) {
	if h.evaluate == nil || (st.Epoch%h.every != 0 && st.Epoch != h.epochs) {
		return false, nil
	}
	ll, err := h.evaluate(ctx)
	if err != nil {
		return false, err
	}
	st.HeldOut = ll
	if h.keepBest && ll.Mean > h.bestMean {
		h.bestMean = ll.Mean
		h.save()
		h.saved = true
	}
	return true, nil
}

// finish leaves the model at the best evaluated parameters when asked to,
// however training ended.
func (h *heldOut) finish() {
	if h.keepBest && h.saved {
		h.restore()
	}
}
