package rbm

import (
	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/internal/kernel"
)

// machineCentering holds the offsets of TrainMachine's centered gradient
// (Melchior, Fischer and Wiskott, JMLR 17, 2016), generalised from the
// binary RBM's (centering) to any pair of unit types.
//
// The centered machine has the energy
//
//	Ẽ(v, h) = E_v(v; θ̃_v) + E_h(h; θ̃_h) - (v-μ)ᵀW(h-λ),
//
// and expanding the coupling,
//
//	-(v-μ)ᵀW(h-λ) = -vᵀWh + vᵀ(Wλ) + hᵀ(Wᵀμ) - μᵀWλ,
//
// shows it is the stored, uncentered machine E_v(v; θ_v) + E_h(h; θ_h) -
// vᵀWh up to the constant μᵀWλ when the layers' fields are shifted: the
// term vᵀ(Wλ) is -δᵀv with δ = -Wλ, so θ_v is θ̃_v shifted by -Wλ
// (layer.Layer's ShiftField), and θ_h is θ̃_h shifted by -Wᵀμ. For binary,
// spin, Potts and ReLU units that is θ = θ̃ - Wλ (the binary trainer's
// b = b̃ - Wλ, c = c̃ - Wᵀμ); for Gaussian units the mean b = b̃ - σ²Wλ,
// b̃ being the visible mean at h = λ.
//
// The trainer steps the centered parameters (W, θ̃_v, θ̃_h) along the
// log-likelihood gradient taken in that parameterisation, -∂Ẽ/∂· averaged
// over the data minus over the model (the constant μᵀWλ does not depend
// on the parameters at fixed offsets and cancels anyway between the two
// phases, which hold the same number of rows):
//
//   - W: (v-μ)(h-λ)ᵀ, Rao-Blackwellised over h to (v-μ)(E[h|v]-λ)ᵀ. It
//     equals ∇W - μ∇cᵀ - ∇bλᵀ of the binary trainer, ∇b and ∇c being the
//     batch sums of ±v and ±E[h|v].
//   - θ̃_v: -∂E_v(v; θ̃_v)/∂θ̃_v, the visible layer's EnergyGrad evaluated
//     at the centered parameters. For units whose field is a bias, the
//     bias gradient is v whatever the parameters, the binary trainer's
//     ∇b̃ = ∇b; for Gaussian units the gradients of b̃ and log σ are
//     (v-b̃)/σ² and (v-b̃)²/σ², not those at the stored b.
//   - θ̃_h: E[-∂E_h(h; θ̃_h)/∂θ̃_h | v], the hidden layer's
//     LogPartitionGrad at the centered parameters and the centered input
//     Wᵀ(v-μ), under which p(h|v) is the stored machine's.
//
// So each step (machineStepper.update) shifts the stored layers into the
// centered parameterisation (ShiftField by +Wλ and +Wᵀμ), takes the
// gradients and the optimiser step there, momentum or Adam, on the
// centered parameters, and shifts back by -W'λ and -W'ᵀμ with the new
// weights W': the stored biases move by their centered step minus ΔWλ
// (ΔWᵀμ), as the binary trainer's do, and files stay uncentered. Only the
// direction of the updates changes, not the model family.
//
// The offsets start at the data's column means (μ) and at the hidden
// layer's mean at zero input (λ: ½ for binary hidden units of zero bias,
// as the binary trainer starts them), and after each step slide towards
// the batch's means of v and E[h|v] at the rate ν:
// μ ← (1-ν)μ + ν·mean(v), likewise λ (slideOffset).
type machineCentering struct {
	rate       float64
	mu, lambda []float64
	// shiftV and shiftH are the buffers of Wλ and Wᵀμ.
	shiftV, shiftH []float64

	// pool runs shift's products and slide's sums by chunks of
	// centerChunk rows or columns (nil: on the calling goroutine). Every
	// value is a sum in the serial order, so the split never changes it.
	pool *kernel.Pool
	// The arguments of shift (m, sign) and slide (v0) for their tasks
	// (Do runs slide's when v0 is set), and slide's running sums of the
	// columns of v0.
	m     *Machine
	sign  float64
	v0    *mat.Dense
	muSum []float64
}

// centerChunk is the number of rows or columns of a task of
// machineCentering.
const centerChunk = 128

// Do runs task t of shift or slide, on the pool.
func (c *machineCentering) Do(t int) {
	if c.v0 != nil {
		c.slideTask(t)
	} else {
		c.shiftTask(t)
	}
}

func newMachineCentering(m *Machine, data Data, rate float64) *machineCentering {
	rows, _ := data.Dims()
	c := &machineCentering{
		rate:   rate,
		mu:     make([]float64, m.Visible.Width()),
		lambda: make([]float64, m.Hidden.Width()),
		shiftV: make([]float64, m.Visible.Width()),
		shiftH: make([]float64, m.Hidden.Width()),
		muSum:  make([]float64, m.Visible.Width()),
	}
	data.ColumnSums(c.mu)
	for i := range c.mu {
		c.mu[i] /= float64(rows)
	}
	m.Hidden.Mean(c.lambda, make([]float64, m.Hidden.Width()))
	return c
}

// chunks returns the number of centerChunk tasks over n values.
func chunks(n int) int { return (n + centerChunk - 1) / centerChunk }

// shiftTask computes chunk t of sign·Wλ (the first chunks) or of
// sign·Wᵀμ.
func (c *machineCentering) shiftTask(t int) {
	if nv := chunks(len(c.shiftV)); t < nv {
		lo, hi := t*centerChunk, min((t+1)*centerChunk, len(c.shiftV))
		c.m.visibleInputRows(c.shiftV, c.lambda, lo, hi)
		for i := lo; i < hi; i++ {
			c.shiftV[i] *= c.sign
		}
	} else {
		t -= nv
		lo, hi := t*centerChunk, min((t+1)*centerChunk, len(c.shiftH))
		c.m.hiddenInputCols(c.shiftH, c.mu, lo, hi)
		for j := lo; j < hi; j++ {
			c.shiftH[j] *= c.sign
		}
	}
}

// shift moves m's layers between the stored and the centered
// parameterisation: sign +1 shifts the visible field by Wλ and the hidden
// one by Wᵀμ (stored → centered), sign -1 by -Wλ and -Wᵀμ (centered →
// stored), with m's current weights.
func (c *machineCentering) shift(m *Machine, sign float64) {
	c.m, c.sign = m, sign
	c.pool.Run(c, chunks(len(c.shiftV))+chunks(len(c.shiftH)))
	c.m = nil
	m.Visible.ShiftField(c.shiftV)
	m.Hidden.ShiftField(c.shiftH)
}

// slideTask moves chunk t of μ, each column's sum over the rows taken in
// row order.
func (c *machineCentering) slideTask(t int) {
	n, _ := c.v0.Dims()
	lo, hi := t*centerChunk, min((t+1)*centerChunk, len(c.mu))
	sum := c.muSum[lo:hi]
	clear(sum)
	addRowsInOrder(sum, n, func(r int) []float64 { return c.v0.RawRowView(r)[lo:hi] })
	for i, s := range sum {
		c.mu[lo+i] = slideOffset(c.mu[lo+i], c.rate, s, float64(n))
	}
}

// slide moves the offsets towards the means of the data rows v0 and the
// sums hSum of their hidden means E[h|v0].
func (c *machineCentering) slide(v0 *mat.Dense, hSum []float64) {
	n, _ := v0.Dims()
	if len(c.muSum) != len(c.mu) {
		c.muSum = make([]float64, len(c.mu))
	}
	c.v0 = v0
	c.pool.Run(c, chunks(len(c.mu)))
	c.v0 = nil
	for j, s := range hSum {
		c.lambda[j] = slideOffset(c.lambda[j], c.rate, s, float64(n))
	}
}
