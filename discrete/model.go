package discrete

import "fmt"

// Domain says which two values a model's units take.
type Domain uint8

const (
	// Binary units take the values 0 and 1.
	Binary Domain = iota
	// Spin units take the values -1 and +1.
	Spin
)

// Values returns the off and on values of the domain: (0, 1) or (-1, +1).
func (d Domain) Values() (off, on int8) {
	if d == Spin {
		return -1, 1
	}
	return 0, 1
}

// Value returns the unit value encoded by bit b (0 → off, 1 → on).
func (d Domain) Value(b uint) int8 {
	off, on := d.Values()
	if b&1 == 0 {
		return off
	}
	return on
}

// Flip returns the other value of the domain.
func (d Domain) Flip(x int8) int8 {
	if d == Spin {
		return -x
	}
	return 1 - x
}

// Valid reports whether x is one of the domain's two values.
func (d Domain) Valid(x int8) bool {
	off, on := d.Values()
	return x == off || x == on
}

func (d Domain) String() string {
	switch d {
	case Binary:
		return "binary"
	case Spin:
		return "spin"
	}
	return fmt.Sprintf("Domain(%d)", uint8(d))
}

// Model is an energy-based model over Units() units with values in
// Domain(). Energy returns E(x) for a state of length Units(); it must not
// modify x and must be safe for concurrent use on distinct states.
type Model interface {
	Units() int
	Domain() Domain
	Energy(x []int8) float64
}

// Flipper is a Model that computes cheaply the change of energy when one
// unit flips, E(x with unit i flipped) - E(x), typically from the unit's
// local field. Samplers and enumerators use it when present and fall back
// to two Energy calls otherwise.
type Flipper interface {
	Model
	FlipDelta(x []int8, i int) float64
}

// FlipDelta returns E(x with unit i flipped) - E(x), through the model's
// Flipper method when it has one.
func FlipDelta(m Model, x []int8, i int) float64 {
	if f, ok := m.(Flipper); ok {
		return f.FlipDelta(x, i)
	}
	e0 := m.Energy(x)
	old := x[i]
	x[i] = m.Domain().Flip(old)
	e1 := m.Energy(x)
	x[i] = old
	return e1 - e0
}
