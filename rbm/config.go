package rbm

import (
	"fmt"
	"math"
)

// Config holds the settings of CD-k and persistent-CD training, with the
// knobs of Hinton's "A Practical Guide to Training Restricted Boltzmann
// Machines" (UTML TR 2010-003). The zero value trains with plain CD-1: the
// counts and the learning rate take the defaults below, while momentum,
// weight decay and sparsity are off. DefaultConfig adds the guide's
// momentum schedule and weight decay.
type Config struct {
	Epochs     int  `json:"epochs"`     // passes over the data; 0 means 10
	BatchSize  int  `json:"batch_size"` // rows per mini-batch; 0 means 100
	K          int  `json:"k"`          // Gibbs steps per update; 0 means 1
	Persistent bool `json:"persistent"` // PCD: negative chains persist across updates

	LearningRate float64 `json:"learning_rate"` // 0 means 0.1
	// LRSchedule decays the learning rate per epoch e (counted from 0):
	// "constant" (or ""), "exponential" (lr·decayᵉ) or "inverse"
	// (lr/(1 + decay·e)).
	LRSchedule string  `json:"lr_schedule,omitempty"`
	LRDecay    float64 `json:"lr_decay,omitempty"`

	// Momentum applies for the first MomentumEpochs epochs and
	// FinalMomentum after; the guide's schedule is 0.5 → 0.9 after 5.
	Momentum       float64 `json:"momentum"`
	FinalMomentum  float64 `json:"final_momentum"`
	MomentumEpochs int     `json:"momentum_epochs"`

	// WeightDecay is the L2 penalty coefficient on W (never the biases).
	WeightDecay float64 `json:"weight_decay"`

	// SparsityTarget p > 0 pulls each hidden unit's mean activation q,
	// an exponentially decaying average with factor SparsityDecay (0 means
	// 0.9), towards p with strength SparsityCost (guide, section 11).
	SparsityTarget float64 `json:"sparsity_target,omitempty"`
	SparsityCost   float64 `json:"sparsity_cost,omitempty"`
	SparsityDecay  float64 `json:"sparsity_decay,omitempty"`

	Seed uint64 `json:"seed"`
	// Workers is the number of goroutines sharing the work; 0 uses every
	// core. It never changes the result.
	Workers int `json:"-"`
}

// DefaultConfig returns the settings of the practical guide: CD-1, batches
// of 100, learning rate 0.1, momentum 0.5 for five epochs then 0.9, and
// weight decay 0.0002.
func DefaultConfig() Config {
	return Config{
		Epochs: 10, BatchSize: 100, K: 1, LearningRate: 0.1,
		Momentum: 0.5, FinalMomentum: 0.9, MomentumEpochs: 5,
		WeightDecay: 0.0002,
	}
}

// withDefaults fills the zero counts and validates the rest.
func (c Config) withDefaults() (Config, error) {
	if c.Epochs == 0 {
		c.Epochs = 10
	}
	if c.BatchSize == 0 {
		c.BatchSize = 100
	}
	if c.K == 0 {
		c.K = 1
	}
	if c.LearningRate == 0 {
		c.LearningRate = 0.1
	}
	if c.SparsityDecay == 0 {
		c.SparsityDecay = 0.9
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case c.Epochs < 0 || c.BatchSize < 0 || c.K < 0 || c.MomentumEpochs < 0:
		return c, fmt.Errorf("epochs, batch size, k and momentum epochs must not be negative")
	case !finite(c.LearningRate) || c.LearningRate < 0:
		return c, fmt.Errorf("learning rate %v must be a positive number", c.LearningRate)
	case !finite(c.Momentum) || !finite(c.FinalMomentum) || c.Momentum < 0 || c.Momentum >= 1 || c.FinalMomentum < 0 || c.FinalMomentum >= 1:
		return c, fmt.Errorf("momentum must lie in [0, 1)")
	case !finite(c.WeightDecay) || c.WeightDecay < 0:
		return c, fmt.Errorf("weight decay %v must not be negative", c.WeightDecay)
	case !finite(c.SparsityTarget) || c.SparsityTarget < 0 || c.SparsityTarget >= 1:
		return c, fmt.Errorf("sparsity target %v must lie in [0, 1)", c.SparsityTarget)
	case !finite(c.SparsityCost) || c.SparsityCost < 0:
		return c, fmt.Errorf("sparsity cost %v must not be negative", c.SparsityCost)
	case c.SparsityDecay <= 0 || c.SparsityDecay >= 1:
		return c, fmt.Errorf("sparsity decay %v must lie in (0, 1)", c.SparsityDecay)
	case !finite(c.LRDecay) || c.LRDecay < 0:
		return c, fmt.Errorf("learning-rate decay %v must not be negative", c.LRDecay)
	}
	switch c.LRSchedule {
	case "", "constant", "exponential", "inverse":
	default:
		return c, fmt.Errorf("unknown learning-rate schedule %q (want constant, exponential or inverse)", c.LRSchedule)
	}
	return c, nil
}

// rates returns the learning rate and momentum of epoch e (from 0).
func (c Config) rates(e int) (lr, momentum float64) {
	lr = c.LearningRate
	switch c.LRSchedule {
	case "exponential":
		lr *= math.Pow(c.LRDecay, float64(e))
	case "inverse":
		lr /= 1 + c.LRDecay*float64(e)
	}
	momentum = c.FinalMomentum
	if e < c.MomentumEpochs {
		momentum = c.Momentum
	}
	return lr, momentum
}
