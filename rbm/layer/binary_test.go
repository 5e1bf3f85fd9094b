package layer

import (
	"math/rand/v2"
	"testing"
)

func TestBinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, scale := range []float64{0.5, 3, 20} {
		l := NewBinary(randomValues(rng, 4, scale))
		checkLayer(t, l, randomInput(l, rng, scale))
	}
	l := NewBinary([]float64{0, 0})
	if l.Check([]float64{0, 0.5}) != nil || l.Check([]float64{0, 2}) == nil || l.Check([]float64{-1, 0}) == nil {
		t.Error("Check accepts values outside [0, 1] or refuses ones inside")
	}
}
