package classify

import (
	"fmt"
	"math"
)

// Settings control Fit. The zero value fits without a penalty, with the
// default iteration limit and tolerance; DefaultSettings adds a mild L2
// penalty, which keeps the weights finite on separable data.
type Settings struct {
	// L2 is the coefficient λ of the penalty (λ/2)‖W‖² on the weights.
	L2 float64 `json:"l2"`
	// MaxIterations bounds the L-BFGS iterations; 0 means 500. A fit that
	// reaches it is still returned, with Converged false.
	MaxIterations int `json:"max_iterations"`
	// GradientTolerance ends the fit once no component of the gradient of
	// L exceeds it in magnitude; 0 means 1e-5.
	GradientTolerance float64 `json:"gradient_tolerance"`
	// Progress, when set, is called after every iteration with its number
	// (from 1) and the value of the objective L.
	Progress func(iteration int, loss float64) `json:"-"`
}

// DefaultL2 is the penalty DefaultSettings uses: small next to the loss
// of a fitted model, large enough to bound the weights on separable data.
const DefaultL2 = 1e-4

// DefaultSettings returns L2 = DefaultL2 with the default iteration limit
// and tolerance.
func DefaultSettings() Settings {
	return Settings{L2: DefaultL2, MaxIterations: 500, GradientTolerance: 1e-5}
}

func (s Settings) withDefaults() (Settings, error) {
	if s.MaxIterations == 0 {
		s.MaxIterations = 500
	}
	if s.GradientTolerance == 0 {
		s.GradientTolerance = 1e-5
	}
	switch {
	case math.IsNaN(s.L2) || math.IsInf(s.L2, 0) || s.L2 < 0:
		return s, fmt.Errorf("L2 penalty %v must be a non-negative number", s.L2)
	case s.MaxIterations < 0:
		return s, fmt.Errorf("iteration limit %d must not be negative", s.MaxIterations)
	case math.IsNaN(s.GradientTolerance) || s.GradientTolerance < 0:
		return s, fmt.Errorf("gradient tolerance %v must not be negative", s.GradientTolerance)
	}
	return s, nil
}
