package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"doorstep"
	"doorstep/exchange"
)

// Limits of an import.
const (
	MaxExternalIDRunes = 100
	// MaxImportErrors is how many errors a report lists; ErrorCount counts them all.
	MaxImportErrors = 1000
)

// ImportOptions change how ImportServices runs.
type ImportOptions struct {
	// DryRun checks and writes everything, then rolls back: the report says what
	// an import would do, and the database stays as it was.
	DryRun bool
	// Progress, when set, is told how far each stage ("checking", "writing") is.
	Progress func(stage string, done, total int)
}

// ImportReport says what an import did (or, dry, would do).
type ImportReport struct {
	Rows                 int
	Created, Updated     int
	Unchanged            int
	OrganizationsCreated int
	DryRun               bool
	Errors               []exchange.RowError // sorted by line, at most MaxImportErrors
	ErrorCount           int
	NoStreet             bool // no street loaded: the distance to the street was not checked
}

// progressEvery is how many rows pass between two progress calls.
const progressEvery = 500

// ImportServices loads listings all or nothing, in one transaction: each row is
// matched to a listing by its external id and updates it (an unchanged row is left
// alone), or creates one; an organization named but missing is created. Every row
// is checked as the editing API checks a listing — doorstep.Service.Validate, and a
// place within doorstep.MaxStreetDistance of the street when one is loaded — and an
// external id may appear once in a file. When any row has an error, nothing is
// written, the report lists the errors, and the error is an EINVALID. Each change
// is audited as made from the command line (no user).
func (db *DB) ImportServices(ctx context.Context, rows []exchange.ServiceRow, opts ImportOptions) (*ImportReport, error) {
	report := &ImportReport{Rows: len(rows), DryRun: opts.DryRun}
	progress := opts.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	st, err := loadImportState(ctx, tx, rows)
	if err != nil {
		return nil, err
	}
	report.NoStreet = st.rules.StreetDistance == nil
	plans := make([]importPlan, 0, len(rows))
	var errs []exchange.RowError
	firstLine := map[string]int{}
	for i := range rows {
		row := &rows[i]
		if i%progressEvery == 0 {
			progress("checking", i, len(rows))
		}
		if len(row.Errors) > 0 {
			errs = append(errs, row.Errors...)
			continue
		}
		if line, seen := firstLine[row.ExternalID]; seen && row.ExternalID != "" {
			errs = append(errs, exchange.RowError{Line: row.Line, Field: exchange.FieldExternalID,
				Message: fmt.Sprintf("external_id %q is also on line %d; each listing may appear once.", row.ExternalID, line)})
			continue
		}
		firstLine[row.ExternalID] = row.Line
		plan, err := st.plan(row)
		if err != nil {
			errs = append(errs, exchange.RowError{Line: row.Line, Field: doorstep.ErrorField(err), Message: doorstep.ErrorMessage(err)})
			continue
		}
		plans = append(plans, plan)
	}
	progress("checking", len(rows), len(rows))
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b exchange.RowError) int { return a.Line - b.Line })
		report.ErrorCount = len(errs)
		report.Errors = errs[:min(len(errs), MaxImportErrors)]
		return report, doorstep.Errorf(doorstep.EINVALID, "%d errors in the file; nothing was imported.", len(errs))
	}

	w, err := db.newImportWriter(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer w.close()
	for i, p := range plans {
		if i%progressEvery == 0 {
			progress("writing", i, len(plans))
		}
		switch {
		case p.current == nil:
			report.Created++
		case storedAlike(p.current, p.next):
			report.Unchanged++
			continue
		default:
			report.Updated++
		}
		created, err := w.write(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("store: import line %d: %w", p.line, err)
		}
		report.OrganizationsCreated += created
	}
	progress("writing", len(plans), len(plans))
	if opts.DryRun {
		return report, nil // the deferred rollback undoes it all
	}
	if err := bumpImportVersion(ctx, tx); err != nil {
		return nil, err
	}
	if err := indexQueued(ctx, tx); err != nil {
		return nil, fmt.Errorf("store: import: search index: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return report, nil
}

// importState is what checking rows needs from the database.
type importState struct {
	rules         doorstep.ListingRules
	organizations map[string]int64             // by name
	existing      map[string]*doorstep.Service // by external id, the file's only
}

func loadImportState(ctx context.Context, tx *sql.Tx, rows []exchange.ServiceRow) (*importState, error) {
	rules, err := listingRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	st := &importState{rules: rules, organizations: map[string]int64{}, existing: map[string]*doorstep.Service{}}
	if err := queryEach(ctx, tx, `SELECT id, name FROM organizations`, func(r *sql.Rows) error {
		var (
			id   int64
			name string
		)
		err := r.Scan(&id, &name)
		st.organizations[name] = id
		return err
	}); err != nil {
		return nil, err
	}
	// The listings the file names, read in chunks below SQLite's variable limit.
	wanted := map[string]bool{}
	for _, r := range rows {
		if r.ExternalID != "" {
			wanted[r.ExternalID] = true
		}
	}
	idOf := map[string]int64{}
	if err := queryEach(ctx, tx, `SELECT id, external_id FROM services WHERE external_id IS NOT NULL`, func(r *sql.Rows) error {
		var (
			id  int64
			ext string
		)
		err := r.Scan(&id, &ext)
		if wanted[ext] {
			idOf[ext] = id
		}
		return err
	}); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(idOf))
	extOf := make(map[int64]string, len(idOf))
	for ext, id := range idOf {
		ids = append(ids, id)
		extOf[id] = ext
	}
	for chunk := range slices.Chunk(ids, 500) {
		list, _, err := findServices(ctx, tx, doorstep.ServiceFilter{IDs: chunk})
		if err != nil {
			return nil, err
		}
		for _, s := range list {
			st.existing[extOf[s.ID]] = s
		}
	}
	return st, nil
}

// queryEach runs a query and calls fn on each row.
func queryEach(ctx context.Context, tx *sql.Tx, query string, fn func(*sql.Rows) error, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// importPlan is one checked row: the listing as it is (nil for a new one) and as it
// will be, with the organization to create when it does not exist yet.
type importPlan struct {
	line             int
	externalID       string
	current, next    *doorstep.Service
	newOrganization  string
	organizationKind string
}

// plan merges a row into the listing it names, or a new one, and checks the result.
func (st *importState) plan(row *exchange.ServiceRow) (importPlan, error) {
	p := importPlan{line: row.Line, externalID: row.ExternalID}
	ext := row.ExternalID
	switch {
	case strings.TrimSpace(ext) == "":
		return p, doorstep.FieldErrorf(exchange.FieldExternalID, "external_id is required: a stable id of the listing, so a re-import updates it instead of adding a copy.")
	case !utf8.ValidString(ext) || utf8.RuneCountInString(ext) > MaxExternalIDRunes || ext != strings.TrimSpace(ext):
		return p, doorstep.FieldErrorf(exchange.FieldExternalID, "external_id must be text of at most %d characters without surrounding spaces.", MaxExternalIDRunes)
	}
	upd := &row.Update
	p.current = st.existing[ext]
	var next *doorstep.Service
	if p.current != nil {
		next = cloneService(p.current)
	} else {
		next = doorstep.NewService()
		if row.Organization == nil {
			return p, doorstep.FieldErrorf(exchange.FieldOrganization, "organization is required for a new listing.")
		}
	}
	upd.OrganizationID = nil // the row names the organization
	upd.Apply(next)
	if row.Organization != nil {
		name := strings.TrimSpace(*row.Organization)
		if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > doorstep.MaxNameRunes {
			return p, doorstep.FieldErrorf(exchange.FieldOrganization, "organization must be the name of who runs the listing, at most %d characters.", doorstep.MaxNameRunes)
		}
		if id, ok := st.organizations[name]; ok {
			next.OrganizationID = id
		} else {
			next.OrganizationID = 0 // set when the organization is created
			p.newOrganization, p.organizationKind = name, row.OrganizationKind
		}
	}
	if err := upd.Validate(next, p.current == nil, st.rules); err != nil {
		return p, err
	}
	p.next = next
	return p, nil
}

// importWriter holds the prepared statements of an import: preparing once keeps
// the search triggers compiled once, not once a row.
type importWriter struct {
	db                   *DB
	tx                   *sql.Tx
	insert, update, org  *sql.Stmt
	organizationsCreated map[string]int64
}

func (db *DB) newImportWriter(ctx context.Context, tx *sql.Tx) (*importWriter, error) {
	w := &importWriter{db: db, tx: tx, organizationsCreated: map[string]int64{}}
	var err error
	if w.insert, err = tx.PrepareContext(ctx, `INSERT INTO services (category, organization_id, name, name_en, address, lon, lat,
		phone, hours, offers, capacity, status, note, reopens_on, sample, verified_at, external_id, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`); err != nil {
		return nil, err
	}
	if w.update, err = tx.PrepareContext(ctx, `UPDATE services SET category = ?, organization_id = ?, name = ?, name_en = ?,
		address = ?, lon = ?, lat = ?, phone = ?, hours = ?, offers = ?, capacity = ?, status = ?, note = ?, reopens_on = ?,
		sample = ?, verified_at = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`); err != nil {
		return nil, err
	}
	if w.org, err = tx.PrepareContext(ctx, `INSERT INTO organizations (name, kind) VALUES (?, ?)`); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *importWriter) close() {
	for _, s := range []*sql.Stmt{w.insert, w.update, w.org} {
		if s != nil {
			s.Close()
		}
	}
}

// write stores one planned change and its audit entry, creating the organization
// first when needed; it returns how many organizations it created (0 or 1).
func (w *importWriter) write(ctx context.Context, p importPlan) (int, error) {
	created := 0
	next := p.next
	if p.newOrganization != "" {
		id, ok := w.organizationsCreated[p.newOrganization]
		if !ok {
			res, err := w.org.ExecContext(ctx, p.newOrganization, p.organizationKind)
			if err != nil {
				return 0, err
			}
			if id, err = res.LastInsertId(); err != nil {
				return 0, err
			}
			w.organizationsCreated[p.newOrganization] = id
			created = 1
		}
		next.OrganizationID = id
	}
	hours, err := json.Marshal(nonNilSchedule(next.Hours))
	if err != nil {
		return 0, err
	}
	offers, err := json.Marshal(nonNilStrings(next.Offers))
	if err != nil {
		return 0, err
	}
	var verified any
	if next.VerifiedAt != nil {
		verified = formatTime(*next.VerifiedAt)
	}
	now := w.db.Now()
	action := ActionCreate
	if p.current == nil {
		res, err := w.insert.ExecContext(ctx, next.Category, next.OrganizationID, next.Name, next.NameEn, next.Address,
			next.Lon, next.Lat, next.Phone, string(hours), string(offers), next.Capacity, next.Status, next.Note,
			next.ReopensOn, next.Sample, verified, p.externalID, formatTime(now), formatTime(now))
		if err != nil {
			return 0, err
		}
		if next.ID, err = res.LastInsertId(); err != nil {
			return 0, err
		}
	} else {
		action = ActionUpdate
		res, err := w.update.ExecContext(ctx, next.Category, next.OrganizationID, next.Name, next.NameEn, next.Address,
			next.Lon, next.Lat, next.Phone, string(hours), string(offers), next.Capacity, next.Status, next.Note,
			next.ReopensOn, next.Sample, verified, formatTime(now), next.ID, next.Version)
		if err != nil {
			return 0, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, err
		} else if n != 1 {
			return 0, fmt.Errorf("service %d changed during the import", next.ID)
		}
	}
	after, err := findService(ctx, w.tx, next.ID)
	if err != nil {
		return 0, err
	}
	var before any
	if p.current != nil {
		before = p.current
	}
	return created, insertAudit(ctx, w.tx, auditRecord{
		At: now, Action: action, Entity: EntityService, EntityID: after.ID,
		OrganizationID: &after.OrganizationID, Before: before, After: after,
	})
}

// ExternalIDs returns every listing's external id by listing id: the id an export
// writes and an import matches on.
func (db *DB) ExternalIDs(ctx context.Context) (map[int64]string, error) {
	ids := map[int64]string{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return queryEach(ctx, tx, `SELECT id, external_id FROM services WHERE external_id IS NOT NULL`, func(r *sql.Rows) error {
			var (
				id  int64
				ext string
			)
			err := r.Scan(&id, &ext)
			ids[id] = ext
			return err
		})
	})
	return ids, err
}
