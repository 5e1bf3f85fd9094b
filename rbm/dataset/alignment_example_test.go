package dataset_test

import (
	"fmt"
	"log"

	"github.com/rbmkit/rbm/rbm/dataset"
)

// Reading a protein family for Potts units: insertions (lowercase
// letters and '.') are dropped, and the ambiguous X of the fourth
// sequence becomes a gap.
func ExampleLoadAlignment() {
	a, err := dataset.LoadAlignment("testdata/tiny.a2m", "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d sequences × %d columns, q = %d, %d ambiguous residue\n", len(a.Names), a.Columns, a.Q(), a.Ambiguous)
	for r, name := range a.Names {
		var seq []byte
		for _, s := range a.Row(r) {
			seq = append(seq, a.Alphabet[s])
		}
		fmt.Printf("%s %v %s\n", seq, a.Row(r)[:4], name)
	}
	m := a.OneHot()
	fmt.Printf("one-hot: %d×%d\n", m.Rows, m.Cols)

	// Output:
	// 5 sequences × 12 columns, q = 21, 1 ambiguous residue
	// MKV-LIAGDSRG [11 9 18 0] fake1 made-up kinase fragment, reference sequence
	// MKI-LVAGDSRG [11 9 8 0] fake2 made-up homolog with insertions
	// MRV-LISGDTRG [11 15 18 0] fake3 made-up homolog, wrapped
	// MKVELIAGD-RG [11 9 18 4] fake4 made-up homolog with an ambiguous residue
	// --VALIAGESRA [0 0 18 1] fake5 made-up fragment
	// one-hot: 5×252
}
