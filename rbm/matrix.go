package rbm

import "fmt"

// Matrix is a dense row-major matrix of float32 values: row i occupies
// Data[i*Cols : (i+1)*Cols]. Data sets, mini-batches, hidden features and
// weights are all Matrices, so that one type carries every batch of vectors
// through the package.
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// NewMatrix returns a zeroed rows×cols matrix.
func NewMatrix(rows, cols int) *Matrix {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("rbm: negative matrix dimension %d×%d", rows, cols))
	}
	return &Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
}

// Row returns row i as a slice sharing the matrix's storage.
func (m *Matrix) Row(i int) []float32 {
	return m.Data[i*m.Cols : (i+1)*m.Cols : (i+1)*m.Cols]
}

// Slice returns rows [lo, hi) as a matrix sharing the receiver's storage.
func (m *Matrix) Slice(lo, hi int) *Matrix {
	return &Matrix{Rows: hi - lo, Cols: m.Cols, Data: m.Data[lo*m.Cols : hi*m.Cols]}
}
