package seeds

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"testing"
)

// TestStreamsDistinct reads every Stream constant declared in streams.go,
// so that a stream added there is checked without being listed again
// here: no two share a value, and none is below MinStream, where the
// numbers of rows, draws and chains lie.
func TestStreamsDistinct(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "streams.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Defs: make(map[*ast.Ident]types.Object)}
	if _, err := new(types.Config).Check("seeds", fset, []*ast.File{f}, info); err != nil {
		t.Fatal(err)
	}
	seen := make(map[uint64]string)
	for id, obj := range info.Defs {
		c, ok := obj.(*types.Const)
		if !ok || c.Type().String() != "seeds.Stream" || id.Name == "MinStream" {
			continue
		}
		v, exact := constant.Uint64Val(c.Val())
		if !exact {
			t.Fatalf("%s: %v is not a uint64", id.Name, c.Val())
		}
		if v < uint64(MinStream) {
			t.Errorf("%s = %#x is below MinStream", id.Name, v)
		}
		if other, dup := seen[v]; dup {
			t.Errorf("%s and %s are both %#x", id.Name, other, v)
		}
		seen[v] = id.Name
	}
	if len(seen) < 10 {
		t.Fatalf("found only %d streams in streams.go", len(seen))
	}
}
