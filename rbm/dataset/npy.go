package dataset

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/rbmkit/rbm/rbm"
)

// WriteNPY writes m as a NumPy .npy file (format version 1.0): a
// little-endian float32 array of shape (rows, cols) in C order, which
// numpy.load reads as is.
//
// github.com/sbinet/npyio writes two-dimensional arrays only as float64
// (through gonum's mat.Dense), which would double the size of feature
// files and change their type, so the few lines of the documented header
// are written here; the tests read the result back with npyio.
func WriteNPY(w io.Writer, m *rbm.Matrix) error {
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", m.Rows, m.Cols)
	// Magic (6) + version (2) + header length (2) + header + '\n' must be
	// a multiple of 64 bytes, padded with spaces.
	pad := (64 - (10+len(header)+1)%64) % 64
	header += strings.Repeat(" ", pad) + "\n"
	bw := bufio.NewWriter(w)
	bw.WriteString("\x93NUMPY\x01\x00")
	binary.Write(bw, binary.LittleEndian, uint16(len(header)))
	bw.WriteString(header)
	if err := binary.Write(bw, binary.LittleEndian, m.Data); err != nil {
		return err
	}
	return bw.Flush()
}
