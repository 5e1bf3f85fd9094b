package rbm

// Validate reports the first setting of c that Trainer.Train would refuse,
// so that a caller can check a configuration before loading any data. Zero
// counts and rates are valid: they stand for the defaults.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}
