package ir

import (
	"github.com/pkg/errors"
)

var (
	// ErrUnsupportedTensor is wrapped by the errors for tensors this
	// package does not decode: segmented ones, and element types other
	// than the numeric ones gorgonia holds.
	ErrUnsupportedTensor = errors.New("unsupported tensor")
	// ErrNoDataFound is returned for a tensor with no data.
	ErrNoDataFound = errors.New("no data found")
	// ErrCorruptedData is wrapped by the errors for tensor data that does
	// not decode.
	ErrCorruptedData = errors.New("unable to decode data")
)
