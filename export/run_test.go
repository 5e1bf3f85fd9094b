package export

import (
	"context"
	"fmt"
	"testing"
)

// TestOnnxGoMatchesLibrary runs exports in onnx-go at batch sizes 1, H and
// 1000 — 1 and H being where onnx-go's Gemm aliasing and 1-D bias
// broadcasting go wrong — in both dtypes and compares every output with
// package rbm. The weights' scale 3 puts hidden inputs in the tens, where a
// naive softplus loses precision, and the model with scale 60 drives them
// past 88, where e^x overflows float32.
func TestOnnxGoMatchesLibrary(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		v, h  int
		scale float64
	}{{6, 4, 1}, {20, 13, 3}, {9, 5, 60}} {
		m := randomModel(tc.v, tc.h, tc.scale, uint64(tc.v*100+tc.h))
		for _, dt := range []DType{Float32, Float64} {
			data, err := Marshal(m, nil, Options{DType: dt})
			if err != nil {
				t.Fatal(err)
			}
			g, err := LoadGraph(data)
			if err != nil {
				t.Fatal(err)
			}
			for _, rows := range []int{1, tc.h, 1000} {
				name := fmt.Sprintf("%dx%d/scale%g/%v/batch%d", tc.v, tc.h, tc.scale, dt, rows)
				t.Run(name, func(t *testing.T) {
					v := randomBinary(rows, tc.v, uint64(rows))
					want, scale := libraryOutputs(m, v), scales(m, v)
					// Run twice on the same session-sized batch: a runtime
					// that corrupts its parameters on a run (onnx-go's Gemm
					// aliasing) fails the second comparison.
					for range 2 {
						outs, err := g.Run(ctx, v, rows)
						if err != nil {
							t.Fatal(err)
						}
						for _, o := range outs {
							compareValues(t, o.Name, o.Data, want[o.Name], scale[o.Name])
						}
					}
				})
			}
		}
	}
}
