package gorgonnx

import (
	"fmt"

	"gorgonia.org/gorgonia"
)

func broadcast(a, b *Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return ggnBroadcast(a.gorgoniaNode, b.gorgoniaNode)
}

// ggnBroadcast returns a and b broadcast to a common shape by the
// multidirectional (NumPy) rule of ONNX's element-wise operators: shapes
// are aligned on their last axes, the shorter one is padded with leading
// ones, and along each axis the sizes must be equal or one of them 1.
//
// Upstream onnx-go guessed instead: it reshaped a 1-D operand to put its
// length on the first axis of the other operand with the same size, so that
// a bias of length n added to an [N, n] matrix went wrong when N = n.
func ggnBroadcast(a, b *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	if sameDim(a, b) {
		return a, b, nil
	}
	if a.IsScalar() || b.IsScalar() {
		// gorgonia's element-wise operators take a scalar operand as it is.
		return a, b, nil
	}
	sa, sb := a.Shape(), b.Shape()
	rank := len(sa)
	if len(sb) > rank {
		rank = len(sb)
	}
	pa, pb := padShape(sa, rank), padShape(sb, rank)
	var left, right []byte
	for i := range rank {
		switch {
		case pa[i] == pb[i]:
		case pa[i] == 1:
			left = append(left, byte(i))
		case pb[i] == 1:
			right = append(right, byte(i))
		default:
			return nil, nil, fmt.Errorf("shapes %v and %v do not broadcast: axis %d has sizes %d and %d", sa, sb, i, pa[i], pb[i])
		}
	}
	var err error
	if len(sa) < rank {
		if a, err = gorgonia.Reshape(a, pa); err != nil {
			return nil, nil, err
		}
	}
	if len(sb) < rank {
		if b, err = gorgonia.Reshape(b, pb); err != nil {
			return nil, nil, err
		}
	}
	if len(left) == 0 && len(right) == 0 {
		return a, b, nil
	}
	return gorgonia.Broadcast(a, b, gorgonia.NewBroadcastPattern(left, right))
}

// padShape returns s with leading ones up to rank axes.
func padShape(s []int, rank int) []int {
	p := make([]int, rank)
	for i := range p {
		p[i] = 1
	}
	copy(p[rank-len(s):], s)
	return p
}

func sameDim(a, b *gorgonia.Node) bool {
	if len(a.Shape()) != len(b.Shape()) {
		return false
	}
	for i := 0; i < len(a.Shape()); i++ {
		if a.Shape()[i] != b.Shape()[i] {
			return false
		}
	}
	return true
}
