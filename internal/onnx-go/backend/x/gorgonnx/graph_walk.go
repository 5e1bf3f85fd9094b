package gorgonnx

import (
	"errors"
	"fmt"

	"github.com/owulveryck/onnx-go"
	"gorgonia.org/gorgonia"
)

// populateExprgraph by walking through the graph
func (g *Graph) populateExprgraph() error {
	if len(g.groups) == 0 {
		return errors.New("cannot populate the graph because ApplyOperation have not been called")
	}

	// Walk the graph
	itN := g.Nodes()
	for itN.Next() {
		// if the node is a "tensor", set it!
		n := itN.Node().(*Node)
		if n.gorgoniaNode == nil && n.operation == nil {
			if n.t != nil {
				n.gorgoniaNode = gorgonia.NodeFromAny(g.exprgraph, scalarOrTensor(n.t), gorgonia.WithName(getUniqNodeName("node")))
			} else {
				n.gorgoniaNode = gorgonia.NodeFromAny(g.exprgraph, 0, gorgonia.WithName(getUniqNodeName("node")))
			}
		}
	}
	nodes := make([][]*Node, len(g.groups))
	copy(nodes, g.groups)
	for len(nodes) > 0 {
		initialLen := len(nodes)
		for i := 0; i < len(nodes); i++ {
			nilChild := false
			for _, n := range nodes[i] {
				//if n.operation != nil {
				children := getOrderedChildren(g.g, n)
				for j := 0; j < len(children); j++ {
					if children[j].gorgoniaNode == nil {
						nilChild = true
						break
					}
				}
				//}
			}
			if nilChild {
				continue
			}
			err := g.applyOperation(nodes[i]...)
			if err != nil {
				return err
			}
			nodes = append(nodes[:i], nodes[i+1:]...)
		}
		if len(nodes) == initialLen {
			// Every remaining node waits for an input that no node
			// computes: a cycle.
			return fmt.Errorf("%v: its inputs depend on its own output (a cycle in the graph)", nodes[0][0].operation)
		}
	}
	return nil
}

// applyOperation creates a new node on the exprgraph. Its errors, and the
// panics of gorgonia on shapes it cannot handle, name the ONNX node and
// its operator.
func (g *Graph) applyOperation(n ...*Node) (err error) {
	o := n[0].operation
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v: %v", o, r)
		}
	}()
	if err := g.applyOperator(n...); err != nil {
		return fmt.Errorf("%v: %w", o, err)
	}
	return nil
}

func (g *Graph) applyOperator(n ...*Node) error {
	// Is this node already in the ExprGraph?
	if n[0].gorgoniaNode != nil {
		return fmt.Errorf("unsupported case: node is already in the exprgraph")
	}
	opC, ok := operators[n[0].operation.Name]
	if !ok {
		return &onnx.ErrUnsupported{
			Operator: n[0].operation.Name,
			Message:  "onnx-go has no such operator",
		}
	}
	op := opC()
	if err := op.init(*n[0].operation); err != nil {
		return err
	}
	return op.apply(g, n...)
}
