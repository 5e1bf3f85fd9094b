package rbm

import (
	"math"
	"testing"
)

func TestEnergyMatchesDefinition(t *testing.T) {
	m := randomRBM(5, 4, 2, 1)
	for sv := range 1 << 5 {
		for sh := range 1 << 4 {
			v, h := bits(sv, 5), bits(sh, 4)
			if got, want := m.Energy(v, h), energy(m, v, h); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Fatalf("E(%v,%v) = %v, want %v", v, h, got, want)
			}
		}
	}
}

func TestFreeEnergyMatchesBruteForce(t *testing.T) {
	for _, scale := range []float64{0.1, 2, 20} {
		m := randomRBM(6, 5, scale, 2)
		batch := NewMatrix(1<<6, 6)
		for sv := range 1 << 6 {
			copy(batch.Row(sv), bits(sv, 6))
		}
		fe := make([]float64, batch.Rows)
		m.FreeEnergies(fe, batch)
		for sv := range 1 << 6 {
			v := batch.Row(sv)
			want := bruteFreeEnergy(m, v)
			if got := m.FreeEnergy(v); math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Errorf("scale %v: F(%v) = %v, brute force %v", scale, v, got, want)
			}
			// The batched path sums the hidden inputs in float32: allow the
			// rounding of V products of magnitude ≤ scale·3 per input.
			tol := float64(m.Hidden) * float64(m.Visible) * scale * 3 * 1e-7
			if math.Abs(fe[sv]-want) > tol+1e-9*math.Abs(want) {
				t.Errorf("scale %v: batched F(%v) = %v, brute force %v", scale, v, fe[sv], want)
			}
		}
	}
}

func TestTransposeGivesHiddenFreeEnergy(t *testing.T) {
	m := randomRBM(4, 5, 1.5, 3)
	tr := m.Transpose()
	for sh := range 1 << 5 {
		h := bits(sh, 5)
		terms := make([]float64, 1<<4)
		for sv := range terms {
			terms[sv] = -energy(m, bits(sv, 4), h)
		}
		want := -logSumExp(terms)
		if got := tr.FreeEnergy(h); math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("hidden free energy of %v = %v, want %v", h, got, want)
		}
	}
}

func TestConditionalsMatchDefinition(t *testing.T) {
	m := randomRBM(4, 3, 1.5, 4)
	v := NewMatrix(1<<4, 4)
	for s := range 1 << 4 {
		copy(v.Row(s), bits(s, 4))
	}
	hp := NewMatrix(v.Rows, 3)
	m.HiddenProbs(hp, v)
	for s := range 1 << 4 {
		// p(hⱼ=1|v) = Σ_{h: hⱼ=1} e^{-E(v,h)} / Σ_h e^{-E(v,h)}
		for j := range 3 {
			var num, den float64
			for sh := range 1 << 3 {
				w := math.Exp(-energy(m, v.Row(s), bits(sh, 3)))
				den += w
				if sh>>j&1 == 1 {
					num += w
				}
			}
			if got := float64(hp.Row(s)[j]); math.Abs(got-num/den) > 1e-6 {
				t.Errorf("p(h%d=1|v=%v) = %v, want %v", j, v.Row(s), got, num/den)
			}
		}
	}
	h := NewMatrix(1<<3, 3)
	for s := range 1 << 3 {
		copy(h.Row(s), bits(s, 3))
	}
	vp := NewMatrix(h.Rows, 4)
	m.VisibleProbs(vp, h)
	for s := range 1 << 3 {
		for i := range 4 {
			var num, den float64
			for sv := range 1 << 4 {
				w := math.Exp(-energy(m, bits(sv, 4), h.Row(s)))
				den += w
				if sv>>i&1 == 1 {
					num += w
				}
			}
			if got := float64(vp.Row(s)[i]); math.Abs(got-num/den) > 1e-6 {
				t.Errorf("p(v%d=1|h=%v) = %v, want %v", i, h.Row(s), got, num/den)
			}
		}
	}
}

func TestPseudoLogLikelihoodMatchesBruteForce(t *testing.T) {
	m := randomRBM(5, 4, 2, 5)
	for s := range 1 << 5 {
		v := bits(s, 5)
		var want float64
		for i := range v {
			flipped := append([]float32(nil), v...)
			flipped[i] = 1 - flipped[i]
			f, ff := bruteFreeEnergy(m, v), bruteFreeEnergy(m, flipped)
			// log p(vᵢ|v₋ᵢ) = -F(v) - log(e^{-F(v)} + e^{-F(ṽ)})
			want += -f - logSumExp([]float64{-f, -ff})
		}
		if got := m.PseudoLogLikelihood(v); math.Abs(got-want) > 1e-9 {
			t.Errorf("PLL(%v) = %v, want %v", v, got, want)
		}
	}
}

func TestReconstructionError(t *testing.T) {
	m := randomRBM(4, 3, 1, 6)
	v := NewMatrix(2, 4)
	copy(v.Data, []float32{1, 0, 1, 1, 0, 0, 1, 0})
	var want float64
	for r := range 2 {
		h := make([]float64, 3)
		for j := range h {
			a := float64(m.C[j])
			for i := range 4 {
				a += float64(v.Row(r)[i]) * float64(m.W[i*3+j])
			}
			h[j] = 1 / (1 + math.Exp(-a))
		}
		for i := range 4 {
			a := float64(m.B[i])
			for j := range h {
				a += h[j] * float64(m.W[i*3+j])
			}
			d := float64(v.Row(r)[i]) - 1/(1+math.Exp(-a))
			want += d * d / 2
		}
	}
	if got := m.ReconstructionError(v); math.Abs(got-want) > 1e-6 {
		t.Errorf("reconstruction error %v, want %v", got, want)
	}
}

func TestValidateRejectsNaNAndShapes(t *testing.T) {
	m := randomRBM(3, 2, 1, 7)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := m.Clone()
	bad.W[3] = float32(math.NaN())
	if err := bad.Validate(); err == nil {
		t.Error("NaN weight accepted")
	}
	bad = m.Clone()
	bad.C = bad.C[:1]
	if err := bad.Validate(); err == nil {
		t.Error("short hidden bias accepted")
	}
}
