package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	"github.com/rbmkit/rbm/internal/version"
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
	// SIGTERM (kill's default, and what service managers and batch
	// systems send) stops a command as Ctrl-C does: training saves the
	// last complete update. A second signal kills at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code: 0 on
// success, 1 on failure, 2 on a usage error. Help asked for goes to
// stdout; help given because the command line is wrong, to stderr.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c := lookup(args[1])
			if c == nil || len(args) > 2 {
				fmt.Fprintf(e.stderr, "rbm help: %s (want rbm help [COMMAND])\n", helpTopicError(args[1:]))
				return 2
			}
			return run(ctx, e, []string{c.name, "--help"})
		}
		usage(e.stdout)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintln(e.stdout, versionLine())
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
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		// Ctrl-C or SIGTERM: a command that saves what it has says so
		// itself; the others stopped without writing.
		fmt.Fprintf(e.stderr, "rbm %s: interrupted\n", c.name)
		return 1
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

func helpTopicError(args []string) string {
	if len(args) > 1 {
		return fmt.Sprintf("one command at a time, not %q", strings.Join(args, " "))
	}
	return fmt.Sprintf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "rbm: restricted Boltzmann machines and discrete energy-based models")
	fmt.Fprintln(w, "\nUsage: rbm COMMAND [flags] ARGS   (rbm COMMAND --help for details, rbm --version)")
	fmt.Fprintln(w, "\nCommands:")
	sorted := append([]*command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, brief(c.summary))
	}
}

// versionLine says which build this is: the toolkit's version and, when
// the build recorded them, the commit it was built from and the Go
// release and platform.
func versionLine() string {
	s := "rbm " + version.Version
	var details []string
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				if kv.Value == "true" {
					dirty = " (modified)"
				}
			}
		}
		if rev != "" {
			details = append(details, "commit "+rev[:min(len(rev), 12)]+dirty)
		}
	}
	details = append(details, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH)
	return s + " (" + strings.Join(details, ", ") + ")"
}

// brief returns the summary's first clause, with parenthetical asides
// left out rather than cut into, for the command list.
func brief(summary string) string {
	var b []byte
	depth := 0
	for i := 0; i < len(summary); i++ {
		switch ch := summary[i]; {
		case ch == '(' && (depth > 0 || i > 0 && summary[i-1] == ' '):
			depth++
			b = bytes.TrimRight(b, " ") // the space before the aside goes with it
		case ch == ')' && depth > 0:
			depth--
		case depth > 0:
		case (ch == '.' || ch == ':' || ch == ';') && (i+1 == len(summary) || summary[i+1] == ' '):
			return strings.TrimSpace(string(b))
		default:
			b = append(b, ch)
		}
	}
	return strings.TrimSpace(string(b))
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
	fs.Usage = func() { // only on --help, which asks for it: to stdout
		fmt.Fprintf(e.stdout, "Usage: rbm %s %s\n\n%s\n\nFlags:\n%s", c.name, c.usage, c.summary, fs.FlagUsages())
		if c.example != "" {
			fmt.Fprintf(e.stdout, "\nExample:\n%s\n", c.example)
		}
	}
	return fs
}

// parse parses args with fs after rewriting single-dash long flags
// ("-hidden 64", "-hidden=64", "-k 5") to their double-dash form, which
// pflag would otherwise read as a run of shorthand letters. An argument is
// rewritten only when its name is a long flag of fs and, for one letter,
// not also a shorthand, so "-o out" and "-n 10" keep working. It returns the positional
// arguments and checks that their count lies in [minArgs, maxArgs]
// (maxArgs < 0: no limit).
func parse(fs *pflag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	norm := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			norm = append(norm, args[i:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if fs.Lookup(name) != nil && (len(name) > 1 || fs.ShorthandLookup(name) == nil) {
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
