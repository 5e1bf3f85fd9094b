package rbm

import (
	"fmt"
	"math"
)

// Config holds the settings of training: the negative phase (CD-k,
// persistent CD or parallel tempering), the gradient (plain or centered),
// the optimiser (momentum SGD or Adam) with its learning-rate schedule, and
// the regularisers of Hinton's "A Practical Guide to Training Restricted
// Boltzmann Machines" (UTML TR 2010-003).
//
// The zero value trains with plain CD-1: the counts and the learning rate
// take the defaults below, while momentum, weight decay, sparsity,
// centering and tempering are off. Recipe returns complete settings for a
// purpose (features or density).
type Config struct {
	// Recipe names the recipe the settings started from; it is a record
	// for people (rbm info) and changes nothing by itself.
	Recipe string `json:"recipe,omitempty"`

	Epochs     int  `json:"epochs"`     // passes over the data; 0 means 10
	BatchSize  int  `json:"batch_size"` // rows per mini-batch; 0 means 100
	K          int  `json:"k"`          // Gibbs steps (tempering: sweeps) per update; 0 means 1
	Persistent bool `json:"persistent"` // PCD: negative chains persist across updates

	// Replicas ≥ 2 draws the negative phase by parallel tempering
	// (Desjardins et al. 2010; Cho et al. 2010): that many sets of
	// persistent chains, one chain per batch row in each, at the inverse
	// temperatures of Ladder (nil: Replicas equal steps from 0 to 1) on the
	// path from the data's base-rate model to the RBM (see Tempering).
	// Tempering implies persistent chains.
	Replicas int       `json:"replicas,omitempty"`
	Ladder   []float64 `json:"ladder,omitempty"`

	// Centered follows the centered gradient of Melchior, Fischer and
	// Wiskott (JMLR 17, 2016): with offsets μ for the visible units (the
	// data mean at first) and λ for the hidden units (½ at first), both
	// sliding towards each batch's means of v and p(h|v) at OffsetRate
	// (0 means 0.01), the weight gradient becomes
	// ⟨(v-μ)(h-λ)ᵀ⟩_data - ⟨(v-μ)(h-λ)ᵀ⟩_model and the biases move so
	// that the centered biases follow their own gradients. The model is
	// stored uncentered: only the direction of the updates changes.
	Centered   bool    `json:"centered,omitempty"`
	OffsetRate float64 `json:"offset_rate,omitempty"`

	// Optimizer is "momentum" ("" is the same) or "adam".
	Optimizer string `json:"optimizer,omitempty"`

	// LearningRate is the step size; 0 means 0.1 for momentum and 0.001
	// for Adam.
	LearningRate float64 `json:"learning_rate"`
	// LRSchedule scales the learning rate per epoch e of E (counted from
	// 0): "constant" (or ""), "exponential" (lr·decayᵉ), "inverse"
	// (lr/(1 + decay·e)) or "linear" (lr·(E - e)/E, reaching lr/E in the
	// last epoch, the decay towards zero that makes persistent chains
	// settle: Tieleman 2008).
	LRSchedule string  `json:"lr_schedule,omitempty"`
	LRDecay    float64 `json:"lr_decay,omitempty"`

	// Momentum applies for the first MomentumEpochs epochs and
	// FinalMomentum after; the guide's schedule is 0.5 → 0.9 after 5.
	// Adam ignores them.
	Momentum       float64 `json:"momentum"`
	FinalMomentum  float64 `json:"final_momentum"`
	MomentumEpochs int     `json:"momentum_epochs"`

	// AdamBeta1, AdamBeta2 and AdamEpsilon are Adam's decay rates of the
	// first and second moments and its denominator guard; zero means
	// Kingma and Ba's 0.9, 0.999 and 1e-8.
	AdamBeta1   float64 `json:"adam_beta1,omitempty"`
	AdamBeta2   float64 `json:"adam_beta2,omitempty"`
	AdamEpsilon float64 `json:"adam_epsilon,omitempty"`

	// WeightDecay is the L2 penalty coefficient on W (never the biases).
	WeightDecay float64 `json:"weight_decay"`
	// WeightL1 is the L1 penalty coefficient λ on W (never the biases):
	// the subgradient of -λ‖W‖₁, -λ·sign(W), joins the log-likelihood's
	// mean gradient, as the weight decay's -WeightDecay·W does. It
	// keeps the weights the data do not support near zero, which
	// matters when the data are few for the model's size (protein
	// families: Tubiana, Cocco & Monasson, eLife 2019).
	WeightL1 float64 `json:"weight_l1,omitempty"`

	// SparsityTarget p > 0 pulls each hidden unit's mean activation q,
	// an exponentially decaying average with factor SparsityDecay (0 means
	// 0.9), towards p with strength SparsityCost (guide, section 11).
	SparsityTarget float64 `json:"sparsity_target,omitempty"`
	SparsityCost   float64 `json:"sparsity_cost,omitempty"`
	SparsityDecay  float64 `json:"sparsity_decay,omitempty"`

	// Seed seeds every random draw: the same Seed gives the same result,
	// bit for bit.
	Seed uint64 `json:"seed"`
	// Workers is the number of goroutines sharing the work; 0 uses every
	// core. It never changes the result.
	Workers int `json:"-"`
}

// Optimisers.
const (
	Momentum = "momentum"
	Adam     = "adam"
)

// DefaultConfig returns the settings of the practical guide: CD-1, batches
// of 100, learning rate 0.1, momentum 0.5 for five epochs then 0.9, and
// weight decay 0.0002. It is Recipe("hinton").
func DefaultConfig() Config {
	return Config{
		Recipe: "hinton",
		Epochs: 10, BatchSize: 100, K: 1, LearningRate: 0.1,
		Momentum: 0.5, FinalMomentum: 0.9, MomentumEpochs: 5,
		WeightDecay: 0.0002,
	}
}

// Validate reports the first setting of c that Trainer.Train would refuse,
// so that a caller can check a configuration before loading any data. Zero
// counts and rates are valid: they stand for the defaults.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
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
	if c.Optimizer == "" {
		c.Optimizer = Momentum
	}
	if c.LearningRate == 0 {
		c.LearningRate = 0.1
		if c.Optimizer == Adam {
			c.LearningRate = 0.001
		}
	}
	if c.SparsityDecay == 0 {
		c.SparsityDecay = 0.9
	}
	if c.OffsetRate == 0 {
		c.OffsetRate = 0.01
	}
	if c.AdamBeta1 == 0 {
		c.AdamBeta1 = 0.9
	}
	if c.AdamBeta2 == 0 {
		c.AdamBeta2 = 0.999
	}
	if c.AdamEpsilon == 0 {
		c.AdamEpsilon = 1e-8
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case c.Epochs < 0 || c.BatchSize < 0 || c.K < 0 || c.MomentumEpochs < 0 || c.Replicas < 0:
		return c, fmt.Errorf("epochs, batch size, k, momentum epochs and replicas must not be negative")
	case !finite(c.LearningRate) || c.LearningRate < 0:
		return c, fmt.Errorf("learning rate %v must be a positive number", c.LearningRate)
	case !finite(c.Momentum) || !finite(c.FinalMomentum) || c.Momentum < 0 || c.Momentum >= 1 || c.FinalMomentum < 0 || c.FinalMomentum >= 1:
		return c, fmt.Errorf("momentum must lie in [0, 1)")
	case !finite(c.WeightDecay) || c.WeightDecay < 0:
		return c, fmt.Errorf("weight decay %v must be a number ≥ 0", c.WeightDecay)
	case !finite(c.WeightL1) || c.WeightL1 < 0:
		return c, fmt.Errorf("L1 penalty %v must be a number ≥ 0", c.WeightL1)
	case !finite(c.SparsityTarget) || c.SparsityTarget < 0 || c.SparsityTarget >= 1:
		return c, fmt.Errorf("sparsity target %v must lie in [0, 1)", c.SparsityTarget)
	case !finite(c.SparsityCost) || c.SparsityCost < 0:
		return c, fmt.Errorf("sparsity cost %v must not be negative", c.SparsityCost)
	case !(c.SparsityDecay > 0 && c.SparsityDecay < 1):
		return c, fmt.Errorf("sparsity decay %v must lie in (0, 1)", c.SparsityDecay)
	case !finite(c.LRDecay) || c.LRDecay < 0:
		return c, fmt.Errorf("learning-rate decay %v must not be negative", c.LRDecay)
	case !(c.OffsetRate > 0 && c.OffsetRate <= 1):
		return c, fmt.Errorf("offset rate %v must lie in (0, 1]", c.OffsetRate)
	case !(c.AdamBeta1 > 0 && c.AdamBeta1 < 1) || !(c.AdamBeta2 > 0 && c.AdamBeta2 < 1):
		return c, fmt.Errorf("adam: β₁ = %v and β₂ = %v must lie in (0, 1)", c.AdamBeta1, c.AdamBeta2)
	case !(c.AdamEpsilon > 0) || !finite(c.AdamEpsilon):
		return c, fmt.Errorf("adam: ε = %v must be positive", c.AdamEpsilon)
	case c.Replicas == 1:
		return c, fmt.Errorf("parallel tempering needs at least 2 replicas (0 turns it off)")
	}
	switch c.Optimizer {
	case Momentum, Adam:
	default:
		return c, fmt.Errorf("unknown optimizer %q (want momentum or adam)", c.Optimizer)
	}
	switch c.LRSchedule {
	case "", "constant", "exponential", "inverse", "linear":
	default:
		return c, fmt.Errorf("unknown learning-rate schedule %q (want constant, exponential, inverse or linear)", c.LRSchedule)
	}
	if c.Replicas >= 2 {
		if c.Ladder == nil {
			c.Ladder = LinearLadder(c.Replicas)
		}
		if err := checkLadder(c.Ladder); err != nil {
			return c, err
		}
		if len(c.Ladder) != c.Replicas {
			return c, fmt.Errorf("ladder has %d inverse temperatures for %d replicas", len(c.Ladder), c.Replicas)
		}
		c.Persistent = true
	} else if c.Ladder != nil {
		return c, fmt.Errorf("a ladder of inverse temperatures needs replicas ≥ 2")
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
	case "linear":
		lr *= float64(c.Epochs-e) / float64(c.Epochs)
	}
	momentum = c.FinalMomentum
	if e < c.MomentumEpochs {
		momentum = c.Momentum
	}
	return lr, momentum
}

// LinearLadder returns n ≥ 2 inverse temperatures in equal steps from 0
// to 1.
func LinearLadder(n int) []float64 {
	l := make([]float64, n)
	for k := range l {
		l[k] = float64(k) / float64(n-1)
	}
	return l
}

// checkLadder reports a ladder that does not rise strictly from some
// β ≥ 0 to exactly 1.
func checkLadder(l []float64) error {
	if len(l) < 2 || l[len(l)-1] != 1 || !(l[0] >= 0) {
		return fmt.Errorf("a ladder must rise from some β ≥ 0 to β = 1 in at least two rungs, got %v", l)
	}
	for k := 1; k < len(l); k++ {
		if !(l[k] > l[k-1]) {
			return fmt.Errorf("ladder %v must rise strictly", l)
		}
	}
	return nil
}
