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
// Graphs other tools wrote are read by Recognize (and Import, which tries
// Unmarshal first): a binary RBM's free energy in any spelling, such as
// torch.onnx.export writes, is found by the shapes of its initializers and
// accepted only when the rebuilt model's free energy matches the graph's
// own output on random binary rows.
//
// The protobuf messages come from the official onnx.proto, compiled into
// the internal package onnxpb; nothing here encodes protobuf by hand.
package export
