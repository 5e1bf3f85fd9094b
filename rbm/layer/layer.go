package layer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
)

// A Layer is a group of units of one type. A state of the layer is a
// vector of Width values (Units values, except for one-hot encodings such
// as Potts units, which take Units·q). The input a layer receives from the
// other layer has the same Width.
//
// Methods that take a state or an input never keep it and never modify it;
// a Layer is safe for concurrent use by methods that do not change its
// parameters.
type Layer interface {
	// Kind is the registered name of the unit type ("binary", "gaussian", …).
	Kind() string
	// Units is the number of units, Width the number of values of a state.
	Units() int
	Width() int
	// States is the number of values each unit takes for a discrete layer
	// (2 for binary and spin units, q for Potts units) and 0 for a
	// continuous one.
	States() int

	// Energy returns the layer's own term of the energy at state x.
	Energy(x []float64) float64
	// LogPartition returns Γ(I) = Σᵢ log Σ_{xᵢ} exp(-Eᵢ(xᵢ) + Iᵢ·xᵢ), the
	// sum (or integral) over the layer's states at input I.
	LogPartition(input []float64) float64
	// Mean sets dst to E[x | I] and Sample draws x from p(x | I) ∝
	// exp(-E(x) + Iᵀx) into dst.
	Mean(dst, input []float64)
	Sample(dst, input []float64, rng *rand.Rand)

	// Params returns the layer's parameters. The slices are the layer's
	// own: writing to them changes the layer.
	Params() []Param
	// EnergyGrad adds -∂E(x)/∂θ to grad, one slice per parameter in the
	// order of Params; fixed parameters are left alone.
	EnergyGrad(grad [][]float64, x []float64)
	// LogPartitionGrad adds ∂Γ(I)/∂θ = E[-∂E/∂θ | I] to grad as
	// EnergyGrad does.
	LogPartitionGrad(grad [][]float64, input []float64)

	// Fit sets the parameters to those of independent units (no input)
	// fitted to data whose columns have the given sums and sums of squares
	// over n rows: the model of the data's base rates, which training
	// starts the biases from and annealed importance sampling starts at.
	// Each type smooths the statistics so that the fit stays finite;
	// fixed parameters stay as they are.
	Fit(sum, sumSquares []float64, n int)

	// ShiftField adds δ to the field of the units: it changes the
	// parameters so that the energy becomes E(x) - δᵀx up to a constant in
	// x, the distribution p(x | I) becoming p(x | I + δ). It is the one
	// operation a reparameterisation of the coupling needs: the centered
	// trainer (rbm.Config.Centered) moves the constant terms of
	// -(v-μ)ᵀW(h-λ) into the layers with it, so that any pair of unit
	// types can be trained centered and stored uncentered.
	ShiftField(delta []float64)

	// Check reports a state the units cannot take (after naming the unit).
	Check(x []float64) error
	// Clone returns a deep copy.
	Clone() Layer
}

// A Discrete layer can be enumerated: each of its units takes one of
// States() values.
type Discrete interface {
	Layer
	// SetState sets dst to the layer state whose unit i is in state
	// s[i] ∈ [0, States()).
	SetState(dst []float64, s []int)
}

// A Preconditioner is a layer whose parameters are trained along a
// rescaled gradient: Precondition multiplies each parameter's gradient by
// the inverse of its diagonal Fisher information at zero input, so that a
// step means the same change of distribution whatever the unit's scale.
// Gaussian units need it: the gradient of the mean b is (x - b)/σ², which
// for a unit of small σ is large exactly where b must move least.
type Preconditioner interface {
	Precondition(grad [][]float64)
}

// A FixedDraws layer's Sample takes the same number of values from its
// source on every call, whatever the input: Draws of them, each one
// rng.Uint64 (rng.Float64 takes one). Knowing the count lets a trainer
// sample the rows of a batch in parallel and still give every row the
// values it would have drawn from one shared stream, row after row: row r
// starts r·Draws values into the stream. Layers that sample by rejection
// (Gaussian, ReLU, dReLU) take a number of values that depends on the draws and
// do not implement it.
type FixedDraws interface {
	Layer
	Draws() int
}

// A MeanGrader computes Mean and LogPartitionGrad at one input in one
// pass: dst and grad receive exactly what Mean(dst, input) and
// LogPartitionGrad(grad, input) would give them, bit for bit. A trainer
// needs both at every row of a batch, and for most types the gradient's
// terms are the mean itself (∂Γ/∂θ = E[x] for binary, spin and Potts
// units) or share its costly part (ReLU units' truncated-normal moments),
// which the pass computes once instead of twice. Gaussian units share
// nothing costly between the two and do not implement it.
type MeanGrader interface {
	Layer
	MeanLogPartitionGrad(dst []float64, grad [][]float64, input []float64)
}

// A Param is one named parameter vector of a layer.
type Param struct {
	// Name is how model files call the parameter ("bias", "log_sigma", …).
	Name string
	// Values are the parameter's values, aliasing the layer's own.
	Values []float64
	// Fixed parameters are not trained.
	Fixed bool
}

// Settings are the choices made when a layer is created. The zero value
// is valid for every type that does not need a number of states.
type Settings struct {
	// States is q for Potts units; other types ignore it.
	States int
	// LearnScale trains the scale of continuous units (σ for Gaussian units,
	// the precisions γ of ReLU and dReLU units), which otherwise stay
	// fixed.
	LearnScale bool
}

// Values says what data a visible layer of a type reads.
type Values uint8

const (
	// Bits: two-state units read binary data, each bit b becoming the
	// unit's state b (Discrete.SetState: 0 and 1 for binary units, -1 and
	// +1 for spins).
	Bits Values = iota
	// Categories: q-state units read integer categories 0…q-1, one-hot.
	Categories
	// Reals: continuous units read real values.
	Reals
)

// A Type describes a registered unit type.
type Type struct {
	// Name is the Kind of the layers the type makes.
	Name string
	// Summary is a phrase for help text.
	Summary string
	// Values is the data a visible layer of the type reads.
	Values Values
	// New returns a layer of n units with default parameters.
	New func(n int, s Settings) (Layer, error)
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Type{}
)

// Register makes a unit type available by name. It panics if the name is
// taken; each layer file registers its type in an init function.
func Register(t Type) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[t.Name]; dup {
		panic("layer: Register called twice for " + t.Name)
	}
	registry[t.Name] = t
}

// Types returns the registered unit types, sorted by name.
func Types() []Type {
	registryMu.RLock()
	defer registryMu.RUnlock()
	ts := make([]Type, 0, len(registry))
	for _, t := range registry {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	return ts
}

// Lookup returns the registered type of the given name.
func Lookup(name string) (Type, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	t, ok := registry[name]
	return t, ok
}

// Names returns the registered type names, sorted.
func Names() []string {
	var ns []string
	for _, t := range Types() {
		ns = append(ns, t.Name)
	}
	return ns
}

// ErrUnknownType is wrapped by the error New returns for an unregistered
// type name.
var ErrUnknownType = errors.New("unknown unit type")

// New returns a layer of n units of the named type with default
// parameters.
func New(kind string, n int, s Settings) (Layer, error) {
	registryMu.RLock()
	t, ok := registry[kind]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("layer: %w %q (have %v)", ErrUnknownType, kind, Names())
	}
	if n <= 0 {
		return nil, fmt.Errorf("layer: %s layer with %d units: the number must be positive", kind, n)
	}
	return t.New(n, s)
}

// ErrInvalid is wrapped by the errors Validate returns.
var ErrInvalid = errors.New("invalid layer")

// Validate reports parameters that are not finite or do not hold one value
// per column of the layer's states (Width values).
func Validate(l Layer) error {
	for _, p := range l.Params() {
		if want := l.Width(); len(p.Values) != want {
			return fmt.Errorf("%w: %s layer: %s has %d values, want %d", ErrInvalid, l.Kind(), p.Name, len(p.Values), want)
		}
		for i, x := range p.Values {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("%w: %s layer: %s[%d] is %v", ErrInvalid, l.Kind(), p.Name, i, x)
			}
		}
	}
	return nil
}

// SetParams copies values into the layer's parameters by name: every
// parameter of the layer must be present with the right length.
func SetParams(l Layer, values map[string][]float64) error {
	ps := l.Params()
	for _, p := range ps {
		v, ok := values[p.Name]
		if !ok {
			return fmt.Errorf("%w: %s layer: parameter %q missing", ErrInvalid, l.Kind(), p.Name)
		}
		if len(v) != len(p.Values) {
			return fmt.Errorf("%w: %s layer: %s has %d values, want %d", ErrInvalid, l.Kind(), p.Name, len(v), len(p.Values))
		}
	}
	for name := range values {
		if !slices.ContainsFunc(ps, func(p Param) bool { return p.Name == name }) {
			return fmt.Errorf("%w: %s layer has no parameter %q", ErrInvalid, l.Kind(), name)
		}
	}
	for _, p := range ps {
		copy(p.Values, values[p.Name])
	}
	return Validate(l)
}

// NewGrad returns zeroed gradient slices shaped like l's parameters.
func NewGrad(l Layer) [][]float64 {
	ps := l.Params()
	g := make([][]float64, len(ps))
	for k, p := range ps {
		g[k] = make([]float64, len(p.Values))
	}
	return g
}

func mustLen(kind, name string, x []float64, want int) {
	if len(x) != want {
		panic(fmt.Sprintf("layer: %s layer: %s has %d values, want %d", kind, name, len(x), want))
	}
}
