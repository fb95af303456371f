package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"doorstep"
)

// Audit entities of suggestions.
const (
	EntitySuggestion         = "suggestion"
	EntitySuggestionCategory = "suggestion_category"
)

// ActionImport is an entry written by an import of earlier years' suggestions.
const ActionImport = "import"

// suggestionAudit is what the audit log keeps of a suggestion: never its contact,
// which the retention must be able to erase everywhere.
type suggestionAudit struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"external_id"`
	Category   string `json:"category"`
	Title      string `json:"title"`
	State      string `json:"state"`
	Reason     string `json:"reason"`
	Answer     string `json:"answer"`
	AssignedTo *int64 `json:"assigned_to"`
	HasContact bool   `json:"has_contact"`
}

func auditOfSuggestion(s *doorstep.Suggestion) suggestionAudit {
	return suggestionAudit{ID: s.ID, ExternalID: s.ExternalID, Category: s.Category, Title: s.Title, State: s.State,
		Reason: s.Reason, Answer: s.Answer, AssignedTo: s.AssignedTo, HasContact: s.Contact != ""}
}

// SuggestionCategories returns the office's categories in its order.
func (db *DB) SuggestionCategories(ctx context.Context) ([]string, error) {
	list := []string{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return queryEach(ctx, tx, `SELECT name FROM suggestion_categories ORDER BY position, name`, func(r *sql.Rows) error {
			var name string
			err := r.Scan(&name)
			list = append(list, name)
			return err
		})
	})
	return list, err
}

// AddSuggestionCategory adds a category at the end of the office's list, on
// behalf of the office user in ctx; adding one already there changes nothing.
func (db *DB) AddSuggestionCategory(ctx context.Context, name string) error {
	user, err := officeUser(ctx)
	if err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if err := doorstep.CheckText("name", name, doorstep.MaxSuggestionShort, true, false); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return addSuggestionCategory(ctx, tx, user, name, db.Now())
	})
}

func addSuggestionCategory(ctx context.Context, tx *sql.Tx, user *doorstep.User, name string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO suggestion_categories (name, position)
		SELECT ?, COALESCE((SELECT MAX(position) FROM suggestion_categories), 0) + 1
		WHERE NOT EXISTS (SELECT 1 FROM suggestion_categories WHERE name = ?)`, name, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	return insertAudit(ctx, tx, auditRecord{At: now, User: user, Action: ActionCreate, Entity: EntitySuggestionCategory,
		EntityID: id, After: map[string]string{"name": name}})
}

// officeUser returns the signed-in user in ctx, who must be the office or an admin.
func officeUser(ctx context.Context) (*doorstep.User, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	if !user.SeesAll() {
		return nil, doorstep.Errorf(doorstep.EFORBIDDEN, "Only the street office keeps the suggestions.")
	}
	return user, nil
}

// tokenHash is how a follow-up token is stored.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSuggestion stores a new suggestion in state received, filed today, and
// returns it with its private follow-up token, which only its hash is kept of. The
// category must be one of the office's. The user in ctx, if any, is audited.
func (db *DB) CreateSuggestion(ctx context.Context, ns *doorstep.NewSuggestion) (*doorstep.Suggestion, string, error) {
	if err := ns.Validate(); err != nil {
		return nil, "", err
	}
	token := rand.Text()
	var s *doorstep.Suggestion
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM suggestion_categories WHERE name = ?`, ns.Category).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return doorstep.FieldErrorf("category", "Unknown category %q: choose one of the office's (GET /api/suggestions/categories).", ns.Category)
		}
		now := db.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO suggestions (token_hash, year, filed_on, category, title, text, area, lon, lat,
			contact, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tokenHash(token), shanghaiDay(now).Year(), shanghaiDay(now).Format(time.DateOnly), ns.Category, ns.Title, ns.Text, ns.Area,
			ns.Lon, ns.Lat, ns.Contact, doorstep.SuggestionReceived, formatTime(now), formatTime(now))
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if s, err = findSuggestion(ctx, tx, `s.id = ?`, id); err != nil {
			return err
		}
		return insertAudit(ctx, tx, auditRecord{At: now, User: doorstep.UserFromContext(ctx), Action: ActionCreate,
			Entity: EntitySuggestion, EntityID: id, After: auditOfSuggestion(s)})
	})
	return s, token, err
}

// shanghaiDay is t in the street's time zone, for the day a suggestion was filed.
func shanghaiDay(t time.Time) time.Time {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return t.In(loc)
	}
	return t.UTC().Add(8 * time.Hour)
}

// maxTokenLen bounds a follow-up token read from a link; the tokens made here
// (rand.Text) are 26 characters, so a longer one is refused before it is hashed.
const maxTokenLen = 64

// SuggestionByToken returns the suggestion a follow-up token belongs to; an
// empty or overlong token is not found.
func (db *DB) SuggestionByToken(ctx context.Context, token string) (*doorstep.Suggestion, error) {
	if len(token) == 0 || len(token) > maxTokenLen {
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "No suggestion has this link.")
	}
	var s *doorstep.Suggestion
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		s, err = findSuggestion(ctx, tx, `s.token_hash = ?`, tokenHash(token))
		return err
	})
	return s, err
}

const suggestionColumns = `s.id, s.external_id, s.year, s.filed_on, s.category, s.title, s.text, s.area, s.lon, s.lat,
	s.contact, s.state, s.reason, s.answer, s.assigned_to, s.created_at, s.updated_at, s.closed_at`

func findSuggestion(ctx context.Context, tx *sql.Tx, where string, arg any) (*doorstep.Suggestion, error) {
	list, err := queryAll(ctx, tx, scanSuggestion, `SELECT `+suggestionColumns+` FROM suggestions s WHERE `+where, arg)
	if err != nil {
		return nil, err
	} else if len(list) == 0 {
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "No such suggestion.")
	}
	return list[0], nil
}

func scanSuggestion(rows *sql.Rows) (*doorstep.Suggestion, error) {
	var (
		s                doorstep.Suggestion
		lon, lat         sql.NullFloat64
		assigned         sql.NullInt64
		created, updated string
		closed           sql.NullString
	)
	if err := rows.Scan(&s.ID, &s.ExternalID, &s.Year, &s.FiledOn, &s.Category, &s.Title, &s.Text, &s.Area, &lon, &lat,
		&s.Contact, &s.State, &s.Reason, &s.Answer, &assigned, &created, &updated, &closed); err != nil {
		return nil, err
	}
	if lon.Valid && lat.Valid {
		s.Lon, s.Lat = &lon.Float64, &lat.Float64
	}
	if assigned.Valid {
		s.AssignedTo = &assigned.Int64
	}
	var err error
	if s.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if s.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	if closed.Valid {
		t, err := parseTime(closed.String)
		if err != nil {
			return nil, err
		}
		s.ClosedAt = &t
	}
	return &s, nil
}

// SuggestionFilter selects suggestions for the office's list. Zero fields do not filter.
type SuggestionFilter struct {
	Year          int
	State         string
	Limit, Offset int
}

// Suggestions returns the suggestions the user in ctx may read — the office and
// admins all, staff those assigned to their organization — newest first, and how
// many match in all.
func (db *DB) Suggestions(ctx context.Context, filter SuggestionFilter) ([]*doorstep.Suggestion, int, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, 0, err
	}
	where, args := " WHERE 1 = 1", []any{}
	if !user.SeesAll() {
		if user.OrganizationID == nil {
			return []*doorstep.Suggestion{}, 0, nil
		}
		where, args = where+" AND s.assigned_to = ?", append(args, *user.OrganizationID)
	}
	if filter.Year != 0 {
		where, args = where+" AND s.year = ?", append(args, filter.Year)
	}
	if filter.State != "" {
		where, args = where+" AND s.state = ?", append(args, filter.State)
	}
	limit := filter.Limit
	if limit <= 0 {
		limit = -1
	}
	list, total := []*doorstep.Suggestion{}, 0
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM suggestions s`+where, args...).Scan(&total); err != nil {
			return err
		}
		var err error
		list, err = queryAll(ctx, tx, scanSuggestion, `SELECT `+suggestionColumns+` FROM suggestions s`+where+
			` ORDER BY s.filed_on DESC, s.id DESC LIMIT ? OFFSET ?`, append(args, limit, filter.Offset)...)
		return err
	})
	return list, total, err
}

// UpdateSuggestion applies the office's change to suggestion id on behalf of the
// office user in ctx, and audits it. A suggestion entering resolved or
// not_feasible is closed now; leaving them reopens it.
func (db *DB) UpdateSuggestion(ctx context.Context, id int64, upd *doorstep.SuggestionUpdate) (*doorstep.Suggestion, error) {
	user, err := officeUser(ctx)
	if err != nil {
		return nil, err
	}
	var result *doorstep.Suggestion
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		before, err := findSuggestion(ctx, tx, `s.id = ?`, id)
		if err != nil {
			return err
		}
		next := *before
		if err := upd.Apply(&next); err != nil {
			return err
		}
		if err := checkSuggestionRefs(ctx, tx, &next, before); err != nil {
			return err
		}
		now := db.Now()
		closed := before.ClosedAt
		switch {
		case doorstep.SuggestionClosed(next.State) && closed == nil:
			closed = &now
		case !doorstep.SuggestionClosed(next.State):
			closed = nil
		}
		var closedAt any
		if closed != nil {
			closedAt = formatTime(*closed)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE suggestions SET category = ?, state = ?, reason = ?, answer = ?, assigned_to = ?,
			updated_at = ?, closed_at = ? WHERE id = ?`, next.Category, next.State, next.Reason, next.Answer, next.AssignedTo,
			formatTime(now), closedAt, id); err != nil {
			return err
		}
		if result, err = findSuggestion(ctx, tx, `s.id = ?`, id); err != nil {
			return err
		}
		return insertAudit(ctx, tx, auditRecord{At: now, User: user, Action: ActionUpdate, Entity: EntitySuggestion,
			EntityID: id, OrganizationID: result.AssignedTo, Before: auditOfSuggestion(before), After: auditOfSuggestion(result)})
	})
	return result, err
}

// checkSuggestionRefs checks that a changed category is the office's and a changed
// assignment an organization.
func checkSuggestionRefs(ctx context.Context, tx *sql.Tx, next, before *doorstep.Suggestion) error {
	if next.Category != before.Category {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM suggestion_categories WHERE name = ?`, next.Category).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return doorstep.FieldErrorf("category", "Unknown category %q.", next.Category)
		}
	}
	if next.AssignedTo != nil {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations WHERE id = ?`, *next.AssignedTo).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return doorstep.FieldErrorf("assigned_to", "Unknown organization %d.", *next.AssignedTo)
		}
	}
	return nil
}

// SuggestionReport counts a year's suggestions by category (the office's order,
// then any others by name), by state (workflow order, every state) and by area
// (most first, then by name; "" for none given), each with shares rounded once
// by doorstep.Shares.
func (db *DB) SuggestionReport(ctx context.Context, year int) (*doorstep.SuggestionReport, error) {
	rep := &doorstep.SuggestionReport{Year: year}
	var categories []string
	byCategory, byState, byArea := map[string]int{}, map[string]int{}, map[string]int{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		err := queryEach(ctx, tx, `SELECT name FROM suggestion_categories ORDER BY position, name`, func(r *sql.Rows) error {
			var name string
			err := r.Scan(&name)
			categories = append(categories, name)
			return err
		})
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT category, state, area FROM suggestions WHERE year = ?`, year)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c, s, a string
			if err := rows.Scan(&c, &s, &a); err != nil {
				return err
			}
			byCategory[c]++
			byState[s]++
			byArea[a]++
			rep.Total++
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// Categories no longer on the list still count, after the listed ones.
	var others []string
	for c := range byCategory {
		if !slices.Contains(categories, c) {
			others = append(others, c)
		}
	}
	slices.Sort(others)
	rep.Categories = reportLines(append(categories, others...), byCategory)
	rep.States = reportLines(doorstep.SuggestionStates, byState)
	areas := make([]string, 0, len(byArea))
	for a := range byArea {
		areas = append(areas, a)
	}
	slices.SortFunc(areas, func(a, b string) int {
		if byArea[a] != byArea[b] {
			return byArea[b] - byArea[a]
		}
		return strings.Compare(a, b)
	})
	rep.Areas = reportLines(areas, byArea)
	return rep, nil
}

func reportLines(keys []string, counts map[string]int) []doorstep.ReportLine {
	n := make([]int, len(keys))
	for i, k := range keys {
		n[i] = counts[k]
	}
	return doorstep.NewReportLines(keys, n)
}

// ImportSuggestions stores the records all or nothing: a record whose external_id
// is stored already updates that suggestion; categories not on the office's list
// are added to it. It returns how many were added and updated. Records must be
// checked already (exchange.ReadSuggestions); the command line is audited.
func (db *DB) ImportSuggestions(ctx context.Context, records []doorstep.SuggestionRecord) (added, updated int, err error) {
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		added, updated = 0, 0
		now := db.Now()
		for _, r := range records {
			if err := addSuggestionCategory(ctx, tx, nil, r.Category, now); err != nil {
				return err
			}
			before, err := findSuggestion(ctx, tx, `s.external_id = ?`, r.ExternalID)
			if err != nil && doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
				return err
			}
			var closed any
			if doorstep.SuggestionClosed(r.State) {
				closed = formatTime(now)
				if before != nil && before.ClosedAt != nil {
					closed = formatTime(*before.ClosedAt)
				}
			}
			var id int64
			if before == nil {
				res, err := tx.ExecContext(ctx, `INSERT INTO suggestions (external_id, year, filed_on, category, title, text, area,
					state, answer, created_at, updated_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					r.ExternalID, r.Year, r.FiledOn, r.Category, r.Title, r.Text, r.Area, r.State, r.Answer, formatTime(now), formatTime(now), closed)
				if err != nil {
					return err
				}
				if id, err = res.LastInsertId(); err != nil {
					return err
				}
				added++
			} else {
				id = before.ID
				if _, err := tx.ExecContext(ctx, `UPDATE suggestions SET year = ?, filed_on = ?, category = ?, title = ?, text = ?,
					area = ?, state = ?, answer = ?, updated_at = ?, closed_at = ? WHERE id = ?`,
					r.Year, r.FiledOn, r.Category, r.Title, r.Text, r.Area, r.State, r.Answer, formatTime(now), closed, id); err != nil {
					return err
				}
				updated++
			}
			after, err := findSuggestion(ctx, tx, `s.id = ?`, id)
			if err != nil {
				return err
			}
			rec := auditRecord{At: now, Action: ActionImport, Entity: EntitySuggestion, EntityID: id, After: auditOfSuggestion(after)}
			if before != nil {
				rec.Before = auditOfSuggestion(before)
			}
			if err := insertAudit(ctx, tx, rec); err != nil {
				return err
			}
		}
		return nil
	})
	return added, updated, err
}

// EraseSuggestionContacts erases the contact of suggestions closed before cutoff,
// and audits each erasure; it returns how many it erased.
func (db *DB) EraseSuggestionContacts(ctx context.Context, cutoff time.Time) (int, error) {
	return db.eraseContacts(ctx, cutoff, retention{
		due:    `SELECT id, assigned_to, closed_at FROM suggestions WHERE closed_at IS NOT NULL AND contact <> ''`,
		erase:  `UPDATE suggestions SET contact = '', contact_erased_at = ? WHERE id = ?`,
		entity: EntitySuggestion, field: "has_contact",
	})
}
