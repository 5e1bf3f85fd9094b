package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// command is one subcommand. run receives the arguments after the
// subcommand's name and writes results to stdout, progress to stderr.
type command struct {
	name    string
	usage   string // argument synopsis, e.g. "[flags] MODEL DATA"
	summary string
	example string
	run     func(ctx context.Context, env *env, args []string) error
}

// env carries the process's streams so commands are testable in-process.
type env struct {
	stdout, stderr io.Writer
}

// commands lists every subcommand; each lives in its own file.
var commands []*command

func register(c *command) { commands = append(commands, c) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:]))
}

// run executes one command line and returns the process exit code: 0 on
// success, 1 on failure, 2 on a usage error.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				return run(ctx, e, []string{c.name, "--help"})
			}
		}
		usage(e.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(e.stderr, "rbm: unknown command %q (run 'rbm help')\n", args[0])
		return 2
	}
	err := c.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, pflag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(e.stderr, "rbm %s: %v\n", c.name, err)
		return 2
	default:
		fmt.Fprintf(e.stderr, "rbm %s: %v\n", c.name, oneLine(err))
		return 1
	}
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "rbm: restricted Boltzmann machines and discrete energy-based models")
	fmt.Fprintln(w, "\nUsage: rbm COMMAND [flags] ARGS   (rbm COMMAND --help for details)")
	fmt.Fprintln(w, "\nCommands:")
	sorted := append([]*command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, brief(c.summary))
	}
}

// brief returns the summary's first clause, for the command list.
func brief(summary string) string {
	cut := len(summary)
	for _, sep := range []string{". ", ": ", "; ", " ("} {
		if i := strings.Index(summary, sep); i > 0 && i < cut {
			cut = i
		}
	}
	return strings.TrimSuffix(summary[:cut], ".")
}

// usageError marks errors in the command line itself (exit status 2).
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// oneLine folds an error message onto one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// newFlags returns the flag set of command c, printing c's help (flags with
// their defaults and an example) on --help.
func newFlags(e *env, c *command) *pflag.FlagSet {
	fs := pflag.NewFlagSet("rbm "+c.name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: rbm %s %s\n\n%s\n\nFlags:\n%s", c.name, c.usage, c.summary, fs.FlagUsages())
		if c.example != "" {
			fmt.Fprintf(e.stderr, "\nExample:\n%s\n", c.example)
		}
	}
	return fs
}

// parse parses args with fs after rewriting single-dash long flags
// ("-hidden 64", "-hidden=64") to their double-dash form, which pflag
// would otherwise read as a run of shorthand letters. An argument is
// rewritten only when its name is a long flag of fs and not a shorthand,
// so "-o out" and "-n 10" keep working. It returns the positional
// arguments and checks that their count lies in [minArgs, maxArgs]
// (maxArgs < 0: no limit).
func parse(fs *pflag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	norm := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			norm = append(norm, args[i:]...)
			break
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if len(name) > 1 && fs.Lookup(name) != nil {
				a = "-" + a
			}
		}
		norm = append(norm, a)
	}
	if err := fs.Parse(norm); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	pos := fs.Args()
	if len(pos) < minArgs || (maxArgs >= 0 && len(pos) > maxArgs) {
		return nil, usagef("expected %s, got %d argument(s) (see --help)", commandUsage(fs), len(pos))
	}
	return pos, nil
}

func commandUsage(fs *pflag.FlagSet) string {
	name := strings.TrimPrefix(fs.Name(), "rbm ")
	if c := lookup(name); c != nil {
		return c.usage
	}
	return "arguments"
}

// hasFlag reports whether args hold the long flag name in any spelling:
// -name, --name, -name=x or --name=x. Commands whose flags depend on the
// kind of model use it to choose a parser before parsing.
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if n, _, _ := strings.Cut(a, "="); n == name {
			return true
		}
	}
	return false
}
