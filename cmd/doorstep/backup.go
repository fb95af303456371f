package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"doorstep/store"
)

const backupUsage = `usage: doorstep backup [--db D] FILE

Writes a consistent copy of the database to FILE while the portal serves (SQLite
VACUUM INTO): every write acknowledged before the backup began, none after. The copy
is checked with PRAGMA integrity_check before it replaces FILE.`

const restoreUsage = `usage: doorstep restore [--db D] [--force] [--keep FILE] FILE

Replaces the database by the backup FILE, after checking FILE's integrity. Stop the
server first: restore refuses while a server holds the database, unless --force is
given (the server then serves its old snapshot until it is restarted). The database
as it was is first copied to --keep (default D.before-restore; "" for none).`

// runBackup runs "doorstep backup --db D FILE".
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, backupUsage); fs.PrintDefaults() }
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("backup: give one destination FILE\n%s", backupUsage)
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	size, err := db.Backup(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %d bytes, integrity ok, in %s\n",
		*dbPath, fs.Arg(0), size, time.Since(start).Round(time.Millisecond))
	return nil
}

// runRestore runs "doorstep restore --db D [--force] FILE".
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("restore", stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, restoreUsage); fs.PrintDefaults() }
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	force := fs.Bool("force", false, "restore although a server holds the database (restart it after)")
	keep := fs.String("keep", "", `copy of the database as it was (default D.before-restore; "" for none)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("restore: give one backup FILE\n%s", restoreUsage)
	}
	previous := *dbPath + ".before-restore"
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "keep" {
			previous = *keep
		}
	})
	start := time.Now()
	err := store.Restore(ctx, *dbPath, fs.Arg(0), store.RestoreOptions{Force: *force, Previous: previous})
	if errors.Is(err, store.ErrInUse) {
		return fmt.Errorf("restore: %s is held by a running server: stop it first, or give --force and restart it after", *dbPath)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s: integrity ok, in %s\n", *dbPath, fs.Arg(0), time.Since(start).Round(time.Millisecond))
	if previous != "" {
		if _, err := os.Stat(previous); err == nil {
			fmt.Fprintf(stdout, "the database as it was is in %s\n", previous)
		}
	}
	if *force {
		fmt.Fprintln(stdout, "restart the server: it still serves its snapshot of the old data")
	}
	return nil
}
