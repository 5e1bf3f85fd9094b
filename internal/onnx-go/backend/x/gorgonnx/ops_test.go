package gorgonnx

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/owulveryck/onnx-go/internal/onnx/ir"
)

// x34 is a 3×4 input with distinct values of both signs.
var x34 = seq(func(i int) float64 { return float64(i%5) - 1.5 + float64(i)/10 }, 3, 4)

// elementwise returns the array op(a, b) with a and b broadcast by NumPy's
// rule, computed directly.
func elementwise(a, b array, op func(x, y float64) float64) array {
	rank := imax(len(a.shape), len(b.shape))
	pad := func(s []int) []int {
		p := make([]int, rank)
		for i := range p {
			p[i] = 1
		}
		copy(p[rank-len(s):], s)
		return p
	}
	pa, pb := pad(a.shape), pad(b.shape)
	shape := make([]int, rank)
	for i := range shape {
		shape[i] = imax(pa[i], pb[i])
	}
	out := seq(func(int) float64 { return 0 }, shape...)
	idx := make([]int, rank)
	for k := range out.data {
		r := k
		for i := rank - 1; i >= 0; i-- {
			idx[i] = r % shape[i]
			r /= shape[i]
		}
		ia, ib := make([]int, rank), make([]int, rank)
		for i := range idx {
			ia[i] = idx[i] % pa[i]
			ib[i] = idx[i] % pb[i]
		}
		out.data[k] = op(array{pa, a.data}.at(ia...), array{pb, b.data}.at(ib...))
	}
	return out
}

// imax is the builtin max, which this package's operator type max hides.
func imax(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// TestBroadcast checks Add, Sub, Mul and Div against NumPy's broadcasting,
// with both operand orders, including a bias of length n added to an
// [n, n] matrix, which upstream onnx-go broadcast along the wrong axis.
func TestBroadcast(t *testing.T) {
	ops := map[string]func(x, y float64) float64{
		"Add": func(x, y float64) float64 { return x + y },
		"Sub": func(x, y float64) float64 { return x - y },
		"Mul": func(x, y float64) float64 { return x * y },
		"Div": func(x, y float64) float64 { return x / y },
	}
	square := seq(func(i int) float64 { return float64(i) + 1 }, 3, 3)
	for _, tc := range []struct {
		name string
		a, b array
	}{
		{"row bias, square", square, arr([]int{3}, 10, 20, 30)},
		{"row bias", x34, arr([]int{4}, 1, 2, 3, 4)},
		{"row [1,n]", x34, arr([]int{1, 4}, 1, 2, 3, 4)},
		{"column [m,1]", x34, arr([]int{3, 1}, 5, 6, 7)},
		{"outer", arr([]int{3, 1}, 1, 2, 3), arr([]int{1, 4}, 10, 20, 30, 40)},
		{"same", x34, seq(func(i int) float64 { return float64(i) + 0.5 }, 3, 4)},
	} {
		for op, f := range ops {
			for _, swap := range []bool{false, true} {
				a, b := tc.a, tc.b
				if swap {
					a, b = b, a
				}
				t.Run(fmt.Sprintf("%s/%s/swap=%v", tc.name, op, swap), func(t *testing.T) {
					g := testGraph{
						nodes:   []*ir.NodeProto{node(op, []string{"a", "b"}, "y")},
						inits:   []*ir.TensorProto{floatTensor("b", b)},
						inputs:  map[string]array{"a": a},
						outputs: []string{"y"},
					}
					g.check(t, "y", elementwise(a, b, f))
				})
			}
		}
	}
	g := testGraph{
		nodes:   []*ir.NodeProto{node("Add", []string{"a", "b"}, "y")},
		inits:   []*ir.TensorProto{floatTensor("b", arr([]int{3}, 1, 2, 3))},
		inputs:  map[string]array{"a": x34},
		outputs: []string{"y"},
	}
	_, err := g.run(1)
	if err == nil || !strings.Contains(err.Error(), `node "node_y" (Add)`) || !strings.Contains(err.Error(), "do not broadcast") {
		t.Errorf("shapes [3 4] and [3]: error %v, want one naming the node, its operator and the shapes", err)
	}
}

// TestScalarConstant adds a rank-0 Constant, as PyTorch writes log1p:
// Add(Constant(1), x).
func TestScalarConstant(t *testing.T) {
	one := &ir.TensorProto{DataType: int32(ir.TensorProto_FLOAT), FloatData: []float32{1}}
	g := testGraph{
		nodes: []*ir.NodeProto{
			node("Constant", nil, "one", tensorAttr("value", one)),
			node("Add", []string{"one", "x"}, "y"),
		},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y"},
	}
	g.check(t, "y", elementwise(x34, arr(nil, 1), func(x, y float64) float64 { return x + y }))
}

// matmul returns a·b for a [m,k] and b [k,n], with optional transposes.
func matmul(a, b array, transA, transB bool) array {
	get := func(x array, trans bool, i, j int) float64 {
		if trans {
			return x.at(j, i)
		}
		return x.at(i, j)
	}
	m, k := a.shape[0], a.shape[1]
	if transA {
		m, k = k, m
	}
	n := b.shape[1]
	if transB {
		n = b.shape[0]
	}
	out := seq(func(int) float64 { return 0 }, m, n)
	for i := range m {
		for j := range n {
			var s float64
			for l := range k {
				s += get(a, transA, i, l) * get(b, transB, l, j)
			}
			out.data[i*n+j] = s
		}
	}
	return out
}

// TestGemm checks every transpose, alpha and beta, and every shape C may
// have, over two runs: upstream's Gemm wrote its result into C when C had
// the result's size, so an initializer C changed on every run.
func TestGemm(t *testing.T) {
	a := seq(func(i int) float64 { return float64(i%7) - 3 }, 3, 4)
	b := seq(func(i int) float64 { return float64(i%5)/2 - 1 }, 4, 3)
	for _, transA := range []bool{false, true} {
		for _, transB := range []bool{false, true} {
			for _, c := range []array{
				{},
				arr([]int{1}, 0.5),
				arr([]int{3}, 1, 2, 3),
				arr([]int{1, 3}, 1, 2, 3),
				arr([]int{3, 1}, -1, -2, -3),
				seq(func(i int) float64 { return float64(i) }, 3, 3),
			} {
				for _, ab := range [][2]float32{{1, 1}, {0.5, 2}} {
					name := fmt.Sprintf("transA=%v/transB=%v/C%v/alpha=%v/beta=%v", transA, transB, c.shape, ab[0], ab[1])
					t.Run(name, func(t *testing.T) {
						in, w := a, b
						if transA {
							in = transpose2(a)
						}
						if transB {
							w = transpose2(b)
						}
						attrs := []*ir.AttributeProto{float("alpha", ab[0]), float("beta", ab[1])}
						if transA {
							attrs = append(attrs, integer("transA", 1))
						}
						if transB {
							attrs = append(attrs, integer("transB", 1))
						}
						inputs := []string{"a", "w"}
						inits := []*ir.TensorProto{floatTensor("w", w)}
						want := matmul(in, w, transA, transB)
						for i := range want.data {
							want.data[i] *= float64(ab[0])
						}
						if c.data != nil {
							inputs = append(inputs, "c")
							inits = append(inits, floatTensor("c", c))
							want = elementwise(want, c, func(y, c float64) float64 { return y + float64(ab[1])*c })
						}
						g := testGraph{
							nodes:   []*ir.NodeProto{node("Gemm", inputs, "y", attrs...)},
							inits:   inits,
							inputs:  map[string]array{"a": in},
							outputs: []string{"y"},
						}
						g.check(t, "y", want)
					})
				}
			}
		}
	}
}

func transpose2(a array) array {
	r, c := a.shape[0], a.shape[1]
	return seq(func(i int) float64 { return a.at(i%r, i/r) }, c, r)
}

// TestMatMulVector checks MatMul with a vector on either side, as PyTorch
// writes v.mv(b) and v @ b.
func TestMatMulVector(t *testing.T) {
	vec := arr([]int{4}, 1, -2, 0.5, 3)
	g := testGraph{
		nodes:   []*ir.NodeProto{node("MatMul", []string{"x", "b"}, "y")},
		inits:   []*ir.TensorProto{floatTensor("b", vec)},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y"},
	}
	want := matmul(x34, array{[]int{4, 1}, vec.data}, false, false)
	g.check(t, "y", array{[]int{3}, want.data})

	row := arr([]int{3}, 2, -1, 0.25)
	g = testGraph{
		nodes:   []*ir.NodeProto{node("MatMul", []string{"r", "x"}, "y")},
		inits:   []*ir.TensorProto{floatTensor("r", row)},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y"},
	}
	want = matmul(array{[]int{1, 3}, row.data}, x34, false, false)
	g.check(t, "y", array{[]int{4}, want.data})
}

// reshaped returns a with another shape and the same values.
func reshaped(a array, shape ...int) array { return array{shape, a.data} }

// TestUnsqueezeSqueeze checks both operators with axes as an attribute
// (opset ≤ 12), as an input (opset ≥ 13) and negative.
func TestUnsqueezeSqueeze(t *testing.T) {
	vec := arr([]int{3}, 1, 2, 3)
	for _, tc := range []struct {
		axes  []int64
		shape []int
	}{
		{[]int64{1}, []int{3, 1}},
		{[]int64{0}, []int{1, 3}},
		{[]int64{-1}, []int{3, 1}},
		{[]int64{0, 2}, []int{1, 3, 1}},
	} {
		for _, asInput := range []bool{false, true} {
			t.Run(fmt.Sprintf("Unsqueeze%v/input=%v", tc.axes, asInput), func(t *testing.T) {
				g := testGraph{inputs: map[string]array{"x": vec}, outputs: []string{"y"}}
				if asInput {
					g.nodes = []*ir.NodeProto{node("Unsqueeze", []string{"x", "axes"}, "y")}
					g.inits = []*ir.TensorProto{int64Tensor("axes", tc.axes...)}
				} else {
					g.nodes = []*ir.NodeProto{node("Unsqueeze", []string{"x"}, "y", ints("axes", tc.axes...))}
				}
				g.check(t, "y", reshaped(vec, tc.shape...))
			})
			t.Run(fmt.Sprintf("Squeeze%v/input=%v", tc.axes, asInput), func(t *testing.T) {
				in := reshaped(vec, tc.shape...)
				g := testGraph{inputs: map[string]array{"x": in}, outputs: []string{"y"}}
				if asInput {
					// The axes from a Constant node, as PyTorch writes them.
					g.nodes = []*ir.NodeProto{
						node("Constant", nil, "axes", tensorAttr("value", int64Tensor("", tc.axes...))),
						node("Squeeze", []string{"x", "axes"}, "y"),
					}
				} else {
					g.nodes = []*ir.NodeProto{node("Squeeze", []string{"x"}, "y", ints("axes", tc.axes...))}
				}
				g.check(t, "y", vec)
			})
		}
	}
	// Without axes, Squeeze drops every axis of size 1.
	g := testGraph{
		nodes:   []*ir.NodeProto{node("Squeeze", []string{"x"}, "y")},
		inputs:  map[string]array{"x": reshaped(vec, 1, 3, 1)},
		outputs: []string{"y"},
	}
	g.check(t, "y", vec)
	g.nodes = []*ir.NodeProto{node("Squeeze", []string{"x"}, "y", ints("axes", 1))}
	if _, err := g.run(1); err == nil || !strings.Contains(err.Error(), "(Squeeze)") || !strings.Contains(err.Error(), "size is 3") {
		t.Errorf("squeezing an axis of size 3: %v", err)
	}
	// Axes computed by the graph cannot fix a shape before it runs.
	g = testGraph{
		nodes:   []*ir.NodeProto{node("Neg", []string{"x"}, "axes"), node("Unsqueeze", []string{"x", "axes"}, "y")},
		inputs:  map[string]array{"x": vec},
		outputs: []string{"y"},
	}
	if _, err := g.run(1); err == nil || !strings.Contains(err.Error(), `node "node_y" (Unsqueeze)`) || !strings.Contains(err.Error(), "constant") {
		t.Errorf("computed axes: %v", err)
	}
}

// TestReduceSum checks the sum over each axis set, with and without
// keepdims, with axes as an attribute and as an input.
func TestReduceSum(t *testing.T) {
	sum := func(axis int, keep bool) array {
		r, c := x34.shape[0], x34.shape[1]
		switch axis {
		case 0:
			out := seq(func(j int) float64 {
				var s float64
				for i := range r {
					s += x34.at(i, j)
				}
				return s
			}, c)
			if keep {
				return reshaped(out, 1, c)
			}
			return out
		case 1:
			out := seq(func(i int) float64 {
				var s float64
				for j := range c {
					s += x34.at(i, j)
				}
				return s
			}, r)
			if keep {
				return reshaped(out, r, 1)
			}
			return out
		}
		var s float64
		for _, x := range x34.data {
			s += x
		}
		return arr([]int{1, 1}, s)
	}
	for _, tc := range []struct {
		axes []int64
		keep int64
		want array
	}{
		{[]int64{1}, 1, sum(1, true)},
		{[]int64{1}, 0, sum(1, false)},
		{[]int64{-1}, 0, sum(1, false)},
		{[]int64{0}, 1, sum(0, true)},
		{[]int64{-2}, 0, sum(0, false)},
		{[]int64{0, 1}, 1, sum(2, true)},
		{nil, 1, sum(2, true)},
	} {
		for _, asInput := range []bool{false, true} {
			t.Run(fmt.Sprintf("axes%v/keepdims=%d/input=%v", tc.axes, tc.keep, asInput), func(t *testing.T) {
				g := testGraph{inputs: map[string]array{"x": x34}, outputs: []string{"y"}}
				switch {
				case tc.axes == nil:
					g.nodes = []*ir.NodeProto{node("ReduceSum", []string{"x"}, "y", integer("keepdims", tc.keep))}
				case asInput:
					g.nodes = []*ir.NodeProto{node("ReduceSum", []string{"x", "axes"}, "y", integer("keepdims", tc.keep))}
					g.inits = []*ir.TensorProto{int64Tensor("axes", tc.axes...)}
				default:
					g.nodes = []*ir.NodeProto{node("ReduceSum", []string{"x"}, "y", ints("axes", tc.axes...), integer("keepdims", tc.keep))}
				}
				g.check(t, "y", tc.want)
			})
		}
	}
	g := testGraph{
		nodes:   []*ir.NodeProto{node("ReduceSum", []string{"x"}, "y", integer("noop_with_empty_axes", 1))},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y"},
	}
	g.check(t, "y", x34)
	g.nodes = []*ir.NodeProto{node("ReduceSum", []string{"x"}, "y", ints("axes", 2))}
	if _, err := g.run(1); err == nil || !strings.Contains(err.Error(), "(ReduceSum)") || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("axis 2 of a matrix: %v", err)
	}
}

// TestReduceMax checks the maximum over either axis of a matrix, with and
// without keepdims, on values of both signs (a maximum of negative values must not
// come out as zero).
func TestReduceMax(t *testing.T) {
	neg := seq(func(i int) float64 { return -float64((i*7)%12) - 0.5 }, 3, 4)
	for _, x := range []array{x34, neg} {
		r, c := x.shape[0], x.shape[1]
		rowMax := seq(func(i int) float64 {
			m := math.Inf(-1)
			for j := range c {
				m = math.Max(m, x.at(i, j))
			}
			return m
		}, r)
		colMax := seq(func(j int) float64 {
			m := math.Inf(-1)
			for i := range r {
				m = math.Max(m, x.at(i, j))
			}
			return m
		}, c)
		for _, tc := range []struct {
			axes []int64
			keep int64
			want array
		}{
			{[]int64{1}, 1, reshaped(rowMax, r, 1)},
			{[]int64{-1}, 0, rowMax},
			{[]int64{0}, 1, reshaped(colMax, 1, c)},
		} {
			t.Run(fmt.Sprintf("x%v/axes%v/keepdims=%d", x.data[0], tc.axes, tc.keep), func(t *testing.T) {
				g := testGraph{inputs: map[string]array{"x": x}, outputs: []string{"y"}}
				if tc.axes == nil {
					g.nodes = []*ir.NodeProto{node("ReduceMax", []string{"x"}, "y", integer("keepdims", tc.keep))}
				} else {
					g.nodes = []*ir.NodeProto{node("ReduceMax", []string{"x"}, "y", ints("axes", tc.axes...), integer("keepdims", tc.keep))}
				}
				g.check(t, "y", tc.want)
			})
		}
	}
	// Other reductions are refused rather than computed wrong.
	g := testGraph{
		nodes:   []*ir.NodeProto{node("ReduceMax", []string{"x"}, "y", ints("axes", 0, 1))},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y"},
	}
	if _, err := g.run(1); err == nil || !strings.Contains(err.Error(), "(ReduceMax)") || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("both axes of a matrix: %v", err)
	}
}

// TestReshape checks -1, 0 and allowzero's refusal to copy.
func TestReshape(t *testing.T) {
	for _, tc := range []struct {
		shape []int64
		want  []int
	}{
		{[]int64{-1, 1}, []int{12, 1}},
		{[]int64{-1}, []int{12}},
		{[]int64{0, -1}, []int{3, 4}},
		{[]int64{2, 0, -1}, nil},
		{[]int64{6, 2}, []int{6, 2}},
		{[]int64{5, -1}, nil},
		{[]int64{-1, -1}, nil},
	} {
		t.Run(fmt.Sprint(tc.shape), func(t *testing.T) {
			g := testGraph{
				nodes: []*ir.NodeProto{
					node("Constant", nil, "shape", tensorAttr("value", int64Tensor("", tc.shape...))),
					node("Reshape", []string{"x", "shape"}, "y"),
				},
				inputs:  map[string]array{"x": x34},
				outputs: []string{"y"},
			}
			if tc.want == nil {
				if _, err := g.run(1); err == nil || !strings.Contains(err.Error(), "(Reshape)") {
					t.Errorf("error %v, want a refusal naming Reshape", err)
				}
				return
			}
			g.check(t, "y", reshaped(x34, tc.want...))
		})
	}
	g := testGraph{
		nodes:   []*ir.NodeProto{node("Reshape", []string{"x", "shape"}, "y", integer("allowzero", 1))},
		inits:   []*ir.TensorProto{int64Tensor("shape", 0, -1)},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y"},
	}
	if _, err := g.run(1); err == nil {
		t.Error("allowzero: a 0 in the shape was copied from the input")
	}
}

// TestTranspose checks an explicit and the default (reversing) perm.
func TestTranspose(t *testing.T) {
	for _, attrs := range [][]*ir.AttributeProto{{ints("perm", 1, 0)}, nil} {
		g := testGraph{
			nodes:   []*ir.NodeProto{node("Transpose", []string{"x"}, "y", attrs...)},
			inputs:  map[string]array{"x": x34},
			outputs: []string{"y"},
		}
		g.check(t, "y", transpose2(x34))
	}
}

// TestCast casts float32 to float64 and back, and to int64, which
// truncates toward zero.
func TestCast(t *testing.T) {
	g := testGraph{
		nodes: []*ir.NodeProto{
			node("Cast", []string{"x"}, "double", integer("to", int64(ir.TensorProto_DOUBLE))),
			node("Exp", []string{"double"}, "exp"),
			node("Cast", []string{"exp"}, "y", integer("to", int64(ir.TensorProto_FLOAT))),
			node("Cast", []string{"x"}, "i", integer("to", int64(ir.TensorProto_INT64))),
			node("Cast", []string{"x"}, "same", integer("to", int64(ir.TensorProto_FLOAT))),
			node("Neg", []string{"same"}, "neg"),
		},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y", "i", "neg"},
	}
	outs, err := g.run(2)
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "y", outs["y"], seq(func(i int) float64 { return math.Exp(float64(float32(x34.data[i]))) }, 3, 4))
	compare(t, "i", outs["i"], seq(func(i int) float64 { return math.Trunc(x34.data[i]) }, 3, 4))
	compare(t, "neg", outs["neg"], seq(func(i int) float64 { return -x34.data[i] }, 3, 4))
	g = testGraph{
		nodes:   []*ir.NodeProto{node("Cast", []string{"x"}, "y", integer("to", int64(ir.TensorProto_STRING)))},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y"},
	}
	if _, err := g.run(1); err == nil || !strings.Contains(err.Error(), "(Cast)") {
		t.Errorf("cast to string: %v", err)
	}
}

// TestConstantForms checks the value_float and value_ints forms of
// Constant (opset 12 on).
func TestConstantForms(t *testing.T) {
	g := testGraph{
		nodes: []*ir.NodeProto{
			node("Constant", nil, "two", float("value_float", 2)),
			node("Constant", nil, "axes", ints("value_ints", 1)),
			node("Mul", []string{"x", "two"}, "double"),
			node("ReduceSum", []string{"double", "axes"}, "y", integer("keepdims", 0)),
		},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y"},
	}
	want := seq(func(i int) float64 {
		var s float64
		for j := range 4 {
			s += 2 * x34.at(i, j)
		}
		return s
	}, 3)
	g.check(t, "y", want)
}

// TestUnary checks the element-wise operators of scoring graphs against
// package math, at values where a naive softplus or sigmoid overflows
// float32.
func TestUnary(t *testing.T) {
	x := arr([]int{2, 4}, -100, -20, -1.5, 0, 0.5, 3, 20, 100)
	for op, f := range map[string]func(float64) float64{
		"Neg":  func(x float64) float64 { return -x },
		"Abs":  math.Abs,
		"Relu": func(x float64) float64 { return math.Max(x, 0) },
		"Exp":  math.Exp,
		"Sigmoid": func(x float64) float64 {
			return 1 / (1 + math.Exp(-x))
		},
		"Softplus": func(x float64) float64 {
			return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
		},
		"Identity": func(x float64) float64 { return x },
	} {
		t.Run(op, func(t *testing.T) {
			in := x
			if op == "Exp" {
				in = arr([]int{2, 2}, -20, -1.5, 0.5, 20)
			}
			g := testGraph{
				nodes:   []*ir.NodeProto{node(op, []string{"x"}, "y")},
				inputs:  map[string]array{"x": in},
				outputs: []string{"y"},
			}
			want := seq(func(i int) float64 { return f(float64(float32(in.data[i]))) }, in.shape...)
			g.check(t, "y", want)
		})
	}
	pos := arr([]int{2, 2}, 1e-3, 0.5, 3, 100)
	g := testGraph{
		nodes:   []*ir.NodeProto{node("Log", []string{"x"}, "y")},
		inputs:  map[string]array{"x": pos},
		outputs: []string{"y"},
	}
	g.check(t, "y", seq(func(i int) float64 { return math.Log(float64(float32(pos.data[i]))) }, 2, 2))
}

// TestRepeatedInput checks a node that reads one value twice, which the
// decoder's graph (one edge between two nodes) used to lose.
func TestRepeatedInput(t *testing.T) {
	g := testGraph{
		nodes:   []*ir.NodeProto{node("Mul", []string{"x", "x"}, "y")},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y"},
	}
	g.check(t, "y", elementwise(x34, x34, func(a, b float64) float64 { return a * b }))
}

// TestErrorsNameTheNode checks that failures name the node, its operator
// and the reason, never a bare <nil>.
func TestErrorsNameTheNode(t *testing.T) {
	for _, tc := range []struct {
		node *ir.NodeProto
		want string
	}{
		{node("Erf", []string{"x"}, "y"), `node "node_y" (Erf): onnx: operator Erf is not supported: onnx-go has no such operator`},
		// The image operators were left out of this copy (README): a
		// convolutional graph is refused by name.
		{node("Conv", []string{"x", "x"}, "y"), `node "node_y" (Conv): onnx: operator Conv is not supported: onnx-go has no such operator`},
		{node("MaxPool", []string{"x"}, "y"), `node "node_y" (MaxPool): onnx: operator MaxPool is not supported: onnx-go has no such operator`},
		{node("Unsqueeze", []string{"x"}, "y"), `node "node_y" (Unsqueeze): no axes`},
		{node("MatMul", []string{"x", "x"}, "y"), `node "node_y" (MatMul): shapes (3, 4) and (3, 4) cannot be multiplied`},
		{node("Gemm", []string{"x", "x"}, "y"), `node "node_y" (Gemm): A' has shape (3, 4) and B' (3, 4)`},
		{node("Cast", []string{"x"}, "y"), `node "node_y" (Cast): no attribute to`},
	} {
		g := testGraph{nodes: []*ir.NodeProto{tc.node}, inputs: map[string]array{"x": x34}, outputs: []string{"y"}}
		_, err := g.run(1)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "<nil>") {
			t.Errorf("%s: error %v, want one containing %q", tc.node.OpType, err, tc.want)
		}
	}
	// A node without a name is named after its output.
	n := node("Erf", []string{"x"}, "y")
	n.Name = ""
	g := testGraph{nodes: []*ir.NodeProto{n}, inputs: map[string]array{"x": x34}, outputs: []string{"y"}}
	if _, err := g.run(1); err == nil || !strings.Contains(err.Error(), `node "y" (Erf)`) {
		t.Errorf("unnamed node: %v", err)
	}
}

// TestOmittedOptionalInput checks that an empty input name, ONNX's mark
// of an omitted optional input, is no input at all: a Gemm without C.
func TestOmittedOptionalInput(t *testing.T) {
	w := seq(func(i int) float64 { return float64(i%3) - 1 }, 4, 2)
	g := testGraph{
		nodes:   []*ir.NodeProto{node("Gemm", []string{"x", "w", ""}, "y")},
		inits:   []*ir.TensorProto{floatTensor("w", w)},
		inputs:  map[string]array{"x": x34},
		outputs: []string{"y"},
	}
	g.check(t, "y", matmul(x34, w, false, false))
}
