// Package discrete defines energy-based models over n discrete units and
// provides the pairwise (Ising) model, the Potts model of q-state units,
// products of experts and the JSON model specs that describe them.
//
// The interfaces here (Model, Flipper, Changer, Localizer, Differentiable)
// are what the samplers of package gibbs and the enumerators of package
// exact take.
// Concrete models built elsewhere implement them: rbm.Marginal is an RBM's
// marginal over its visible units, and rbm.LoadSpec reads the specs that
// name RBM model files (SpecOptions).
//
// A state is a []int8 holding one value per unit: 0 or 1 for models whose
// Domain is Binary, -1 or +1 for Spin models, 0 … q-1 for models of
// q-state units (Domain Categorical(q), at most MaxStates = 127 states).
// Two-state models move by flipping a unit (Flipper, Local.Flip); q-state
// models by setting a unit to a value (Changer, Local.Change), of which a
// flip is the two-state case. Potts is the pairwise model of q-state
// units.
//
// Binary and spin states are related by s = 2x - 1 (x = (s+1)/2), so a
// spin model with couplings J and fields h
// is a binary model with couplings 4J and fields 2h - 2ΣJ, up to a constant
// energy shift. Models define the unnormalised probability
// p(x) ∝ exp(-β E(x)); the inverse temperature β belongs to the sampler or
// enumerator, never to the model.
package discrete
