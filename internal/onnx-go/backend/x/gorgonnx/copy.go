package gorgonnx

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// copyOp is a gorgonia operator returning a copy of its input in memory of
// its own (see PopulateExprgraph).
type copyOp struct{}

func (copyOp) Arity() int { return 1 }

func (copyOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

func (copyOp) InferShape(inputs ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := inputs[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("copy: input shape is a %T", inputs[0])
	}
	return s.Clone(), nil
}

func (copyOp) Do(inputs ...gorgonia.Value) (gorgonia.Value, error) {
	t, ok := inputs[0].(tensor.Tensor)
	if !ok {
		return nil, fmt.Errorf("copy: input is a %T, not a tensor", inputs[0])
	}
	c, ok := t.Clone().(tensor.Tensor)
	if !ok {
		return nil, fmt.Errorf("copy: cannot clone a %T", t)
	}
	return c, nil
}

func (copyOp) ReturnsPtr() bool      { return false }
func (copyOp) CallsExtern() bool     { return false }
func (copyOp) OverwritesInput() int  { return -1 }
func (copyOp) String() string        { return "copy" }
func (copyOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "copy") }

func (copyOp) Hashcode() uint32 {
	h := fnv.New32a()
	fmt.Fprint(h, "copy")
	return h.Sum32()
}
