package rbm

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm/layer"
)

// TestMachineLogZByJointEnumeration compares LogZ, which sums one layer
// out analytically, with the sum of exp(-E(v, h)) over every joint state,
// for every pair of discrete unit types.
func TestMachineLogZByJointEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	discrete := []string{"binary", "spin", "potts"}
	for _, vk := range discrete {
		for _, hk := range discrete {
			for _, sizes := range [][2]int{{3, 2}, {2, 4}} {
				m := randomMachine(t, rng, vk, sizes[0], hk, sizes[1], 1)
				var terms []float64
				forEachState(m.Visible.(layer.Discrete), func(v []float64) {
					forEachState(m.Hidden.(layer.Discrete), func(h []float64) {
						terms = append(terms, -m.Energy(v, h))
					})
				})
				want := logSumExp(terms)
				for _, workers := range []int{1, 2} {
					got, err := m.LogZ(context.Background(), exact.Options{Workers: workers})
					if err != nil {
						t.Fatal(err)
					}
					if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
						t.Errorf("%s(%d)×%s(%d): LogZ %.15g, joint enumeration %.15g", vk, sizes[0], hk, sizes[1], got, want)
					}
				}
			}
		}
	}
}

// TestMachineLogZByQuadrature integrates exp(-F(v)) numerically over the
// real-valued visible units of Gaussian, ReLU and dReLU machines (F sums the
// discrete hidden layer out) and compares with LogZ, which enumerates the
// hidden layer and integrates the visible one analytically: the two sides
// share no formula but the energy.
func TestMachineLogZByQuadrature(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for _, vk := range []string{"gaussian", "relu", "drelu"} {
		for _, hk := range []string{"binary", "spin", "potts"} {
			m := randomMachine(t, rng, vk, 2, hk, 3, 0.7)
			// A fixed-order Gauss-Legendre rule on [-12, 0] and [0, 12]
			// (ReLU units: [0, 12] only) is exact to far below the
			// tolerance for these light-tailed integrands, which are
			// smooth on each piece (dReLU units' energy has a kink at 0).
			pieces := [][2]float64{{-12, 0}, {0, 12}}
			if vk == "relu" {
				pieces = pieces[1:]
			}
			const n = 200
			integrate := func(f func(float64) float64) float64 {
				var s float64
				for _, p := range pieces {
					s += quad.Fixed(f, p[0], p[1], n, quad.Legendre{}, 0)
				}
				return s
			}
			v := make([]float64, 2)
			ref := -m.FreeEnergy([]float64{1, 1}) // keeps the integrand near 1
			inner := func(x0 float64) float64 {
				return integrate(func(x1 float64) float64 {
					v[0], v[1] = x0, x1
					return math.Exp(-m.FreeEnergy(v) - ref)
				})
			}
			z := integrate(inner)
			want := ref + math.Log(z)
			got, err := m.LogZ(context.Background(), exact.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1e-8*math.Max(1, math.Abs(want)) {
				t.Errorf("%s×%s: LogZ %.12g, quadrature %.12g", vk, hk, got, want)
			}
		}
	}
}

func TestMachineLogZRefusals(t *testing.T) {
	g := NewMachine(layer.NewGaussian(make([]float64, 2), make([]float64, 2), false), layer.NewGaussian(make([]float64, 2), make([]float64, 2), false))
	if _, err := g.LogZ(context.Background(), exact.Options{}); err == nil {
		t.Error("a machine with no discrete layer got an exact log Z")
	}
	big := NewMachine(layer.NewBinary(make([]float64, 40)), layer.NewBinary(make([]float64, 40)))
	if _, err := big.LogZ(context.Background(), exact.Options{MaxUnits: 20}); err == nil {
		t.Error("40×40 enumerated past a limit of 20 units")
	}
}
