package rbm

import (
	"errors"
	"fmt"
	"io"

	"github.com/rbmkit/rbm/discrete"
)

// specOptions resolve the "rbm" member of a discrete.Spec: package discrete
// describes model specs but cannot read model files, which this package
// defines on top of it.
var specOptions = discrete.SpecOptions{RBM: loadMarginal}

// LoadSpec reads the JSON model spec at path (see discrete.Spec) and builds
// its model, reading the RBM model files it names as their visible
// marginals (a version 2 file's through NewMachineMarginal). Errors name
// the file.
func LoadSpec(path string) (discrete.Model, error) {
	return discrete.LoadSpec(path, specOptions)
}

// ParseSpec reads a JSON model spec from r, as LoadSpec does, with the RBM
// model files it names read relative to dir.
func ParseSpec(r io.Reader, dir string) (discrete.Model, error) {
	return discrete.ParseSpec(r, dir, specOptions)
}

// SpecOptions returns the discrete.SpecOptions under which a spec's "rbm"
// members are read as RBM model files and become their visible marginals,
// for callers of discrete.(*Spec).Build.
func SpecOptions() discrete.SpecOptions { return specOptions }

// loadMarginal reads the model file at path and returns its visible
// marginal: a version 1 file (a binary RBM) as a Marginal, a version 2 file
// (a Machine, whose visible units must be binary, spin or Potts) as a
// MachineMarginal. Errors name the file.
func loadMarginal(path string) (discrete.Model, error) {
	m, _, err := LoadFile(path)
	if errors.Is(err, ErrMachine) {
		return loadMachineMarginal(path)
	}
	if err != nil {
		return nil, err
	}
	mg, err := NewMarginal(m)
	if err != nil {
		return nil, err // LoadFile validates the model: not reached
	}
	return mg, nil
}

// loadMachineMarginal reads the version 2 model file at path and returns
// its visible marginal.
func loadMachineMarginal(path string) (discrete.Model, error) {
	m, _, err := LoadMachine(path)
	if err != nil {
		return nil, err
	}
	mg, err := NewMachineMarginal(m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return mg, nil
}
