// Package layer defines the unit types of a restricted Boltzmann machine.
//
// A Layer owns a group of units of one type: their energy term, their
// parameters, and their conditional distribution given the input field
// that the other layer sends through the weights. An RBM couples two layers
// by a weight matrix W, with energy
//
//	E(v, h) = E_v(v) + E_h(h) - vᵀWh,
//
// so that summing (or integrating) out one layer leaves its log-partition
// Γ(I) = log Σ_x exp(-E(x) + Iᵀx) at the input I it receives:
//
//	F(v) = E_v(v) - Γ_h(Wᵀv).
//
// Each layer type lives in one file and registers itself, so adding a type
// touches that file and its tests only:
//
//	binary    x ∈ {0, 1},   E = -θx,                  Γ = softplus(θ+I)
//	spin      x ∈ {-1, +1}, E = -θx,                  Γ = log 2cosh(θ+I)
//	potts     x one-hot over q states, E = -Σₐ θₐxₐ,   Γ = log Σₐ exp(θₐ+Iₐ)
//	gaussian  x ∈ ℝ,        E = (x-b)²/(2σ²),         Γ = bI + σ²I²/2 + log √(2πσ²)
//	relu      x ≥ 0,        E = γx²/2 - θx,           Γ = log ∫₀^∞ exp(-γx²/2 + (θ+I)x) dx
//	drelu     x ∈ ℝ,        E = γ⁺(x⁺)²/2 + γ⁻(x⁻)²/2 - θx + Δ|x|,
//	                        Γ = log(Z⁺ + Z⁻), each half a relu unit's integral
//
// Layers work in float64 on one state at a time; the binary RBM of package
// rbm keeps its own batched float32 kernels and agrees with the Binary
// layer to rounding.
//
// # Adding a unit type
//
// A new type is one file: a type implementing Layer (and Discrete, when
// its units take finitely many values, so that exact enumeration and
// categorical data reach it), with an init function that calls Register
// with its name, a summary, the kind of data a visible layer of it reads
// (Bits, Categories or Reals) and a constructor. Package rbm's Machine
// then trains it (CD-k, PCD, centering, tempering), computes its free
// energy, exact log Z (when the other layer is discrete) and AIS, writes
// it in model files, and the rbm command offers it to --visible and
// --hidden-type. Its test file runs checkLayer (layer_test.go) on a few
// random layers — the finite-difference, moment and enumeration checks
// every type passes — plus whatever its own numerics need (quadrature for
// continuous units). Only the ONNX export writes each type's formulas
// again, as graph operators (package export).
package layer
