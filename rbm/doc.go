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
// Machine generalises the model to any pair of unit types of package
// rbm/layer (binary, spin, Potts, Gaussian, ReLU, dReLU), with energy
// E(v, h) = E_v(v) + E_h(h) - vᵀWh and free energy F(v) = E_v(v) - Γ_h(Wᵀv),
// Γ being the hidden layer's log-partition: its free energy, block Gibbs
// sampling, training (TrainMachine: CD-k or PCD, momentum or Adam), exact
// log Z and log-likelihood gradient (enumerating a discrete layer through
// package exact; ExactGradient, against which CDGradient measures the
// trainer's CD-k statistics) and the model
// file's version 2, which records the layer types. AsMachine turns an RBM
// into the machine of two binary layers, which agrees with it to rounding;
// the binary RBM keeps its float32 kernels for speed. MachineMarginal is
// Marginal's counterpart for a machine whose visible units are binary or
// spin, with any hidden layer: its energy is the machine's free energy, so
// the discrete samplers, enumerators and AIS take it, and LoadSpec reads a
// version 2 model file named in a spec as one.
//
// Randomness is always explicit: functions that sample take a seed, and the
// same seed gives the same result bit for bit, whatever the number of
// workers.
package rbm
