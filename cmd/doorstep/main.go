// Command doorstep runs the Doorstep (家门口) resident-services portal and its tools.
//
//	doorstep [serve] [--db doorstep.db] [--addr :8080]
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
	"strings"
	"syscall"
	"time"

	"doorstep/server"
	"doorstep/store"
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
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, stderr, ready)
	case "import":
		return runImport(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage: doorstep <command> [flags]

commands:
  serve    run the portal (the default command)
  import   load services, residential areas or the walking network from a file (doorstep import help)
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

func runServe(ctx context.Context, args []string, stderr io.Writer, ready chan<- string) error {
	fs := newFlagSet("serve", stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	addr := fs.String("addr", envDefault("DOORSTEP_ADDR", ":8080"), "listen address (DOORSTEP_ADDR)")
	tileURL := fs.String("tile-url", envDefault("DOORSTEP_TILE_URL", ""), "optional map tile URL template (DOORSTEP_TILE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	slog.SetDefault(logger)

	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	loaded, err := db.LoadSample(ctx)
	if err != nil {
		return err
	}
	if loaded {
		logger.Info("empty database filled with the embedded sample street", "db", *dbPath)
	}
	srv, err := server.New(ctx, db, server.Config{TileURL: *tileURL})
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
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	logger.Info("doorstep listening", "addr", ln.Addr().String(), "db", *dbPath)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return httpServer.Shutdown(shutdownCtx)
}
