// Command doorstep runs the Doorstep (家门口) resident-services portal and its tools.
//
//	doorstep serve [--db doorstep.db] [--addr :8080]
//	doorstep --help    (or doorstep help, or no arguments: the commands, one line each)
//
// Every flag has a DOORSTEP_* environment variable (DOORSTEP_DB, DOORSTEP_ADDR, ...);
// a flag given on the command line wins.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "doorstep:", err)
		}
		os.Exit(1)
	}
}

// run executes one subcommand. ready, when not nil, receives the address the
// server listens on once it accepts connections (tests listen on port 0).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprintln(stdout, usage)
		return nil
	}
	cmd := "serve" // flags alone serve, as in doorstep --db D
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, stderr, ready)
	case "user":
		return runUser(ctx, args, os.Stdin, stdout, stderr)
	case "gen":
		return runGen(ctx, args, stdout, stderr)
	case "import":
		return runImport(ctx, args, stdout, stderr)
	case "export":
		return runExport(ctx, args, stdout, stderr)
	case "coverage":
		return runCoverage(ctx, args, stdout, stderr)
	case "sample":
		return runSample(ctx, args, stdout, stderr)
	case "backup":
		return runBackup(ctx, args, stdout, stderr)
	case "restore":
		return runRestore(ctx, args, stdout, stderr)
	case "keys":
		return runKeys(ctx, args, stdout, stderr)
	case "feedback":
		return runFeedback(ctx, args, stdout, stderr)
	case "report":
		return runReport(ctx, args, stdout, stderr)
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

// isHelp reports whether arg asks for the list of commands.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

const usage = `usage: doorstep <command> [flags]

commands:
  serve    run the portal (also when the first argument is a flag: doorstep --db D)
  user     add, disable and change the password of staff accounts (doorstep user help)
  gen      write a synthetic city (sample data) for benchmarks and load tests
  import   load the street, residential areas, the walking network or listings from a file (doorstep import help)
  export   write every listing as CSV, GeoJSON or Open Referral HSDS 3.0 (doorstep export help)
  coverage the street office's report: older residents within each service circle (doorstep coverage -h)
  sample   fill a new, empty database with the embedded sample street (doorstep sample -h)
  backup   copy the database consistently while the portal serves (doorstep backup -h)
  restore  replace the database by a backup, with the server stopped (doorstep restore -h)
  keys     rotate the session key, signing everyone out (doorstep keys help)
  feedback erase residents' contact details after the retention (doorstep feedback help)
  report   a year's suggestions by category, state and area, shares summing to 100.00 % (doorstep report help)
  help     show this text

Run "doorstep <command> -h" for a command's flags.`

// newFlagSet returns a flag set whose defaults come from DOORSTEP_* variables.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("doorstep "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// envDefault returns the environment variable's value, or def when unset.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// durationEnv returns the environment variable's value as a duration, or def when
// it is unset or does not parse.
func durationEnv(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}
