// Package kernel holds the numerical inner loops of the toolkit: float32
// matrix products, the logistic sigmoid and Bernoulli sampling, and the
// worker pool that splits them across cores.
//
// Every algorithm in the module (training, sampling, feature extraction,
// exact enumeration) reaches these loops through this one seam, so that a
// faster implementation replaces them here without touching the
// algorithms. All routines are deterministic: the value computed for an
// output element does not depend on how the work was split across workers,
// so results are bit-for-bit identical for any worker count.
package kernel
