// Package ais is the project's one package for annealed importance
// sampling (Neal 2001). It estimates the partition function of binary RBMs
// of any size as Salakhutdinov and Murray ("On the quantitative analysis of
// deep belief networks", ICML 2008) apply AIS to RBMs, and bounds it from
// the other side by reverse annealing from data in the manner of RAISE
// (Burda, Grosse and Salakhutdinov, AISTATS 2015); it anneals machines of
// any unit types (RunMachine) and any discrete model (RunDiscrete) forward
// too. Every estimate is an Estimate, and every forward one reduces its
// importance weights the same way: log Ẑ, the delta-method standard error,
// the ±3σ interval, the effective sample size and Reliable.
//
// For Run and Reverse the annealing path runs from a base-rate model A,
// with no weights, no hidden biases and visible biases b_A (by default the
// log-odds of the data's smoothed marginals), to the model B being
// evaluated. The intermediate distributions over v are
//
//	p_k(v) ∝ exp((1-β_k) b_Aᵀv + β_k b_Bᵀv) · Πⱼ (1 + exp(β_k (cⱼ + (vᵀW)ⱼ)))
//
// for an increasing schedule 0 = β₀ < … < β_K = 1; each is the visible
// marginal of an RBM with weights β_kW, hidden biases β_kc and visible
// biases (1-β_k)b_A + β_kb_B, whose block Gibbs step v → h → v leaves it
// invariant. Z_A = 2^H Πᵢ(1 + exp(b_Aᵢ)) is known.
//
// Run (forward AIS) draws M independent runs v₀ ~ p₀, alternating the
// weight update log w += log p*_k(v) - log p*_{k-1}(v) with one Gibbs
// transition at β_k, and returns log Ẑ = log Z_A + log mean(w). Ẑ is
// unbiased for Z, so log Ẑ tends to underestimate log Z (Jensen): the
// log-likelihood -F(v) - log Ẑ it implies is optimistic.
//
// Reverse starts its chains at data rows and anneals from β = 1 down to 0
// with the same transitions. The chain's log-weight u gives, for the row v
// it started from, RAISE's estimate log p̂(v) = -F(v) - log Z_A - u, a
// stochastic lower bound on log p_ann(v), the probability of v under the
// annealed model (the distribution of the forward chain's final state);
// log Z_A + u is the log Z that estimate implies. When the rows are samples
// of the model, log Z_A + mean(u) is a stochastic upper bound on log Z, and
// with forward AIS's stochastic lower bound it sandwiches the truth. For
// real data it bounds the likelihood of p_ann, which approximates the
// model's as the annealing improves: read the two estimates together —
// when they agree the annealing was adequate, when they do not neither can
// be trusted alone.
//
// All M chains of a run form one batch of rows: every step is two float32
// matrix products and the sigmoids and Bernoulli draws of kernel.Pool,
// while the log-weights are accumulated in float64 per run from the float32
// hidden inputs. Draws are seeded per row and step, so a run is
// bit-identical for any number of workers.
//
// RunMachine follows the same path for a machine of any unit types,
// interpolating the visible layer's parameters and scaling the weights,
// with the machine's block Gibbs step as the transition. ReverseMachine
// anneals back along it from data rows (RAISE), and
// ReverseMachineFromTempering from samples of the machine drawn by
// parallel tempering along the same path (rbm.MachineTempering), as
// ReverseFromTempering does for binary RBMs: the upper side of log Z.
//
// RunDiscrete anneals any discrete.Model from the uniform distribution
// (β = 0, log Z = n·log 2) through p_k(x) ∝ exp(-β_k E(x)) on an even
// schedule in β up to a target Beta, adding -(β_k - β_{k-1})·E(x) to each
// run's log-weight and moving it by one sweep of a gibbs.Method at β_k
// (gibbs.Chain). Each run draws from its own gibbs.NewChainRand source, so
// its result too is the same for any number of workers.
package ais
