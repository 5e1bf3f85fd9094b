// Package onnxpb holds the Go bindings of the ONNX protobuf schema,
// generated from onnx.proto (ONNX v1.17.0, renamed to the protobuf package
// rbmkit.onnx) with protoc 3.21.12 and protoc-gen-go v1.36.12:
//
//	apt-get install protobuf-compiler
//	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//	go generate ./export/internal/onnxpb
//
// Do not edit onnx.pb.go; regenerate it.
package onnxpb

//go:generate protoc --proto_path=. --go_out=. --go_opt=paths=source_relative onnx.proto
