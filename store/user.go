package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"doorstep"
)

// Audit actions on users.
const (
	ActionPassword = "password"
	ActionDisable  = "disable"
	ActionEnable   = "enable"
	ActionEmail    = "email"
)

// MetaSessionKey is the meta key under which the session cookie keys are kept when
// none are configured, so restarts keep users signed in.
const MetaSessionKey = "session_key"

const userColumns = `id, username, role, organization_id, disabled, session_version, email`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (*doorstep.User, error) {
	var (
		u   doorstep.User
		org sql.NullInt64
	)
	if err := row.Scan(append([]any{&u.ID, &u.Username, &u.Role, &org, &u.Disabled, &u.SessionVersion, &u.Email}, extra...)...); err != nil {
		return nil, err
	}
	if org.Valid {
		u.OrganizationID = &org.Int64
	}
	return &u, nil
}

// CreateUser adds an account with the password hashed by HashPassword and audits it
// on behalf of the user in ctx (none for the command line). u gets its id.
func (db *DB) CreateUser(ctx context.Context, u *doorstep.User, password string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if err := doorstep.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	u.Disabled, u.SessionVersion = false, 1
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if u.OrganizationID != nil {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations WHERE id = ?`, *u.OrganizationID).Scan(&n); err != nil {
				return err
			} else if n == 0 {
				return doorstep.FieldErrorf("organization_id", "Unknown organization %d.", *u.OrganizationID)
			}
		}
		if _, err := findUserByName(ctx, tx, u.Username); err == nil {
			return doorstep.FieldErrorf("username", "The username %q is taken.", u.Username)
		} else if doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
			return err
		}
		now := db.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO users (username, password_hash, role, organization_id, disabled,
			session_version, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 1, ?, ?)`,
			u.Username, hash, u.Role, u.OrganizationID, formatTime(now), formatTime(now))
		if err != nil {
			return err
		}
		if u.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return insertAudit(ctx, tx, auditRecord{At: now, User: doorstep.UserFromContext(ctx), Action: ActionCreate,
			Entity: EntityUser, EntityID: u.ID, OrganizationID: u.OrganizationID, After: u})
	})
}

// SetPassword replaces a user's password and ends their sessions.
func (db *DB) SetPassword(ctx context.Context, username, password string) error {
	if err := doorstep.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return db.changeUser(ctx, username, ActionPassword, `password_hash = ?, session_version = session_version + 1`, hash)
}

// SetUserDisabled disables (ending their sessions) or enables a user. Disabled users
// cannot sign in; their audit entries stay.
func (db *DB) SetUserDisabled(ctx context.Context, username string, disabled bool) error {
	if disabled {
		return db.changeUser(ctx, username, ActionDisable, `disabled = 1, session_version = session_version + 1`)
	}
	return db.changeUser(ctx, username, ActionEnable, `disabled = 0`)
}

// SetUserEmail sets where the user's daily summary goes ("" for none).
func (db *DB) SetUserEmail(ctx context.Context, username, email string) error {
	if err := doorstep.ValidateEmail(email); err != nil {
		return err
	}
	return db.changeUser(ctx, username, ActionEmail, `email = ?`, email)
}

// changeUser sets columns of the user and audits the change.
func (db *DB) changeUser(ctx context.Context, username, action, set string, args ...any) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		before, err := findUserByName(ctx, tx, username)
		if err != nil {
			return err
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET `+set+`, updated_at = ? WHERE id = ?`,
			append(args, formatTime(now), before.ID)...); err != nil {
			return err
		}
		after, err := findUser(ctx, tx, before.ID)
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, auditRecord{At: now, User: doorstep.UserFromContext(ctx), Action: action,
			Entity: EntityUser, EntityID: before.ID, OrganizationID: before.OrganizationID, Before: before, After: after})
	})
}

// User returns the user with this id, or ENOTFOUND.
func (db *DB) User(ctx context.Context, id int64) (*doorstep.User, error) {
	var u *doorstep.User
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = findUser(ctx, tx, id)
		return err
	})
	return u, err
}

// Users returns every user by username.
func (db *DB) Users(ctx context.Context) ([]*doorstep.User, error) {
	var list []*doorstep.User
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			list = append(list, u)
		}
		return rows.Err()
	})
	return list, err
}

// errWrongPassword is the one answer to an unknown username and a wrong password,
// so a sign-in form does not tell which usernames exist.
var errWrongPassword = doorstep.Errorf(doorstep.EUNAUTHORIZED, "Wrong username or password.")

// Authenticate returns the user whose username and password these are. An unknown
// username and a wrong password get the same EUNAUTHORIZED after the same work (a
// dummy hash is checked for unknown users); a disabled user who gives the right
// password is told the account is disabled (EFORBIDDEN).
func (db *DB) Authenticate(ctx context.Context, username, password string) (*doorstep.User, error) {
	if len(password) > doorstep.MaxPasswordBytes { // no stored password is this long
		_, _ = CheckPassword(dummyHash(), "")
		return nil, errWrongPassword
	}
	var (
		u    *doorstep.User
		hash string
	)
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE username = ?`, username), &hash)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		_, _ = CheckPassword(dummyHash(), password)
		return nil, errWrongPassword
	} else if err != nil {
		return nil, err
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return nil, fmt.Errorf("store: user %d: %w", u.ID, err)
	} else if !ok {
		return nil, errWrongPassword
	}
	if u.Disabled {
		return nil, doorstep.Errorf(doorstep.EFORBIDDEN, "This account is disabled. Please ask the street office.")
	}
	return u, nil
}

// SessionUser returns the user a session cookie names, for every signed-in
// request: EUNAUTHORIZED when the user is gone or disabled, the session was signed
// out (sid revoked) or signed in before the password changed (version).
func (db *DB) SessionUser(ctx context.Context, id int64, sid string, version int64) (*doorstep.User, error) {
	var u *doorstep.User
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var revoked int
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+`,
			(SELECT COUNT(*) FROM session_revocations WHERE sid = ?) FROM users WHERE id = ?`, sid, id), &revoked)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (revoked > 0 || u.Disabled || u.SessionVersion != version)) {
			return doorstep.Errorf(doorstep.EUNAUTHORIZED, "Your session has ended. Please sign in again.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// RevokeSession ends the session sid, signed out before its cookie expires at
// until, and forgets sessions whose cookies have expired anyway.
func (db *DB) RevokeSession(ctx context.Context, sid string, until time.Time) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM session_revocations WHERE expires_at < ?`, formatTime(db.Now())); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO session_revocations (sid, expires_at) VALUES (?, ?)`, sid, formatTime(until))
		return err
	})
}

// MetaOrInsert returns the value stored under key, storing value first when there
// is none. Of two processes racing, both get the value that was stored first.
func (db *DB) MetaOrInsert(ctx context.Context, key, value string) (string, error) {
	var stored string
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)`, key, value); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&stored)
	})
	return stored, err
}

func findUser(ctx context.Context, tx *sql.Tx, id int64) (*doorstep.User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "User %d not found.", id)
	}
	return u, err
}

func findUserByName(ctx context.Context, tx *sql.Tx, username string) (*doorstep.User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "No user %q.", username)
	}
	return u, err
}
