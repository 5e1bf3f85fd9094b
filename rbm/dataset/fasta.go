package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/rbmkit/rbm/rbm"
)

// DefaultAlphabet is the alphabet ReadAlignment uses when given none: the
// gap, state 0 as in direct-coupling analysis, then the 20 amino acids in
// alphabetical order of their one-letter codes.
const DefaultAlphabet = "-ACDEFGHIKLMNPQRSTVWY"

// ambiguousAminoAcids are the letters IUPAC adds to the 20 amino acids:
// X (any), B (D or N), Z (E or Q), J (I or L), and the rarer U
// (selenocysteine) and O (pyrrolysine). With a protein alphabet they read
// as gaps, as DCA tools read them.
const ambiguousAminoAcids = "XBZJUO"

// ambiguousNucleotides is N (any base), which reads as the gap with a
// nucleotide alphabet. The two-base codes (R, Y, …) are not taken: they
// share letters with the amino acids, so a protein file read with a
// nucleotide alphabet by mistake would pass unnoticed.
const ambiguousNucleotides = "N"

// MaxLineLength is the longest line, in bytes, that ReadAlignment
// accepts: ample for any alignment of protein or nucleotide sequences,
// and a bound on the memory a file without line breaks can claim.
const MaxLineLength = 1 << 20

// maxAlignmentBytes bounds the memory an alignment may fill, one byte per
// state plus the bytes of the names, so that a huge or malicious file is
// refused before it exhausts memory. A variable so that tests can lower it.
var maxAlignmentBytes int64 = 4 << 30

// An Alignment is a multiple sequence alignment read for Potts
// (categorical) units: each record a row, each match column a unit whose
// state is the index of the record's character in Alphabet.
type Alignment struct {
	// Names are the records' names, the text after '>' on their header
	// lines with surrounding white space removed.
	Names []string

	// Columns is the number of match columns, the same in every record.
	Columns int

	// Alphabet lists the characters of the states in order: the state
	// of a character is its index in Alphabet.
	Alphabet string

	// States holds len(Names) × Columns states row-major: the state of
	// column j of record r is States[r*Columns+j]. Every state is less
	// than Q().
	States []uint8

	// Ambiguous counts the ambiguity codes read as gaps (see
	// ReadAlignmentFormat), and AmbiguousLetters lists the distinct ones
	// in alphabetical order, upper case: "XZ".
	Ambiguous        int
	AmbiguousLetters string
}

// An AlignmentFormat says which characters of a sequence are columns.
type AlignmentFormat int

const (
	// A2M is the format of HMMER and HH-suite alignments (.a2m, and
	// .a3m, which only omits the '.' padding): uppercase letters and '-'
	// are match columns, while lowercase letters and '.' that are not in
	// the alphabet are insert states, dropped.
	A2M AlignmentFormat = iota

	// AlignedFASTA is a plain aligned FASTA file (.fasta, .fa, .afa,
	// .aln): every character is a column, a lowercase letter is the same
	// residue as its uppercase one, and '.' is a gap, as HMMER writes
	// its insert columns (unless the alphabet holds '.').
	AlignedFASTA
)

// AlignmentFormatOf returns the format of the named file by its
// extension, after any ".gz": A2M for .a2m and .a3m, AlignedFASTA for
// any other.
func AlignmentFormatOf(path string) AlignmentFormat {
	base := strings.TrimSuffix(strings.ToLower(filepath.Base(path)), ".gz")
	switch filepath.Ext(base) {
	case ".a2m", ".a3m":
		return A2M
	}
	return AlignedFASTA
}

func (f AlignmentFormat) String() string {
	if f == AlignedFASTA {
		return "aligned FASTA"
	}
	return "A2M"
}

// Q returns the number of states of each column, len(a.Alphabet).
func (a *Alignment) Q() int { return len(a.Alphabet) }

// Row returns the states of record r, sharing a.States.
func (a *Alignment) Row(r int) []uint8 {
	return a.States[r*a.Columns : (r+1)*a.Columns : (r+1)*a.Columns]
}

// OneHot returns the alignment one-hot encoded for Potts units, as
// LoadCategories encodes categories: one row per record, with column j's
// state s setting column j·q+s of the row, q = a.Q(). The matrix holds
// len(a.Names) × a.Columns × q float32 values, 84 bytes per residue with
// the default alphabet.
func (a *Alignment) OneHot() *rbm.Matrix {
	q := a.Q()
	m := rbm.NewMatrix(len(a.Names), a.Columns*q)
	for i, s := range a.States {
		m.Data[i*q+int(s)] = 1
	}
	return m
}

// ReadAlignment reads a multiple sequence alignment in A2M format from
// r, as ReadAlignmentFormat does.
func ReadAlignment(r io.Reader, alphabet string) (*Alignment, error) {
	return ReadAlignmentFormat(r, alphabet, A2M)
}

// ReadAlignmentFormat reads a multiple sequence alignment in the given
// format from r, which may be gzip-compressed, mapping each column of
// each record to the index of its character in alphabet, or in
// DefaultAlphabet when alphabet is "".
//
// A record starts with a header line, '>' followed by the record's name;
// the lines up to the next header hold its sequence, which may wrap over
// any number of lines. White space, including the '\r' of CRLF line
// endings, is ignored, and so are blank lines before the first record.
// In A2M, the lowercase letters and '.' that are not in the alphabet are
// insertions relative to the alignment and are dropped; in aligned FASTA
// every character is a column (see AlignmentFormat). Every record must
// have the same, non-zero number of columns.
//
// A letter matches the alphabet whatever its case, unless the alphabet
// holds both of its cases (then each is its own state) or, in A2M, the
// letter is lowercase (an insertion). The standard ambiguity codes read
// as the gap '-' when the alphabet holds it and not them: X, B, Z, J, U
// and O with a protein alphabet (the 20 amino acids and '-', in any
// order, such as DefaultAlphabet), N with a nucleotide one (A, C, G and
// T or U, and '-'). They are counted in Ambiguous, so that a caller can
// say how many there were. Any other character is an error naming the
// record, the column and the character.
//
// An alphabet must have at least 2 and at most 256 characters (bytes),
// all distinct, none of them '>' or white space.
//
// Lines longer than MaxLineLength, and alignments that would need more
// than 4 GiB for their states and names, are refused.
func ReadAlignmentFormat(r io.Reader, alphabet string, format AlignmentFormat) (*Alignment, error) {
	a, err := readAlignment(r, alphabet, format)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	return a, nil
}

// LoadAlignment reads the alignment in the named file, plain or
// gzip-compressed, as ReadAlignmentFormat does, in the format its
// extension gives (AlignmentFormatOf). Its errors name the file.
func LoadAlignment(path string, alphabet string) (*Alignment, error) {
	f, err := openText(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := readAlignment(f, alphabet, AlignmentFormatOf(path))
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return a, nil
}

// Marks in the table of states for characters outside the alphabet.
const (
	unknown   = -1 // an error, unless an A2M insertion
	ambiguous = -2 // an ambiguity code, read as the gap and counted
)

// alphabetStates returns, for each byte, its state in alphabet, or
// unknown.
func alphabetStates(alphabet string) (*[256]int16, error) {
	if len(alphabet) < 2 || len(alphabet) > 256 {
		return nil, fmt.Errorf("alphabet %q has %d characters: want 2 to 256", alphabet, len(alphabet))
	}
	var states [256]int16
	for i := range states {
		states[i] = unknown
	}
	for i := range len(alphabet) {
		c := alphabet[i]
		switch {
		case c == '>' || isSpace(c):
			return nil, fmt.Errorf("alphabet %q holds %q, which cannot be a state", alphabet, c)
		case states[c] >= 0:
			return nil, fmt.Errorf("alphabet %q holds %q twice", alphabet, c)
		}
		states[c] = int16(i)
	}
	return &states, nil
}

// isSpace reports whether c is ASCII white space.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// readStates returns the table of states by which readAlignment reads the
// characters of a file of the given format: those of alphabet, the other
// case of its letters (see ReadAlignmentFormat), the ambiguity codes and,
// in aligned FASTA, '.' as the gap.
func readStates(alphabet string, format AlignmentFormat) (*[256]int16, error) {
	states, err := alphabetStates(alphabet)
	if err != nil {
		return nil, err
	}
	exact := *states
	for c := range 256 {
		if exact[c] < 0 {
			continue
		}
		switch o := otherCase(byte(c)); {
		case o == byte(c) || exact[o] >= 0:
		case format == A2M && isLower(o):
			// An insertion, not the uppercase letter's state.
		default:
			states[o] = exact[c]
		}
	}
	gap := exact['-']
	if gap < 0 {
		return states, nil
	}
	if format == AlignedFASTA && states['.'] == unknown {
		states['.'] = gap
	}
	var codes string
	switch {
	case hasLetters(&exact, "ACDEFGHIKLMNPQRSTVWY"):
		codes = ambiguousAminoAcids
	case hasLetters(&exact, "ACGT") || hasLetters(&exact, "ACGU"):
		codes = ambiguousNucleotides
	}
	for i := range len(codes) {
		for _, c := range []byte{codes[i], otherCase(codes[i])} {
			if states[c] == unknown && !(format == A2M && isLower(c)) {
				states[c] = ambiguous
			}
		}
	}
	return states, nil
}

// hasLetters reports whether every letter of letters, or its other case,
// has a state in states.
func hasLetters(states *[256]int16, letters string) bool {
	for i := range len(letters) {
		if states[letters[i]] < 0 && states[otherCase(letters[i])] < 0 {
			return false
		}
	}
	return true
}

// otherCase returns the ASCII letter c in the other case, and any other
// byte as it is.
func otherCase(c byte) byte {
	switch {
	case 'a' <= c && c <= 'z':
		return c - 'a' + 'A'
	case 'A' <= c && c <= 'Z':
		return c - 'A' + 'a'
	}
	return c
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

// isInsertion reports whether c marks an insertion in A2M.
func isInsertion(c byte) bool {
	return c == '.' || 'a' <= c && c <= 'z'
}

// readAlignment implements ReadAlignment with errors that lack the
// "dataset:" prefix.
func readAlignment(r io.Reader, alphabet string, format AlignmentFormat) (*Alignment, error) {
	if alphabet == "" {
		alphabet = DefaultAlphabet
	}
	states, err := readStates(alphabet, format)
	if err != nil {
		return nil, err
	}
	gap := uint8(strings.IndexByte(alphabet, '-')) // used only when it is there
	var seen [256]bool                             // the ambiguity codes read
	in, err := textInput(r)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineLength+2) // +2: the line break
	a := &Alignment{Alphabet: alphabet, Columns: -1}
	var (
		line       int   // current line number
		headerLine int   // line of the current record's header
		start      int   // where the current record's states begin
		used       int64 // bytes of states and names so far
	)
	// record names the current record in errors.
	record := func() string {
		return fmt.Sprintf("record %d (%q, line %d)", len(a.Names), a.Names[len(a.Names)-1], headerLine)
	}
	// finish checks the current record's length.
	finish := func() error {
		if len(a.Names) == 0 {
			return nil
		}
		n := len(a.States) - start
		switch {
		case n == 0:
			return fmt.Errorf("%s has no aligned residues", record())
		case a.Columns < 0:
			a.Columns = n
		case n != a.Columns:
			return fmt.Errorf("%s has %d match columns, record 1 (%q) has %d", record(), n, a.Names[0], a.Columns)
		}
		return nil
	}
	for sc.Scan() {
		line++
		text := sc.Bytes()
		if len(text) > MaxLineLength {
			return nil, fmt.Errorf("line %d is longer than %d bytes", line, MaxLineLength)
		}
		if len(text) > 0 && text[0] == '>' {
			if err := finish(); err != nil {
				return nil, err
			}
			name := strings.TrimSpace(string(text[1:]))
			if used += int64(len(name)); used > maxAlignmentBytes {
				return nil, tooLarge(line)
			}
			a.Names = append(a.Names, name)
			headerLine, start = line, len(a.States)
			continue
		}
		for _, c := range text {
			if isSpace(c) {
				continue
			}
			if len(a.Names) == 0 {
				return nil, fmt.Errorf("line %d: sequence before the first '>' header", line)
			}
			s := states[c]
			switch {
			case s >= 0:
			case s == ambiguous:
				s = int16(gap)
				a.Ambiguous++
				seen[c&^0x20] = true // upper case
			case format == A2M && isInsertion(c):
				continue
			default:
				return nil, fmt.Errorf("line %d: %s, column %d: %q is not in the alphabet %q", line, record(), len(a.States)-start+1, c, alphabet)
			}
			if a.Columns >= 0 && len(a.States)-start == a.Columns {
				return nil, fmt.Errorf("line %d: %s has more match columns than the %d of record 1 (%q)", line, record(), a.Columns, a.Names[0])
			}
			if used++; used > maxAlignmentBytes {
				return nil, tooLarge(line)
			}
			a.States = append(a.States, uint8(s))
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d is longer than %d bytes", line+1, MaxLineLength)
		}
		return nil, fmt.Errorf("after line %d: %w", line, err)
	}
	if len(a.Names) == 0 {
		return nil, errors.New("no sequences: want FASTA or A2M records, each a '>' header line and its sequence")
	}
	if err := finish(); err != nil {
		return nil, err
	}
	for c, ok := range seen {
		if ok {
			a.AmbiguousLetters += string(rune(c))
		}
	}
	return a, nil
}

func tooLarge(line int) error {
	return fmt.Errorf("line %d: the alignment holds more than %d bytes of states and names", line, maxAlignmentBytes)
}
