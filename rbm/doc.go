// Package rbm implements binary restricted Boltzmann machines: the model,
// its conditionals and Gibbs sampler, training by contrastive divergence
// (CD-k) and persistent CD, monitoring, and a versioned model file format.
//
// An RBM with V visible and H hidden binary units has the energy
//
//	E(v, h) = -vᵀWh - bᵀv - cᵀh
//
// and the free energy of a visible vector, its energy with the hidden layer
// summed out,
//
//	F(v) = -bᵀv - Σⱼ softplus(cⱼ + (vᵀW)ⱼ),  p(v) = e^{-F(v)} / Z.
//
// The conditionals factorise: p(hⱼ=1|v) = σ(cⱼ + (vᵀW)ⱼ) and
// p(vᵢ=1|h) = σ(bᵢ + (Wh)ᵢ). Each of these formulas is written once, in this
// package; the trainer, the samplers, the exact enumerator and the ONNX
// export all call them.
//
// Parameters and the training hot path are float32; energies, free energies
// and every accumulation over many terms are float64. Training reads its
// rows through the Data interface, from a float32 Matrix or from a
// BitMatrix that keeps binary data at one bit per value and expands rows
// only as mini-batches gather them.
//
// Marginal presents the marginal over v as a discrete.Model, so that the
// samplers of package gibbs and the enumerators of package exact apply to
// it; LoadSpec reads the JSON model specs of package discrete with the RBM
// model files they name. Package rbm/rbmexact enumerates an RBM exactly.
//
// Randomness is always explicit: functions that sample take a seed, and the
// same seed gives the same result bit for bit, whatever the number of
// workers.
package rbm
