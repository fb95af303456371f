package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"doorstep"
)

// Summary returns the day's summary (doorstep.Summary) for the user in ctx: staff
// get their own organization's, the office and admins the street's — or one
// organization's, when organizationID is not 0. Staff asking for another
// organization's are refused. Items are classified by clock.
func (db *DB) Summary(ctx context.Context, clock doorstep.SummaryClock, organizationID int64) (*doorstep.Summary, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	if !user.SeesAll() {
		if user.OrganizationID == nil || (organizationID != 0 && organizationID != *user.OrganizationID) {
			return nil, doorstep.Errorf(doorstep.EFORBIDDEN, "Staff see their own organization's summary only.")
		}
		organizationID = *user.OrganizationID
	}
	if clock.OverdueDays <= 0 {
		clock.OverdueDays = doorstep.DefaultOverdueDays
	}
	if clock.Loc == nil {
		clock.Loc = time.UTC
	}
	sum := &doorstep.Summary{Scope: doorstep.SummaryOffice, Day: clock.Now.In(clock.Loc).Format(time.DateOnly),
		GeneratedAt: clock.Now.UTC(), OverdueDays: clock.OverdueDays, Items: []doorstep.SummaryItem{}}
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		where, args := ``, []any{}
		if organizationID != 0 {
			sum.Scope, sum.OrganizationID = doorstep.SummaryOrganization, &organizationID
			err := tx.QueryRowContext(ctx, `SELECT name FROM organizations WHERE id = ?`, organizationID).Scan(&sum.OrganizationName)
			if errors.Is(err, sql.ErrNoRows) {
				return doorstep.FieldErrorf("organization_id", "Unknown organization %d.", organizationID)
			} else if err != nil {
				return err
			}
			where, args = ` AND s.organization_id = ?`, append(args, organizationID)
		}
		// Open reports: the listing's name and what is wrong, never the note or phone.
		if err := summaryItems(ctx, tx, clock, &sum.Reports, &sum.Items, "report", `SELECT r.id, s.name, r.kind,
			s.organization_id, o.name, r.created_at FROM reports r JOIN services s ON s.id = r.service_id
			JOIN organizations o ON o.id = s.organization_id WHERE r.resolved_at IS NULL`+where, args...); err != nil {
			return err
		}
		if sum.Scope != doorstep.SummaryOffice {
			return nil
		}
		// Open suggestions: the title and state, never the text or contact.
		sum.Suggestions = &doorstep.SummaryCounts{}
		return summaryItems(ctx, tx, clock, sum.Suggestions, &sum.Items, "suggestion", `SELECT s.id, s.title, s.state,
			s.assigned_to, COALESCE(o.name, ''), s.created_at FROM suggestions s LEFT JOIN organizations o ON o.id = s.assigned_to
			WHERE s.state NOT IN (?, ?)`, doorstep.SuggestionResolved, doorstep.SuggestionNotFeasible)
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(sum.Items, func(a, b doorstep.SummaryItem) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return sum, nil
}

// summaryItems counts the open items query returns (id, title, detail,
// organization id, organization name, created_at) into counts and appends the
// new and overdue ones to items.
func summaryItems(ctx context.Context, tx *sql.Tx, clock doorstep.SummaryClock, counts *doorstep.SummaryCounts,
	items *[]doorstep.SummaryItem, kind, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		it := doorstep.SummaryItem{Kind: kind}
		var org sql.NullInt64
		var created string
		if err := rows.Scan(&it.ID, &it.Title, &it.Detail, &org, &it.OrganizationName, &created); err != nil {
			return err
		}
		if org.Valid {
			it.OrganizationID = &org.Int64
		}
		if it.CreatedAt, err = parseTime(created); err != nil {
			return err
		}
		it.New, it.Overdue, it.AgeDays = clock.Classify(counts, it.CreatedAt)
		if it.New || it.Overdue {
			*items = append(*items, it)
		}
	}
	return rows.Err()
}

// MailRecipients returns the users who get the daily summary by e-mail: those
// with an address who are not disabled, by username.
func (db *DB) MailRecipients(ctx context.Context) ([]*doorstep.User, error) {
	var list []*doorstep.User
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		list, err = queryAll(ctx, tx, func(rows *sql.Rows) (*doorstep.User, error) { return scanUser(rows) },
			`SELECT `+userColumns+` FROM users WHERE email <> '' AND disabled = 0 ORDER BY username`)
		return err
	})
	return list, err
}

// States of a day's summary mail to one user (summary_mails.state).
const (
	MailSending = "sending" // claimed: the mail is going, or went and its sender stopped
	MailSent    = "sent"
	MailEmpty   = "empty" // nothing new or overdue: no mail
)

// ClaimSummaryMail claims the day's summary mail to user: true when no other
// claim exists for that day, so the caller sends it; false when it is being
// sent, was sent, or had nothing to send. Claiming before sending means a
// restart never sends a day's summary twice.
func (db *DB) ClaimSummaryMail(ctx context.Context, day string, user *doorstep.User) (bool, error) {
	var claimed bool
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO summary_mails (day, user_id, address, state, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (day, user_id) DO NOTHING`, day, user.ID, user.Email, MailSending, formatTime(db.Now()))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	return claimed, err
}

// FinishSummaryMail records how the claimed mail ended: state MailSent or
// MailEmpty keeps the claim; "" (it failed) drops it, so it is tried again.
func (db *DB) FinishSummaryMail(ctx context.Context, day string, userID int64, state string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if state == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM summary_mails WHERE day = ? AND user_id = ? AND state = ?`, day, userID, MailSending)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE summary_mails SET state = ?, at = ? WHERE day = ? AND user_id = ?`,
				state, formatTime(db.Now()), day, userID)
		}
		return err
	})
}

// SummaryMails returns the states of the day's summary mails by user id.
func (db *DB) SummaryMails(ctx context.Context, day string) (map[int64]string, error) {
	states := map[int64]string{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT user_id, state FROM summary_mails WHERE day = ?`, day)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var state string
			if err := rows.Scan(&id, &state); err != nil {
				return err
			}
			states[id] = state
		}
		return rows.Err()
	})
	return states, err
}
