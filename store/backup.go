package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
)

// Backup writes a consistent copy of the database to path while it serves: SQLite's
// VACUUM INTO reads one snapshot in a read transaction, so writers go on (WAL) and
// the copy holds every write committed before it began and none after. The copy is
// written beside path, checked with PRAGMA integrity_check, synced to disk and only
// then renamed over path, so path is never a half-written or corrupt file. It
// returns the copy's size in bytes.
func (db *DB) Backup(ctx context.Context, path string) (int64, error) {
	if path == "" {
		return 0, errors.New("store: backup: a destination file is required")
	}
	if same, err := sameFile(db.path, path); err != nil {
		return 0, err
	} else if same {
		return 0, fmt.Errorf("store: backup: %s is the database itself", path)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpPath) // after a successful rename there is nothing left to remove
	// VACUUM INTO needs a file that does not exist or is empty; the temporary name
	// keeps another process from taking it meanwhile.
	if _, err := db.db.ExecContext(ctx, `VACUUM INTO ?`, tmpPath); err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	if err := CheckIntegrity(ctx, tmpPath); err != nil {
		return 0, fmt.Errorf("store: backup: the copy is damaged: %w", err)
	}
	size, err := syncFile(tmpPath)
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	if err := os.Rename(tmpPath, path); err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	return size, nil
}

// CheckIntegrity opens the database file at path read-only and runs PRAGMA
// integrity_check and foreign_key_check on it; nil means "ok". It refuses a file
// that is not a Doorstep database (no migrations table).
func CheckIntegrity(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	sqldb, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer sqldb.Close()
	return checkIntegrity(ctx, sqldb)
}

// querier is what an integrity check needs: a *sql.DB or a *sql.Conn.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func checkIntegrity(ctx context.Context, q querier) error {
	lines, err := queryStrings(ctx, q, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	if len(lines) != 1 || lines[0] != "ok" {
		return fmt.Errorf("integrity_check: %s", strings.Join(lines, "; "))
	}
	tables, err := queryStrings(ctx, q, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'migrations'`)
	if err != nil {
		return err
	}
	if len(tables) == 0 {
		return errors.New("not a Doorstep database (no migrations table)")
	}
	bad, err := queryStrings(ctx, q, `SELECT "table" FROM pragma_foreign_key_check`)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("foreign_key_check: %d rows refer to missing rows (tables %s)", len(bad), strings.Join(bad, ", "))
	}
	return nil
}

// queryStrings returns the first column of every row.
func queryStrings(ctx context.Context, q querier, query string) ([]string, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// RestoreOptions are Restore's choices.
type RestoreOptions struct {
	// Force restores although a server holds the database; it keeps serving its
	// snapshot of the old data until restarted.
	Force bool
	// Previous, when not empty, receives a copy of the database as it was before the
	// restore (VACUUM INTO, under the same lock), so a mistaken restore can be undone.
	Previous string
}

// ErrInUse is returned by Restore when another connection (a running server) holds
// the database.
var ErrInUse = errors.New("store: the database is in use (is the server running?)")

// Restore replaces the database at path by the backup at from, page by page through
// SQLite's backup API, which keeps the database's WAL consistent (copying the file
// over a database with a live -wal file would not). from must pass CheckIntegrity.
// Unless force is set, Restore first takes the database's exclusive lock without
// waiting and returns ErrInUse when it cannot — while a server holds it open —
// and keeps the lock until done, so no server starts on a half-restored file. With
// opts.Force it waits for its turn like any writer, and a running server goes on
// with its snapshot of the old data until restarted.
func Restore(ctx context.Context, path, from string, opts RestoreOptions) error {
	force := opts.Force
	if same, err := sameFile(path, from); err != nil {
		return err
	} else if same {
		return fmt.Errorf("store: restore: %s is the database itself", from)
	}
	if err := CheckIntegrity(ctx, from); err != nil {
		return fmt.Errorf("store: restore: %s: %w", from, err)
	}
	if err := makePrivate(path); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)"
	if !force {
		// Exclusive locking mode, set before the first read, makes SQLite take the
		// file's exclusive lock and keep it; a server's open connections hold shared
		// locks, so it is refused at once (busy_timeout 0).
		dsn = "file:" + path + "?_pragma=locking_mode(EXCLUSIVE)&_pragma=busy_timeout(0)"
	}
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	defer sqldb.Close()
	conn, err := sqldb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	defer conn.Close()
	if !force {
		if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
			if strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "locked") {
				return ErrInUse
			}
			return fmt.Errorf("store: restore: %w", err)
		}
		if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
			return fmt.Errorf("store: restore: %w", err)
		}
	}
	if opts.Previous != "" {
		if err := keepPrevious(ctx, conn, opts.Previous); err != nil {
			return fmt.Errorf("store: restore: copy the database as it was: %w", err)
		}
	}
	err = conn.Raw(func(driverConn any) error {
		restorer, ok := driverConn.(interface {
			NewRestore(string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("the SQLite driver has no backup API")
		}
		b, err := restorer.NewRestore("file:" + from + "?mode=ro")
		if err != nil {
			return err
		}
		for {
			more, err := b.Step(1024)
			if err != nil {
				b.Finish()
				return err
			}
			if !more {
				return b.Finish()
			}
			if err := ctx.Err(); err != nil {
				b.Finish()
				return err
			}
		}
	})
	if err != nil {
		if strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "locked") {
			return ErrInUse
		}
		return fmt.Errorf("store: restore: %w", err)
	}
	if err := checkIntegrity(ctx, conn); err != nil {
		return fmt.Errorf("store: restore: the restored database is damaged: %w", err)
	}
	return nil
}

// keepPrevious copies the database conn is on to path, replacing an older copy; an
// empty database (a restore into a new file) is not copied.
func keepPrevious(ctx context.Context, conn *sql.Conn, path string) error {
	var tables int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema`).Scan(&tables); err != nil {
		return err
	}
	if tables == 0 {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	// VACUUM INTO fills an empty file it finds, keeping its mode.
	if err := makePrivate(path); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return err
	}
	_, err := syncFile(path)
	return err
}

// sameFile reports whether a and b name one existing file.
func sameFile(a, b string) (bool, error) {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errors.Is(errA, os.ErrNotExist) || errors.Is(errB, os.ErrNotExist) {
		return false, nil
	}
	if errA != nil {
		return false, errA
	}
	if errB != nil {
		return false, errB
	}
	return os.SameFile(sa, sb), nil
}

// syncFile flushes path to disk and returns its size.
func syncFile(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), f.Close()
}

// syncDir flushes a directory, so a rename in it survives a power loss.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
