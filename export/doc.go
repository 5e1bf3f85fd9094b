// Package export writes restricted Boltzmann machines as ONNX models, reads
// them back, and runs ONNX scoring graphs with the pure-Go runtime
// github.com/owulveryck/onnx-go.
//
// An exported model has one input v of shape [N, V], with N a symbolic
// batch dimension, and up to three outputs:
//
//	free_energy     [N, 1]  F(v) = -bᵀv - Σⱼ softplus(cⱼ + (vᵀW)ⱼ)
//	hidden          [N, H]  p(h=1|v) = σ(c + vᵀW)
//	reconstruction  [N, V]  p(v=1|h) = σ(b + Wh) with h = p(h=1|v)
//
// The parameters are initializers W [V, H], b [1, V] and c [1, H].
// Softplus is written as Relu(x) - Log(Sigmoid(Abs(x))), which never
// overflows and uses only operators ONNX Runtime implements for both
// float32 and float64 (it has no float64 Softplus kernel). Sums are MatMuls
// with a column of ones. (The two-dimensional biases and those MatMuls
// date from onnx-go v0.5.0, which mis-broadcast 1-D biases and had no
// ReduceSum; the graph stays as it was so that earlier files import bit for
// bit.) The file uses IR version 8 and opset 13, which current ONNX Runtime
// and the ONNX checker both accept, and carries the model's sizes, training
// settings and the toolkit's version in its metadata_props.
//
// # Machines of other unit types
//
// MarshalMachine writes an rbm.Machine of any pair of unit types whose
// scoring graph standard operators express stably, with the same input and
// outputs: free_energy [N, 1] F(v) = E_v(v) - Γ_h(Wᵀv), hidden [N, H]
// E[h|v], and reconstruction [N, V] E[v|h] at h = E[h|v] (H and V are the
// layers' widths: units·q for Potts units). A machine of two binary layers
// is written exactly as Marshal writes its RBM, in float32 like a version 1
// model file. The conventions below are part of the file format:
//
//   - Binary units use the graphs above. Spin units take the values ±1 and
//     use the binary names b and c; their means are tanh(c + vᵀW) and
//     tanh(b + Wh), and their Γ is Σ log 2cosh(x) written as
//     |x| - Log(Sigmoid(2|x|)) (= |x| + log(1 + e^-2|x|)), stable in both
//     dtypes.
//   - Potts units with q states are one-hot: v is [N, V·q], state a of
//     unit i in column i·q+a, with W [V·q, H], b [1, V·q] (or c [1, H·q]).
//     Means are the softmax over each unit's states: Reshape to
//     [N·units, q], Softmax on axis 1, Reshape back to [N, units·q]. Γ sums
//     each unit's log Σₐ exp(xₐ), computed as m + Log(Σₐ Exp(xₐ - m)) at
//     the unit's ReduceMax m.
//   - Gaussian visible units use the parameterisation of Cho, Raiko & Ilin
//     (2011), E(v, h) = Σᵢ (vᵢ-bᵢ)²/(2σᵢ²) - Σᵢⱼ (vᵢ/σᵢ²)W'ᵢⱼhⱼ - Σⱼ cⱼhⱼ,
//     with initializers W [V, H] holding W' = diag(σ²)·W (row i of the
//     toolkit's weights times σᵢ²), b [1, V], c [1, H] and sigma [1, V]
//     (σ, not σ²). The toolkit's energy is the same function, constant
//     included, so free_energy is rbm.Machine.FreeEnergy. The hidden input
//     is (v/σ²)ᵀW' and the reconstruction b + W'h.
//   - Gaussian hidden units have mean c and scale sigma_hidden [1, H]:
//     Γ = Σⱼ cⱼIⱼ + σⱼ²Iⱼ²/2 + log σⱼ + ½ log 2π at I = Wᵀv (the constant
//     ½ log 2π is the initializer half_log_two_pi), and E[h|v] = c + σ²I.
//   - ReLU visible units (energy γv²/2 - θv, θ in b, γ in precision
//     [1, V]) are written without a reconstruction only: E[v|h] is the mean
//     of a normal truncated at 0, whose ratio φ(x)/Φ(x) is 0/0 in floating
//     point for large negative x unless computed with erfcx, which ONNX
//     lacks. ReLU hidden units are refused: their Γ needs log erfc, which
//     log(Erf) cannot give for large arguments, where erfc underflows.
//     Both refusals wrap ErrNotExpressible.
//   - dReLU visible units (energy γ⁺(v⁺)²/2 + γ⁻(v⁻)²/2 - θv + Δ|v|, with
//     v⁺ = max(v, 0) and v⁻ = min(v, 0); θ in b, Δ in kink [1, V], γ⁺ in
//     precision_pos [1, V] and γ⁻ in precision_neg [1, V]) are written
//     without a reconstruction, and dReLU hidden units are refused, for
//     the reasons ReLU units are.
//
// Sums over units are MatMuls with columns of ones (or of ½), as in the
// binary graph. metadata_props hold what a binary export records, with
// rbm.visible and rbm.hidden the layers' widths, plus rbm.visible_layer and
// rbm.hidden_layer (the unit types), rbm.states (q of Potts visible units,
// "0" otherwise) and, for Potts hidden units, rbm.hidden_states; rbm.meta
// describes the layers as a version 2 model file does. A float64 export also
// carries the toolkit's own values of the parameters the graph holds
// transformed (log σ, log γ, log γ±, and W for Gaussian visible units) as
// initializers named rbm.exact.*, which no node reads, so that
// UnmarshalMachine restores the machine bit for bit; it reads a float32
// export by inverting the transformations.
//
// # Adding a unit type
//
// The graph pieces, initializers and import of each unit type are in one
// file, units_<kind>.go, which implements the unexported interface
// onnxUnits (energy and field of the visible layer, its reconstruction,
// Γ and means of the hidden layer, the parameters held as exponentials,
// any scaling of W's rows, the refusals) and registers it under the
// layer's Kind in an init function; MarshalMachine and UnmarshalMachine
// refuse an unregistered kind as an unknown unit type. A new layer type
// is exported by adding such a file, its conventions to the list above,
// and its kind to the unit types of the tests, which compare every
// expressible pair's graph with rbm.Machine in onnx-go (and ONNX Runtime,
// the ONNX checker and NumPy in the interop tests), round-trip it, and pin
// the bytes of every export in testdata/machine_exports.sha256
// (-update-golden rewrites it once the new files are known to be right).
// A layer type without ONNX units must be listed, with the reason, in
// units_test.go, which checks that each type of rbm/layer is one or the
// other.
//
// Graphs other tools wrote are read by Recognize (and Import, which tries
// Unmarshal first): a binary RBM's free energy in any spelling, such as
// torch.onnx.export writes, is found by the shapes of its initializers and
// accepted only when the rebuilt model's free energy matches the graph's
// own output on random binary rows.
//
// The protobuf messages come from the official onnx.proto, compiled into
// the internal package onnxpb; nothing here encodes protobuf by hand.
package export
