package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/idx"
)

// writeCategories writes n rows of units categories in [0, q) as ubyte IDX.
func writeCategoryFile(t *testing.T, path string, n, units, q int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 5))
	data := make([]uint8, n*units)
	for i := range data {
		// Correlated columns: most rows repeat the row's first category.
		if i%units == 0 || rng.IntN(4) == 0 {
			data[i] = uint8(rng.IntN(q))
		} else {
			data[i] = data[i-i%units]
		}
	}
	a, err := idx.New([]int{n, units}, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.WriteFile(path, a, false); err != nil {
		t.Fatal(err)
	}
}

// TestMachineCommands trains a machine of each kind of visible layer and
// runs every command that reads one: info, score, features, logz, eval and
// sample, checking their figures against each other and the library.
func TestMachineCommands(t *testing.T) {
	dir := t.TempDir()
	images := filepath.Join(dir, "images.idx.gz")
	writeImages(t, images, 150, 3, 4, 7)
	cats := filepath.Join(dir, "cats.idx")
	writeCategoryFile(t, cats, 200, 6, 3, 8)
	for _, c := range []struct {
		name  string
		train []string
		data  string
		kind  string
	}{
		{"gaussian", []string{"--visible", "gaussian", "--dequantize", "--learn-scale"}, images, "gaussian"},
		{"standardized", []string{"--visible", "gaussian", "--standardize"}, images, "gaussian"},
		{"relu", []string{"--visible", "relu"}, images, "relu"},
		{"spin", []string{"--visible", "spin", "--hidden-type", "spin"}, images, "spin"},
		{"potts", []string{"--visible", "potts"}, cats, "potts"},
		{"potts-hidden", []string{"--hidden-type", "potts", "--states", "3"}, images, "binary"},
	} {
		t.Run(c.name, func(t *testing.T) {
			model := filepath.Join(dir, c.name+".rbm")
			args := append([]string{"train", "-hidden", "3", "--epochs", "3", "--batch", "20", "-o", model}, c.train...)
			if r := rbmRun(t, append(args, c.data)...); r.code != 0 {
				t.Fatalf("train: exit %d: %s", r.code, r.stderr)
			}
			m, meta, err := rbm.LoadMachine(model)
			if err != nil {
				t.Fatal(err)
			}
			if m.Visible.Kind() != c.kind || meta.Epochs != 3 {
				t.Fatalf("trained a %s visible layer for %d epochs", m.Visible.Kind(), meta.Epochs)
			}
			r := rbmRun(t, "info", model)
			if r.code != 0 || !strings.Contains(r.stdout, c.kind) {
				t.Fatalf("info: exit %d: %s%s", r.code, r.stdout, r.stderr)
			}

			// logz and eval agree, and eval's log-likelihood is -F - log Z
			// with score's free energies.
			r = rbmRun(t, "logz", "--json", model)
			if r.code != 0 {
				t.Fatalf("logz: exit %d: %s", r.code, r.stderr)
			}
			var lz struct {
				Method string  `json:"method"`
				LogZ   float64 `json:"log_z"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &lz); err != nil || lz.Method != "exact" {
				t.Fatalf("logz --json: %v: %s", err, r.stdout)
			}
			r = rbmRun(t, "eval", "--json", model, c.data)
			if r.code != 0 {
				t.Fatalf("eval: exit %d: %s", r.code, r.stderr)
			}
			var ev struct {
				LogLik      float64 `json:"log_lik"`
				LogJacobian float64 `json:"log_jacobian"` // standardised data
				FreeEnergy  float64 `json:"free_energy"`
				LogZ        struct {
					LogZ float64 `json:"log_z"`
				} `json:"log_z"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.LogZ.LogZ != lz.LogZ || math.Abs(ev.LogLik-(-ev.FreeEnergy-lz.LogZ+ev.LogJacobian)) > 1e-9 {
				t.Errorf("eval: log Z %v (logz %v), log-lik %v, free energy %v", ev.LogZ.LogZ, lz.LogZ, ev.LogLik, ev.FreeEnergy)
			}
			r = rbmRun(t, "score", model, c.data)
			if r.code != 0 {
				t.Fatalf("score: exit %d: %s", r.code, r.stderr)
			}
			var sum float64
			lines := strings.Fields(r.stdout)
			for _, l := range lines {
				f, err := strconv.ParseFloat(l, 64)
				if err != nil {
					t.Fatal(err)
				}
				sum += f
			}
			if mean := sum / float64(len(lines)); math.Abs(mean-ev.FreeEnergy) > 1e-6*math.Max(1, math.Abs(mean)) {
				t.Errorf("score's mean free energy %v, eval's %v", mean, ev.FreeEnergy)
			}

			// --limit keeps the first rows, as for binary models.
			if r := rbmRun(t, "score", "--limit", "7", model, c.data); r.code != 0 || len(strings.Fields(r.stdout)) != 7 || !strings.HasPrefix(r.stdout, strings.Join(lines[:7], "\n")) {
				t.Errorf("score --limit 7: exit %d, %d lines (of %d): %s", r.code, len(strings.Fields(r.stdout)), len(lines), r.stderr)
			}

			feats := filepath.Join(dir, c.name+"-features.csv")
			if r := rbmRun(t, "features", model, c.data, "-o", feats); r.code != 0 {
				t.Fatalf("features: exit %d: %s", r.code, r.stderr)
			}
			text, _ := os.ReadFile(feats)
			if rows := strings.Count(string(text), "\n"); rows != len(lines) {
				t.Errorf("features: %d rows for %d data rows", rows, len(lines))
			}
			out := filepath.Join(dir, c.name+"-samples.csv")
			if r := rbmRun(t, "sample", model, "-n", "5", "--steps", "10", "--binary", "-o", out); r.code != 0 {
				t.Fatalf("sample: exit %d: %s", r.code, r.stderr)
			}
		})
	}
}

// TestMachineFlagErrors checks the unit flags' refusals, each before any
// data is read (the data file does not exist).
func TestMachineFlagErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.idx")
	for _, args := range [][]string{
		{"--visible", "nosuch"},
		{"--hidden-type", "nosuch"},
		{"--states", "3"},
		{"--visible", "potts", "--states", "1"},
		{"--hidden-type", "potts"},
		{"--standardize"},
		{"--visible", "potts", "--dequantize"},
		{"--visible", "gaussian", "--eval-every", "1"},
		{"--visible", "gaussian", "--keep-best"},
		{"--visible", "potts", "--eval-every", "1", "--val", missing, "--eval-upper", "magic"},
		{"--hidden-type", "potts", "--states", "100000", "-hidden", "100000"},
		{"-hidden", "100000000"},
	} {
		r := rbmRun(t, append(append([]string{"train", "-hidden", "3"}, args...), missing)...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line", args, r.code, r.stderr)
		}
	}
}

// TestMachineDataErrors checks that data a layer cannot take is refused
// with a message naming the file.
func TestMachineDataErrors(t *testing.T) {
	dir := t.TempDir()
	cats := filepath.Join(dir, "cats.idx")
	writeCategoryFile(t, cats, 50, 4, 5, 1)
	images := filepath.Join(dir, "images.idx")
	writeImages(t, images, 20, 2, 2, 1)
	floats := filepath.Join(dir, "floats.idx")
	a, _ := idx.New([]int{3, 2}, []float32{0, 1, 2, 0, 1, 2})
	if err := idx.WriteFile(floats, a, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--visible", "potts", "--states", "3", cats}, "cats.idx"},
		{[]string{"--visible", "potts", floats}, "floats.idx"},
	} {
		r := rbmRun(t, append([]string{"train", "-hidden", "2", "-o", filepath.Join(dir, "m.rbm")}, c.args...)...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want an error naming %s", c.args, r.code, r.stderr, c.want)
		}
	}
	// A machine's file given to a command that reads binary RBMs only.
	model := filepath.Join(dir, "g.rbm")
	if r := rbmRun(t, "train", "--visible", "gaussian", "-hidden", "2", "--epochs", "1", "-o", model, images); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := rbmRun(t, "denoise", model, images, "-o", filepath.Join(dir, "d.idx"))
	if msg := strings.TrimSpace(r.stderr); r.code != 1 || strings.Contains(msg, "\n") || !strings.Contains(msg, model+": a machine with gaussian visible units inpaints only") {
		t.Errorf("denoise with a machine, no --missing: exit %d, %q", r.code, r.stderr)
	}
	if r := rbmRun(t, "denoise", model, images, "--missing", "bottom", "--sweeps", "5", "-o", filepath.Join(dir, "d.idx")); r.code != 0 || !strings.Contains(r.stdout, "RMS error") {
		t.Errorf("inpainting with a machine: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := rbmRun(t, "denoise", model, images, "--missing", "bottom", "--noise", "0.2"); r.code != 2 {
		t.Errorf("--noise with a machine: exit %d, %q", r.code, r.stderr)
	}
	// gradcheck reads machines now (TestGradcheckMachine checks its figures).
	if r := rbmRun(t, "gradcheck", model, images, "--k", "1", "--chains", "2"); r.code != 0 || !strings.Contains(r.stdout, "visible.bias") {
		t.Errorf("gradcheck with a machine: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := rbmRun(t, "filters", model, "-o", filepath.Join(dir, "f.png")); r.code != 0 {
		t.Errorf("filters of a Gaussian machine: exit %d, %q", r.code, r.stderr)
	}
	potts := filepath.Join(dir, "p.rbm")
	if r := rbmRun(t, "train", "--visible", "potts", "-hidden", "2", "--epochs", "1", "-o", potts, cats); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := rbmRun(t, "filters", potts, "-o", filepath.Join(dir, "g.png")); r.code == 0 || !strings.Contains(r.stderr, "not an image") {
		t.Errorf("filters of a Potts machine: exit %d, %q", r.code, r.stderr)
	}
}

// TestMachineTextData trains Potts units on aligned sequences and on CSV
// categories, and Gaussian units on CSV values, and scores the same files
// with the models (which must read them as training did).
func TestMachineTextData(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	fasta := write("seqs.fasta", ">a\nACGT-\n>b\nACGA-\n>c\nTCGT-\n>d\nACG\nTT\n")
	cats := write("cats.csv", "x,y,z\n0,1,2\n1,1,0\n2,0,2\n0,0,1\n")
	values := write("values.csv", "0.5,1.25\n-1,2\n3,0.125\n")
	for _, c := range []struct {
		args  []string
		data  string
		units int
		q     int
	}{
		{[]string{"--visible", "potts", "--alphabet", "ACGT-"}, fasta, 5, 5},
		{[]string{"--visible", "potts"}, cats, 3, 3},
		{[]string{"--visible", "gaussian"}, values, 2, 0},
	} {
		model := filepath.Join(dir, "m.rbm")
		if r := rbmRun(t, append(append([]string{"train", "-hidden", "2", "--epochs", "2", "-o", model}, c.args...), c.data)...); r.code != 0 {
			t.Fatalf("%v: train: %s", c.args, r.stderr)
		}
		m, _, err := rbm.LoadMachine(model)
		if err != nil {
			t.Fatal(err)
		}
		if m.Visible.Units() != c.units || (c.q > 0 && m.Visible.States() != c.q) {
			t.Errorf("%v: %d units of %d states, want %d of %d", c.args, m.Visible.Units(), m.Visible.States(), c.units, c.q)
		}
		if r := rbmRun(t, "eval", model, c.data); r.code != 0 || !strings.Contains(r.stdout, "(exact)") {
			t.Errorf("%v: eval: exit %d: %s%s", c.args, r.code, r.stdout, r.stderr)
		}
	}
	// The default alphabet is the amino acids': 'C', 'G', 'T' are in it but
	// a digit is not, and the error names the file.
	bad := write("bad.a2m", ">a\nAC9T\n")
	if r := rbmRun(t, "train", "--visible", "potts", "-hidden", "2", "-o", filepath.Join(dir, "x.rbm"), bad); r.code == 0 || !strings.Contains(r.stderr, "bad.a2m") {
		t.Errorf("a residue outside the alphabet: exit %d, %q", r.code, r.stderr)
	}
	if r := rbmRun(t, "train", "--alphabet", "AB", "-hidden", "2", bad); r.code != 2 {
		t.Errorf("--alphabet without Potts units: exit %d, %q", r.code, r.stderr)
	}
}

// TestMachineAlignmentLetters checks how aligned sequences' letters are
// read: lowercase residues count in FASTA files and are insertions only
// in A2M ones, ambiguity codes read as gaps with a note, a lowercase
// alphabet matches either case, and any other letter is an error.
func TestMachineAlignmentLetters(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, c := range []struct {
		name, text string
		args       []string
		units      int    // 0: an error
		stderr     string // in the error or the notes
	}{
		{"mixed.fasta", ">a\nAcDEF\n>b\nACDeF\n", nil, 5, ""},
		{"mixed.a2m", ">a\nAcDEF\n>b\nACDeF\n", nil, 4, ""},
		{"unknown.fasta", ">a\nACDEF\n>b\nACDXZ\n>c\nACDEx\n", nil, 5, "unknown.fasta: 3 ambiguous residues (X, Z) read as gaps"},
		{"star.fasta", ">a\nACDEF\n>b\nAC*EF\n", nil, 0, `star.fasta: line 4: record 2 ("b", line 3), column 3: '*' is not in the alphabet`},
		{"lower.fasta", ">a\nacgt\n>b\nACGA\n", []string{"--alphabet", "acgt"}, 4, ""},
		{"alllower.fasta", ">a\nacdefghikl\n>b\nacdefghikl\n", []string{"--alphabet", "acgt"}, 0, `column 3: 'd' is not in the alphabet "acgt"`},
		{"dna.fa", ">a\nACGN\n>b\nACGT\n", []string{"--alphabet", "ACGT-"}, 4, "dna.fa: 1 ambiguous residues (N) read as gaps"},
	} {
		data := write(c.name, c.text)
		model := filepath.Join(dir, c.name+".rbm")
		r := rbmRun(t, append(append([]string{"train", "--visible", "potts", "-hidden", "2", "--epochs", "1", "--monitor", "0", "-o", model}, c.args...), data)...)
		if c.units == 0 {
			if msg := strings.TrimSpace(r.stderr); r.code != 1 || strings.Contains(msg, "\n") || !strings.Contains(msg, c.stderr) {
				t.Errorf("%s: exit %d, %q; want an error containing %q", c.name, r.code, r.stderr, c.stderr)
			}
			continue
		}
		if r.code != 0 || !strings.Contains(r.stderr, c.stderr) {
			t.Fatalf("%s: exit %d, %q; want %q", c.name, r.code, r.stderr, c.stderr)
		}
		if c.stderr == "" && strings.Contains(r.stderr, "ambiguous") {
			t.Errorf("%s: a note about ambiguous residues there are none of: %q", c.name, r.stderr)
		}
		m, _, err := rbm.LoadMachine(model)
		if err != nil {
			t.Fatal(err)
		}
		if m.Visible.Units() != c.units {
			t.Errorf("%s: %d units, want %d", c.name, m.Visible.Units(), c.units)
		}
		// Scoring the file reads it as training did, note included.
		if r := rbmRun(t, "score", model, data); r.code != 0 || !strings.Contains(r.stderr, c.stderr) || strings.Count(r.stdout, "\n") != strings.Count(c.text, ">") {
			t.Errorf("%s: score: exit %d, %q %q", c.name, r.code, r.stdout, r.stderr)
		}
	}
}

// TestMachineDataFormats trains each two-state and categorical visible
// layer on the same data as IDX, CSV and .npy (bits as 0/1 and, for
// spins, as ±1), which must give the same model byte for byte, reads a
// spin model's own samples back in every format rbm sample writes, and
// checks the errors for values the units cannot take.
func TestMachineDataFormats(t *testing.T) {
	dir := t.TempDir()
	const rows, cols = 40, 6
	rng := rand.New(rand.NewPCG(3, 4))
	bits, cats := make([]uint8, rows*cols), make([]uint8, rows*cols)
	for i := range bits {
		bits[i], cats[i] = uint8(rng.IntN(2)), uint8(rng.IntN(3))
	}
	path := func(name string) string { return filepath.Join(dir, name) }
	writeIDX := func(name string, data any) {
		a, err := idx.New([]int{rows, cols}, data)
		if err != nil {
			t.Fatal(err)
		}
		if err := idx.WriteFile(path(name), a, false); err != nil {
			t.Fatal(err)
		}
	}
	writeText := func(name string, value func(i int) string) {
		var b strings.Builder
		for i := range rows * cols {
			b.WriteString(value(i))
			if i%cols == cols-1 {
				b.WriteString("\n")
			} else {
				b.WriteString(",")
			}
		}
		if err := os.WriteFile(path(name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// writeNPY writes int64 values, as NumPy holds integers by default.
	writeNPY := func(name string, value func(i int) int64) {
		header := fmt.Sprintf("{'descr': '<i8', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols)
		header += strings.Repeat(" ", 63-(10+len(header))%64) + "\n"
		out := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
		out = append(out, header...)
		for i := range rows * cols {
			out = binary.LittleEndian.AppendUint64(out, uint64(value(i)))
		}
		if err := os.WriteFile(path(name), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	grey := make([]uint8, len(bits)) // 0/255: thresholded to the bits
	spins := make([]float32, len(bits))
	for i, b := range bits {
		grey[i], spins[i] = 255*b, float32(2*int(b)-1)
	}
	writeIDX("bits.idx", grey)
	writeIDX("spins.idx", spins)
	writeIDX("cats.idx", cats)
	writeText("bits.csv", func(i int) string { return strconv.Itoa(int(bits[i])) })
	writeText("spins.csv", func(i int) string { return strconv.Itoa(2*int(bits[i]) - 1) })
	writeText("cats.csv", func(i int) string { return strconv.Itoa(int(cats[i])) })
	writeNPY("bits.npy", func(i int) int64 { return int64(bits[i]) })
	writeNPY("spins.npy", func(i int) int64 { return 2*int64(bits[i]) - 1 })
	writeNPY("cats.npy", func(i int) int64 { return int64(cats[i]) })
	for _, name := range []string{"spins.npy", "cats.npy"} { // np.save to a gzip stream
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		text, _ := os.ReadFile(path(name))
		zw.Write(text)
		zw.Close()
		if err := os.WriteFile(path(name+".gz"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	train := func(model string, args ...string) {
		t.Helper()
		args = append([]string{"train", "-hidden", "2", "--epochs", "2", "--monitor", "0", "-o", model}, args...)
		if r := rbmRun(t, args...); r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
	}
	for _, c := range []struct {
		name  string
		units []string
		files []string // the first is the reference
	}{
		{"spin", []string{"--visible", "spin"}, []string{"bits.idx", "spins.idx", "bits.csv", "spins.csv", "bits.npy", "spins.npy", "spins.npy.gz"}},
		{"binary×drelu", []string{"--hidden-type", "drelu"}, []string{"bits.idx", "bits.csv", "bits.npy"}},
		{"binary×binary", nil, []string{"bits.idx", "bits.csv", "bits.npy"}},
		{"potts", []string{"--visible", "potts"}, []string{"cats.idx", "cats.csv", "cats.npy", "cats.npy.gz"}},
	} {
		ref := path(c.name + "-ref.rbm")
		train(ref, append(c.units, path(c.files[0]))...)
		want, _ := os.ReadFile(ref)
		for _, f := range c.files[1:] {
			model := path(c.name + "-" + f + ".rbm")
			train(model, append(c.units, path(f))...)
			if got, _ := os.ReadFile(model); string(got) != string(want) {
				t.Errorf("%s: the model trained on %s differs from the one trained on %s", c.name, f, c.files[0])
			}
		}
	}

	// A spin model reads back the ±1 rows rbm sample --binary writes.
	spinModel := path("spin-ref.rbm")
	var scores []string
	for _, ext := range []string{".idx", ".idx.gz", ".npy", ".csv"} {
		out := path("samples" + ext)
		if r := rbmRun(t, "sample", spinModel, "-n", "4", "--steps", "5", "--binary", "--seed", "2", "-o", out); r.code != 0 {
			t.Fatalf("sample -o %s: %s", out, r.stderr)
		}
		r := rbmRun(t, "score", spinModel, out)
		if r.code != 0 || strings.Count(r.stdout, "\n") != 4 {
			t.Fatalf("score %s: exit %d, %q %q", out, r.code, r.stdout, r.stderr)
		}
		scores = append(scores, r.stdout)
		if scores[0] != r.stdout {
			t.Errorf("scores of samples%s differ from those of samples.idx", ext)
		}
		if r := rbmRun(t, "denoise", spinModel, out, "--corrupt", "0.1", "--sweeps", "2", "-o", path("denoised"+ext+".csv")); r.code != 0 {
			t.Errorf("denoise %s: exit %d, %q", out, r.code, r.stderr)
		}
	}

	// Values the units cannot take, named by file, row and column.
	writeText("two.csv", func(i int) string { return strconv.Itoa(min(i, 2)) })
	if err := os.WriteFile(path("seqs.fasta"), []byte(">a\nACD\n>b\nACE\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--visible", "spin", path("two.csv")}, "two.csv: line 1, column 3: 2 is outside [0,1] (bits) and is not -1 or +1 (spins)"},
		{[]string{"--hidden-type", "drelu", path("spins.csv")}, "spins.csv: line 1, column "},
		{[]string{path("spins.npy")}, "spins.npy: row 1, column "},
		{[]string{"--visible", "spin", "--binarize", "prob", path("bits.idx")}, ""},
		{[]string{"--visible", "gaussian", path("seqs.fasta")}, "seqs.fasta: aligned sequences are read by Potts units (--visible potts); gaussian units read IDX, .npy or CSV files"},
		{[]string{"--visible", "spin", path("seqs.fasta")}, "seqs.fasta: aligned sequences are read by Potts units"},
		{[]string{path("seqs.fasta")}, "seqs.fasta: aligned sequences are read by Potts units"},
	} {
		args := append([]string{"train", "-hidden", "2", "--epochs", "1", "-o", path("x.rbm")}, c.args...)
		r := rbmRun(t, args...)
		if c.want == "" { // bits read as probabilities are still bits
			if r.code != 0 {
				t.Errorf("%v: exit %d: %s", c.args, r.code, r.stderr)
			}
			continue
		}
		if msg := strings.TrimSpace(r.stderr); r.code != 1 || strings.Contains(msg, "\n") || !strings.Contains(msg, c.want) {
			t.Errorf("%v: exit %d, %q; want one line containing %q", c.args, r.code, r.stderr, c.want)
		}
	}
	// Grey levels kept by --binarize prob are not spins.
	writeIDX("grey.idx", slices.Repeat([]float32{0.5}, rows*cols))
	if r := rbmRun(t, "train", "--visible", "spin", "--binarize", "prob", "-hidden", "2", "-o", path("x.rbm"), path("grey.idx")); r.code != 1 ||
		!strings.Contains(r.stderr, "grey.idx: row 1, column 1: 0.5 is not a state of spin units") {
		t.Errorf("spins from grey levels: exit %d, %q", r.code, r.stderr)
	}
	// Binary units take them as they are (they were truncated to 0).
	d := &dataFlags{binarize: "prob", threshold: dataset.DefaultThreshold}
	m, _, _, err := loadMachineData(d, "binary", path("grey.idx"), 0, false, seeds.DequantizeTrain)
	if err != nil || slices.ContainsFunc(m.Data, func(v float32) bool { return v != 0.5 }) {
		t.Errorf("binary units on grey levels kept by --binarize prob: %v, %v", err, m)
	}
}

// TestMachineEvalAISAndRAISE scores samples of the shipped Potts teacher
// exactly and by AIS with RAISE on a subset: on a model this small the
// annealed estimates must agree with the exact figure to a few hundredths.
func TestMachineEvalAISAndRAISE(t *testing.T) {
	dir := t.TempDir()
	teacher := filepath.Join("..", "..", "testdata", "potts-teacher.rbm")
	rows := filepath.Join(dir, "rows.idx")
	if r := rbmRun(t, "sample", teacher, "-n", "200", "--steps", "50", "--binary", "-o", rows); r.code != 0 {
		t.Fatal(r.stderr)
	}
	type evalJSON struct {
		LogLik float64 `json:"log_lik"`
		Raise  *struct {
			Rows    int     `json:"rows"`
			LogLik  float64 `json:"log_lik"`
			Forward float64 `json:"forward_log_lik"`
		} `json:"raise"`
	}
	var exact, annealed evalJSON
	for _, c := range []struct {
		args []string
		out  *evalJSON
	}{
		{[]string{"eval", "--json", teacher, rows}, &exact},
		{[]string{"eval", "--json", "--method", "ais", "--schedule", "2000", "--raise-rows", "50", "--upper", "none", teacher, rows}, &annealed},
	} {
		r := rbmRun(t, c.args...)
		if r.code != 0 {
			t.Fatalf("%v: %s", c.args, r.stderr)
		}
		if err := json.Unmarshal([]byte(r.stdout), c.out); err != nil {
			t.Fatal(err)
		}
	}
	if annealed.Raise == nil || annealed.Raise.Rows != 50 {
		t.Fatalf("no RAISE result on 50 rows: %+v", annealed.Raise)
	}
	if d := math.Abs(annealed.LogLik - exact.LogLik); d > 0.05 {
		t.Errorf("AIS log-likelihood %.4f, exact %.4f", annealed.LogLik, exact.LogLik)
	}
	if d := math.Abs(annealed.Raise.LogLik - annealed.Raise.Forward); d > 0.05 {
		t.Errorf("RAISE %.4f and forward AIS %.4f on the same rows disagree", annealed.Raise.LogLik, annealed.Raise.Forward)
	}
}
