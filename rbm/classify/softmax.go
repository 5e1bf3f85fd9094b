package classify

import (
	"fmt"
	"math"

	"github.com/rbmkit/rbm/rbm"
	"gonum.org/v1/gonum/mat"
)

// Softmax is a fitted multinomial logistic-regression model.
type Softmax struct {
	Classes, Features int

	// W holds the weights, Classes×Features row-major: W[k*Features+j]
	// multiplies feature j in the score of class k.
	W []float64
	// B holds the bias of each class.
	B []float64

	// Loss is the objective L (mean cross-entropy plus penalty) on the
	// training data at the returned parameters.
	Loss float64
	// Iterations is the number of L-BFGS iterations the fit took.
	Iterations int
	// Converged reports whether the fit met the gradient tolerance or
	// stopped improving, rather than running out of iterations or being
	// stopped by a line search that could make no further progress.
	Converged bool
}

// Predict returns the most probable class of every row of x (the lowest
// class index on a tie).
func (s *Softmax) Predict(x *rbm.Matrix) ([]int, error) {
	var pred []int
	err := s.scores(x, func(z []float64) {
		best := 0
		for k, v := range z {
			if v > z[best] {
				best = k
			}
		}
		pred = append(pred, best)
	})
	if err != nil {
		return nil, fmt.Errorf("classify: predict: %w", err)
	}
	return pred, nil
}

// Probabilities returns p(k|x) for every row of x, one row per input row
// and one column per class.
func (s *Softmax) Probabilities(x *rbm.Matrix) (*rbm.Matrix, error) {
	p := &rbm.Matrix{Cols: s.Classes}
	err := s.scores(x, func(z []float64) {
		softmaxRow(z)
		for _, v := range z {
			p.Data = append(p.Data, float32(v))
		}
		p.Rows++
	})
	if err != nil {
		return nil, fmt.Errorf("classify: probabilities: %w", err)
	}
	return p, nil
}

// scores calls f with the logits z = Wx + b of every row of x, in row
// order. f may overwrite z.
func (s *Softmax) scores(x *rbm.Matrix, f func(z []float64)) error {
	if err := s.validate(); err != nil {
		return err
	}
	if err := checkData(x); err != nil {
		return err
	}
	if x.Cols != s.Features {
		return fmt.Errorf("data has %d columns, the model %d features", x.Cols, s.Features)
	}
	w := mat.NewDense(s.Classes, s.Features, s.W)
	var c chunker
	c.each(x, func(_ int, xc *mat.Dense) {
		z := logits(&c, xc, w, s.B)
		for r := range z.RawMatrix().Rows {
			f(z.RawRowView(r))
		}
	})
	return nil
}

// validate reports parameters that do not match the declared sizes.
func (s *Softmax) validate() error {
	switch {
	case s.Classes < 2 || s.Features < 1:
		return fmt.Errorf("model has %d classes and %d features", s.Classes, s.Features)
	case len(s.W) != s.Classes*s.Features || len(s.B) != s.Classes:
		return fmt.Errorf("model of %d classes and %d features has %d weights and %d biases", s.Classes, s.Features, len(s.W), len(s.B))
	}
	return nil
}

// Accuracy returns the fraction of predictions equal to their labels.
func Accuracy(pred, labels []int) (float64, error) {
	if len(pred) != len(labels) || len(pred) == 0 {
		return 0, fmt.Errorf("classify: accuracy: %d predictions for %d labels", len(pred), len(labels))
	}
	right := 0
	for i, p := range pred {
		if p == labels[i] {
			right++
		}
	}
	return float64(right) / float64(len(pred)), nil
}

// softmaxRow replaces the logits z by the probabilities exp(zₖ)/Σₗ exp(zₗ)
// and returns log Σₗ exp(zₗ). The largest logit is subtracted before
// exponentiating, so no term overflows and the largest is exactly 1.
func softmaxRow(z []float64) (logSumExp float64) {
	top := z[0]
	for _, v := range z[1:] {
		top = max(top, v)
	}
	var sum float64
	for k, v := range z {
		z[k] = math.Exp(v - top)
		sum += z[k]
	}
	for k := range z {
		z[k] /= sum
	}
	return top + math.Log(sum)
}
