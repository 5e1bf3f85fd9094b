package export_test

import (
	"context"
	"fmt"

	"github.com/rbmkit/rbm/export"
	"github.com/rbmkit/rbm/rbm"
)

// Export a model, run the ONNX file with onnx-go, and import it back. By
// hand, v0 = (1, 0, 1) gives bᵀv = 0.4 and hidden inputs (-0.5, 0), so
// F = -0.4 - softplus(-0.5) - softplus(0) = -1.5672.
func Example() {
	m := rbm.New(3, 2)
	copy(m.W, []float32{1, -1, 0.5, 2, -0.5, 0})
	copy(m.B, []float32{0.1, 0.2, 0.3})
	copy(m.C, []float32{-1, 1})

	data, err := export.Marshal(m, nil, export.Options{})
	if err != nil {
		panic(err)
	}
	g, err := export.LoadGraph(data)
	if err != nil {
		panic(err)
	}
	v := &rbm.Matrix{Rows: 2, Cols: 3, Data: []float32{1, 0, 1, 0, 1, 1}}
	outs, err := g.Run(context.Background(), v, 0, export.OutputFreeEnergy)
	if err != nil {
		panic(err)
	}
	for r := range v.Rows {
		fmt.Printf("F(v%d): ONNX %.4f, library %.4f\n", r, outs[0].Row(r)[0], m.FreeEnergy(v.Row(r)))
	}

	back, _, opt, err := export.Unmarshal(data)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Visible, back.Hidden, opt.DType, opt.Outputs)
	// Output:
	// F(v0): ONNX -1.5672, library -1.5672
	// F(v1): ONNX -3.8618, library -3.8618
	// 3 2 float32 [free_energy hidden reconstruction]
}
