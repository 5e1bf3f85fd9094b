// Package loglik estimates the mean log-likelihood of data under a binary
// RBM (Estimate) or a machine of any unit types (EstimateMachine),
// log p(v) = -F(v) - log Z, with the toolkit's two sources of truth:
// exact enumeration of the smaller layer when it is small enough (package
// exact), and annealed importance sampling otherwise (package ais).
//
// An AIS estimate has two sides. Forward AIS underestimates log Z in
// expectation, so the log-likelihood it implies (LogLik.Upper, also Mean)
// leans optimistic. RAISE (Burda, Grosse and Salakhutdinov 2015) anneals
// from each evaluated row down to the base-rate model; its per-row estimate
// is a stochastic lower bound on the row's log-probability under the
// annealing model, a conservative figure (LogLik.Lower) that approaches
// the RBM's own as the annealing improves. Where the two agree the
// annealing was long enough; where they do not, the truth lies between
// them only in the sense that both are approximations from either side,
// and a longer schedule is needed.
package loglik
