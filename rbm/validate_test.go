package rbm

import (
	"context"
	"math"
	"testing"
)

// TestConfigValidateAgreesWithTrain checks that Validate refuses exactly
// the configurations Train refuses.
func TestConfigValidateAgreesWithTrain(t *testing.T) {
	data := NewMatrix(4, 3)
	for _, c := range []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"defaults", func(*Config) {}, true},
		{"zero values", func(c *Config) { *c = Config{} }, true},
		{"negative learning rate", func(c *Config) { c.LearningRate = -1 }, false},
		{"NaN learning rate", func(c *Config) { c.LearningRate = math.NaN() }, false},
		{"momentum 5", func(c *Config) { c.Momentum = 5 }, false},
		{"negative epochs", func(c *Config) { c.Epochs = -1 }, false},
		{"unknown schedule", func(c *Config) { c.LRSchedule = "cosine" }, false},
	} {
		cfg := DefaultConfig()
		c.edit(&cfg)
		cfg.Epochs = min(cfg.Epochs, 1) // keeps the test short, and -1 as it is
		verr := cfg.Validate()
		_, terr := (&Trainer{Config: cfg, MonitorRows: -1}).Train(context.Background(), New(3, 2), data)
		if (verr == nil) != c.ok || (terr == nil) != (verr == nil) {
			t.Errorf("%s: Validate: %v, Train: %v (want ok = %v)", c.name, verr, terr, c.ok)
		}
	}
}
