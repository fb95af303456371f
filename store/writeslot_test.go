package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestWritersQueueInProcess: while one write transaction runs, another writer of
// the process waits its turn in Go (its context can end the wait) instead of
// polling SQLite's lock; many concurrent writers all commit, none sees SQLITE_BUSY.
func TestWritersQueueInProcess(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "queue.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE counter (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.ExecContext(ctx, `INSERT INTO counter VALUES (0)`); err != nil {
		t.Fatal(err)
	}

	holding, release := make(chan struct{}), make(chan struct{})
	go db.writeTx(ctx, func(tx *sql.Tx) error {
		close(holding)
		<-release
		return nil
	})
	<-holding
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = db.writeTx(short, func(tx *sql.Tx) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("second writer: %v after %s, want its deadline while the first holds the slot", err, time.Since(start))
	}
	close(release)

	const writers, each = 32, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for range writers {
		wg.Go(func() {
			for range each {
				errs <- db.writeTx(ctx, func(tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, `UPDATE counter SET n = n + 1`)
					return err
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a writer failed: %v", err)
		}
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n); err != nil || n != writers*each {
		t.Fatalf("counter %d (%v), want %d", n, err, writers*each)
	}
}
