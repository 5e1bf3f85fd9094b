package dataset

import (
	"bytes"
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/klauspost/compress/gzip"
	"github.com/rbmkit/rbm/rbm"
)

// Default-alphabet states of some amino acids, for the tables below.
const (
	gap = iota
	aA
	aC
	aD
	aE
)

func TestReadAlignment(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		alphabet  string
		names     []string
		columns   int
		states    []uint8
		ambiguous int
	}{
		{
			name:    "plain",
			in:      ">a\nACD\n>b\n-WY\n",
			names:   []string{"a", "b"},
			columns: 3,
			states:  []uint8{aA, aC, aD, gap, 19, 20},
		},
		{
			name:    "no final newline",
			in:      ">a\nACD\n>b\nDCA",
			names:   []string{"a", "b"},
			columns: 3,
			states:  []uint8{aA, aC, aD, aD, aC, aA},
		},
		{
			name:    "a2m insertions dropped",
			in:      ">s1\nAc.D-\n>s2\nA..CDy\n",
			names:   []string{"s1", "s2"},
			columns: 3,
			states:  []uint8{aA, aD, gap, aA, aC, aD},
		},
		{
			name:    "wrapped lines",
			in:      ">x\nAC\nDE\n\n>y\nA\nCD\nE\n",
			names:   []string{"x", "y"},
			columns: 4,
			states:  []uint8{aA, aC, aD, aE, aA, aC, aD, aE},
		},
		{
			name:    "crlf",
			in:      ">x some description\r\nAC\r\nD\r\n>y\r\nAC-\r\n",
			names:   []string{"x some description", "y"},
			columns: 3,
			states:  []uint8{aA, aC, aD, aA, aC, gap},
		},
		{
			name:    "white space in sequences and names",
			in:      ">  x \t\nA C\tD \n>y\n ACD\v\n",
			names:   []string{"x", "y"},
			columns: 3,
			states:  []uint8{aA, aC, aD, aA, aC, aD},
		},
		{
			name:    "blank lines and byte order mark before the first record",
			in:      "\ufeff\n  \n>x\nA\n",
			names:   []string{"x"},
			columns: 1,
			states:  []uint8{aA},
		},
		{
			name:    "empty name",
			in:      ">\nAC\n",
			names:   []string{""},
			columns: 2,
			states:  []uint8{aA, aC},
		},
		{
			name:      "ambiguous letters read as gaps",
			in:        ">x\nAXB\n>y\nZJU\n>z\nOAxC\n",
			names:     []string{"x", "y", "z"},
			columns:   3,
			states:    []uint8{aA, gap, gap, gap, gap, gap, gap, aA, aC},
			ambiguous: 6,
		},
		{
			name:      "ambiguous letters with the default alphabet given",
			in:        ">x\nAX\n",
			alphabet:  DefaultAlphabet,
			names:     []string{"x"},
			columns:   2,
			states:    []uint8{aA, gap},
			ambiguous: 1,
		},
		{
			name:     "binary alphabet",
			in:       ">a\n0101\n>b\n1100\n",
			alphabet: "01",
			names:    []string{"a", "b"},
			columns:  4,
			states:   []uint8{0, 1, 0, 1, 1, 1, 0, 0},
		},
		{
			name:     "binary alphabet with insertions",
			in:       ">a\n0a.1\n>b\n1z0\n",
			alphabet: "01",
			names:    []string{"a", "b"},
			columns:  2,
			states:   []uint8{0, 1, 1, 0},
		},
		{
			name:     "nucleotides, gap last",
			in:       ">a\nACGT-\n>b\nacgtA-CGT\n",
			alphabet: "ACGT-",
			names:    []string{"a", "b"},
			columns:  5,
			states:   []uint8{0, 1, 2, 3, 4, 0, 4, 1, 2, 3},
		},
		{
			name:     "X is a state of a custom alphabet",
			in:       ">a\nAX\n>b\nXA\n",
			alphabet: "AX",
			names:    []string{"a", "b"},
			columns:  2,
			states:   []uint8{0, 1, 1, 0},
		},
		{
			name:     "lowercase alphabet: its letters are states, '.' an insertion",
			in:       ">a\nac.g\n>b\ng.ca\n",
			alphabet: "acg",
			names:    []string{"a", "b"},
			columns:  3,
			states:   []uint8{0, 1, 2, 2, 1, 0},
		},
		{
			name:     "'.' in the alphabet is a state",
			in:       ">a\nA.\n",
			alphabet: ".A",
			names:    []string{"a"},
			columns:  2,
			states:   []uint8{1, 0},
		},
		{
			name:    "line of the maximum length",
			in:      ">a\n" + strings.Repeat("A", MaxLineLength) + "\n",
			names:   []string{"a"},
			columns: MaxLineLength,
			states:  bytes.Repeat([]byte{aA}, MaxLineLength),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ReadAlignment(strings.NewReader(tt.in), tt.alphabet)
			if err != nil {
				t.Fatal(err)
			}
			wantAlphabet := cmp.Or(tt.alphabet, DefaultAlphabet)
			if !slices.Equal(a.Names, tt.names) || a.Columns != tt.columns || !bytes.Equal(a.States, tt.states) ||
				a.Ambiguous != tt.ambiguous || a.Alphabet != wantAlphabet {
				t.Errorf("got names %q, %d columns, states %v, %d ambiguous, alphabet %q\nwant names %q, %d columns, states %v, %d ambiguous, alphabet %q",
					a.Names, a.Columns, short(a.States), a.Ambiguous, a.Alphabet,
					tt.names, tt.columns, short(tt.states), tt.ambiguous, wantAlphabet)
			}
			checkAlignment(t, a)

			// Written back out with the alphabet's characters, the states
			// read the same.
			b, err := ReadAlignment(strings.NewReader(formatAlignment(a)), tt.alphabet)
			if err != nil {
				t.Fatalf("reading back: %v", err)
			}
			if !slices.Equal(b.Names, a.Names) || b.Columns != a.Columns || !bytes.Equal(b.States, a.States) {
				t.Errorf("read back as names %q, %d columns, states %v", b.Names, b.Columns, short(b.States))
			}
		})
	}
}

func short(s []uint8) []uint8 {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}

// formatAlignment writes a as FASTA, one line per record.
func formatAlignment(a *Alignment) string {
	var b strings.Builder
	for r, name := range a.Names {
		b.WriteString(">" + name + "\n")
		for _, s := range a.States[r*a.Columns : (r+1)*a.Columns] {
			b.WriteByte(a.Alphabet[s])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// checkAlignment checks the invariants of an alignment ReadAlignment
// accepted, and those of its one-hot encoding.
func checkAlignment(t *testing.T, a *Alignment) {
	t.Helper()
	q := a.Q()
	if q != len(a.Alphabet) || q < 2 || q > 256 {
		t.Fatalf("Q() = %d for alphabet %q", q, a.Alphabet)
	}
	if len(a.Names) == 0 || a.Columns <= 0 || len(a.States) != len(a.Names)*a.Columns {
		t.Fatalf("%d names, %d columns, %d states", len(a.Names), a.Columns, len(a.States))
	}
	if a.Ambiguous < 0 || a.Ambiguous > len(a.States) || !strings.Contains(a.Alphabet, "-") && a.Ambiguous != 0 ||
		(a.Ambiguous == 0) != (a.AmbiguousLetters == "") || len(a.AmbiguousLetters) > a.Ambiguous {
		t.Fatalf("%d ambiguous letters (%q) among %d states, alphabet %q", a.Ambiguous, a.AmbiguousLetters, len(a.States), a.Alphabet)
	}
	for i, s := range a.States {
		if int(s) >= q {
			t.Fatalf("state %d at %d is not below q = %d", s, i, q)
		}
	}
	for r := range a.Names {
		if row := a.Row(r); !bytes.Equal(row, a.States[r*a.Columns:(r+1)*a.Columns]) {
			t.Fatalf("Row(%d) = %v", r, short(row))
		}
	}
	m := a.OneHot()
	if m.Rows != len(a.Names) || m.Cols != a.Columns*q || len(m.Data) != m.Rows*m.Cols {
		t.Fatalf("OneHot is %d×%d with %d values, want %d×%d", m.Rows, m.Cols, len(m.Data), len(a.Names), a.Columns*q)
	}
	for r := range m.Rows {
		row := m.Row(r)
		for j := range a.Columns {
			for s := range q {
				want := float32(0)
				if int(a.States[r*a.Columns+j]) == s {
					want = 1
				}
				if row[j*q+s] != want {
					t.Fatalf("OneHot row %d, column %d·%d+%d is %v, want %v", r, j, q, s, row[j*q+s], want)
				}
			}
		}
	}
}

func TestAlignmentOneHot(t *testing.T) {
	a, err := ReadAlignment(strings.NewReader(">a\n01\n>b\n10\n>c\n11\n"), "01")
	if err != nil {
		t.Fatal(err)
	}
	m := a.OneHot()
	want := &rbm.Matrix{Rows: 3, Cols: 4, Data: []float32{
		1, 0, 0, 1,
		0, 1, 1, 0,
		0, 1, 0, 1,
	}}
	if m.Rows != want.Rows || m.Cols != want.Cols || !slices.Equal(m.Data, want.Data) {
		t.Errorf("OneHot = %d×%d %v, want %d×%d %v", m.Rows, m.Cols, m.Data, want.Rows, want.Cols, want.Data)
	}

	// The same as OneHotValues gives for the states as numbers.
	a, err = ReadAlignment(strings.NewReader(">a\nAC-Y\n>b\nWY-A\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	values := rbm.NewMatrix(len(a.Names), a.Columns)
	for i, s := range a.States {
		values.Data[i] = float32(s)
	}
	v, q, err := OneHotValues(values, a.Q())
	if err != nil {
		t.Fatal(err)
	}
	if m := a.OneHot(); q != a.Q() || m.Rows != v.Rows || m.Cols != v.Cols || !slices.Equal(m.Data, v.Data) {
		t.Errorf("OneHot and OneHotValues differ: %d×%d and %d×%d (q = %d)", m.Rows, m.Cols, v.Rows, v.Cols, q)
	}
}

func TestReadAlignmentErrors(t *testing.T) {
	long := strings.Repeat("A", MaxLineLength+1)
	tests := []struct {
		name     string
		in       string
		alphabet string
		want     string
	}{
		{"empty", "", "", "no sequences"},
		{"blank lines only", "\n  \r\n\n", "", "no sequences"},
		{"sequence before any header", "ACD\n>x\nACD\n", "", "line 1: sequence before the first '>' header"},
		{"sequence after blank lines", "\n\nAC\n", "", "line 3: sequence before the first '>' header"},
		{"record with no residues", ">x\n>y\nACD\n", "", `record 1 ("x", line 1) has no aligned residues`},
		{"last record with no residues", ">x\nACD\n>y\n", "", `record 2 ("y", line 3) has no aligned residues`},
		{"record of insertions only", ">x\nacd..\n>y\nACD\n", "", `record 1 ("x", line 1) has no aligned residues`},
		{"shorter record", ">x\nACD\n>y\nAC\n", "", `record 2 ("y", line 3) has 2 match columns, record 1 ("x") has 3`},
		{"shorter wrapped record", ">x\nAC\nD\n>y\nA\nC\n>z\nA\n", "", `record 2 ("y", line 4) has 2 match columns, record 1 ("x") has 3`},
		{"longer record", ">x\nACD\n>y\nAC\nDE\n", "", `line 5: record 2 ("y", line 3) has more match columns than the 3 of record 1 ("x")`},
		{"letter outside the alphabet", ">x\nAC*\n", "", `line 2: record 1 ("x", line 1), column 3: '*' is not in the alphabet "-ACDEFGHIKLMNPQRSTVWY"`},
		{"digit", ">x\nACD\n>y\nA1C\n", "", `line 4: record 2 ("y", line 3), column 2: '1' is not in the alphabet`},
		{"column counts matches only", ">x\nAC\n>y\naaC\nB", "ACGT-", `line 5: record 2 ("y", line 3), column 2: 'B' is not in the alphabet "ACGT-"`},
		{"crlf line numbers", ">x\r\nAC\r\n>y\r\nA!\r\n", "", `line 4: record 2 ("y", line 3), column 2: '!' is not in the alphabet`},
		{"X with a custom alphabet", ">x\nACXT\n", "ACGT-", `column 3: 'X' is not in the alphabet "ACGT-"`},
		{"lowercase alphabet, a letter outside it", ">x\nacgtD\n", "acgt", `column 5: 'D' is not in the alphabet "acgt"`},
		{"alphabet of one", ">x\nA\n", "A", `alphabet "A" has 1 characters: want 2 to 256`},
		{"alphabet too long", ">x\nA\n", strings.Repeat("AB", 129), "has 258 characters: want 2 to 256"},
		{"duplicate in alphabet", ">x\nA\n", "ACA", `alphabet "ACA" holds 'A' twice`},
		{"'>' in alphabet", ">x\nA\n", "A>", `alphabet "A>" holds '>'`},
		{"space in alphabet", ">x\nA\n", "A C", `alphabet "A C" holds ' '`},
		{"newline in alphabet", ">x\nA\n", "A\n", `holds '\n'`},
		{"long sequence line", ">x\n" + long + "\n", "", "line 2 is longer than 1048576 bytes"},
		{"long last line", ">x\nA\n" + long, "", "line 3 is longer than 1048576 bytes"},
		{"long header", ">" + long + "\nA\n", "", "line 1 is longer than 1048576 bytes"},
		{"corrupt gzip", "\x1f\x8bxxxxxxxxxxxxxxxx", "", "decompressing"},
		{"truncated gzip", string(gzipped(t, ">x\nACD\n>y\nACD\n")[:20]), "", "after line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ReadAlignment(strings.NewReader(tt.in), tt.alphabet)
			if err == nil {
				t.Fatalf("no error; read %q, %d columns", a.Names, a.Columns)
			}
			if a != nil {
				t.Errorf("an alignment with the error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "dataset: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestReadAlignmentFormat reads the same text as aligned FASTA and as
// A2M: only A2M drops lowercase letters and '.' as insert states, and
// only the ambiguity codes of the alphabet's kind read as gaps.
func TestReadAlignmentFormat(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		alphabet string
		format   AlignmentFormat
		columns  int
		states   []uint8
		letters  string // the ambiguity codes read as gaps
		err      string // the error, if any
	}{
		{name: "lowercase residues in FASTA", in: ">a\nAcDEF\n>b\nACDeF\n", format: AlignedFASTA,
			columns: 5, states: []uint8{aA, aC, aD, aE, 5, aA, aC, aD, aE, 5}},
		{name: "the same as A2M: insertions dropped", in: ">a\nAcDEF\n>b\nACDeF\n", format: A2M,
			columns: 4, states: []uint8{aA, aD, aE, 5, aA, aC, aD, 5}},
		{name: "'.' is a gap in FASTA", in: ">a\nACD.F\n>b\nACDEF\n", format: AlignedFASTA,
			columns: 5, states: []uint8{aA, aC, aD, gap, 5, aA, aC, aD, aE, 5}},
		{name: "'.' is an insertion in A2M", in: ">a\nACD.F\n>b\nACDF\n", format: A2M,
			columns: 4, states: []uint8{aA, aC, aD, 5, aA, aC, aD, 5}},
		{name: "ambiguity codes in FASTA, either case", in: ">a\nACDEF\n>b\nACDXZ\n>c\nbCDEx\n", format: AlignedFASTA,
			columns: 5, states: []uint8{aA, aC, aD, aE, 5, aA, aC, aD, gap, gap, gap, aC, aD, aE, gap}, letters: "BXZ"},
		{name: "protein alphabet with the gap last", in: ">a\nAX\n", alphabet: "ACDEFGHIKLMNPQRSTVWY-", format: AlignedFASTA,
			columns: 2, states: []uint8{0, 20}, letters: "X"},
		{name: "N in nucleotides", in: ">a\nACGN\n>b\nacgt\n", alphabet: "ACGT-", format: AlignedFASTA,
			columns: 4, states: []uint8{0, 1, 2, 4, 0, 1, 2, 3}, letters: "N"},
		{name: "N in RNA, lowercase alphabet", in: ">a\nACGUN\n", alphabet: "-acgu", format: A2M,
			columns: 5, states: []uint8{1, 2, 3, 4, 0}, letters: "N"},
		{name: "lowercase alphabet matches uppercase", in: ">a\nacgT\n", alphabet: "acgt", format: AlignedFASTA,
			columns: 4, states: []uint8{0, 1, 2, 3}},
		{name: "lowercase alphabet matches uppercase in A2M", in: ">a\nacgT.\n", alphabet: "acgt", format: A2M,
			columns: 4, states: []uint8{0, 1, 2, 3}},
		{name: "both cases in the alphabet are distinct states", in: ">a\naAbB\n", alphabet: "aAbB", format: AlignedFASTA,
			columns: 4, states: []uint8{0, 1, 2, 3}},
		{name: "letters outside a lowercase alphabet", in: ">a\nacdefghikl\n>b\nacdefghikl\n", alphabet: "acgt", format: AlignedFASTA,
			err: `line 2: record 1 ("a", line 1), column 3: 'd' is not in the alphabet "acgt"`},
		{name: "a letter that is no ambiguity code", in: ">a\nACD*\n", format: AlignedFASTA,
			err: `column 4: '*' is not in the alphabet`},
		{name: "lowercase letter that is no residue", in: ">a\nACDo\n>b\nACDx\n", alphabet: "ACDEFGHIKLMNPQRSTVWY-", format: AlignedFASTA,
			columns: 4, states: []uint8{0, 1, 2, 20, 0, 1, 2, 20}, letters: "OX"},
		{name: "protein codes are errors with nucleotides", in: ">a\nACGX\n", alphabet: "ACGT-", format: AlignedFASTA,
			err: `column 4: 'X' is not in the alphabet "ACGT-"`},
		{name: "N is an error with no gap in the alphabet", in: ">a\nACGN\n", alphabet: "ACGT", format: AlignedFASTA,
			err: `column 4: 'N' is not in the alphabet "ACGT"`},
		{name: "'.' is an error with no gap in the alphabet", in: ">a\n01.\n", alphabet: "01", format: AlignedFASTA,
			err: `column 3: '.' is not in the alphabet "01"`},
		{name: "a lowercase letter outside the alphabet in FASTA", in: ">a\n01a\n", alphabet: "01", format: AlignedFASTA,
			err: `column 3: 'a' is not in the alphabet "01"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ReadAlignmentFormat(strings.NewReader(tt.in), tt.alphabet, tt.format)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Each ambiguity code read is a gap no other letter made.
			ambiguous := 0
			for line := range strings.Lines(tt.in) {
				for _, c := range line {
					if !strings.HasPrefix(line, ">") && strings.ContainsRune(tt.letters, unicode.ToUpper(c)) {
						ambiguous++
					}
				}
			}
			if a.Columns != tt.columns || !bytes.Equal(a.States, tt.states) || a.AmbiguousLetters != tt.letters || a.Ambiguous != ambiguous {
				t.Errorf("got %d columns, states %v, %d ambiguous %q; want %d, %v, %d %q",
					a.Columns, a.States, a.Ambiguous, a.AmbiguousLetters, tt.columns, tt.states, ambiguous, tt.letters)
			}
			checkAlignment(t, a)
		})
	}
}

func TestAlignmentFormatOf(t *testing.T) {
	for path, want := range map[string]AlignmentFormat{
		"x.a2m": A2M, "d/x.A2M.gz": A2M, "x.a3m": A2M,
		"x.fasta": AlignedFASTA, "x.fa.gz": AlignedFASTA, "x.afa": AlignedFASTA, "x.aln": AlignedFASTA, "x": AlignedFASTA,
	} {
		if got := AlignmentFormatOf(path); got != want {
			t.Errorf("AlignmentFormatOf(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestReadAlignmentSizeLimit(t *testing.T) {
	defer func(n int64) { maxAlignmentBytes = n }(maxAlignmentBytes)
	maxAlignmentBytes = 10
	for _, in := range []string{
		">x\nACDEFGHIK\n",      // 1 + 9 bytes: fits
		">xy\nACDEFGHIK\n",     // 11 bytes in the first record
		">x\nACDEF\n>y\nACDEF", // 12 bytes over two records
	} {
		_, err := ReadAlignment(strings.NewReader(in), "")
		fits := len(in) == len(">x\nACDEFGHIK\n")
		if fits && err != nil {
			t.Errorf("%q: %v", in, err)
		}
		if !fits && (err == nil || !strings.Contains(err.Error(), "more than 10 bytes of states and names")) {
			t.Errorf("%q: error %v, want one about the size limit", in, err)
		}
	}
}

func gzipped(t testing.TB, s string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadAlignmentGzip(t *testing.T) {
	in := ">a\nACD\n>b\n-Wy.Y\n"
	plain, err := ReadAlignment(strings.NewReader(in), "")
	if err != nil {
		t.Fatal(err)
	}
	z, err := ReadAlignment(bytes.NewReader(gzipped(t, in)), "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(z.Names, plain.Names) || z.Columns != plain.Columns || !bytes.Equal(z.States, plain.States) {
		t.Errorf("gzipped: %q %d %v, plain: %q %d %v", z.Names, z.Columns, z.States, plain.Names, plain.Columns, plain.States)
	}
}

func TestLoadAlignment(t *testing.T) {
	dir := t.TempDir()
	in := ">a\nAC\n>b\nCA\n"
	for _, compress := range []bool{false, true} {
		path := filepath.Join(dir, "plain.a2m")
		data := []byte(in)
		if compress {
			path = filepath.Join(dir, "packed.a2m.gz")
			data = gzipped(t, in)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := LoadAlignment(path, "AC")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.States, []uint8{0, 1, 1, 0}) || !slices.Equal(a.Names, []string{"a", "b"}) {
			t.Errorf("%s: %q %v", path, a.Names, a.States)
		}
	}

	bad := filepath.Join(dir, "bad.a2m")
	if err := os.WriteFile(bad, []byte(">a\nAC\n>b\nA\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadAlignment(bad, "")
	if err == nil || !strings.HasPrefix(err.Error(), "dataset: "+bad+": ") || !strings.Contains(err.Error(), "record 2") {
		t.Errorf("error %v, want it to name %s and record 2", err, bad)
	}
	_, err = LoadAlignment(filepath.Join(dir, "missing.a2m"), "")
	if err == nil || !os.IsNotExist(errors.Unwrap(err)) {
		t.Errorf("missing file: error %v", err)
	}
}

func TestTinyA2M(t *testing.T) {
	a, err := LoadAlignment(filepath.Join("testdata", "tiny.a2m"), "")
	if err != nil {
		t.Fatal(err)
	}
	checkAlignment(t, a)
	if len(a.Names) != 5 || a.Columns != 12 || a.Ambiguous != 1 {
		t.Errorf("%d records of %d columns, %d ambiguous", len(a.Names), a.Columns, a.Ambiguous)
	}
	// Record 2 loses its insertions a, k, k; record 4 its "..", and its
	// X becomes a gap.
	for r, want := range []string{"MKV-LIAGDSRG", "MKI-LVAGDSRG", "MRV-LISGDTRG", "MKVELIAGD-RG", "--VALIAGESRA"} {
		var got strings.Builder
		for _, s := range a.Row(r) {
			got.WriteByte(a.Alphabet[s])
		}
		if got.String() != want {
			t.Errorf("record %d (%s) reads %s, want %s", r+1, a.Names[r], got.String(), want)
		}
	}
}

func FuzzReadAlignment(f *testing.F) {
	tiny, err := os.ReadFile(filepath.Join("testdata", "tiny.a2m"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(tiny), "", false)
	f.Add(">a\nACD\n>b\n-WY\n", "", false)
	f.Add(">s1\nAc.D-\n>s2\nA..CDy\n", "", false)
	f.Add(">x\r\nAC\r\nD\r\n>y\r\nAXB\r\n", "", false)
	f.Add(">a\n0101\n>b\n1100\n", "01", false)
	f.Add(">a\nACGT-\n>b\nacgtA-CGT\n", "ACGT-", false)
	f.Add(">a\nac.g\n>b\ng.ca\n", "acg", false)
	f.Add(string(gzipped(f, ">a\nAC\n>b\nCA\n")), "AC", false)
	f.Add(">x\nACD\n>y\nAC\n", "", false)
	f.Add("ACD\n", "", false)
	f.Add(">a\nAcDEF\n>b\nACDeF\n", "", true)
	f.Add(">a\nACD.F\n>b\nACDXZ\n", "", true)
	f.Add(">a\nACGN\n>b\nacgt\n", "ACGT-", true)
	f.Add(">a\nacgT\n", "acgt", true)
	f.Add(">a\naAbB\n", "aAbB", true)
	f.Fuzz(func(t *testing.T, in, alphabet string, fasta bool) {
		format := A2M
		if fasta {
			format = AlignedFASTA
		}
		a, err := ReadAlignmentFormat(strings.NewReader(in), alphabet, format)
		if err != nil {
			if a != nil {
				t.Fatalf("an alignment with the error %v", err)
			}
			return
		}
		checkAlignment(t, a)
		if alphabet != "" && a.Alphabet != alphabet {
			t.Fatalf("alphabet %q, asked for %q", a.Alphabet, alphabet)
		}
		b, err := ReadAlignmentFormat(strings.NewReader(formatAlignment(a)), alphabet, format)
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if !slices.Equal(b.Names, a.Names) || b.Columns != a.Columns || !bytes.Equal(b.States, a.States) {
			t.Fatalf("read back as names %q, %d columns, states %v; was %q, %d, %v",
				b.Names, b.Columns, short(b.States), a.Names, a.Columns, short(a.States))
		}
	})
}
