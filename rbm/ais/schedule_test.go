package ais

import "testing"

// TestParseScheduleLandsOnEnds checks schedules whose last step used to be
// computed a rounding error away from its END (and so from 1, which
// Validate refuses): every segment must end exactly at its END, and the
// schedule exactly at 1.
func TestParseScheduleLandsOnEnds(t *testing.T) {
	for _, tc := range []struct {
		spec  string
		steps int
		ends  map[int]float64 // index → exact value
	}{
		{"0.2/5,1/3", 8, map[int]float64{5: 0.2, 8: 1}},
		{".1/1,.2/1,1/12", 14, map[int]float64{1: 0.1, 2: 0.2, 14: 1}},
		{"0.3/7,0.7/3,1/9", 19, map[int]float64{7: 0.3, 10: 0.7, 19: 1}},
		{"0.5/2,0.9999999999/2", 4, map[int]float64{2: 0.5, 4: 1}},
		{"1.0000000001/3", 3, map[int]float64{3: 1}},
	} {
		s, err := ParseSchedule(tc.spec)
		if err != nil {
			t.Errorf("ParseSchedule(%q): %v", tc.spec, err)
			continue
		}
		if len(s) != tc.steps+1 {
			t.Errorf("ParseSchedule(%q) has %d steps, want %d", tc.spec, len(s)-1, tc.steps)
		}
		for i, want := range tc.ends {
			if i < len(s) && s[i] != want {
				t.Errorf("ParseSchedule(%q)[%d] = %.17g, want exactly %g", tc.spec, i, s[i], want)
			}
		}
		if err := s.Validate(); err != nil {
			t.Errorf("ParseSchedule(%q): %v", tc.spec, err)
		}
	}
	for _, bad := range []string{"0.5/10", "0.999/3", "1.001/3", "0.5/2,0.5/2"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
}
