package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"doorstep"
)

// Entities the audit log records changes of.
const (
	EntityService = "service"
	EntityUser    = "user"
)

// AuditEntry is one change: who made it (no user for the command line), when,
// what, and the entity before and after as JSON (Before is null for a creation).
// A change to an existing entity holds only the members it changed, beside the
// members that name it (auditIdentity); entries written before that hold the whole
// entity twice, and read the same way.
type AuditEntry struct {
	ID             int64           `json:"id"`
	At             time.Time       `json:"at"`
	UserID         *int64          `json:"user_id"`
	Username       string          `json:"username"`
	Action         string          `json:"action"`
	Entity         string          `json:"entity"`
	EntityID       int64           `json:"entity_id"`
	OrganizationID *int64          `json:"organization_id"`
	Before         json.RawMessage `json:"before"`
	After          json.RawMessage `json:"after"`
}

// AuditFilter selects audit entries. Zero fields do not filter.
type AuditFilter struct {
	Entity   string
	EntityID int64
	Username string // who made the change
	Action   string
	Since    time.Time // at or after
	Limit    int
	Offset   int
}

// Audit returns the audit entries matching the filter that the user in ctx may
// read — the office and admins all, staff the changes to their own organization's
// listings, reports, menus and delivery areas — newest first,
// and how many match in all.
func (db *DB) Audit(ctx context.Context, filter AuditFilter) ([]*AuditEntry, int, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, 0, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if !user.SeesAll() {
		// Staff read the changes to their organization's listings, reports and activities, not to accounts.
		if user.OrganizationID == nil {
			return []*AuditEntry{}, 0, nil
		}
		where = append(where, "a.entity IN (?, ?, ?, ?, ?, ?)", "a.organization_id = ?")
		args = append(args, EntityService, EntityReport, EntityMenu, EntityMenuTemplate, EntityDelivery, EntityActivity, *user.OrganizationID)
	}
	if filter.Entity != "" {
		where, args = append(where, "a.entity = ?"), append(args, filter.Entity)
	}
	if filter.EntityID != 0 {
		where, args = append(where, "a.entity_id = ?"), append(args, filter.EntityID)
	}
	if filter.Username != "" {
		where, args = append(where, "u.username = ?"), append(args, filter.Username)
	}
	if filter.Action != "" {
		where, args = append(where, "a.action = ?"), append(args, filter.Action)
	}
	if !filter.Since.IsZero() {
		where, args = append(where, "a.at >= ?"), append(args, formatTime(filter.Since))
	}
	limit := filter.Limit
	if limit <= 0 {
		limit = -1
	}
	from := ` FROM audit a LEFT JOIN users u ON u.id = a.user_id WHERE ` + strings.Join(where, " AND ")
	list := []*AuditEntry{}
	total := 0
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.at, a.user_id, COALESCE(u.username, ''), a.action, a.entity,
			a.entity_id, a.organization_id, a.before, a.after`+from+` ORDER BY a.id DESC LIMIT ? OFFSET ?`,
			append(args, limit, filter.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e             AuditEntry
				at            string
				userID, orgID sql.NullInt64
				before, after sql.NullString
			)
			if err := rows.Scan(&e.ID, &at, &userID, &e.Username, &e.Action, &e.Entity, &e.EntityID, &orgID, &before, &after); err != nil {
				return err
			}
			if e.At, err = parseTime(at); err != nil {
				return fmt.Errorf("audit %d at: %w", e.ID, err)
			}
			if userID.Valid {
				e.UserID = &userID.Int64
			}
			if orgID.Valid {
				e.OrganizationID = &orgID.Int64
			}
			e.Before, e.After = rawJSON(before), rawJSON(after)
			list = append(list, &e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

func rawJSON(s sql.NullString) json.RawMessage {
	if !s.Valid {
		return json.RawMessage("null")
	}
	return json.RawMessage(s.String)
}

// auditRecord is one change to write: User is nil for the command line; Before and
// After are encoded as JSON, nil as SQL NULL.
type auditRecord struct {
	At             time.Time
	User           *doorstep.User
	Action         string
	Entity         string
	EntityID       int64
	OrganizationID *int64
	Before, After  any
}

// insertAudit writes r inside the transaction of the change it records, so a change
// is never stored without its entry nor an entry without its change. A change to an
// existing entity is stored as the members it changed (auditDiff), so a one-word
// edit of a large listing writes a small entry.
func insertAudit(ctx context.Context, tx *sql.Tx, r auditRecord) error {
	encode := func(v any) ([]byte, error) {
		if v == nil {
			return nil, nil
		}
		return json.Marshal(v)
	}
	beforeJSON, err := encode(r.Before)
	if err != nil {
		return err
	}
	afterJSON, err := encode(r.After)
	if err != nil {
		return err
	}
	if beforeJSON != nil && afterJSON != nil {
		if beforeJSON, afterJSON, err = auditDiff(beforeJSON, afterJSON); err != nil {
			return err
		}
	}
	var before, after any
	if beforeJSON != nil {
		before = string(beforeJSON)
	}
	if afterJSON != nil {
		after = string(afterJSON)
	}
	var userID any
	if r.User != nil {
		userID = r.User.ID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit (at, user_id, action, entity, entity_id, organization_id, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(r.At), userID, r.Action, r.Entity, r.EntityID, r.OrganizationID, before, after)
	return err
}

// auditIdentity are the members kept in an entry though unchanged: they say which
// entity the entry is about when it is read alone.
var auditIdentity = map[string]bool{"id": true, "name": true, "username": true, "title": true, "service_id": true}

// auditSkipped change with every write and say nothing of what changed.
var auditSkipped = map[string]bool{"created_at": true, "updated_at": true}

// auditDiff reduces two JSON objects to the members that differ, plus the identity
// members, each in the order of its object.
func auditDiff(before, after []byte) (b, a []byte, err error) {
	bm, err := jsonMembers(before)
	if err != nil {
		return nil, nil, err
	}
	am, err := jsonMembers(after)
	if err != nil {
		return nil, nil, err
	}
	keep := func(name string) bool {
		if auditSkipped[name] {
			return false
		}
		return auditIdentity[name] || !bytes.Equal(memberValue(bm, name), memberValue(am, name))
	}
	return writeMembers(bm, keep), writeMembers(am, keep), nil
}

type jsonMember struct {
	name  string
	value json.RawMessage
}

// jsonMembers reads an object's members in order.
func jsonMembers(obj []byte) ([]jsonMember, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("audit: not a JSON object")
	}
	var members []jsonMember
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		members = append(members, jsonMember{name, v})
	}
	return members, nil
}

// memberValue returns the member's value, nil when absent.
func memberValue(members []jsonMember, name string) []byte {
	for _, m := range members {
		if m.name == name {
			return m.value
		}
	}
	return nil
}

func writeMembers(members []jsonMember, keep func(string) bool) []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for _, m := range members {
		if !keep(m.name) {
			continue
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(m.name)
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(m.value)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}
