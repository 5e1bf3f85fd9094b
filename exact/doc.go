// Package exact computes partition functions and the quantities built on
// them by enumerating every state, for models small enough to list: it is
// the ground truth against which the toolkit's estimators (AIS, CD-k
// gradients, samplers) are checked.
//
// LogZ, Marginals and Distribution take any discrete.Model over n binary
// units and visit all 2ⁿ states in Gray-code order, so that consecutive
// states differ in one unit and the energy is updated by that unit's flip
// (through discrete.FlipDelta) instead of being recomputed. Models of
// q-state units (a Domain with States() > 2, such as discrete.Potts) are
// enumerated over their qⁿ states by the enumerator of LogSumStates, in
// odometer order, the energy following the changed units through a
// discrete.Local's ChangeDelta; Moments.Prob and Moments.Joint give their
// per-state marginals.
//
// The machinery under them is exported for enumerators of particular
// models, such as package rbm/rbmexact, which enumerates only an RBM's
// smaller layer and sums the other analytically. ForChunks splits the 2ⁿ
// states by their high-order bits into a fixed number of chunks that
// depends only on n, shares the chunks among the workers and returns one
// part per chunk, in chunk order; Walk enumerates one chunk, driving a
// Walker that carries the running quantities (an energy, the inputs of a
// hidden layer) from state to state; LogSumExp accumulates each chunk's
// log-sum-exp (a running reference value and a sum of exp(x - reference)),
// and CombineLogSumExp combines the chunks in chunk order. Results are
// therefore bit-identical for any number of workers, and no energy of any
// size overflows or loses the small terms (energies of ±10⁴ are routine).
// The running quantities are recomputed from scratch every AnchorEvery
// steps so that rounding never accumulates along the enumeration.
//
// Enumeration costs 2ⁿ steps. Options.MaxUnits (DefaultMaxUnits, 32,
// unless raised, and never beyond HardMaxUnits) refuses larger n with
// ErrTooLarge before any work starts (Options.CheckSize); Distribution,
// which returns all 2ⁿ probabilities, is limited to MaxDistributionUnits.
// Long enumerations honour the context and report progress through
// Options.Progress.
//
// The inverse temperature β of the general enumerator weights each state by
// exp(-βE(x)); β = 1 is the model itself, β = 0 the uniform distribution.
package exact
