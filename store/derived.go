package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"doorstep"
)

// Derived data (migration 014) is what finder builds from the walking network and
// the areas and keeps between runs: one blob a kind, with the format finder wrote it
// in, the revisions of the network and areas it was built from, and the SHA-256 of
// its bytes. The store checks the revisions and the checksum; finder checks what the
// bytes say.

// ErrDerivedChecksum is returned by LoadDerived for a blob whose bytes do not match
// their SHA-256: the file was damaged, or changed by hand.
var ErrDerivedChecksum = errors.New("store: derived data does not match its checksum")

// DerivedRevision names the revisions of the walking network and the areas stored
// now, such as "network 7, areas 3". Every change to either, by any path, changes it.
func (db *DB) DerivedRevision(ctx context.Context) (string, error) {
	var rev string
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		rev, err = derivedRevision(ctx, tx)
		return err
	})
	return rev, err
}

func derivedRevision(ctx context.Context, tx *sql.Tx) (string, error) {
	var network, areas int64
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT revision FROM derived_revisions WHERE source = 'network'),
		(SELECT revision FROM derived_revisions WHERE source = 'areas')`).Scan(&network, &areas)
	if err != nil {
		return "", fmt.Errorf("store: derived revision: %w", err)
	}
	return fmt.Sprintf("network %d, areas %d", network, areas), nil
}

// LoadDerived returns the bytes kept for kind when they were built at revision (from
// DerivedRevision) in format. It returns an ENOTFOUND error, saying why, when none
// are kept, or they were built from another network or other areas, or in another
// format; ErrDerivedChecksum when their bytes do not match their checksum.
func (db *DB) LoadDerived(ctx context.Context, kind string, format int, revision string) ([]byte, error) {
	var (
		gotFormat int
		builtFrom string
		sum, data []byte
	)
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT format, built_from, sha256, data FROM derived_blobs WHERE kind = ?`, kind).
			Scan(&gotFormat, &builtFrom, &sum, &data)
	})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "No %s kept.", kind)
	case err != nil:
		return nil, fmt.Errorf("store: load %s: %w", kind, err)
	case gotFormat != format:
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "The %s kept is of format %d, not %d.", kind, gotFormat, format)
	case builtFrom != revision:
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "The %s kept was built from %s, not %s.", kind, builtFrom, revision)
	}
	if got := sha256.Sum256(data); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("%w: %s", ErrDerivedChecksum, kind)
	}
	return data, nil
}

// SaveDerived keeps data as kind's blob, built at revision in format, replacing
// the one kept before. When the network or areas changed since revision was read,
// it keeps nothing and reports false: the bytes are already out of date.
// built_at is the machine's clock, not db.Now: it is saved in the background,
// and says when the bytes were made, not a time anyone is shown.
func (db *DB) SaveDerived(ctx context.Context, kind string, format int, revision string, data []byte) (bool, error) {
	sum := sha256.Sum256(data)
	saved := false
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		now, err := derivedRevision(ctx, tx)
		if err != nil || now != revision {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO derived_blobs (kind, format, built_from, sha256, bytes, built_at, data)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (kind) DO UPDATE SET format = excluded.format, built_from = excluded.built_from,
				sha256 = excluded.sha256, bytes = excluded.bytes, built_at = excluded.built_at, data = excluded.data`,
			kind, format, revision, sum[:], len(data), formatTime(time.Now()), data)
		saved = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: save %s: %w", kind, err)
	}
	return saved, nil
}
