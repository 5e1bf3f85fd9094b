package discrete

import "fmt"

// Boundary says how a lattice's edges are joined.
type Boundary uint8

const (
	// Periodic joins opposite edges: the lattice is a torus.
	Periodic Boundary = iota
	// Open leaves the edges free.
	Open
)

func (b Boundary) String() string {
	if b == Open {
		return "open"
	}
	return "periodic"
}

// Lattice returns the Ising model on a rows×cols square lattice of spins,
// unit r*cols+c at row r and column c, with every nearest-neighbour pair
// coupled by coupling and every spin in the field field:
//
//	E(s) = -J Σ_<ij> s_i s_j - h Σ_i s_i.
//
// With periodic boundaries every site has a bond to its right and lower
// neighbours, wrapping around, so the torus has 2·rows·cols bonds; a side of
// length 2 therefore couples each pair twice (coupling 2J), as the
// transfer-matrix formulas count them, and a side of length 1 adds no bond
// in its direction (a ring).
func Lattice(rows, cols int, coupling, field float64, b Boundary) (*Pairwise, error) {
	if rows < 1 || cols < 1 {
		return nil, fmt.Errorf("discrete: lattice %d×%d: sides must be positive", rows, cols)
	}
	if rows > 1<<15 || cols > 1<<15 || rows*cols > 1<<24 {
		return nil, fmt.Errorf("discrete: lattice %d×%d is too large", rows, cols)
	}
	n := rows * cols
	h := make([]float64, n)
	for i := range h {
		h[i] = field
	}
	var cs []Coupling
	for r := range rows {
		for c := range cols {
			i := r*cols + c
			if c+1 < cols {
				cs = append(cs, Coupling{I: i, J: i + 1, Value: coupling})
			} else if b == Periodic && cols > 1 {
				cs = append(cs, Coupling{I: i, J: r * cols, Value: coupling})
			}
			if r+1 < rows {
				cs = append(cs, Coupling{I: i, J: i + cols, Value: coupling})
			} else if b == Periodic && rows > 1 {
				cs = append(cs, Coupling{I: i, J: c, Value: coupling})
			}
		}
	}
	return NewPairwise(Spin, h, cs)
}
