package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/testenv"
)

// The README's console examples are checked by running them: every fenced
// block without an info string ("```" alone) whose first line starts with
// "$ rbm " is a transcript of rbm commands, run in order in one scratch
// directory (where testdata/ is the repository's), each command's output
// compared with the lines that follow it. A line "..." in a transcript
// stands for any number of lines, and "…" within a line for any run of
// non-blank characters (a rate that depends on the machine); times
// ("0.02s", "in 0.3s") are compared as times, not as figures. Blocks fenced as ```sh are commands to read,
// not transcripts (they need the full MNIST or take minutes).
//
//	go test ./cmd/rbm -run README -update
//
// rewrites the transcripts with what the current build prints, keeping
// each "..." where it was and every line that still matches as written.
var updateREADME = flag.Bool("update", false, "rewrite the README's transcripts with the current build's output")

// transcript is one console block of the README.
type transcript struct {
	start, end int // lines of the block's body, [start, end)
	commands   []consoleCommand
}

// consoleCommand is one "$ rbm …" line of a transcript and the lines after it.
type consoleCommand struct {
	line     string
	args     []string
	head     int // "| head -N": keep the first N lines of output; 0 keeps all
	expected []string
}

func parseTranscripts(lines []string) []transcript {
	var out []transcript
	for i := 0; i < len(lines); i++ {
		if lines[i] != "```" || i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "$ rbm ") {
			if strings.HasPrefix(lines[i], "```") {
				// Skip the whole block, whatever it holds.
				for i++; i < len(lines) && lines[i] != "```"; i++ {
				}
			}
			continue
		}
		t := transcript{start: i + 1}
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			if strings.HasPrefix(lines[i], "$ ") {
				t.commands = append(t.commands, parseCommand(lines[i]))
				continue
			}
			if n := len(t.commands); n > 0 {
				t.commands[n-1].expected = append(t.commands[n-1].expected, lines[i])
			}
		}
		t.end = i
		out = append(out, t)
	}
	return out
}

var headPipe = regexp.MustCompile(`\s*\|\s*head -(\d+)$`)

func parseCommand(line string) consoleCommand {
	c := consoleCommand{line: line}
	text := strings.TrimPrefix(line, "$ ")
	if m := headPipe.FindStringSubmatch(text); m != nil {
		c.head, _ = strconv.Atoi(m[1])
		text = text[:len(text)-len(m[0])]
	}
	c.args = strings.Fields(text)[1:] // drop "rbm"
	return c
}

// times matches durations such as "0.02s" or "1.7s", which differ from run
// to run.
var times = regexp.MustCompile(`\b\d+(\.\d+)?s\b`)

func normalise(s string) string { return times.ReplaceAllString(s, "<t>s") }

// matches reports whether output fits the expected lines, "..." standing
// for any run of lines.
func matches(expected, output []string) bool {
	if len(expected) == 0 {
		return len(output) == 0
	}
	if expected[0] == "..." {
		for k := 0; k <= len(output); k++ {
			if matches(expected[1:], output[k:]) {
				return true
			}
		}
		return false
	}
	return len(output) > 0 && lineMatches(expected[0], output[0]) && matches(expected[1:], output[1:])
}

// lineMatches compares one line, times as times and "…" as a wildcard.
func lineMatches(expected, got string) bool {
	expected, got = normalise(expected), normalise(got)
	if !strings.Contains(expected, "…") {
		return expected == got
	}
	parts := strings.Split(expected, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, `\S*`) + "$").MatchString(got)
}

// elide returns output with the lines a "..." of expected stood for cut,
// keeping as many lines before and after it as expected had, and each line
// that matches its counterpart in expected as expected wrote it.
func elide(expected, output []string) []string {
	dots := -1
	for i, l := range expected {
		if l == "..." {
			dots = i
			break
		}
	}
	before, after := len(expected), 0
	if dots >= 0 {
		before, after = dots, len(expected)-dots-1
	}
	keep := func(e, g string) string {
		if lineMatches(e, g) {
			return e
		}
		return g
	}
	if dots < 0 || before+after >= len(output) {
		out := append([]string(nil), output...)
		if dots < 0 && len(expected) == len(output) {
			for i := range out {
				out[i] = keep(expected[i], output[i])
			}
		}
		return out
	}
	var out []string
	for i, g := range output[:before] {
		out = append(out, keep(expected[i], g))
	}
	out = append(out, "...")
	for i, g := range output[len(output)-after:] {
		out = append(out, keep(expected[dots+1+i], g))
	}
	return out
}

func TestREADME(t *testing.T) {
	testenv.Long(t)
	if !kernel.Accelerated() {
		t.Skip("the README's figures are those of the AVX2 kernels; this build sums in another order")
	}
	path := filepath.Join("..", "..", "README.md")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(text), "\n")
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(repo, "testdata"), filepath.Join(dir, "testdata")); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)

	changed := false
	transcripts := parseTranscripts(lines)
	if len(transcripts) == 0 {
		t.Fatal("no transcripts found in README.md")
	}
	// Replace from the end so that earlier line numbers stay valid.
	var rewrites []func()
	for _, tr := range transcripts {
		var body []string
		for _, c := range tr.commands {
			var out, errb bytes.Buffer
			run(context.Background(), &env{stdout: &out, stderr: &errb}, c.args)
			got := strings.Split(strings.TrimRight(errb.String()+out.String(), "\n"), "\n")
			if errb.Len()+out.Len() == 0 {
				got = nil
			}
			if c.head > 0 && len(got) > c.head {
				got = got[:c.head]
			}
			if !matches(c.expected, got) {
				if *updateREADME {
					changed = true
				} else {
					t.Errorf("README.md line %d: %s\nthe README shows:\n%s\nthis build prints:\n%s\n(go test ./cmd/rbm -run README -update rewrites it)",
						tr.start+1, c.line, strings.Join(c.expected, "\n"), strings.Join(got, "\n"))
				}
			}
			body = append(body, c.line)
			body = append(body, elide(c.expected, got)...)
		}
		tr := tr
		rewrites = append(rewrites, func() {
			lines = append(lines[:tr.start], append(body, lines[tr.end:]...)...)
		})
	}
	if *updateREADME && changed {
		for i := len(rewrites) - 1; i >= 0; i-- {
			rewrites[i]()
		}
		if err := os.WriteFile(filepath.Join(repo, "README.md"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Println("README.md rewritten")
	}
}
