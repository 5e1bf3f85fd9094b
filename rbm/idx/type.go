package idx

import "fmt"

// Type is the element type of an IDX array, stored as the third byte of the
// file's magic number.
type Type byte

// The element types defined by the IDX format. The codes are those of the
// format, so a Type converts to and from the magic-number byte unchanged.
const (
	UByte   Type = 0x08 // unsigned 8-bit integer, Go uint8
	SByte   Type = 0x09 // signed 8-bit integer, Go int8
	Int16   Type = 0x0B // signed 16-bit integer, Go int16
	Int32   Type = 0x0C // signed 32-bit integer, Go int32
	Float32 Type = 0x0D // IEEE 754 single precision, Go float32
	Float64 Type = 0x0E // IEEE 754 double precision, Go float64
)

// String returns the type's name as used in error messages: "ubyte",
// "sbyte", "int16", "int32", "float32" or "float64". An unknown type is
// shown with its code, as in "idx.Type(0x0a)".
func (t Type) String() string {
	switch t {
	case UByte:
		return "ubyte"
	case SByte:
		return "sbyte"
	case Int16:
		return "int16"
	case Int32:
		return "int32"
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("idx.Type(0x%02x)", byte(t))
}

// Size returns the number of bytes one element of the type occupies in a
// file, or 0 if the type is not one the format defines.
func (t Type) Size() int {
	switch t {
	case UByte, SByte:
		return 1
	case Int16:
		return 2
	case Int32, Float32:
		return 4
	case Float64:
		return 8
	}
	return 0
}

// typeOf returns the Type whose Go representation is the dynamic type of
// data, or false if data is not one of the slices an Array may hold.
func typeOf(data any) (Type, bool) {
	switch data.(type) {
	case []uint8:
		return UByte, true
	case []int8:
		return SByte, true
	case []int16:
		return Int16, true
	case []int32:
		return Int32, true
	case []float32:
		return Float32, true
	case []float64:
		return Float64, true
	}
	return 0, false
}
