// Package dataset turns IDX arrays into the matrices an RBM trains on,
// and matrices back into IDX arrays.
//
// FromIDX and Load take an array whose first dimension counts examples,
// such as the MNIST images (60000 × 28 × 28), and return one matrix row
// per example with the remaining dimensions flattened into columns. Each
// element is scaled to [0,1] and then set on a visible unit in one of
// three ways (see Binarize): thresholded, sampled as a Bernoulli variable
// from a caller-seeded random source, or kept as a probability. The image
// height and width travel alongside as a Shape, so that ToIDX can write
// samples and features back out as images.
//
// LoadCompact reads training data without holding it whole: binarized
// rows go straight from the decoder into an rbm.BitMatrix, one bit per
// value, a chunk of elements at a time.
//
// LoadBits reads data for two-state units from IDX, .npy or CSV files
// alike: bits (0/1) or probabilities, binarized as Load binarizes them,
// and for spin units ±1 too.
//
// LoadAlignment reads aligned sequences for Potts units, in the format
// the file's extension gives: in aligned FASTA (.fasta, .fa, .afa, .aln)
// every character is a column and lowercase letters are the same
// residues as uppercase ones; in A2M (.a2m, .a3m) lowercase letters and
// '.' are insert states and are dropped. The standard ambiguity codes
// (X, B, Z, J, U, O for proteins, N for nucleotides) read as the gap and
// are counted, so that the caller can say so; any other letter outside
// the alphabet is an error naming the record, column and letter.
//
// Labels reads a 1-D label file as a slice of ints, and WriteNPY writes a
// matrix for NumPy.
package dataset
