package rbm

import (
	"fmt"
	"slices"
)

// Recipes are complete training settings for a purpose. Each was chosen by
// measurement on the full MNIST; BENCHMARKS.md records the runs.
var recipes = map[string]func() Config{
	// hinton is the practical guide's CD-1 (DefaultConfig): quick, and good
	// features for a classifier, but a poor density model.
	"hinton": DefaultConfig,
	// density trains a model of the data's distribution: persistent
	// chains, centered gradients (Melchior et al. 2016) and plain SGD
	// whose rate falls linearly to zero, so that the last updates settle
	// the model instead of leaving it wherever the noise of persistent
	// chains last pushed it. On MNIST the decay is worth 4 nats at 784×16
	// and 14 at 784×500 over the same settings at a constant rate. The
	// rate suits bounded units: a Machine with Gaussian or ReLU units,
	// whose gradients grow with their unbounded values, wants Adam
	// instead, as rbm train sets it (its train_machine.go has the figures).
	"density": func() Config {
		return Config{
			Recipe: "density",
			Epochs: 100, BatchSize: 100, K: 1, Persistent: true,
			Centered: true, OffsetRate: 0.01,
			LearningRate: 0.05, LRSchedule: "linear",
		}
	},
}

// RecipeNames returns the names Recipe accepts, sorted.
func RecipeNames() []string {
	names := make([]string, 0, len(recipes))
	for n := range recipes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Recipe returns the settings of the named recipe, with Recipe set to its
// name.
func Recipe(name string) (Config, error) {
	r, ok := recipes[name]
	if !ok {
		return Config{}, fmt.Errorf("unknown recipe %q (want one of %v)", name, RecipeNames())
	}
	return r(), nil
}
