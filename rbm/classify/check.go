package classify

import (
	"fmt"
	"math"

	"github.com/rbmkit/rbm/rbm"
)

// checkData reports a nil or inconsistent matrix and any value that is
// not a finite number: one NaN would turn the whole objective into NaN.
func checkData(x *rbm.Matrix) error {
	switch {
	case x == nil:
		return fmt.Errorf("no data")
	case x.Rows <= 0 || x.Cols <= 0:
		return fmt.Errorf("data is %d×%d: want at least one row and one column", x.Rows, x.Cols)
	case len(x.Data) != x.Rows*x.Cols:
		return fmt.Errorf("data claims %d×%d but holds %d values", x.Rows, x.Cols, len(x.Data))
	}
	for i, v := range x.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("row %d, column %d is %v", i/x.Cols+1, i%x.Cols+1, v)
		}
	}
	return nil
}

// checkLabels reports a label count that does not match the rows and any
// label outside [0, classes).
func checkLabels(labels []int, rows, classes int) error {
	if classes < 2 {
		return fmt.Errorf("%d classes: a classifier needs at least 2", classes)
	}
	if len(labels) != rows {
		return fmt.Errorf("%d labels for %d rows", len(labels), rows)
	}
	for i, y := range labels {
		if y < 0 || y >= classes {
			return fmt.Errorf("label %d of row %d is outside [0, %d)", y, i, classes)
		}
	}
	return nil
}
