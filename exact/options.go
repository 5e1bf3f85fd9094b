package exact

import (
	"errors"
	"fmt"
	"runtime"
)

// Limits on the number of enumerated units.
const (
	// DefaultMaxUnits is the largest number of enumerated units accepted
	// unless Options.MaxUnits says otherwise: 2³² states, minutes of work
	// for a pairwise model on two cores.
	DefaultMaxUnits = 32
	// HardMaxUnits is the largest number of enumerated units accepted at
	// all: 2⁴⁰ states take hours even for the cheapest model.
	HardMaxUnits = 40
	// MaxDistributionUnits is the largest model whose whole distribution
	// Distribution returns: 2²⁴ float64 probabilities take 128 MiB.
	MaxDistributionUnits = 24
)

// ErrTooLarge is wrapped by the errors returned for models with more
// enumerated units than the limit allows.
var ErrTooLarge = errors.New("too many units to enumerate")

// Options are the settings of an enumeration. The zero value uses every
// core and DefaultMaxUnits, and reports no progress.
type Options struct {
	// Workers is the number of goroutines sharing the states; 0 uses every
	// core. It never changes the result.
	Workers int
	// MaxUnits is the largest number of enumerated units (for an RBM, the
	// size of its smaller layer) accepted; 0 means DefaultMaxUnits. Values
	// above HardMaxUnits are treated as HardMaxUnits.
	MaxUnits int
	// Progress, when set, is called after each chunk of states with the
	// number of states enumerated so far and the total. Calls are
	// serialised but come from the worker goroutines. The counts are
	// uint64, not int as in the other packages' Progress, because up to
	// 2^HardMaxUnits states overflow a 32-bit int.
	Progress func(done, total uint64)
}

func (o Options) workers() int {
	if o.Workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return o.Workers
}

func (o Options) maxUnits() int {
	if o.MaxUnits <= 0 {
		return DefaultMaxUnits
	}
	return min(o.MaxUnits, HardMaxUnits)
}

// CheckSize returns an error wrapping ErrTooLarge when n enumerated units
// are more than the options allow, and an error for n < 1; what names the
// model in the message ("spin model", "784×20 RBM (smaller layer)").
// Enumerators call it before any work starts.
func (o Options) CheckSize(what string, n int) error {
	if n < 1 {
		return fmt.Errorf("exact: %s has %d units", what, n)
	}
	if limit := o.maxUnits(); n > limit {
		return fmt.Errorf("exact: %s: %w: %d units means 2^%d states; the limit is %d (at most %d)",
			what, ErrTooLarge, n, n, limit, HardMaxUnits)
	}
	return nil
}
