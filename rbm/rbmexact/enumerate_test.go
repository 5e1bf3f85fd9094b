package rbmexact

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rbmkit/rbm/internal/enumtest"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
)

// The smaller-layer formula against enumeration of the joint (v, h), both
// orientations and equal layers, with weights up to several units.
func TestRBMLogZAgainstJoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	ctx := context.Background()
	for _, shape := range [][2]int{{1, 1}, {3, 7}, {7, 3}, {5, 5}, {2, 12}, {12, 2}} {
		for _, scale := range []float64{0.01, 1, 4} {
			m := randomRBM(rng, shape[0], shape[1], scale)
			want := enumtest.BigLogSumExp(enumtest.NaiveStates(joint{m}, 1))
			got, err := RBMLogZ(ctx, m, exact.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !closeTo(got, want, 1e-13) {
				t.Errorf("%v scale %g: RBMLogZ %.17g, joint enumeration %.17g", shape, scale, got, want)
			}
			gen, err := exact.LogZ(ctx, joint{m}, 1, exact.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !closeTo(gen, want, 1e-12) {
				t.Errorf("%v scale %g: general LogZ of the joint %.17g, want %.17g", shape, scale, gen, want)
			}
		}
	}
}

// Long enumerations cross the anchors and chunk boundaries; the transposed
// model must give the same value.
func TestRBMLogZLargerAndTransposed(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	m := randomRBM(rng, 40, 15, 0.5)
	ctx := context.Background()
	a, err := RBMLogZ(ctx, m, exact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := RBMLogZ(ctx, m.Transpose(), exact.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("log Z %.17g, transposed %.17g", a, b)
	}
	// Independent check: -F_T(h) over all 2¹⁵ h written out directly.
	xs := make([]float64, 1<<15)
	for s := range xs {
		var x float64
		for j := range 15 {
			if s>>j&1 == 1 {
				x += float64(m.C[j])
			}
		}
		for i := range 40 {
			a := float64(m.B[i])
			for j := range 15 {
				if s>>j&1 == 1 {
					a += float64(m.W[i*15+j])
				}
			}
			x += math.Max(a, 0) + math.Log1p(math.Exp(-math.Abs(a)))
		}
		xs[s] = x
	}
	if want := enumtest.BigLogSumExp(xs); !closeTo(a, want, 1e-13) {
		t.Errorf("log Z %.17g, direct %.17g", a, want)
	}
}

func TestRBMMomentsAgainstJoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	ctx := context.Background()
	for _, shape := range [][2]int{{4, 6}, {6, 4}, {5, 5}} {
		m := randomRBM(rng, shape[0], shape[1], 1.5)
		st, err := RBMMoments(ctx, m, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		mo, err := exact.Marginals(ctx, joint{m}, 1, exact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		v, h := m.Visible, m.Hidden
		n := v + h
		if !closeTo(st.LogZ, mo.LogZ, 1e-12) {
			t.Errorf("%v: log Z %v, joint %v", shape, st.LogZ, mo.LogZ)
		}
		for i := range v {
			if math.Abs(st.Visible[i]-mo.Mean[i]) > 1e-12 {
				t.Errorf("%v: p(v%d) %v, joint %v", shape, i, st.Visible[i], mo.Mean[i])
			}
			for j := range h {
				if got, want := st.VH[i*h+j], mo.Pair[i*n+v+j]; math.Abs(got-want) > 1e-12 {
					t.Errorf("%v: E[v%d h%d] %v, joint %v", shape, i, j, got, want)
				}
			}
		}
		for j := range h {
			if math.Abs(st.Hidden[j]-mo.Mean[v+j]) > 1e-12 {
				t.Errorf("%v: p(h%d) %v, joint %v", shape, j, st.Hidden[j], mo.Mean[v+j])
			}
		}
	}
}

func TestRBMResultsIndependentOfWorkers(t *testing.T) {
	m := randomRBM(rand.New(rand.NewPCG(17, 18)), 30, 16, 0.3)
	ctx := context.Background()
	ref, err := RBMLogZ(ctx, m, exact.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 3, 8} {
		got, err := RBMLogZ(ctx, m, exact.Options{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if got != ref {
			t.Errorf("%d workers: %.17g, 1 worker %.17g", w, got, ref)
		}
	}
}

// The enumerators' free energy is rbm.FreeEnergyFromInput with faster
// softplus terms: they must agree to the rounding of the sum.
func TestNegFreeEnergyMatchesRBM(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	m := randomRBM(rng, 20, 784, 3)
	act := make([]float64, m.Hidden)
	x := make([]float32, m.Visible)
	for range 200 {
		for i := range x {
			x[i] = float32(rng.IntN(2))
		}
		m.HiddenInput(act, x)
		want := -rbm.FreeEnergyFromInput(m.B, x, act)
		if got := negFreeEnergy(m.B, x, act); !closeTo(got, want, 1e-14) {
			t.Fatalf("-F = %.17g, rbm.FreeEnergyFromInput gives %.17g", got, -want)
		}
	}
}

// walkRBM's -F, updated by kernel.AddSoftplusSum along the Gray code and
// recomputed at the anchors, must match rbm.FreeEnergyFromInput of a
// from-scratch input at every state. 37 hidden units exercise the vector
// kernel and its scalar tail; 2¹³ states pass an anchor.
//
// Tolerances, with u = 2⁻⁵³: act[j] is reached by at most exact.AnchorEvery
// rounded additions of terms bounded by sⱼ = |cⱼ| + Σᵢ|Wᵢⱼ|, so it is within
// exact.AnchorEvery·u·sⱼ of the from-scratch value; softplus is 1-Lipschitz, so
// -F inherits the sum of those errors, plus the rounding of two sums of
// n+37 terms of size at most Σ|actⱼ| + Σ|bᵢ| (kernel.SoftplusSum's bound,
// 3nu plus that of its plain sums, is of that form).
func TestWalkRBMFreeEnergies(t *testing.T) {
	const u = 0x1p-53
	rng := rand.New(rand.NewPCG(21, 22))
	m := randomRBM(rng, 13, 37, 2)
	actTol := make([]float64, m.Hidden)
	var fTol, biasAbs float64
	for j := range actTol {
		s := math.Abs(float64(m.C[j]))
		for i := range m.Visible {
			s += math.Abs(float64(m.W[i*m.Hidden+j]))
		}
		actTol[j] = exact.AnchorEvery * u * s
		fTol += actTol[j]
	}
	for _, b := range m.B {
		biasAbs += math.Abs(float64(b))
	}
	terms := float64(m.Visible + m.Hidden)
	x := make([]float32, m.Visible)
	act := make([]float64, m.Hidden)
	states := 0
	err := walkRBM(context.Background(), m, 0, 1<<m.Visible, func(g uint64, got []float64, negF float64) {
		states++
		for i := range x {
			x[i] = float32(g >> i & 1)
		}
		m.HiddenInput(act, x)
		var actAbs float64
		for j := range act {
			actAbs += math.Abs(act[j])
			if d := math.Abs(got[j] - act[j]); !(d <= actTol[j]) {
				t.Fatalf("state %b: act[%d] = %.17g, from scratch %.17g (error %.3g > %.3g)", g, j, got[j], act[j], d, actTol[j])
			}
		}
		want := -rbm.FreeEnergyFromInput(m.B, x, act)
		tol := fTol + 2*(3*terms)*u*max(1, actAbs+biasAbs)
		if d := math.Abs(negF - want); !(d <= tol) {
			t.Fatalf("state %b: -F = %.17g, rbm.FreeEnergyFromInput gives %.17g (error %.3g > %.3g)", g, negF, want, d, tol)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if states != 1<<m.Visible {
		t.Errorf("visited %d states, want %d", states, 1<<m.Visible)
	}
}
