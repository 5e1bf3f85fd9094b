package layer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestShiftField checks ShiftField on every registered type, with random
// parameters (scales learned, so that every parameter is set) and a
// random δ: E_new(x) - E_old(x) + δᵀx must be the same at every state x,
// and the shifted layer at input I must be the old one at I + δ (its
// mean, and its log-partition up to that same constant).
func TestShiftField(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, typ := range Types() {
		old, err := typ.New(4, Settings{States: 3, LearnScale: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range old.Params() {
			for i := range p.Values {
				p.Values[i] = rng.Float64() - 0.5
			}
		}
		shifted := old.Clone()
		delta := randomInput(old, rng, 1.5)
		shifted.ShiftField(delta)

		// The constant, from the state drawn at zero input.
		x := make([]float64, old.Width())
		diff := func() float64 {
			var dx float64
			for i, d := range delta {
				dx += d * x[i]
			}
			return shifted.Energy(x) - old.Energy(x) + dx
		}
		old.Sample(x, make([]float64, old.Width()), rng)
		c := diff()
		for range 20 {
			old.Sample(x, randomInput(old, rng, 2), rng)
			if d := diff(); !close(d, c, 1e-12) {
				t.Errorf("%s: E_new - E_old + δᵀx is %.15g at one state and %.15g at another", typ.Name, c, d)
			}
		}

		in := randomInput(old, rng, 1)
		moved := make([]float64, len(in))
		for i := range in {
			moved[i] = in[i] + delta[i]
		}
		got, want := make([]float64, len(in)), make([]float64, len(in))
		shifted.Mean(got, in)
		old.Mean(want, moved)
		for i := range got {
			if !close(got[i], want[i], 1e-12) {
				t.Errorf("%s: shifted Mean[%d] at I = %.15g, old at I+δ = %.15g", typ.Name, i, got[i], want[i])
			}
		}
		if g, w := shifted.LogPartition(in), old.LogPartition(moved)-c; !close(g, w, 1e-10) {
			t.Errorf("%s: shifted Γ(I) = %.15g, old Γ(I+δ) - constant = %.15g", typ.Name, g, w)
		}
		if math.IsNaN(c) {
			t.Errorf("%s: the constant is NaN", typ.Name)
		}
	}
}
