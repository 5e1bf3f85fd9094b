package dataset

import (
	"fmt"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
)

// ToIDX returns m as a float32 IDX array, ready for idx.WriteFile, that
// shares m's storage. Its dimensions are rows × height × width when shape
// is set, restoring the images FromIDX flattened, and rows × columns when
// shape is zero. It panics if a nonzero shape does not describe m's
// columns, since that means the shape belongs to another matrix.
func ToIDX(m *rbm.Matrix, shape Shape) *idx.Array {
	dims := []int{m.Rows, m.Cols}
	if shape != (Shape{}) {
		if shape.Height <= 0 || shape.Width <= 0 || shape.Height*shape.Width != m.Cols {
			panic(fmt.Sprintf("dataset: ToIDX: shape %d×%d does not fit rows of %d columns", shape.Height, shape.Width, m.Cols))
		}
		dims = []int{m.Rows, shape.Height, shape.Width}
	}
	return &idx.Array{Type: idx.Float32, Dims: dims, Data: m.Data}
}
