// Package storetest opens real SQLite databases in temporary directories for tests
// of any package.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"doorstep/store"
)

// MustOpenDB opens a new database file in a temporary directory, with every
// migration applied, and closes it when the test ends.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "doorstep.db"))
	if err != nil {
		tb.Fatalf("open database: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close database: %v", err)
		}
	})
	return db
}

// MustOpenSampleDB is MustOpenDB with the embedded sample street loaded.
func MustOpenSampleDB(tb testing.TB) *store.DB {
	tb.Helper()
	path := MustSampleFile(tb)
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("open sample database: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close database: %v", err)
		}
	})
	return db
}

// MustSampleFile writes a closed database file with the embedded sample street
// loaded into a temporary directory and returns its path.
//
// The sample is loaded once per test binary and its file copied for each test:
// loading it costs seconds under the race detector, copying it a millisecond.
func MustSampleFile(tb testing.TB) string {
	tb.Helper()
	sample.once.Do(func() { sample.data, sample.err = loadSampleFile() })
	if sample.err != nil {
		tb.Fatalf("load sample: %v", sample.err)
	}
	path := filepath.Join(tb.TempDir(), "doorstep.db")
	if err := os.WriteFile(path, sample.data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

var sample struct {
	once sync.Once
	data []byte
	err  error
}

// loadSampleFile loads the sample into a new database, closes it (which folds the
// write-ahead log into the file) and returns the file's bytes.
func loadSampleFile() ([]byte, error) {
	dir, err := os.MkdirTemp("", "doorstep-sample-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "doorstep.db")
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	loaded, err := db.LoadSample(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if !loaded {
		return nil, errors.New("a new database reported as not empty")
	}
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the write-ahead log outlived Close (%v)", err)
	}
	return os.ReadFile(path)
}
