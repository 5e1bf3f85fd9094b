package gorgonnx

import (
	"math"
	"testing"

	"github.com/owulveryck/onnx-go/internal/onnx/ir"
)

// TestViewReaders checks that an operator overwriting a reshaped view of a
// value in place (Sigmoid of Unsqueeze(a)) leaves a for its other readers,
// in either node order.
func TestViewReaders(t *testing.T) {
	w := seq(func(i int) float64 { return float64(i%3) - 1 }, 4, 2)
	for _, order := range [][]int{{0, 1, 2, 3}, {0, 1, 3, 2}} {
		all := []*ir.NodeProto{
			node("MatMul", []string{"x", "w"}, "a"),
			node("Unsqueeze", []string{"a"}, "r", ints("axes", 0)),
			node("Sigmoid", []string{"r"}, "s"),
			node("Exp", []string{"a"}, "e"),
		}
		var nodes []*ir.NodeProto
		for _, i := range order {
			nodes = append(nodes, all[i])
		}
		g := testGraph{nodes: nodes, inits: []*ir.TensorProto{floatTensor("w", w)}, inputs: map[string]array{"x": x34}, outputs: []string{"s", "e"}}
		outs, err := g.run(2)
		if err != nil {
			t.Fatal(err)
		}
		a := matmul(x34, w, false, false)
		compare(t, "e", outs["e"], seq(func(i int) float64 { return math.Exp(a.data[i]) }, 3, 2))
		compare(t, "s", outs["s"], seq(func(i int) float64 { return 1 / (1 + math.Exp(-a.data[i])) }, 1, 3, 2))
	}
}
