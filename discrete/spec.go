package discrete

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Spec is the JSON description of a model, the format of the files the rbm
// command reads with --spec. Exactly one of its members is set:
//
//	pairwise model on any graph (domain "binary", the default, or "spin";
//	fields default to zero; each coupling is [i, j, J]):
//	  {"units": 3, "domain": "spin", "fields": [0, 0.1, 0],
//	   "couplings": [[0, 1, 1.0], [1, 2, -0.5]]}
//
//	Potts model of q-state units (values 0 … q-1, 2 ≤ q ≤ 127) on any
//	graph, E(x) = -Σ_i h_i(x_i) - Σ_(i,j) J_ij(x_i, x_j): "fields" (zero
//	by default) holds one row of q numbers per unit, h_i(0) … h_i(q-1);
//	each coupling joins units "i" and "j" by a q×q matrix "weights",
//	row a holding J_ij(a, 0) … J_ij(a, q-1):
//	  {"potts": {"units": 3, "states": 3,
//	   "fields": [[0, 0.5, 0], [0, 0, 0], [0.2, 0, 0]],
//	   "couplings": [{"i": 0, "j": 1, "weights": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}]}}
//
//	Ising model on a lattice (spins; coupling defaults to 1, field to 0,
//	boundary to "periodic", the other choice being "open"):
//	  {"ising": {"rows": 4, "cols": 4, "coupling": 1, "field": 0.1}}
//
//	the marginal over v of an RBM model file, its path relative to the
//	spec file (read through SpecOptions.RBM; rbm.LoadSpec reads binary
//	RBMs and machines with binary, spin or Potts visible units):
//	  {"rbm": "mnist.rbm"}
//
//	a product of experts over the same units and domain:
//	  {"product": [{"rbm": "mnist.rbm"}, {"units": 784, "fields": [...]}]}
type Spec struct {
	Units     *int         `json:"units,omitempty"`
	Domain    string       `json:"domain,omitempty"`
	Fields    []float64    `json:"fields,omitempty"`
	Couplings [][3]float64 `json:"couplings,omitempty"`
	Ising     *LatticeSpec `json:"ising,omitempty"`
	Potts     *PottsSpec   `json:"potts,omitempty"`
	RBM       string       `json:"rbm,omitempty"`
	Product   []Spec       `json:"product,omitempty"`
}

// LatticeSpec describes a lattice Ising model.
type LatticeSpec struct {
	Rows     int      `json:"rows"`
	Cols     int      `json:"cols"`
	Coupling *float64 `json:"coupling,omitempty"`
	Field    float64  `json:"field,omitempty"`
	Boundary string   `json:"boundary,omitempty"`
}

// PottsSpec describes a Potts model (NewPotts).
type PottsSpec struct {
	Units     *int                `json:"units"`
	States    *int                `json:"states"`
	Fields    [][]float64         `json:"fields,omitempty"`
	Couplings []PottsCouplingSpec `json:"couplings,omitempty"`
}

// PottsCouplingSpec is one coupling of a PottsSpec: the q×q matrix
// Weights[a][b] = J_ij(a, b) between units I and J.
type PottsCouplingSpec struct {
	I       *int        `json:"i"`
	J       *int        `json:"j"`
	Weights [][]float64 `json:"weights"`
}

// maxSpecBytes bounds a spec file: a dense 2000-unit model is about 40 MB.
const maxSpecBytes = 64 << 20

// SpecOptions say how a spec's references to model files are resolved. The
// zero value resolves none: specs that name a file are refused.
type SpecOptions struct {
	// RBM returns the model of an "rbm" member, the marginal over v of the
	// RBM model file at path (the member's path, joined to the spec's
	// directory unless it is absolute). Package discrete cannot read RBM
	// model files itself, since package rbm builds on it; rbm.LoadSpec and
	// rbm.ParseSpec supply this reader.
	RBM func(path string) (Model, error)
}

// LoadSpec reads the model spec at path and builds its model, resolving
// model files through opt. Errors name the file.
func LoadSpec(path string, opt SpecOptions) (Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ParseSpec(f, filepath.Dir(path), opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ParseSpec reads a model spec from r and builds its model; model files it
// names are read relative to dir, through opt.
func ParseSpec(r io.Reader, dir string, opt SpecOptions) (Model, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSpecBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSpecBytes {
		return nil, fmt.Errorf("model spec is larger than %d bytes", maxSpecBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("model spec: %w", jsonError(data, err))
	}
	if dec.More() {
		return nil, errors.New("model spec: unexpected data after the JSON object")
	}
	// encoding/json fills a [3]float64 from a shorter array, drops the
	// excess of a longer one and reads null as 0: what a spec says must
	// be checked on the JSON itself.
	var raw any
	rawDec := json.NewDecoder(bytes.NewReader(data))
	rawDec.UseNumber()
	if err := rawDec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("model spec: %w", err)
	}
	if err := checkRaw(raw, ""); err != nil {
		return nil, fmt.Errorf("model spec: %w", err)
	}
	return s.Build(dir, opt)
}

// checkRaw reports a null anywhere in a decoded spec, and a coupling that
// is not three numbers, naming where it is.
func checkRaw(v any, path string) error {
	switch v := v.(type) {
	case nil:
		return fmt.Errorf("%s is null", strings.TrimPrefix(path, "."))
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) { // the first error, always the same
			x := v[k]
			if k == "couplings" && !strings.HasSuffix(path, ".potts") {
				if err := checkCouplings(x, path+"."+k); err != nil {
					return err
				}
			}
			if err := checkRaw(x, path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range v {
			if err := checkRaw(x, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkCouplings(v any, path string) error {
	list, ok := v.([]any)
	if !ok {
		return nil // the typed decoding has refused it already
	}
	for k, c := range list {
		entry, ok := c.([]any)
		valid := ok && len(entry) == 3
		for _, x := range entry {
			if _, isNumber := x.(json.Number); !isNumber {
				valid = false
			}
		}
		if !valid {
			text, _ := json.Marshal(c)
			return fmt.Errorf("%s[%d] is %s: a coupling is [i, j, J], three numbers", strings.TrimPrefix(path, "."), k, text)
		}
	}
	return nil
}

func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("line %d: %w", line, err)
	}
	return err
}

// Build returns the model s describes; model files are read relative to
// dir, through opt.
func (s *Spec) Build(dir string, opt SpecOptions) (Model, error) {
	return s.build(dir, opt, 0)
}

// maxSpecDepth bounds the nesting of products.
const maxSpecDepth = 16

func (s *Spec) build(dir string, opt SpecOptions, depth int) (Model, error) {
	set := 0
	for _, b := range []bool{s.Units != nil, s.Ising != nil, s.Potts != nil, s.RBM != "", s.Product != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		return nil, errors.New(`model spec: give exactly one of "units" (pairwise model), "ising", "potts", "rbm" or "product"`)
	}
	if s.Units == nil && (s.Domain != "" || s.Fields != nil || s.Couplings != nil) {
		return nil, errors.New(`model spec: "domain", "fields" and "couplings" belong to a pairwise model with "units"`)
	}
	switch {
	case s.Units != nil:
		return s.pairwise()
	case s.Potts != nil:
		m, err := s.Potts.build()
		if err != nil {
			return nil, fmt.Errorf("model spec: potts: %w", err)
		}
		return m, nil
	case s.Ising != nil:
		l := s.Ising
		b := Periodic
		switch strings.ToLower(l.Boundary) {
		case "", "periodic":
		case "open":
			b = Open
		default:
			return nil, fmt.Errorf(`model spec: ising: boundary %q (want "periodic" or "open")`, l.Boundary)
		}
		j := 1.0
		if l.Coupling != nil {
			j = *l.Coupling
		}
		if !finite(j) || !finite(l.Field) {
			return nil, errors.New("model spec: ising: coupling and field must be finite")
		}
		return Lattice(l.Rows, l.Cols, j, l.Field, b)
	case s.RBM != "":
		if opt.RBM == nil {
			return nil, fmt.Errorf(`model spec: "rbm": %q names an RBM model file, and no reader for them was given (SpecOptions.RBM)`, s.RBM)
		}
		path := s.RBM
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		m, err := opt.RBM(path)
		if err != nil {
			return nil, fmt.Errorf("model spec: %w", err)
		}
		return m, nil
	default:
		if depth >= maxSpecDepth {
			return nil, fmt.Errorf("model spec: products nested deeper than %d", maxSpecDepth)
		}
		if len(s.Product) == 0 {
			return nil, errors.New("model spec: empty product")
		}
		experts := make([]Model, len(s.Product))
		for k := range s.Product {
			m, err := s.Product[k].build(dir, opt, depth+1)
			if err != nil {
				return nil, fmt.Errorf("product expert %d: %w", k, err)
			}
			experts[k] = m
		}
		return NewProduct(experts...)
	}
}

func (s *Spec) pairwise() (Model, error) {
	n := *s.Units
	if n <= 0 || n > 1<<24 {
		return nil, fmt.Errorf("model spec: units = %d must lie in [1, 2^24]", n)
	}
	var d Domain
	switch strings.ToLower(s.Domain) {
	case "", "binary":
		d = Binary
	case "spin":
		d = Spin
	default:
		return nil, fmt.Errorf(`model spec: domain %q (want "binary" or "spin")`, s.Domain)
	}
	h := s.Fields
	switch len(h) {
	case 0:
		h = make([]float64, n)
	case n:
	default:
		return nil, fmt.Errorf("model spec: %d fields for %d units", len(h), n)
	}
	cs := make([]Coupling, len(s.Couplings))
	for k, c := range s.Couplings {
		i, j := int(c[0]), int(c[1])
		if float64(i) != c[0] || float64(j) != c[1] {
			return nil, fmt.Errorf("model spec: coupling %d: unit indices %v and %v must be integers", k, c[0], c[1])
		}
		cs[k] = Coupling{I: i, J: j, Value: c[2]}
	}
	m, err := NewPairwise(d, h, cs)
	if err != nil {
		return nil, fmt.Errorf("model spec: %w", err)
	}
	return m, nil
}

// build returns the Potts model s describes. Errors name the entry.
func (s *PottsSpec) build() (*Potts, error) {
	switch {
	case s.Units == nil:
		return nil, errors.New(`"units" is missing`)
	case s.States == nil:
		return nil, errors.New(`"states" is missing`)
	}
	n, q := *s.Units, *s.States
	if n <= 0 || n > 1<<24 {
		return nil, fmt.Errorf("units = %d must lie in [1, 2^24]", n)
	}
	if q < 2 || q > MaxStates {
		return nil, fmt.Errorf("states = %d must lie in [2, %d]", q, MaxStates)
	}
	if n*q > 1<<24 { // as many fields as the largest pairwise model's
		return nil, fmt.Errorf("units × states = %d × %d must be at most 2^24", n, q)
	}
	h := make([]float64, n*q)
	switch len(s.Fields) {
	case 0:
	case n:
		for i, row := range s.Fields {
			if len(row) != q {
				return nil, fmt.Errorf("fields[%d] has %d values, want one per state (%d)", i, len(row), q)
			}
			copy(h[i*q:], row)
		}
	default:
		return nil, fmt.Errorf("%d rows of fields for %d units", len(s.Fields), n)
	}
	cs := make([]PottsCoupling, len(s.Couplings))
	for k, c := range s.Couplings {
		switch {
		case c.I == nil || c.J == nil:
			return nil, fmt.Errorf(`couplings[%d]: give both units, "i" and "j"`, k)
		case *c.I < 0 || *c.I >= n || *c.J < 0 || *c.J >= n:
			return nil, fmt.Errorf("couplings[%d] joins units %d and %d, want indices in [0, %d)", k, *c.I, *c.J, n)
		case *c.I == *c.J:
			return nil, fmt.Errorf("couplings[%d] joins unit %d to itself", k, *c.I)
		case len(c.Weights) != q:
			return nil, fmt.Errorf("couplings[%d].weights has %d rows, want %d×%d", k, len(c.Weights), q, q)
		}
		w := make([]float64, 0, q*q)
		for a, row := range c.Weights {
			if len(row) != q {
				return nil, fmt.Errorf("couplings[%d].weights[%d] has %d values, want %d", k, a, len(row), q)
			}
			w = append(w, row...)
		}
		cs[k] = PottsCoupling{I: *c.I, J: *c.J, Value: w}
	}
	return NewPotts(q, h, cs)
}
