// Package discrete defines energy-based models over n binary units and
// provides the pairwise (Ising) model, the RBM's marginal over its visible
// units, and products of experts.
//
// A state is a []int8 holding one value per unit: 0 or 1 for models whose
// Domain is Binary, -1 or +1 for Spin models. The two are related by
// s = 2x - 1 (x = (s+1)/2), so a spin model with couplings J and fields h
// is a binary model with couplings 4J and fields 2h - 2ΣJ, up to a constant
// energy shift. Models define the unnormalised probability
// p(x) ∝ exp(-β E(x)); the inverse temperature β belongs to the sampler or
// enumerator, never to the model.
package discrete
