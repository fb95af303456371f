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
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"doorstep/server"
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
  import   load services, residential areas or the walking network from a file (doorstep import help)
  export   write every listing as CSV, GeoJSON or Open Referral HSDS 3.0 (doorstep export help)
  coverage the street office's report: older residents within each service circle (doorstep coverage -h)
  sample   fill a new, empty database with the embedded sample street (doorstep sample -h)
  backup   copy the database consistently while the portal serves (doorstep backup -h)
  restore  replace the database by a backup, with the server stopped (doorstep restore -h)
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

// writeTimeout bounds how long an answer may take to write; the server counts and
// logs answers it cuts off.
const writeTimeout = 30 * time.Second

// importPollInterval is how often a running portal checks for imports.
const importPollInterval = 5 * time.Second

func runServe(ctx context.Context, args []string, stderr io.Writer, ready chan<- string) error {
	fs := newFlagSet("serve", stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	addr := fs.String("addr", envDefault("DOORSTEP_ADDR", ":8080"), "listen address (DOORSTEP_ADDR)")
	tileURL := fs.String("tile-url", envDefault("DOORSTEP_TILE_URL", ""), "optional map tile URL template (DOORSTEP_TILE_URL)")
	secureDefault, _ := strconv.ParseBool(os.Getenv("DOORSTEP_SECURE_COOKIES"))
	secureCookies := fs.Bool("secure-cookies", secureDefault,
		"mark the session cookie Secure although requests arrive over plain HTTP, behind a TLS proxy (DOORSTEP_SECURE_COOKIES)")
	logFormat := fs.String("log-format", envDefault("DOORSTEP_LOG_FORMAT", "text"), "log format: text or json (DOORSTEP_LOG_FORMAT)")
	logLevel := fs.String("log-level", envDefault("DOORSTEP_LOG_LEVEL", "info"),
		"least level logged: debug, info (one line a request), warn or error (DOORSTEP_LOG_LEVEL)")
	shutdownTimeout := fs.Duration("shutdown-timeout", durationEnv("DOORSTEP_SHUTDOWN_TIMEOUT", 10*time.Second),
		"on SIGTERM or SIGINT, how long in-flight requests may take to finish (DOORSTEP_SHUTDOWN_TIMEOUT)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	handler, err := newLogHandler(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	// Every record logged with a request's context carries its request_id, the
	// server's own and the handlers' slog calls alike.
	logger := slog.New(server.LogHandler(handler))
	slog.SetDefault(logger)

	db, err := openForServe(ctx, *dbPath, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := server.New(ctx, db, server.Config{
		TileURL: *tileURL,
		// The session key is a secret: taken from the environment only, never a flag
		// that ps would show.
		SessionKey:    os.Getenv("DOORSTEP_SESSION_KEY"),
		SecureCookies: *secureCookies,
		WriteTimeout:  writeTimeout,
		Logger:        logger,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	httpServer := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("doorstep listening", "addr", ln.Addr().String(), "db", *dbPath)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	// Imports run as separate commands; pick up what they load without a restart.
	go srv.WatchImports(ctx, importPollInterval)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stop accepting, let in-flight requests finish within the bound, then close the
	// database (the deferred Close checkpoints the WAL and removes it).
	logger.Info("shutting down", "timeout", *shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		logger.Warn("in-flight requests cut off at the shutdown timeout", "err", err)
		httpServer.Close()
	}
	logger.Info("stopped")
	return nil
}

// newLogHandler returns the log handler the flags ask for.
func newLogHandler(w io.Writer, format, level string) (slog.Handler, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.NewTextHandler(w, opts), nil
	case "json":
		return slog.NewJSONHandler(w, opts), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", format)
}

// durationEnv returns the environment variable's value as a duration, or def when
// it is unset or does not parse.
func durationEnv(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}
