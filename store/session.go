package store

import (
	"context"
	"database/sql"
)

// EndSessions ends every session of the user id — the one signing out, and any
// copied or forged cookie of theirs — by moving on their session version, which
// every signed-in request checks (SessionUser).
func (db *DB) EndSessions(ctx context.Context, id int64) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET session_version = session_version + 1 WHERE id = ?`, id)
		return err
	})
}

// RotateSessionKey ends every user's sessions and, when key is not empty, stores it
// as the session key kept in the database (MetaSessionKey), in one transaction: a
// cookie signed with the old key, real or forged, is worth nothing afterwards.
func (db *DB) RotateSessionKey(ctx context.Context, key string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if key != "" {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, MetaSessionKey, key); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE users SET session_version = session_version + 1`)
		return err
	})
}

// UserExists reports whether a user of this name exists, enabled or not. Sign-in
// throttling counts guesses of names that do not exist per address.
func (db *DB) UserExists(ctx context.Context, username string) (bool, error) {
	var n int
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = ?`, username).Scan(&n)
	})
	return n > 0, err
}
