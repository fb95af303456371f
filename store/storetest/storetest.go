// Package storetest opens real SQLite databases in temporary directories for tests
// of any package.
package storetest

import (
	"context"
	"path/filepath"
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
	db := MustOpenDB(tb)
	if loaded, err := db.LoadSample(context.Background()); err != nil {
		tb.Fatalf("load sample: %v", err)
	} else if !loaded {
		tb.Fatalf("load sample: a new database reported as not empty")
	}
	return db
}
