package export

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/internal/version"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/machine_exports.sha256 from the current MarshalMachine")

// goldenPath holds, for every pair of unit types, dtype and set of
// outputs, the sha256 of MarshalMachine's bytes or the error it returns.
const goldenPath = "testdata/machine_exports.sha256"

// goldenOutputs are the output sets the golden exports cover: the default
// (nil) and every non-empty subset.
var goldenOutputs = [][]string{
	nil,
	{OutputFreeEnergy},
	{OutputHidden},
	{OutputReconstruction},
	{OutputFreeEnergy, OutputHidden},
	{OutputFreeEnergy, OutputReconstruction},
	{OutputHidden, OutputReconstruction},
	{OutputFreeEnergy, OutputHidden, OutputReconstruction},
}

// goldenLines returns one line per export: its key, then the sha256 of the
// file or the refusal.
func goldenLines(t *testing.T) []string {
	lines := []string{"version " + version.Version}
	for k, p := range allPairs() {
		// Pair k's machines are seeded 501 + k: allPairs keeps the order
		// the pairs had before types were added.
		seed := uint64(501 + k)
		for _, dt := range []DType{Float32, Float64} {
			for _, outs := range goldenOutputs {
				m := randomMachine(t, p.visible, p.hidden, seed)
				key := fmt.Sprintf("%sx%s %v %s", p.visible, p.hidden, dt, strings.Join(outs, ","))
				if outs == nil {
					key += "default"
				}
				data, err := MarshalMachine(m, nil, Options{DType: dt, Outputs: outs})
				if err != nil {
					lines = append(lines, key+" error: "+err.Error())
					continue
				}
				sum := sha256.Sum256(data)
				lines = append(lines, key+" "+hex.EncodeToString(sum[:]))
			}
		}
	}
	return lines
}

// TestMachineExportsGolden pins the bytes MarshalMachine writes for every
// pair of unit types, dtype and output set (and the refusals' messages),
// so that a change of the code writing them cannot change a file unnoticed:
// exports are meant to stay byte-identical across refactorings. A change of
// the file format, or of the toolkit's version (which exports record),
// regenerates the hashes with go test -run TestMachineExportsGolden
// -update-golden, and the diff shows which files changed.
func TestMachineExportsGolden(t *testing.T) {
	got := goldenLines(t)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(goldenPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenPath, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		want = append(want, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || want[0] != got[0] {
		t.Fatalf("%s was written by %q, this is %q: regenerate it with -update-golden once the exports are known to be right", goldenPath, want[0], got[0])
	}
	if len(got) != len(want) {
		t.Fatalf("%d exports, %s has %d", len(got), goldenPath, len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("export changed:\n got %s\nwant %s", got[i], want[i])
		}
	}
}
