package export

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/export/internal/onnxpb"
	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/rbm"
	"google.golang.org/protobuf/proto"
)

// foreignGraph returns a scoring graph written the way other tools write
// them, with the patterns onnx-go v0.5.0 mishandled: a 1-D bias in an Add,
// a Gemm with a bias C, the built-in Softplus, and an output (act) that
// also feeds another node. For x [N, V]:
//
//	act  = x·W + c      (MatMul, Add with c of shape [H])
//	prob = σ(act)
//	gemm = softplus(x·W + c2)   (Gemm with C = c2 of shape [1, H])
func foreignGraph(m *rbm.RBM) []byte {
	v, h := int64(m.Visible), int64(m.Hidden)
	node := func(op, out string, in ...string) *onnxpb.NodeProto {
		return &onnxpb.NodeProto{OpType: proto.String(op), Input: in, Output: []string{out}}
	}
	mp := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Version: proto.Int64(13)}},
		Graph: &onnxpb.GraphProto{
			Name: proto.String("foreign"),
			Node: []*onnxpb.NodeProto{
				node("MatMul", "xw", "x", "W"),
				node("Add", "act", "xw", "c"),
				node("Sigmoid", "prob", "act"),
				node("Gemm", "gemm_in", "x", "W", "c2"),
				node("Softplus", "gemm", "gemm_in"),
			},
			Initializer: []*onnxpb.TensorProto{
				tensorProto("W", Float32, []int64{v, h}, m.W),
				tensorProto("c", Float32, []int64{h}, m.C),
				tensorProto("c2", Float32, []int64{1, h}, m.C),
			},
			Input: []*onnxpb.ValueInfoProto{valueInfo("x", onnxpb.TensorProto_FLOAT, v, "")},
			Output: []*onnxpb.ValueInfoProto{
				valueInfo("act", onnxpb.TensorProto_FLOAT, h, ""),
				valueInfo("prob", onnxpb.TensorProto_FLOAT, h, ""),
				valueInfo("gemm", onnxpb.TensorProto_FLOAT, h, ""),
			},
		},
	}
	b, err := proto.Marshal(mp)
	if err != nil {
		panic(err)
	}
	return b
}

// TestForeignGraph runs foreignGraph through Graph at batch sizes that
// include 1 and H, where onnx-go v0.5.0 went wrong (its Gemm overwrote its
// C initializer at batch 1, and it broadcast a 1-D bias of length H along
// the batch axis at batch H), and compares the results with package rbm's
// inputs and kernel's sigmoid and softplus.
func TestForeignGraph(t *testing.T) {
	ctx := context.Background()
	m := randomModel(7, 4, 1, 5)
	g, err := LoadGraph(foreignGraph(m))
	if err != nil {
		t.Fatal(err)
	}
	v := randomBinary(23, 7, 1)
	for _, batch := range []int{0, 1, 2, 4, 5, 100} {
		// Twice, so that a corrupted initializer shows on the second run.
		for range 2 {
			outs, err := g.Run(ctx, v, batch)
			if err != nil {
				t.Fatalf("batch %d: %v", batch, err)
			}
			act := make([]float64, m.Hidden)
			for r := range v.Rows {
				m.HiddenInput(act, v.Row(r))
				for j, a := range act {
					for _, want := range []struct {
						o *Output
						f float64
					}{{outs[0], a}, {outs[1], kernel.Sigmoid(a)}, {outs[2], kernel.Softplus(a)}} {
						if got := want.o.Row(r)[j]; math.Abs(got-want.f) > relTol*math.Max(1, math.Abs(want.f)) {
							t.Fatalf("batch %d: %s[%d][%d] = %v, want %v", batch, want.o.Name, r, j, got, want.f)
						}
					}
				}
			}
		}
	}
}

func TestGraphErrors(t *testing.T) {
	ctx := context.Background()
	m := randomModel(5, 3, 1, 1)
	data, err := Marshal(m, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGraph(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Run(ctx, randomBinary(4, 6, 1), 0); err == nil || !strings.Contains(err.Error(), "6 columns") {
		t.Errorf("wrong width: %v", err)
	}
	if _, err := g.Run(ctx, randomBinary(4, 5, 1), 0, "logits"); err == nil || !strings.Contains(err.Error(), `no output "logits"`) {
		t.Errorf("missing output: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := g.Run(cancelled, randomBinary(4, 5, 1), 0); err == nil {
		t.Error("Run ignored a cancelled context")
	}
	outs, err := g.Run(ctx, rbm.NewMatrix(0, 5), 0, OutputFreeEnergy)
	if err != nil || outs[0].Rows != 0 {
		t.Errorf("empty data: %v %+v", err, outs)
	}

	// An operator onnx-go does not implement fails at the first run with
	// an error naming it.
	unknown := mutate(t, func(mp *onnxpb.ModelProto) {
		for _, n := range mp.GetGraph().GetNode() {
			if n.GetOpType() == "Neg" {
				n.OpType = proto.String("Erf")
			}
		}
	})
	g, err = LoadGraph(unknown)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Run(ctx, randomBinary(2, 4, 1), 0); err == nil || !strings.Contains(err.Error(), "Erf") {
		t.Errorf("unknown operator: %v", err)
	}
	for name, bad := range map[string][]byte{
		"truncated": data[:len(data)-7],
		"two inputs": mutate(t, func(mp *onnxpb.ModelProto) {
			g := mp.GetGraph()
			g.Input = append(g.Input, valueInfo("u", onnxpb.TensorProto_FLOAT, 2, ""))
		}),
		"rank 3 input": mutate(t, func(mp *onnxpb.ModelProto) {
			s := mp.GetGraph().GetInput()[0].GetType().GetTensorType().GetShape()
			s.Dim = append(s.Dim, s.Dim[1])
		}),
	} {
		if _, err := LoadGraph(bad); err == nil {
			t.Errorf("%s: LoadGraph succeeded", name)
		}
	}
}

// TestRunLastBatchHasNoPadding runs a graph whose rows interact — a
// softmax over the rows of each batch (Transpose, Softmax, Transpose) — and
// checks every batch against its own softmax: the last, shorter batch must
// be evaluated without padding rows, which would add e⁰ = 1 to each
// denominator.
func TestRunLastBatchHasNoPadding(t *testing.T) {
	const cols = 3
	transpose := func(out, in string) *onnxpb.NodeProto {
		return &onnxpb.NodeProto{OpType: proto.String("Transpose"), Input: []string{in}, Output: []string{out},
			Attribute: []*onnxpb.AttributeProto{{Name: proto.String("perm"), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: []int64{1, 0}}}}
	}
	mp := &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Version: proto.Int64(13)}},
		Graph: &onnxpb.GraphProto{
			Name: proto.String("batch-softmax"),
			Node: []*onnxpb.NodeProto{
				transpose("xt", "x"),
				{OpType: proto.String("Softmax"), Input: []string{"xt"}, Output: []string{"st"}},
				transpose("share", "st"),
			},
			Input:  []*onnxpb.ValueInfoProto{valueInfo("x", onnxpb.TensorProto_FLOAT, cols, "")},
			Output: []*onnxpb.ValueInfoProto{valueInfo("share", onnxpb.TensorProto_FLOAT, cols, "")},
		},
	}
	data, err := proto.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGraph(data)
	if err != nil {
		t.Fatal(err)
	}
	v := rbm.NewMatrix(10, cols)
	for i := range v.Data {
		v.Data[i] = float32(i%7) / 3
	}
	const batch = 4
	outs, err := g.Run(context.Background(), v, batch, "share")
	if err != nil {
		t.Fatal(err)
	}
	got := outs[0]
	for lo := 0; lo < v.Rows; lo += batch {
		hi := min(lo+batch, v.Rows)
		for c := range cols {
			var z float64
			for r := lo; r < hi; r++ {
				z += math.Exp(float64(v.Row(r)[c]))
			}
			for r := lo; r < hi; r++ {
				want := math.Exp(float64(v.Row(r)[c])) / z
				if d := math.Abs(got.Row(r)[c] - want); d > 1e-6 {
					t.Errorf("row %d, column %d: %v, want %v (softmax over rows %d–%d)", r, c, got.Row(r)[c], want, lo, hi-1)
				}
			}
		}
	}
}
