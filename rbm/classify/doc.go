// Package classify fits a multinomial logistic-regression (softmax)
// classifier: the linear model that shows what a set of features is worth
// downstream, such as the hidden-unit probabilities an RBM's Transform
// returns.
//
// For K classes and D features the model holds a K×D weight matrix W and K
// biases b, and gives row x the class probabilities
//
//	p(k|x) = exp(zₖ) / Σₗ exp(zₗ),  z = Wx + b.
//
// Fit minimises the mean cross-entropy of the training labels plus an L2
// penalty on the weights (never the biases),
//
//	L(W, b) = -(1/N) Σᵢ log p(yᵢ|xᵢ) + (λ/2)‖W‖²,
//
// whose gradient is ∂L/∂W = (1/N) Σᵢ (pᵢ - e_{yᵢ}) xᵢᵀ + λW and
// ∂L/∂b = (1/N) Σᵢ (pᵢ - e_{yᵢ}). The objective is convex, and strictly
// convex in W when λ > 0; Fit minimises it with gonum's L-BFGS
// (gonum.org/v1/gonum/optimize), starting from zero, and computes the
// products with gonum's mat. The rows are processed in fixed-size chunks in
// a fixed order and gonum's matrix product sums every element in one
// goroutine, so the same data and settings give the same model bit for bit
// whatever the number of cores.
package classify
