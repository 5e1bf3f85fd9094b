package idx

import "testing"

func TestTypeStringAndSize(t *testing.T) {
	tests := []struct {
		typ  Type
		name string
		size int
	}{
		{UByte, "ubyte", 1},
		{SByte, "sbyte", 1},
		{Int16, "int16", 2},
		{Int32, "int32", 4},
		{Float32, "float32", 4},
		{Float64, "float64", 8},
		{Type(0x0A), "idx.Type(0x0a)", 0},
		{Type(0), "idx.Type(0x00)", 0},
	}
	for _, tt := range tests {
		if got := tt.typ.String(); got != tt.name {
			t.Errorf("Type(%#x).String() = %q, want %q", byte(tt.typ), got, tt.name)
		}
		if got := tt.typ.Size(); got != tt.size {
			t.Errorf("%v.Size() = %d, want %d", tt.typ, got, tt.size)
		}
	}
}
