package export

import (
	"context"
	"slices"
	"testing"
)

// FuzzUnmarshal feeds arbitrary bytes to the importer and to the onnx-go
// runner: each must return an error or a result, never panic, and whatever
// the importer accepts must export back to the same bytes' model.
func FuzzUnmarshal(f *testing.F) {
	for _, opt := range []Options{{}, {DType: Float64, Outputs: []string{OutputHidden}}} {
		good, err := Marshal(randomModel(3, 2, 1, 1), testMeta(), opt)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(good)
		f.Add(good[:len(good)/3])
	}
	f.Add(foreignGraph(randomModel(3, 2, 1, 1)))
	f.Add([]byte{})
	f.Add([]byte("\x08\x08\x3a\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, meta, opt, err := Unmarshal(data)
		if err == nil {
			again, err := Marshal(m, meta, opt)
			if err != nil {
				t.Fatalf("accepted model does not export: %v", err)
			}
			m2, _, _, err := Unmarshal(again)
			if err != nil || !slices.Equal(m2.W, m.W) {
				t.Fatalf("re-export does not import back: %v", err)
			}
		}
		g, err := LoadGraph(data)
		if err != nil {
			return
		}
		_, cols := g.Input()
		if cols > 64 {
			return // keep each run small
		}
		g.Run(context.Background(), randomBinary(3, cols, 1), 0)
	})
}
