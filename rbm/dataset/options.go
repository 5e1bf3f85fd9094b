package dataset

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// DefaultThreshold is the Threshold mode's cut-off when Options.Threshold
// is zero: a pixel is on from the middle of its range up.
const DefaultThreshold = 0.5

// Options says how FromIDX and Load turn data into visible-unit values.
// The zero Options thresholds at DefaultThreshold.
type Options struct {
	// Binarize is the mode; see its constants.
	Binarize Binarize

	// Threshold is the Threshold mode's cut-off, in (0,1]; zero means
	// DefaultThreshold. Other modes ignore it.
	Threshold float64

	// Rand supplies the Stochastic mode's draws, one per element in
	// row-major order, so that equal seeds give equal matrices: pass, for
	// instance, rand.New(rand.NewPCG(seed, 0)). The mode requires it;
	// the others ignore it.
	Rand *rand.Rand
}

// binarizer is a checked Options, with the default threshold filled in.
type binarizer struct {
	mode Binarize
	cut  float64
	rand *rand.Rand
}

// binarizer returns o checked, or an error if o is incomplete or out of
// range.
func (o Options) binarizer() (binarizer, error) {
	b := binarizer{mode: o.Binarize, cut: o.Threshold, rand: o.Rand}
	switch o.Binarize {
	case Threshold:
		if b.cut == 0 {
			b.cut = DefaultThreshold
		}
		if !(b.cut > 0 && b.cut <= 1) {
			return binarizer{}, fmt.Errorf("threshold %v is outside (0,1]", o.Threshold)
		}
	case Stochastic:
		if o.Rand == nil {
			return binarizer{}, errors.New("stochastic binarization needs a random source (Options.Rand)")
		}
	case Probabilities:
	default:
		return binarizer{}, fmt.Errorf("unknown binarization %v", o.Binarize)
	}
	return b, nil
}
