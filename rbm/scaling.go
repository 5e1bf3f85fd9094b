package rbm

import (
	"fmt"
	"math"
)

// Scaling is a per-column standardisation of real-valued data, x ↦
// (x - Mean)/Scale, stored with a model so that every command applies to
// new data what training applied to its own.
type Scaling struct {
	Mean  []float64 `json:"mean"`
	Scale []float64 `json:"scale"`
}

// Standardize returns the scaling that gives each column of data mean 0
// and standard deviation 1; a constant column keeps its values' spread
// (scale 1), so that it stays constant rather than dividing by zero.
func Standardize(data *Matrix) *Scaling {
	s := &Scaling{Mean: make([]float64, data.Cols), Scale: make([]float64, data.Cols)}
	data.ColumnSums(s.Mean)
	n := float64(max(data.Rows, 1))
	for j := range s.Mean {
		s.Mean[j] /= n
	}
	for r := range data.Rows {
		for j, x := range data.Row(r) {
			d := float64(x) - s.Mean[j]
			s.Scale[j] += d * d
		}
	}
	for j, ss := range s.Scale {
		s.Scale[j] = math.Sqrt(ss / n)
		if !(s.Scale[j] > 1e-12) {
			s.Scale[j] = 1
		}
	}
	return s
}

// LogJacobian returns -Σⱼ log sⱼ, the log-determinant of the map x ↦
// (x - μ)/s: the log-density of a row in the data's own units is that of
// its standardised row plus this, so that log-likelihoods of models of
// standardised data compare with those of models of the data as they are.
func (s *Scaling) LogJacobian() float64 {
	var j float64
	for _, sc := range s.Scale {
		j -= math.Log(sc)
	}
	return j
}

// Apply standardises the rows of data in place.
func (s *Scaling) Apply(data *Matrix) error {
	if err := s.check(data.Cols); err != nil {
		return err
	}
	for r := range data.Rows {
		row := data.Row(r)
		for j, x := range row {
			row[j] = float32((float64(x) - s.Mean[j]) / s.Scale[j])
		}
	}
	return nil
}

// Invert maps standardised rows back to the data's own units, in place.
func (s *Scaling) Invert(data *Matrix) error {
	if err := s.check(data.Cols); err != nil {
		return err
	}
	for r := range data.Rows {
		row := data.Row(r)
		for j, x := range row {
			row[j] = float32(float64(x)*s.Scale[j] + s.Mean[j])
		}
	}
	return nil
}

// check reports a scaling that does not have one finite mean and one
// positive, finite scale per column.
func (s *Scaling) check(cols int) error {
	if len(s.Mean) != cols || len(s.Scale) != cols {
		return fmt.Errorf("scaling has %d means and %d scales for %d columns", len(s.Mean), len(s.Scale), cols)
	}
	for j := range s.Mean {
		if m := s.Mean[j]; math.IsNaN(m) || math.IsInf(m, 0) {
			return fmt.Errorf("scaling: mean %d is %v", j, m)
		}
		if c := s.Scale[j]; !(c > 0) || math.IsInf(c, 0) {
			return fmt.Errorf("scaling: scale %d is %v, want a positive number", j, c)
		}
	}
	return nil
}
