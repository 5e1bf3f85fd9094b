// Package fvbm trains pairwise models (fully visible Boltzmann machines,
// Ising models with unknown couplings) on binary data, by persistent MCMC
// (stochastic gradient ascent on the log-likelihood, the model's moments
// estimated from persistent Gibbs chains) and by maximum pseudo-likelihood
// (Besag, 1975: the exact, convex sum of every unit's log conditional,
// maximised by L-BFGS). The graph of the model is kept: only its fields and
// the values of its edges are learned.
package fvbm
