package dataset

import (
	"fmt"

	"github.com/rbmkit/rbm/rbm/idx"
)

// Labels returns the class labels held in a, a 1-D array of integers such
// as an MNIST label file (ubyte). Any integer type is accepted; floating
// point data is an error, as is any other number of dimensions.
func Labels(a *idx.Array) ([]int, error) {
	if len(a.Dims) != 1 {
		return nil, fmt.Errorf("dataset: labels must be a 1-D array, got dims %v", a.Dims)
	}
	switch data := a.Data.(type) {
	case []uint8:
		return ints(data), nil
	case []int8:
		return ints(data), nil
	case []int16:
		return ints(data), nil
	case []int32:
		return ints(data), nil
	}
	return nil, fmt.Errorf("dataset: labels must be integers, got %T data", a.Data)
}

func ints[T uint8 | int8 | int16 | int32](data []T) []int {
	out := make([]int, len(data))
	for i, v := range data {
		out[i] = int(v)
	}
	return out
}
