package dataset

import "fmt"

// Binarize selects how FromIDX turns each element, once scaled to [0,1]
// (see FromIDX), into the value of a visible unit.
type Binarize int

const (
	// Threshold sets a unit to 1 when its scaled value is at least the
	// cut-off (Options.Threshold, by default one half), and to 0 below it.
	// It is the zero value, hence the default.
	Threshold Binarize = iota

	// Stochastic sets a unit to 1 with probability equal to its scaled
	// value, drawing from Options.Rand: a binary sample of the data, as
	// in Salakhutdinov and Murray's treatment of MNIST.
	Stochastic

	// Probabilities keeps the scaled values in [0,1], for models trained
	// on the intensities themselves.
	Probabilities
)

// names are the spellings of the modes on command lines and in text.
var names = map[Binarize]string{
	Threshold:     "threshold",
	Stochastic:    "stochastic",
	Probabilities: "prob",
}

// ParseBinarize returns the mode named s: "threshold", "stochastic" or
// "prob", as String spells them.
func ParseBinarize(s string) (Binarize, error) {
	for b, name := range names {
		if s == name {
			return b, nil
		}
	}
	return 0, fmt.Errorf("dataset: unknown binarization %q, want threshold, stochastic or prob", s)
}

// String returns the mode's name as ParseBinarize accepts it, or
// "Binarize(n)" for a value that is not a mode.
func (b Binarize) String() string {
	if name, ok := names[b]; ok {
		return name
	}
	return fmt.Sprintf("Binarize(%d)", int(b))
}

// MarshalText returns the mode's name, so that a Binarize works with
// flag.TextVar, pflag's TextVar and encoding/json.
func (b Binarize) MarshalText() ([]byte, error) {
	if _, ok := names[b]; !ok {
		return nil, fmt.Errorf("dataset: cannot marshal unknown %v", b)
	}
	return []byte(b.String()), nil
}

// UnmarshalText sets b to the mode named by text, as ParseBinarize does.
func (b *Binarize) UnmarshalText(text []byte) error {
	parsed, err := ParseBinarize(string(text))
	if err != nil {
		return err
	}
	*b = parsed
	return nil
}
