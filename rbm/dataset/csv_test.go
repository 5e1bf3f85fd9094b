package dataset

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/idx"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		header []string
		rows   int
		data   []float32
	}{
		{"numbers", "1,2,3\n4,5,6\n", nil, 2, []float32{1, 2, 3, 4, 5, 6}},
		{"no final newline", "1,2\n3,4", nil, 2, []float32{1, 2, 3, 4}},
		{"header", "a,b,c\n1,2,3\n", []string{"a", "b", "c"}, 1, []float32{1, 2, 3}},
		{"header with spaces", "x, y\n1, 2\n 3 ,4 \n", []string{"x", "y"}, 2, []float32{1, 2, 3, 4}},
		{"header with an empty field", ",a\n1,2\n", []string{"", "a"}, 1, []float32{1, 2}},
		{"header of names that look numeric", "x1,2b,1e\n1,2,3\n", []string{"x1", "2b", "1e"}, 1, []float32{1, 2, 3}},
		{"comments and blank lines", "# comment\n\n1,2\n\n# 3,4\n5,6\n\n", nil, 2, []float32{1, 2, 5, 6}},
		{"comment before header", "# made by hand\nu,v\n1,2\n", []string{"u", "v"}, 1, []float32{1, 2}},
		{"line of white space", "1,2\n   \n3,4\n", nil, 2, []float32{1, 2, 3, 4}},
		{"crlf", "a,b\r\n1,2\r\n3,4\r\n", []string{"a", "b"}, 2, []float32{1, 2, 3, 4}},
		{"number forms, no header", "-1.5e3,0x1p-2,+7,.5\n", nil, 1, []float32{-1500, 0.25, 7, 0.5}},
		{"quoted fields", "\"a,b\",c\n\"1\",\"2\"\n", []string{"a,b", "c"}, 1, []float32{1, 2}},
		{"byte order mark", "\ufeff1,2\n3,4\n", nil, 2, []float32{1, 2, 3, 4}},
		{"byte order mark and header", "\ufeffa,b\n3,4\n", []string{"a", "b"}, 1, []float32{3, 4}},
		{"single column", "5\n6\n", nil, 2, []float32{5, 6}},
		{"underflow", "1e-50,3.4e38\n", nil, 1, []float32{0, 3.4e38}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, header, err := ReadCSV(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			cols := len(tt.data) / tt.rows
			if m.Rows != tt.rows || m.Cols != cols || !slices.Equal(m.Data, tt.data) || !slices.Equal(header, tt.header) || (header == nil) != (tt.header == nil) {
				t.Errorf("got %d×%d %v, header %q; want %d×%d %v, header %q", m.Rows, m.Cols, m.Data, header, tt.rows, cols, tt.data, tt.header)
			}
			checkCSV(t, m, header)

			// Gzipped, the same.
			z, zheader, err := ReadCSV(bytes.NewReader(gzipped(t, tt.in)))
			if err != nil {
				t.Fatalf("gzipped: %v", err)
			}
			if z.Rows != m.Rows || z.Cols != m.Cols || !slices.Equal(z.Data, m.Data) || !slices.Equal(zheader, header) {
				t.Errorf("gzipped: %d×%d %v, header %q", z.Rows, z.Cols, z.Data, zheader)
			}
		})
	}
}

// checkCSV checks the invariants of a matrix ReadCSV returned.
func checkCSV(t *testing.T, m *rbm.Matrix, header []string) {
	t.Helper()
	if m.Rows < 1 || m.Cols < 1 || len(m.Data) != m.Rows*m.Cols {
		t.Fatalf("%d×%d matrix with %d values", m.Rows, m.Cols, len(m.Data))
	}
	if header != nil && len(header) != m.Cols {
		t.Fatalf("header of %d fields for %d columns", len(header), m.Cols)
	}
	for i, v := range m.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("value %d is %v", i, v)
		}
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "no data rows"},
		{"comments only", "# nothing\n\n", "no data rows"},
		{"header only", "a,b\n", "a header of 2 fields and no data rows"},
		{"ragged short", "1,2\n3\n", "line 2 has 1 fields, line 1 has 2"},
		{"ragged long", "a,b\n1,2\n\n3,4,5\n", "line 4 has 3 fields, line 1 has 2"},
		{"text in a later row", "a,b\n1,2\n3,x\n", `line 3, column 2: "x" is not a number`},
		{"text in the second row", "1,2\nx,3\n", `line 2, column 1: "x" is not a number`},
		{"line numbers count comments", "# c\n1,2\n# d\n3,x\n", `line 4, column 2: "x" is not a number`},
		{"line numbers with crlf", "1,2\r\n\r\n3,x\r\n", `line 3, column 2: "x" is not a number`},
		{"empty field", "1,2\n3,\n", "line 2, column 2: empty field"},
		// A first line with some numbers is data, not a header, however
		// its other fields read: dropping it would lose a row silently.
		{"typo in the first line", "0,1,x,3\n1,2,3,4\n", `line 1, column 3: "x" is not a number`},
		{"empty field in the first line", "1,2,\n1,2,3\n", "line 1, column 3: empty field"},
		{"first line partly numeric", "1,b\n2,3\n", `line 1, column 2: "b" is not a number`},
		{"first line after a comment", "# c\n\n1,,3\n1,2,3\n", "line 3, column 2: empty field"},
		{"first line with NaN and text", "nan,b\n2,3\n", `line 1, column 1: "nan" is not a finite`},
		{"blank field", "1,2\n3,  \n", "line 2, column 2: empty field"},
		{"NaN", "1,NaN\n", `line 1, column 2: "NaN" is not a finite float32 value`},
		{"nan after header", "a,b\n1,2\nnan,3\n", `line 3, column 1: "nan" is not a finite`},
		{"Inf", "1,2\nInf,3\n", `line 2, column 1: "Inf" is not a finite`},
		{"-infinity", "1,-infinity\n", `line 1, column 2: "-infinity" is not a finite`},
		{"beyond float32", "1,1e39\n", `line 1, column 2: "1e39" is not a finite float32 value`},
		{"beyond float64", "1,-1e400\n", `line 1, column 2: "-1e400" is not a finite`},
		{"bare quote", "1,2\n3,4\"\n", `parse error on line 2`},
		{"unterminated quote", "1,2\n\"3,4\n", `extraneous or missing " in quoted-field`},
		{"corrupt gzip", "\x1f\x8b\x08xxxxxxxxxxxxxx", "decompressing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, header, err := ReadCSV(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; read %d×%d %v, header %q", m.Rows, m.Cols, m.Data, header)
			}
			if m != nil || header != nil {
				t.Errorf("a result with the error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "dataset: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestReadCSVSizeLimit(t *testing.T) {
	defer func(n int) { maxCSVValues = n }(maxCSVValues)
	maxCSVValues = 6
	if _, _, err := ReadCSV(strings.NewReader("a,b\n1,2\n3,4\n5,6\n")); err != nil {
		t.Errorf("6 values: %v", err)
	}
	_, _, err := ReadCSV(strings.NewReader("a,b\n1,2\n3,4\n5,6\n7,8\n"))
	if err == nil || !strings.Contains(err.Error(), "line 5: more than 6 values") {
		t.Errorf("8 values: error %v, want one about the size limit", err)
	}
}

func TestLoadCSV(t *testing.T) {
	dir := t.TempDir()
	in := "x,y\n1,2\n3,4\n"
	for _, name := range []string{"plain.csv", "packed.csv.gz"} {
		path := filepath.Join(dir, name)
		data := []byte(in)
		if strings.HasSuffix(name, ".gz") {
			data = gzipped(t, in)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, header, err := LoadCSV(path)
		if err != nil {
			t.Fatal(err)
		}
		if m.Rows != 2 || m.Cols != 2 || !slices.Equal(m.Data, []float32{1, 2, 3, 4}) || !slices.Equal(header, []string{"x", "y"}) {
			t.Errorf("%s: %d×%d %v, header %q", name, m.Rows, m.Cols, m.Data, header)
		}
	}

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("1,2\n3,inf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadCSV(bad)
	if err == nil || !strings.HasPrefix(err.Error(), "dataset: "+bad+": line 2, column 2: ") {
		t.Errorf("error %v, want it to name %s, line 2 and column 2", err, bad)
	}
	_, _, err = LoadCSV(filepath.Join(dir, "missing.csv"))
	if err == nil || !os.IsNotExist(errors.Unwrap(err)) {
		t.Errorf("missing file: error %v", err)
	}
}

func TestOneHotValues(t *testing.T) {
	values := &rbm.Matrix{Rows: 2, Cols: 2, Data: []float32{0, 2, 1, 0}}
	tests := []struct {
		states int
		q      int
		data   []float32
	}{
		{0, 3, []float32{
			1, 0, 0, 0, 0, 1,
			0, 1, 0, 1, 0, 0,
		}},
		{3, 3, []float32{
			1, 0, 0, 0, 0, 1,
			0, 1, 0, 1, 0, 0,
		}},
		{4, 4, []float32{
			1, 0, 0, 0, 0, 0, 1, 0,
			0, 1, 0, 0, 1, 0, 0, 0,
		}},
	}
	for _, tt := range tests {
		m, q, err := OneHotValues(values, tt.states)
		if err != nil {
			t.Errorf("states %d: %v", tt.states, err)
			continue
		}
		if q != tt.q || m.Rows != 2 || m.Cols != 2*tt.q || !slices.Equal(m.Data, tt.data) {
			t.Errorf("states %d: q = %d, %d×%d %v; want q = %d, %v", tt.states, q, m.Rows, m.Cols, m.Data, tt.q, tt.data)
		}
	}

	// All zeros still make two states.
	m, q, err := OneHotValues(&rbm.Matrix{Rows: 1, Cols: 2, Data: []float32{0, 0}}, 0)
	if err != nil || q != 2 || !slices.Equal(m.Data, []float32{1, 0, 1, 0}) {
		t.Errorf("zeros: q = %d, %v, %v", q, m, err)
	}
}

// OneHotValues of categories read from CSV matches OneHot of the same
// categories in an IDX array.
func TestOneHotValuesMatchesOneHot(t *testing.T) {
	values, header, err := ReadCSV(strings.NewReader("site1,site2,site3\n0,2,1\n3,0,0\n1,1,2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(header) != 3 {
		t.Fatalf("header %q", header)
	}
	a, err := idx.New([]int{3, 3}, []uint8{0, 2, 1, 3, 0, 0, 1, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, states := range []int{0, 4, 6} {
		got, gq, err := OneHotValues(values, states)
		if err != nil {
			t.Fatal(err)
		}
		want, wq, err := OneHot(a, states)
		if err != nil {
			t.Fatal(err)
		}
		if gq != wq || got.Rows != want.Rows || got.Cols != want.Cols || !slices.Equal(got.Data, want.Data) {
			t.Errorf("states %d: OneHotValues gives q = %d, %d×%d; OneHot q = %d, %d×%d", states, gq, got.Rows, got.Cols, wq, want.Rows, want.Cols)
		}
	}
}

func TestOneHotValuesErrors(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	tests := []struct {
		name   string
		values *rbm.Matrix
		states int
		want   string
	}{
		{"fraction", &rbm.Matrix{Rows: 1, Cols: 2, Data: []float32{0, 1.5}}, 0, "row 1, column 2: 1.5 is not a category"},
		{"negative", &rbm.Matrix{Rows: 2, Cols: 2, Data: []float32{0, 1, -1, 0}}, 0, "row 2, column 1: -1 is not a category"},
		{"NaN", &rbm.Matrix{Rows: 2, Cols: 1, Data: []float32{0, nan}}, 0, "row 2, column 1: NaN is not a category"},
		{"Inf", &rbm.Matrix{Rows: 1, Cols: 1, Data: []float32{inf}}, 0, "row 1, column 1: +Inf is not a category"},
		{"out of range", &rbm.Matrix{Rows: 2, Cols: 2, Data: []float32{0, 1, 3, 2}}, 3, "row 2, column 1: category 3 is outside [0, 3)"},
		{"one state", &rbm.Matrix{Rows: 1, Cols: 1, Data: []float32{0}}, 1, "1 states: categorical units need at least 2"},
		{"negative states", &rbm.Matrix{Rows: 1, Cols: 1, Data: []float32{0}}, -2, "-2 states"},
		{"too many states", &rbm.Matrix{Rows: 1, Cols: 1, Data: []float32{3e9}}, 0, "too many states"},
		{"one-hot too large", &rbm.Matrix{Rows: 1, Cols: 2, Data: []float32{0, 1}}, 1 << 31, "do not fit in memory"},
		{"nil", nil, 0, "malformed values matrix"},
		{"short data", &rbm.Matrix{Rows: 2, Cols: 2, Data: []float32{0, 1, 1}}, 0, "malformed values matrix"},
		{"negative rows", &rbm.Matrix{Rows: -1, Cols: -1, Data: []float32{0}}, 0, "malformed values matrix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, q, err := OneHotValues(tt.values, tt.states)
			if err == nil {
				t.Fatalf("no error; q = %d, %d×%d", q, m.Rows, m.Cols)
			}
			if m != nil || q != 0 {
				t.Errorf("a result with the error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "dataset: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"1,2,3\n4,5,6\n",
		"a,b,c\n1,2,3\n",
		"# comment\n\n1,2\n\n5,6\n",
		"a,b\r\n1,2\r\n3,4\r\n",
		"-1.5e3,0x1p-2,+7,.5\n",
		"\"a,b\",c\n\"1\",\"2\"\n",
		"\ufeff1,2\n3,4\n",
		"1,NaN\n",
		"1,2\n3\n",
		"1,1e39\n",
		"0,1,x,3\n1,2,3,4\n",
		"1,2,\n1,2,3\n",
		",a\n1,2\n",
	} {
		f.Add([]byte(s))
	}
	f.Add(gzipped(f, "x,y\n1,2\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, header, err := ReadCSV(bytes.NewReader(in))
		if err != nil {
			if m != nil || header != nil {
				t.Fatalf("a result with the error %v", err)
			}
			return
		}
		checkCSV(t, m, header)
		for _, f := range header {
			if isNumber(f) {
				t.Fatalf("header %q holds a number, so it should have been read as data", header)
			}
		}

		// The values, written out again, read the same.
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		for r := range m.Rows {
			var fields []string
			for _, v := range m.Row(r) {
				fields = append(fields, strconv.FormatFloat(float64(v), 'g', -1, 32))
			}
			w.Write(fields)
		}
		w.Flush()
		b, bheader, err := ReadCSV(&buf)
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if bheader != nil || b.Rows != m.Rows || b.Cols != m.Cols || !slices.Equal(b.Data, m.Data) {
			t.Fatalf("read back as %d×%d, header %q", b.Rows, b.Cols, bheader)
		}
	})
}
