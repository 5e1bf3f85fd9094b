package gorgonnx

import (
	"math"
	"testing"

	"github.com/owulveryck/onnx-go/internal/onnx/ir"
)

// TestOutputAliasBesideInPlaceConsumer checks outputs that share their
// value with a value another operator reads (Identity, Unsqueeze), which
// gorgonia let that reader overwrite in place: upstream returned
// exp(σ(a)) as Identity(a) here.
func TestOutputAliasBesideInPlaceConsumer(t *testing.T) {
	for _, alias := range []*ir.NodeProto{
		node("Identity", []string{"a"}, "y"),
		node("Unsqueeze", []string{"a"}, "y", ints("axes", 0)),
	} {
		t.Run(alias.OpType, func(t *testing.T) { checkOutputAlias(t, alias) })
	}
}

func checkOutputAlias(t *testing.T, alias *ir.NodeProto) {
	w := seq(func(i int) float64 { return float64(i%3) - 1 }, 4, 2)
	g := testGraph{
		nodes: []*ir.NodeProto{
			node("MatMul", []string{"x", "w"}, "a"),
			alias,
			node("Sigmoid", []string{"a"}, "s"),
			node("Exp", []string{"s"}, "z"),
		},
		inits:   []*ir.TensorProto{floatTensor("w", w)},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y", "z"},
	}
	outs, err := g.run(2)
	if err != nil {
		t.Fatal(err)
	}
	a := matmul(x34, w, false, false)
	want := a
	if alias.OpType == "Unsqueeze" {
		want = reshaped(a, 1, 3, 2)
	}
	compare(t, "y", outs["y"], want)
	compare(t, "z", outs["z"], seq(func(i int) float64 { return math.Exp(1 / (1 + math.Exp(-a.data[i]))) }, 3, 2))
}
