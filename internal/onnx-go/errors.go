package onnx

import (
	"fmt"
	"reflect"

	"github.com/pkg/errors"
)

var (
	errModelIsNil = errors.New("Model is nil")
	errGraphIsNil = errors.New("Graph is nil")
	errGraphNoIO  = errors.New("Graph have no input or output")
	errEmptyGraph = errors.New("Graph is empty")
)

// ErrUnsupported is returned for an operator this copy of onnx-go does
// not run, or for an attribute value or input shape of an operator it runs
// that lies outside what it supports: the graph is refused, by name,
// rather than computed wrongly. The operators run are listed in the
// module's README.
type ErrUnsupported struct {
	Operator       string
	AttributeName  string
	AttributeValue interface{}
	Message        string
}

func (e *ErrUnsupported) Error() string {
	if e.AttributeName != "" {
		return fmt.Sprintf("onnx: operator %v: attribute %v = %v is not supported: %v",
			e.Operator,
			e.AttributeName,
			e.AttributeValue,
			e.Message)
	}
	if e.Message == "" {
		return "onnx: operator " + e.Operator + " is not supported"
	}
	return "onnx: operator " + e.Operator + " is not supported: " + e.Message
}

// An InvalidUnmarshalError describes an invalid argument passed to Unmarshal.
// (The argument to Unmarshal must be a non-nil pointer.)
type InvalidUnmarshalError struct {
	Type reflect.Type
}

func (e *InvalidUnmarshalError) Error() string {
	if e.Type == nil {
		return "onnx: Unmarshal(nil)"
	}

	if e.Type.Kind() != reflect.Ptr {
		return "onnx: Unmarshal(non-pointer " + e.Type.String() + ")"
	}
	return "onnx: Unmarshal(nil " + e.Type.String() + ")"
}
