package classify

import (
	"context"
	"errors"
	"fmt"

	"github.com/rbmkit/rbm/rbm"
	"gonum.org/v1/gonum/optimize"
)

// Fit returns the softmax classifier of the given number of classes that
// minimises the penalised cross-entropy of labels given the rows of x (see
// the package documentation), found by L-BFGS from zero. labels[i] is the
// class of row i, in [0, classes). DefaultSettings() are the usual
// settings; the zero Settings fit without a penalty.
//
// Fit checks ctx between evaluations of the objective and returns its
// error if it is cancelled.
func Fit(ctx context.Context, x *rbm.Matrix, labels []int, classes int, settings Settings) (*Softmax, error) {
	s, err := settings.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("classify: fit: %w", err)
	}
	if err := checkData(x); err != nil {
		return nil, fmt.Errorf("classify: fit: %w", err)
	}
	if err := checkLabels(labels, x.Rows, classes); err != nil {
		return nil, fmt.Errorf("classify: fit: %w", err)
	}

	obj := newObjective(x, labels, classes, s.L2)
	problem := optimize.Problem{
		Func: obj.Func,
		Grad: obj.Grad,
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	opt := &optimize.Settings{
		GradientThreshold: s.GradientTolerance,
		MajorIterations:   s.MaxIterations,
		// Stop when twenty iterations in a row fail to lower L at all: the
		// objective is convex, so that is the floating-point floor.
		Converger: &optimize.FunctionConverge{Iterations: 20},
		Recorder:  progressRecorder(s.Progress),
	}
	res, err := optimize.Minimize(problem, make([]float64, classes*(x.Cols+1)), opt, &optimize.LBFGS{})
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil && !stalled(err):
		return nil, fmt.Errorf("classify: fit: %w", err)
	}
	nw := classes * x.Cols
	theta := res.Location.X
	return &Softmax{
		Classes:    classes,
		Features:   x.Cols,
		W:          append([]float64(nil), theta[:nw]...),
		B:          append([]float64(nil), theta[nw:]...),
		Loss:       res.Location.F,
		Iterations: res.Stats.MajorIterations,
		Converged:  err == nil && !res.Status.Early(),
	}, nil
}

// stalled reports the line-search failures that mean L-BFGS could find no
// lower point along its direction. The location of the last completed
// iteration is still the best found, so Fit returns it, marked as not
// converged, rather than throwing the fit away.
func stalled(err error) bool {
	return errors.Is(err, optimize.ErrNoProgress) || errors.Is(err, optimize.ErrLinesearcherFailure)
}

// recorder passes each completed iteration to a progress function.
type recorder func(iteration int, loss float64)

func progressRecorder(f func(int, float64)) optimize.Recorder {
	if f == nil {
		return nil
	}
	return recorder(f)
}

func (recorder) Init() error { return nil }

func (r recorder) Record(loc *optimize.Location, op optimize.Operation, st *optimize.Stats) error {
	if op == optimize.MajorIteration {
		r(st.MajorIterations, loc.F)
	}
	return nil
}
