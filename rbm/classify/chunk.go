package classify

import (
	"github.com/rbmkit/rbm/rbm"
	"gonum.org/v1/gonum/mat"
)

// chunkRows is the number of rows converted to float64 at a time: enough
// for gonum's matrix product to split the work between cores, little
// enough that the buffers stay small whatever the size of the data.
const chunkRows = 1024

// chunker hands out the rows of a float32 matrix as float64 chunks, and
// holds the buffers the products over a chunk use.
type chunker struct {
	x, z []float64
}

// each calls f with successive chunks of the rows of x, in order; lo is
// the index of the chunk's first row. The chunk is valid only during f.
func (c *chunker) each(x *rbm.Matrix, f func(lo int, xc *mat.Dense)) {
	n := min(chunkRows, x.Rows) * x.Cols
	if cap(c.x) < n {
		c.x = make([]float64, n)
	}
	for lo := 0; lo < x.Rows; lo += chunkRows {
		hi := min(lo+chunkRows, x.Rows)
		buf := c.x[:(hi-lo)*x.Cols]
		for i, v := range x.Data[lo*x.Cols : hi*x.Cols] {
			buf[i] = float64(v)
		}
		f(lo, mat.NewDense(hi-lo, x.Cols, buf))
	}
}

// logits returns Z = XWᵀ + 1bᵀ for the chunk xc, in a buffer of c that the
// next call reuses.
func logits(c *chunker, xc, w *mat.Dense, b []float64) *mat.Dense {
	rows, _ := xc.Dims()
	classes := len(b)
	if cap(c.z) < rows*classes {
		c.z = make([]float64, rows*classes)
	}
	z := mat.NewDense(rows, classes, c.z[:rows*classes])
	z.Mul(xc, w.T())
	for r := range rows {
		row := z.RawRowView(r)
		for k, bk := range b {
			row[k] += bk
		}
	}
	return z
}
