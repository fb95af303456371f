package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"doorstep"
)

// EntityReport is the audit entity of residents' reports on listings.
const EntityReport = "report"

// Actions on reports, as the audit log names them.
const (
	ActionReport  = "report"  // a resident filed it
	ActionResolve = "resolve" // staff closed it
	ActionErase   = "erase"   // the retention erased its contact details
)

// reportAudit is what the audit log keeps of a report: never the phone number,
// which the retention must be able to erase everywhere.
type reportAudit struct {
	ID             int64  `json:"id"`
	ServiceID      int64  `json:"service_id"`
	Kind           string `json:"kind"`
	Note           string `json:"note"`
	HasPhone       bool   `json:"has_phone"`
	Resolution     string `json:"resolution"`
	ResolutionNote string `json:"resolution_note"`
	AuditID        *int64 `json:"audit_id"`
}

func auditOfReport(r *doorstep.Report) reportAudit {
	return reportAudit{ID: r.ID, ServiceID: r.ServiceID, Kind: r.Kind, Note: r.Note, HasPhone: r.Phone != "",
		Resolution: r.Resolution, ResolutionNote: r.ResolutionNote, AuditID: r.AuditID}
}

// CreateReport stores a resident's report on a listing, checked against the
// street's phone rule, and audits it without its phone number. No user is needed.
func (db *DB) CreateReport(ctx context.Context, nr *doorstep.NewReport) (*doorstep.Report, error) {
	var report *doorstep.Report
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		rules, err := listingRules(ctx, tx)
		if err != nil {
			return err
		}
		if err := nr.Validate(rules.Phones); err != nil {
			return err
		}
		svc, err := findService(ctx, tx, nr.ServiceID)
		if err != nil {
			return err
		}
		now := db.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO reports (service_id, kind, note, phone, created_at) VALUES (?, ?, ?, ?, ?)`,
			svc.ID, nr.Kind, nr.Note, nr.Phone, formatTime(now))
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if report, err = findReport(ctx, tx, id); err != nil {
			return err
		}
		return insertAudit(ctx, tx, auditRecord{At: now, Action: ActionReport, Entity: EntityReport, EntityID: id,
			OrganizationID: &svc.OrganizationID, After: auditOfReport(report)})
	})
	return report, err
}

// ReportFilter selects reports for the staff queue. Zero fields do not filter.
type ReportFilter struct {
	OrganizationID int64 // the listing's organization
	ServiceID      int64
	OpenOnly       bool
	Limit, Offset  int
}

const reportSelect = `SELECT r.id, r.service_id, s.name, s.organization_id, r.kind, r.note, r.phone, r.created_at,
	r.resolution, r.resolution_note, r.resolved_at, COALESCE(u.username, ''), r.audit_id,
	(SELECT COUNT(*) FROM reports o WHERE o.service_id = r.service_id AND o.resolved_at IS NULL) AS open_on_listing
	FROM reports r JOIN services s ON s.id = r.service_id LEFT JOIN users u ON u.id = r.resolved_by`

// Reports returns the reports the user in ctx may read — staff their
// organization's, the office and admins every one — open ones first, the most
// reported listings first among them, newest first after that; and how many
// match in all.
func (db *DB) Reports(ctx context.Context, filter ReportFilter) ([]*doorstep.Report, int, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if !user.SeesAll() {
		if user.OrganizationID == nil {
			return []*doorstep.Report{}, 0, nil
		}
		filter.OrganizationID = *user.OrganizationID
	}
	where, args := " WHERE 1 = 1", []any{}
	if filter.OrganizationID != 0 {
		where, args = where+" AND s.organization_id = ?", append(args, filter.OrganizationID)
	}
	if filter.ServiceID != 0 {
		where, args = where+" AND r.service_id = ?", append(args, filter.ServiceID)
	}
	if filter.OpenOnly {
		where += " AND r.resolved_at IS NULL"
	}
	limit := filter.Limit
	if limit <= 0 {
		limit = -1
	}
	list, total := []*doorstep.Report{}, 0
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports r JOIN services s ON s.id = r.service_id`+where,
			args...).Scan(&total); err != nil {
			return err
		}
		// Ids grow with time, so r.id DESC is newest first whatever the clock did.
		var err error
		list, err = queryAll(ctx, tx, scanReport, reportSelect+where+` ORDER BY r.resolved_at IS NOT NULL,
			CASE WHEN r.resolved_at IS NULL THEN open_on_listing ELSE 0 END DESC, r.id DESC LIMIT ? OFFSET ?`,
			append(args, limit, filter.Offset)...)
		return err
	})
	return list, total, err
}

func findReport(ctx context.Context, tx *sql.Tx, id int64) (*doorstep.Report, error) {
	list, err := queryAll(ctx, tx, scanReport, reportSelect+` WHERE r.id = ?`, id)
	if err != nil {
		return nil, err
	} else if len(list) == 0 {
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "Report %d not found.", id)
	}
	return list[0], nil
}

// queryAll runs query and scans every row with scan.
func queryAll[T any](ctx context.Context, tx *sql.Tx, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []T{} // never nil: an empty list is [] in JSON
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, rows.Err()
}

func scanReport(rows *sql.Rows) (*doorstep.Report, error) {
	var (
		r        doorstep.Report
		created  string
		resolved sql.NullString
		auditID  sql.NullInt64
	)
	if err := rows.Scan(&r.ID, &r.ServiceID, &r.ServiceName, &r.OrganizationID, &r.Kind, &r.Note, &r.Phone, &created,
		&r.Resolution, &r.ResolutionNote, &resolved, &r.ResolvedBy, &auditID, &r.OpenOnListing); err != nil {
		return nil, err
	}
	var err error
	if r.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if resolved.Valid {
		t, err := parseTime(resolved.String)
		if err != nil {
			return nil, err
		}
		r.ResolvedAt = &t
	}
	if auditID.Valid {
		r.AuditID = &auditID.Int64
	}
	return &r, nil
}

// ResolveReport closes report id on behalf of the user in ctx, who must keep its
// listing. The resolution's AuditID must name an audit entry of a change to the
// report's listing; without one, a report resolved as fixed links the latest
// change to its listing made since the report was filed, if any — the fix made
// from the queue. Resolving a resolved report is a conflict.
func (db *DB) ResolveReport(ctx context.Context, id int64, res *doorstep.ReportResolution) (*doorstep.Report, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	if err := res.Validate(); err != nil {
		return nil, err
	}
	var report *doorstep.Report
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		before, err := findReport(ctx, tx, id)
		if err != nil {
			return err
		}
		if !user.CanEdit(before.OrganizationID) {
			// Another organization's reports are not even said to exist.
			return doorstep.Errorf(doorstep.ENOTFOUND, "Report %d not found.", id)
		}
		if !before.Open() {
			return doorstep.Errorf(doorstep.ECONFLICT, "Report %d was already resolved by %s.", id, before.ResolvedBy)
		}
		auditID, err := fixOf(ctx, tx, before, res)
		if err != nil {
			return err
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET resolution = ?, resolution_note = ?, resolved_at = ?,
			resolved_by = ?, audit_id = ? WHERE id = ?`, res.Resolution, res.Note, formatTime(now), user.ID, auditID, id); err != nil {
			return err
		}
		if report, err = findReport(ctx, tx, id); err != nil {
			return err
		}
		return insertAudit(ctx, tx, auditRecord{At: now, User: user, Action: ActionResolve, Entity: EntityReport,
			EntityID: id, OrganizationID: &before.OrganizationID, Before: auditOfReport(before), After: auditOfReport(report)})
	})
	return report, err
}

// fixOf returns the audit entry a resolution links: the one it names, checked to
// be a change to the report's listing, or for a fix the latest change to the
// listing since the report was filed.
func fixOf(ctx context.Context, tx *sql.Tx, r *doorstep.Report, res *doorstep.ReportResolution) (*int64, error) {
	if res.AuditID != nil {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit WHERE id = ? AND entity = ? AND entity_id = ?`,
			*res.AuditID, EntityService, r.ServiceID).Scan(&n)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, doorstep.FieldErrorf("audit_id", "Audit entry %d is not a change to listing %d.", *res.AuditID, r.ServiceID)
		}
		return res.AuditID, nil
	}
	if res.Resolution != doorstep.ResolutionFixed {
		return nil, nil
	}
	// The report's own audit entry was written with it; changes after it are later ids.
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM audit WHERE entity = ? AND entity_id = ?
		AND id > (SELECT id FROM audit WHERE entity = ? AND entity_id = ? AND action = ?)
		ORDER BY id DESC LIMIT 1`, EntityService, r.ServiceID, EntityReport, r.ID, ActionReport).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &id, nil
}

// OpenReportTimes returns, for each listing with open reports, when the newest
// of them was filed. Residents are told a listing may be out of date while that is
// after the listing was last checked (its verified_at), so a check needs no new read.
func (db *DB) OpenReportTimes(ctx context.Context) (map[int64]time.Time, error) {
	newest := map[int64]time.Time{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return queryEach(ctx, tx, `SELECT service_id, created_at FROM reports WHERE resolved_at IS NULL`, func(rows *sql.Rows) error {
			var (
				id      int64
				created string
			)
			if err := rows.Scan(&id, &created); err != nil {
				return err
			}
			// Times are compared parsed: RFC 3339 strings with trimmed fractions do not sort.
			filed, err := parseTime(created)
			if err != nil {
				return err
			}
			if filed.After(newest[id]) {
				newest[id] = filed
			}
			return nil
		})
	})
	return newest, err
}

// EraseReportContacts erases the phone numbers of reports resolved before
// cutoff, and audits each erasure; it returns how many it erased.
func (db *DB) EraseReportContacts(ctx context.Context, cutoff time.Time) (int, error) {
	return db.eraseContacts(ctx, cutoff, retention{
		due: `SELECT r.id, s.organization_id, r.resolved_at FROM reports r JOIN services s ON s.id = r.service_id
			WHERE r.resolved_at IS NOT NULL AND r.phone <> ''`,
		erase:  `UPDATE reports SET phone = '', contact_erased_at = ? WHERE id = ?`,
		entity: EntityReport, field: "has_phone",
	})
}

// retention says where contact details are kept: due selects id, organization
// (or NULL) and the time closed of the rows holding some; erase takes the time
// and the id.
type retention struct {
	due, erase, entity, field string
}

// eraseContacts erases the contact details of the rows r.due finds closed before
// cutoff, auditing each erasure without the details; it returns how many it erased.
func (db *DB) eraseContacts(ctx context.Context, cutoff time.Time, r retention) (int, error) {
	n := 0
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		type due struct {
			id     int64
			org    *int64
			closed time.Time
		}
		var list []due
		err := queryEach(ctx, tx, r.due, func(rows *sql.Rows) error {
			var (
				d      due
				org    sql.NullInt64
				closed string
			)
			if err := rows.Scan(&d.id, &org, &closed); err != nil {
				return err
			}
			if org.Valid {
				d.org = &org.Int64
			}
			var err error
			d.closed, err = parseTime(closed)
			list = append(list, d)
			return err
		})
		if err != nil {
			return err
		}
		now := db.Now()
		for _, d := range list {
			if !d.closed.Before(cutoff) {
				continue
			}
			if _, err := tx.ExecContext(ctx, r.erase, formatTime(now), d.id); err != nil {
				return err
			}
			if err := insertAudit(ctx, tx, auditRecord{At: now, Action: ActionErase, Entity: r.entity, EntityID: d.id,
				OrganizationID: d.org, Before: map[string]bool{r.field: true}, After: map[string]bool{r.field: false}}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
