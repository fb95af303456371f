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
