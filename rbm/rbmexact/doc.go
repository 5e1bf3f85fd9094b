// Package rbmexact computes an RBM's exact log partition function, moments,
// log-likelihood and log-likelihood gradient by enumeration, for models
// whose smaller layer is small enough to list: the ground truth against
// which AIS and the CD-k and PCD gradient estimates are checked.
//
// RBMLogZ, RBMMoments, LogLikelihood and Gradient enumerate only the
// smaller layer and sum the other analytically: with n hidden units,
// log Z = logsumexp over h of [cᵀh + Σᵢ softplus(bᵢ + (Wh)ᵢ)], and the
// mirror form over v when the visible layer is the smaller one. They run on
// package exact's machinery (exact.ForChunks, exact.Walk,
// exact.LogSumExp), so they share its guarantees: states in Gray-code
// order, results bit-identical for any number of workers, no overflow for
// energies of any size. The inputs to the larger layer are kept in float64
// and updated by one row of Wᵀ (one column of W) per Gray-code step,
// recomputed from scratch every exact.AnchorEvery steps.
//
// exact.Options sets the workers, the progress callback and the limit on
// the size of the smaller layer (exact.ErrTooLarge beyond it). The general
// enumerators of package exact take the RBM's visible marginal as well,
// through rbm.Marginal, at the cost of enumerating the visible layer.
package rbmexact
