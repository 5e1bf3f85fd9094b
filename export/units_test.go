package export

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm/layer"
)

// onnxUnsupported lists the layer types knowingly exported without ONNX
// units, with the reason. A layer type rbm/layer registers must be either
// here or registered by a units_<kind>.go file (see the package
// documentation), so that a new type without ONNX support is a decision
// rather than an oversight.
var onnxUnsupported = map[string]string{}

// TestUnitsCoverLayers checks that every registered layer type has its
// ONNX units or is listed in onnxUnsupported, and that neither the units
// registry nor the list names a type rbm/layer does not have.
func TestUnitsCoverLayers(t *testing.T) {
	names := layer.Names()
	for _, kind := range names {
		_, have := unitsRegistry[kind]
		why, unsupported := onnxUnsupported[kind]
		switch {
		case have && unsupported:
			t.Errorf("%s units are registered but listed as unsupported (%s): drop them from onnxUnsupported", kind, why)
		case !have && !unsupported:
			t.Errorf("layer type %s has no ONNX units: add export/units_%s.go (see the package documentation) or list it in onnxUnsupported with the reason", kind, kind)
		}
	}
	for kind := range unitsRegistry {
		if !slices.Contains(names, kind) {
			t.Errorf("ONNX units registered for %q, which is not a layer type (have %v)", kind, names)
		}
	}
	for kind := range onnxUnsupported {
		if !slices.Contains(names, kind) {
			t.Errorf("onnxUnsupported lists %q, which is not a layer type (have %v)", kind, names)
		}
	}
}

// TestUnitsUnregistered checks that a layer type without ONNX units is
// refused, as visible and as hidden layer, with the "unknown unit type"
// error wrapping ErrNotExpressible, and that the refusal of the hidden
// layer comes first.
func TestUnitsUnregistered(t *testing.T) {
	spin := unitsRegistry["spin"]
	delete(unitsRegistry, "spin")
	t.Cleanup(func() { unitsRegistry["spin"] = spin })
	for _, c := range []struct{ visible, hidden, want string }{
		{"spin", "binary", `export: spin×binary machine: not expressible in ONNX: unknown visible unit type "spin"`},
		{"gaussian", "spin", `export: gaussian×spin machine: not expressible in ONNX: unknown hidden unit type "spin"`},
		{"spin", "relu", `export: spin×relu machine: not expressible in ONNX: the free energy of relu hidden units needs log erfc`},
	} {
		_, err := MarshalMachine(randomMachine(t, c.visible, c.hidden, 1), nil, Options{})
		if !errors.Is(err, ErrNotExpressible) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s×%s: %v, want %s", c.visible, c.hidden, err, c.want)
		}
	}
}
