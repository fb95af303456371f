package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"doorstep"
	"doorstep/store"
)

// openForServe opens the database serve runs on. Only a file serve creates itself
// is filled with the embedded sample street (so `make run` shows a working portal
// at once); a file that existed before is served as it is, imports and all, and
// one without a street says so.
func openForServe(ctx context.Context, path string, logger *slog.Logger) (*store.DB, error) {
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if created {
		loaded, err := db.LoadSample(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if loaded {
			logger.Info("new database filled with the embedded sample street", "db", path)
		}
	}
	if _, _, err := db.Street(ctx); doorstep.ErrorCode(err) == doorstep.ENOTFOUND {
		contents, cerr := db.Contents(ctx)
		if cerr != nil {
			db.Close()
			return nil, cerr
		}
		logger.Warn(doorstep.NoStreetMessage, "db", path, "holds", contents.String())
	} else if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// runSample fills an empty database with the embedded sample street, creating the
// file when needed. A database holding anything is refused: the sample is never
// mixed with real data.
func runSample(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sample", stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("sample: unexpected argument %q", fs.Arg(0))
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	loaded, err := db.LoadSample(ctx)
	if err != nil {
		return err
	}
	if !loaded {
		contents, err := db.Contents(ctx)
		if err != nil {
			return err
		}
		return fmt.Errorf("sample: %s already holds %s; the sample street goes only into an empty database", *dbPath, contents)
	}
	fmt.Fprintf(stdout, "filled %s with the embedded sample street (marked as sample data)\n", *dbPath)
	return nil
}
