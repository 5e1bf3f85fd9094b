package discrete

import "fmt"

// Domain says which values a model's units take: one of the two-state
// domains Binary and Spin, or the q-state domain Categorical(q) whose
// units take the values 0, 1, …, q-1 (Potts units).
//
// The states of a domain are numbered 0 … States()-1 (Index and Value
// convert): Binary's states 0 and 1 are its values, Spin's are -1 and +1
// in that order. Two-state domains have the single-unit move Flip; every
// domain has the move "set unit i to value v", which is what models report
// through ChangeDelta and Local.Change.
type Domain uint8

const (
	// Binary units take the values 0 and 1.
	Binary Domain = iota
	// Spin units take the values -1 and +1.
	Spin
)

// MaxStates is the largest number of states of a domain: states are
// []int8, so a unit takes at most the values 0 … 127 - 1.
const MaxStates = 127

// Categorical returns the domain of units with q states, the values
// 0 … q-1. For q = 2 it is Binary, whose values are the same; a q outside
// [2, MaxStates] is an error.
func Categorical(q int) (Domain, error) {
	switch {
	case q < 2:
		return 0, fmt.Errorf("discrete: a unit with %d states: want at least 2", q)
	case q > MaxStates:
		return 0, fmt.Errorf("discrete: units with %d states: states are stored as int8, so at most %d", q, MaxStates)
	case q == 2:
		return Binary, nil
	}
	// Domain values 0 and 1 are Binary and Spin; a q-state domain is q
	// itself, q ≥ 3, so that it compares equal exactly when q does.
	return Domain(q), nil
}

// States returns the number of values a unit of the domain takes: 2 for
// Binary and Spin, q for Categorical(q).
func (d Domain) States() int {
	if d <= Spin {
		return 2
	}
	return int(d)
}

// Values returns the smallest and largest values of the domain: (0, 1)
// for Binary, (-1, +1) for Spin and (0, q-1) for q states. For two-state
// domains they are the off and on values.
func (d Domain) Values() (off, on int8) {
	switch {
	case d == Spin:
		return -1, 1
	case d > Spin:
		return 0, int8(d - 1)
	}
	return 0, 1
}

// Value returns the value of state b of the domain. For two-state domains
// only the lowest bit of b counts (0 → off, 1 → on), so that Value(g>>i)
// reads unit i from the bits g of a state; for q states b must be below q.
func (d Domain) Value(b uint) int8 {
	if d > Spin {
		return int8(b)
	}
	off, on := d.Values()
	if b&1 == 0 {
		return off
	}
	return on
}

// Index returns the state number of value x, the inverse of Value: 0 or
// 1 for two-state domains (off or on), x itself for q states.
func (d Domain) Index(x int8) int {
	if d == Spin {
		return int(x+1) / 2
	}
	return int(x)
}

// Flip returns the other value of a two-state domain. On a q-state domain
// it returns the next value cyclically, (x+1) mod q, which is the same
// move for q = 2; samplers of q-state models set values through
// Local.Change rather than Flip.
func (d Domain) Flip(x int8) int8 {
	switch {
	case d == Spin:
		return -x
	case d > Spin:
		if int(x)+1 == int(d) {
			return 0
		}
		return x + 1
	}
	return 1 - x
}

// Valid reports whether x is one of the domain's values.
func (d Domain) Valid(x int8) bool {
	off, on := d.Values()
	if d > Spin {
		return x >= off && x <= on
	}
	return x == off || x == on
}

func (d Domain) String() string {
	switch {
	case d == Binary:
		return "binary"
	case d == Spin:
		return "spin"
	case d > Spin && int(d) <= MaxStates:
		return fmt.Sprintf("%d-state", uint8(d))
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
// Flipper method when it has one. On a q-state model the flip is Domain's
// Flip, the cyclic move to the next value.
func FlipDelta(m Model, x []int8, i int) float64 {
	if f, ok := m.(Flipper); ok {
		return f.FlipDelta(x, i)
	}
	return ChangeDelta(m, x, i, m.Domain().Flip(x[i]))
}

// Changer is a Model that computes cheaply the change of energy when one
// unit is set to a given value, E(x with x_i = v) - E(x): the single-unit
// move of q-state models, whose Gibbs update weighs every value of the
// unit. Two-state models need not implement it: for them the move is a
// flip or nothing.
type Changer interface {
	Model
	ChangeDelta(x []int8, i int, v int8) float64
}

// ChangeDelta returns E(x with x_i = v) - E(x): 0 when v is x_i's value,
// otherwise through the model's Changer method when it has one, its
// FlipDelta when the domain has two states, and two Energy calls when it
// has neither. x is restored before ChangeDelta returns.
func ChangeDelta(m Model, x []int8, i int, v int8) float64 {
	old := x[i]
	if v == old {
		return 0
	}
	if c, ok := m.(Changer); ok {
		return c.ChangeDelta(x, i, v)
	}
	if f, ok := m.(Flipper); ok && m.Domain().States() == 2 {
		return f.FlipDelta(x, i)
	}
	e0 := m.Energy(x)
	x[i] = v
	e1 := m.Energy(x)
	x[i] = old
	return e1 - e0
}
