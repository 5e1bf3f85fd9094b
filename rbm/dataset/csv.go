package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/rbmkit/rbm/rbm"
)

// maxCSVValues bounds the values ReadCSV holds, 4 GiB of float32, so that
// a huge or highly compressed file is refused before it exhausts memory.
// A variable so that tests can lower it.
var maxCSVValues = 1 << 30

// ReadCSV reads a matrix of numbers from comma-separated values in r,
// which may be gzip-compressed: one matrix row per record, every record
// with the same number of fields. Fields are parsed as strconv.ParseFloat
// parses them, after white space around them is removed, and must be
// finite float32 values; a field that is not is an error naming its line
// and column.
//
// The first record is a header when none of its fields is a number;
// ReadCSV returns the header's fields (nil when there is none) with the
// matrix. A first record that mixes numbers with other (or empty) fields
// is data with a bad field, and so an error naming it, not a header:
// taking it for one would drop a row of data without a word. Blank lines, and lines whose first character is '#', are
// skipped. Input with no data rows is an error, and so is input of more
// than 2³⁰ values.
//
// Integer category values read this way become one-hot rows for Potts
// units with OneHotValues.
func ReadCSV(r io.Reader) (*rbm.Matrix, []string, error) {
	m, header, _, err := readCSV(r)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset: %w", err)
	}
	return m, header, nil
}

// LoadCSV reads the named file, plain or gzip-compressed, as ReadCSV
// does. Its errors name the file.
func LoadCSV(path string) (*rbm.Matrix, []string, error) {
	m, header, _, err := loadCSV(path)
	return m, header, err
}

// loadCSV implements LoadCSV, returning the line of each row too.
func loadCSV(path string) (*rbm.Matrix, []string, []int, error) {
	f, err := openText(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	m, header, lines, err := readCSV(f)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("dataset: %s: %w", path, err)
	}
	return m, header, lines, nil
}

// readCSV implements ReadCSV with errors that lack the "dataset:" prefix.
// It returns the line of each row too, so that a caller checking the
// values can name the line of a bad one.
func readCSV(r io.Reader) (*rbm.Matrix, []string, []int, error) {
	in, err := textInput(r)
	if err != nil {
		return nil, nil, nil, err
	}
	cr := csv.NewReader(in)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1 // checked here, for a clearer message
	cr.ReuseRecord = true
	var (
		header    []string
		data      []float32
		lines     []int // of the rows
		rows      int
		cols      = -1
		firstLine int // line of the first record, which set cols
	)
	for {
		record, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, nil, err // it gives the line
			}
			return nil, nil, nil, fmt.Errorf("reading: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(record) == 1 && strings.TrimSpace(record[0]) == "" {
			continue // a line of white space
		}
		if cols < 0 {
			cols, firstLine = len(record), line
			if noNumbers(record) {
				header = make([]string, len(record))
				for j, f := range record {
					header[j] = strings.TrimSpace(f)
				}
				continue
			}
		}
		if len(record) != cols {
			return nil, nil, nil, fmt.Errorf("line %d has %d fields, line %d has %d", line, len(record), firstLine, cols)
		}
		if len(data) > maxCSVValues-cols {
			return nil, nil, nil, fmt.Errorf("line %d: more than %d values", line, maxCSVValues)
		}
		for j, f := range record {
			v, err := parseValue(f)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("line %d, column %d: %w", line, j+1, err)
			}
			data = append(data, v)
		}
		lines = append(lines, line)
		rows++
	}
	if rows == 0 {
		if header != nil {
			return nil, nil, nil, fmt.Errorf("a header of %d fields and no data rows", len(header))
		}
		return nil, nil, nil, errors.New("no data rows")
	}
	return &rbm.Matrix{Rows: rows, Cols: cols, Data: data}, header, lines, nil
}

// rowColumn returns a function naming the place of value i of a matrix
// of cols columns: "row r, column c", from 1.
func rowColumn(cols int) func(int) string {
	return func(i int) string { return fmt.Sprintf("row %d, column %d", i/cols+1, i%cols+1) }
}

// lineColumn returns a function naming the place of value i of a matrix
// of cols columns read from a text file whose row r is on lines[r]:
// "line l, column c", from 1.
func lineColumn(cols int, lines []int) func(int) string {
	return func(i int) string { return fmt.Sprintf("line %d, column %d", lines[i/cols], i%cols+1) }
}

// noNumbers reports whether no field parses as a number, finite or not.
func noNumbers(record []string) bool {
	for _, f := range record {
		if isNumber(f) {
			return false
		}
	}
	return true
}

// isNumber reports whether field parses as a number, finite or not.
func isNumber(field string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(field), 64)
	return err == nil || errors.Is(err, strconv.ErrRange)
}

// parseValue parses a field as a finite float32.
func parseValue(field string) (float32, error) {
	s := strings.TrimSpace(field)
	if s == "" {
		return 0, errors.New("empty field")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(float64(float32(v)), 0) {
		return 0, fmt.Errorf("%q is not a finite float32 value", s)
	}
	return float32(v), nil
}

// OneHotValues returns integer category values, such as ReadCSV reads,
// one-hot encoded for Potts units as OneHot encodes them: each value of
// values must be an integer in [0, q), and unit j of a row takes columns
// j·q to j·q+q-1 of the result, which it returns with q. With states 0,
// q is the largest value plus one (at least 2); otherwise q is states.
// A value that is not an integer, or not in [0, q), is an error naming
// its row and column.
func OneHotValues(values *rbm.Matrix, states int) (*rbm.Matrix, int, error) {
	cols := 0 // a nil values is refused by oneHotValues
	if values != nil {
		cols = values.Cols
	}
	m, q, err := oneHotValues(values, states, rowColumn(cols))
	if err != nil {
		return nil, 0, fmt.Errorf("dataset: %w", err)
	}
	return m, q, nil
}

// oneHotValues implements OneHotValues, naming the place of value i in
// errors by where(i).
func oneHotValues(values *rbm.Matrix, states int, where func(int) string) (*rbm.Matrix, int, error) {
	if values == nil || values.Rows < 0 || values.Cols < 0 || len(values.Data) != values.Rows*values.Cols {
		return nil, 0, errors.New("malformed values matrix")
	}
	if states < 0 {
		return nil, 0, fmt.Errorf("%d states: want 0 (from the data) or at least 2", states)
	}
	rows, cols := values.Rows, values.Cols
	largest := float32(-1)
	for i, v := range values.Data {
		if v != float32(math.Trunc(float64(v))) || v < 0 || math.IsInf(float64(v), 1) { // NaN ≠ NaN
			return nil, 0, fmt.Errorf("%s: %v is not a category, an integer from 0", where(i), v)
		}
		largest = max(largest, v)
	}
	const maxOneHot = 1 << 31 // as OneHot
	q := states
	if q == 0 {
		if largest >= maxOneHot {
			return nil, 0, fmt.Errorf("category %v: too many states", largest)
		}
		q = max(int(largest)+1, 2)
	}
	if q < 2 {
		return nil, 0, fmt.Errorf("%d states: categorical units need at least 2", q)
	}
	if uint64(rows)*uint64(cols)*uint64(q) > maxOneHot {
		return nil, 0, fmt.Errorf("%d rows of %d units with %d states each do not fit in memory as one-hot rows", rows, cols, q)
	}
	m := rbm.NewMatrix(rows, cols*q)
	for i, v := range values.Data {
		if float64(v) >= float64(q) {
			return nil, 0, fmt.Errorf("%s: category %v is outside [0, %d)", where(i), v, q)
		}
		m.Data[i*q+int(v)] = 1
	}
	return m, q, nil
}
