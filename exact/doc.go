// Package exact computes partition functions and the quantities built on
// them by enumerating every state, for models small enough to list: it is
// the ground truth against which the toolkit's estimators (AIS, CD-k
// gradients, samplers) are checked.
//
// Two enumerators share one design:
//
//   - LogZ, Marginals and Distribution take any discrete.Model over n
//     binary units and visit all 2ⁿ states in Gray-code order, so that
//     consecutive states differ in one unit and the energy is updated by
//     that unit's flip (through discrete.FlipDelta) instead of being
//     recomputed.
//   - RBMLogZ, RBMMoments, LogLikelihood and Gradient take an rbm.RBM and
//     enumerate only its smaller layer, summing the other analytically:
//     with n hidden units, log Z = logsumexp over h of
//     [cᵀh + Σᵢ softplus(bᵢ + (Wh)ᵢ)], and the mirror form over v when the
//     visible layer is the smaller one. The inputs to the larger layer are
//     kept in float64 and updated by one row of Wᵀ (one column of W) per
//     Gray-code step.
//
// The states are split by their high-order bits into a fixed number of
// chunks that depends only on n, the chunks are shared among the workers,
// and each chunk's log-sum-exp (a running reference value and a sum of
// exp(x - reference)) is combined with the others in chunk order. Results
// are therefore bit-identical for any number of workers, and no energy of
// any size overflows or loses the small terms (energies of ±10⁴ are
// routine). The running energy, or the float64 inputs, are recomputed from
// scratch every few thousand steps so that rounding never accumulates
// along the enumeration.
//
// Enumeration costs 2ⁿ steps. Options.MaxUnits (DefaultMaxUnits, 32,
// unless raised, and never beyond HardMaxUnits) refuses larger n with
// ErrTooLarge before any work starts; Distribution, which returns all 2ⁿ
// probabilities, is limited to MaxDistributionUnits. Long enumerations
// honour the context and report progress through Options.Progress.
//
// The inverse temperature β of the general enumerator weights each state by
// exp(-βE(x)); β = 1 is the model itself, β = 0 the uniform distribution.
package exact
