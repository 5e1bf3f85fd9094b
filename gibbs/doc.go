// Package gibbs samples any discrete.Model by Markov chain Monte Carlo:
// single-site Gibbs sampling (systematic or random scan),
// Metropolis-Hastings with single bit-flip proposals, Gibbs-with-Gradients
// (Grathwohl et al., "Oops I Took A Gradient", ICML 2021) and parallel
// tempering over a ladder of inverse temperatures with any of them as the
// move within each replica, and reports the usual diagnostics: acceptance
// and swap rates, integrated autocorrelation times, effective sample sizes
// and split R-hat across chains. A Chain exposes one chain's sweeps at an
// inverse temperature its caller chooses; package rbm/ais anneals with it
// to estimate log partition functions (ais.RunDiscrete).
//
// Models of q-state units (discrete.Categorical domains, such as
// discrete.Potts) take the single-site samplers too: Gibbs sampling draws
// a unit's value from its conditional over the q values (heat bath), and
// Metropolis proposes a uniformly chosen other value; both move through
// discrete.Local's Change. Gibbs-with-Gradients proposes setting one unit
// to one of its other values from the gradient of the energy over the
// units' one-hot encodings (the paper's categorical form), so it needs a
// discrete.OneHotDifferentiable model, as discrete.Potts, products of such
// models and the visible marginals of Potts machines are.
//
// Chains are independent and each draws from its own PCG source seeded from
// (Config.Seed, chain index), so a run gives the same result bit for bit for
// any number of workers. Units can be clamped to fixed values, which turns
// the samplers into conditional samplers for inpainting; denoising with a
// known flip-noise rate is sampling from a discrete.Product of the prior
// and the observation's likelihood expert (see discrete.FlipNoise).
//
// # Samplers
//
// The transition kernels are registered samplers, each described once in
// the file that defines it: singlesite.go (RandomScan, Systematic),
// metropolis.go (Metropolis) and gwg.go (GWG). Methods lists them in
// order, Method.String and Method.Summary name and describe them for help
// texts, and ParseMethod finds one by name. To add a sampler, add one
// file that declares its Method constant (an unused value: register
// panics on a taken value or name) and, in an init function, calls
// register with a sampler: its name and one-line summary, optionally a
// check of the model (GWG's needs a gradient) and a per-replica setup
// (GWG's gradient buffers), and its sweep, len(free) single-unit moves
// drawing from the stepper's source. Run, tempering, clamping, NewChain,
// ParseMethod and the command's --sampler then take it with no other
// change; registry_test.go adds two samplers this way.
package gibbs
