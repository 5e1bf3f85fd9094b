package ais

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Schedule is a sequence of inverse temperatures β₀ = 0 ≤ β₁ ≤ … ≤ β_K = 1;
// K = len-1 is the number of annealing steps.
type Schedule []float64

// DefaultSpec is the schedule of Salakhutdinov & Murray (2008): steps of
// 1/1000 up to β = 0.5, of 1/10000 up to 0.9 and of 1/100000 up to 1,
// 14,500 steps in all.
const DefaultSpec = "0.5/500,0.9/4000,1/10000"

// DefaultSchedule returns the schedule of DefaultSpec.
func DefaultSchedule() Schedule {
	s, err := ParseSchedule(DefaultSpec)
	if err != nil {
		panic(err)
	}
	return s
}

// ParseSchedule reads a schedule written as comma-separated segments
// "END/STEPS": each segment runs from the previous end (0 at first) to END
// in STEPS equal steps, and the last END must be 1. A bare number N is
// short for "1/N", a linear schedule of N steps.
func ParseSchedule(spec string) (Schedule, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("ais: empty schedule")
	}
	if !strings.ContainsAny(spec, "/,") {
		spec = "1/" + spec
	}
	s := Schedule{0}
	start := 0.0
	for seg := range strings.SplitSeq(spec, ",") {
		endText, stepsText, ok := strings.Cut(strings.TrimSpace(seg), "/")
		if !ok {
			return nil, fmt.Errorf("ais: schedule segment %q is not END/STEPS", seg)
		}
		end, err := strconv.ParseFloat(endText, 64)
		if err != nil || math.IsNaN(end) || end <= start || end > 1+endTolerance {
			if start == 1 {
				return nil, fmt.Errorf("ais: schedule segment %q comes after β = 1, where the schedule ends", seg)
			}
			return nil, fmt.Errorf("ais: schedule segment %q: end must be a number in (%g, 1]", seg, start)
		}
		steps, err := strconv.Atoi(stepsText)
		if err != nil || steps < 1 || steps > 1e7 {
			return nil, fmt.Errorf("ais: schedule segment %q: steps must be a whole number from 1 to 10⁷", seg)
		}
		for i := 1; i < steps; i++ {
			// Interpolate from the segment's ends, with no accumulated
			// rounding; a rounded step never passes END.
			s = append(s, min(start+(end-start)*float64(i)/float64(steps), end))
		}
		s = append(s, end) // exactly: start+(end-start) need not round to end
		start = end
	}
	if math.Abs(start-1) > endTolerance {
		return nil, fmt.Errorf("ais: schedule %q ends at β = %g, not 1", spec, start)
	}
	s[len(s)-1] = 1 // an END written as 0.9999999999 or 1.0000000001 lands on 1
	return s, nil
}

// endTolerance is how far from 1 the last END of a written schedule may
// be, for ends typed or computed with rounding error.
const endTolerance = 1e-9

// Linear returns a schedule of the given number of equal steps.
func Linear(steps int) Schedule {
	s := make(Schedule, steps+1)
	for i := range s {
		s[i] = float64(i) / float64(steps)
	}
	return s
}

// Validate reports whether s starts at 0, ends at 1 and never decreases.
func (s Schedule) Validate() error {
	if len(s) < 2 || s[0] != 0 || s[len(s)-1] != 1 {
		return fmt.Errorf("ais: a schedule must run from β = 0 to β = 1 in at least one step")
	}
	for k := 1; k < len(s); k++ {
		if !(s[k] >= s[k-1]) || s[k] > 1 {
			return fmt.Errorf("ais: schedule decreases at step %d (β = %g after %g)", k, s[k], s[k-1])
		}
	}
	return nil
}
