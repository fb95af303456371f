// Package store keeps Doorstep's listings, areas and street in SQLite
// (modernc.org/sqlite, no cgo). Migrations are embedded and applied in order at
// Open; every public method runs in its own transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migration/*.sql
var migrationFS embed.FS

// DB is a Doorstep database. It is safe for concurrent use.
type DB struct {
	db   *sql.DB
	path string
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// writeSlot lets one write transaction of this process run at a time; the others
	// wait their turn here, in order, rather than in SQLite's busy handler, which
	// polls with sleeps of up to 100 ms and gives up with SQLITE_BUSY after the busy
	// timeout (found by the load test: 500s under a few hundred writes a second).
	writeSlot chan struct{}
}

// DSN returns the connection string for a database file. Pragmas live in the DSN
// because database/sql pools connections and a PRAGMA statement reaches only one:
// WAL for concurrent readers, synchronous=FULL so a commit survives power loss,
// foreign keys on, and a busy timeout instead of immediate SQLITE_BUSY. Write
// transactions take the write lock at BEGIN (_txlock=immediate) so they never
// fail half-way on a lock upgrade.
func DSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and applies pending
// migrations. The database and its -wal and -shm files are readable by their
// owner only (makePrivate).
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("store: database path required")
	}
	if err := makePrivate(path); err != nil {
		return nil, err
	}
	sqldb, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{db: sqldb, path: path, Now: func() time.Time { return time.Now().UTC() }, writeSlot: make(chan struct{}, 1)}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	// Index what a migration or another client's writes queued.
	if err := db.indexPending(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("store: open %s: search index: %w", path, err)
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.db.Close() }

// Path returns the database file path.
func (db *DB) Path() string { return db.path }

// Ping reports whether the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// Stats returns the connection pool statistics.
func (db *DB) Stats() sql.DBStats { return db.db.Stats() }

// migrate applies each embedded migration not yet recorded, in name order, each in
// its own transaction together with its record.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: create migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migration/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateFile(ctx, name); err != nil {
			return fmt.Errorf("store: migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, name string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	} else if n != 0 {
		return nil
	}
	body, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, name, formatTime(db.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// readTx runs fn in a read-only transaction.
func (db *DB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// writeTx runs fn in a write transaction, indexes for search what it changed, and
// commits; nothing is acknowledged before the commit returns.
func (db *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	select {
	case db.writeSlot <- struct{}{}: // waiting senders are served first come, first served
		defer func() { <-db.writeSlot }()
	case <-ctx.Done():
		return ctx.Err()
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := indexQueued(ctx, tx); err != nil {
		return fmt.Errorf("store: search index: %w", err)
	}
	return tx.Commit()
}

const timeLayout = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }

// Conn returns a single pooled connection, for callers that must see one
// connection's state (tests of the DSN's pragmas).
func (db *DB) Conn(ctx context.Context) (*sql.Conn, error) { return db.db.Conn(ctx) }

// MetaImportVersion counts bulk imports (network, areas, services). A running
// server polls it and rebuilds its snapshot when another process has imported.
const MetaImportVersion = "import_version"

// bumpImportVersion records, inside an import's transaction, that an import
// happened.
func bumpImportVersion(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`, MetaImportVersion)
	return err
}
