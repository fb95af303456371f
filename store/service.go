package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

const serviceColumns = `id, category, organization_id, name, name_en, address, lon, lat, phone, hours, offers,
	capacity, status, note, reopens_on, sample, verified_at, created_at, updated_at, version`

// Service returns the service with the given id, or ENOTFOUND.
func (db *DB) Service(ctx context.Context, id int64) (*doorstep.Service, error) {
	var s *doorstep.Service
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		s, err = findService(ctx, tx, id)
		return err
	})
	return s, err
}

// Services returns the services matching the filter, ordered by category then id,
// and the total number matching before Limit and Offset.
func (db *DB) Services(ctx context.Context, filter doorstep.ServiceFilter) ([]*doorstep.Service, int, error) {
	var (
		list  []*doorstep.Service
		total int
	)
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		list, total, err = findServices(ctx, tx, filter)
		return err
	})
	return list, total, err
}

func findService(ctx context.Context, tx *sql.Tx, id int64) (*doorstep.Service, error) {
	list, _, err := findServices(ctx, tx, doorstep.ServiceFilter{IDs: []int64{id}})
	if err != nil {
		return nil, err
	} else if len(list) == 0 {
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "Service %d not found.", id)
	}
	return list[0], nil
}

func findServices(ctx context.Context, tx *sql.Tx, filter doorstep.ServiceFilter) ([]*doorstep.Service, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if filter.Category != "" {
		where, args = append(where, "category = ?"), append(args, filter.Category)
	}
	if filter.Status != "" {
		where, args = append(where, "status = ?"), append(args, filter.Status)
	}
	if filter.IDs != nil {
		if len(filter.IDs) == 0 {
			return nil, 0, nil
		}
		marks := strings.TrimSuffix(strings.Repeat("?,", len(filter.IDs)), ",")
		where = append(where, "id IN ("+marks+")")
		for _, id := range filter.IDs {
			args = append(args, id)
		}
	}
	limit := filter.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	// Reading every row, the total is the rows read: no window count, for which
	// SQLite copies all of them aside before returning the first (a second of a
	// city's start-up, with 100,000 listings).
	whole := limit < 0 && filter.Offset == 0
	count := "COUNT(*) OVER ()"
	if whole {
		count = "0"
	}
	args = append(args, limit, filter.Offset)
	rows, err := tx.QueryContext(ctx, `SELECT `+serviceColumns+`, `+count+`
		FROM services WHERE `+strings.Join(where, " AND ")+`
		ORDER BY id LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var (
		list  []*doorstep.Service
		total int
	)
	for rows.Next() {
		s, err := scanService(rows, &total)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if whole {
		total = len(list)
	}
	if len(list) == 0 && filter.Offset > 0 {
		// The window count is absent when the page is past the end.
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM services WHERE `+strings.Join(where, " AND "), args[:len(args)-2]...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	return list, total, nil
}

func scanService(rows *sql.Rows, total *int) (*doorstep.Service, error) {
	var (
		s                doorstep.Service
		hours, offers    string
		capacity         sql.NullInt64
		verified         sql.NullString
		created, updated string
		sample           bool
	)
	if err := rows.Scan(&s.ID, &s.Category, &s.OrganizationID, &s.Name, &s.NameEn, &s.Address, &s.Lon, &s.Lat,
		&s.Phone, &hours, &offers, &capacity, &s.Status, &s.Note, &s.ReopensOn, &sample, &verified, &created, &updated,
		&s.Version, total); err != nil {
		return nil, err
	}
	s.Sample = sample
	if err := json.Unmarshal([]byte(hours), &s.Hours); err != nil {
		return nil, fmt.Errorf("service %d hours: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(offers), &s.Offers); err != nil {
		return nil, fmt.Errorf("service %d offers: %w", s.ID, err)
	}
	if s.Hours == nil {
		s.Hours = doorstep.Schedule{}
	}
	if s.Offers == nil {
		s.Offers = []string{}
	}
	if capacity.Valid {
		c := int(capacity.Int64)
		s.Capacity = &c
	}
	var err error
	if verified.Valid {
		t, err := parseTime(verified.String)
		if err != nil {
			return nil, fmt.Errorf("service %d verified_at: %w", s.ID, err)
		}
		s.VerifiedAt = &t
	}
	if s.CreatedAt, err = parseTime(created); err != nil {
		return nil, fmt.Errorf("service %d created_at: %w", s.ID, err)
	}
	if s.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, fmt.Errorf("service %d updated_at: %w", s.ID, err)
	}
	return &s, nil
}

// insertService stores a new service and sets its id, times and version.
func (db *DB) insertService(ctx context.Context, tx *sql.Tx, s *doorstep.Service) error {
	hours, offers, verified, err := encodeListing(s)
	if err != nil {
		return err
	}
	now := db.Now()
	s.CreatedAt, s.UpdatedAt, s.Version = now, now, 1
	if s.Status == "" {
		s.Status = doorstep.StatusOpen
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO services (category, organization_id, name, name_en, address, lon, lat,
		phone, hours, offers, capacity, status, note, reopens_on, sample, verified_at, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.Category, s.OrganizationID, s.Name, s.NameEn, s.Address, s.Lon, s.Lat, s.Phone, hours, offers,
		s.Capacity, s.Status, s.Note, s.ReopensOn, s.Sample, verified, formatTime(now), formatTime(now), s.Version)
	if err != nil {
		return err
	}
	s.ID, err = res.LastInsertId()
	return err
}

// encodeListing returns the columns of s that are not plain values: hours and offers
// as JSON, verified_at as text or NULL.
func encodeListing(s *doorstep.Service) (hours, offers string, verified any, err error) {
	h, err := json.Marshal(nonNilSchedule(s.Hours))
	if err != nil {
		return "", "", nil, err
	}
	o, err := json.Marshal(nonNilStrings(s.Offers))
	if err != nil {
		return "", "", nil, err
	}
	if s.VerifiedAt != nil {
		verified = formatTime(*s.VerifiedAt)
	}
	return string(h), string(o), verified, nil
}

func nonNilSchedule(s doorstep.Schedule) doorstep.Schedule {
	if s == nil {
		return doorstep.Schedule{}
	}
	return s
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Categories returns every category in display order.
func (db *DB) Categories(ctx context.Context) ([]doorstep.Category, error) {
	var list []doorstep.Category
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name_zh, name_en, circle_minutes, doorstep_minutes, sort
			FROM categories ORDER BY sort, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c doorstep.Category
			if err := rows.Scan(&c.ID, &c.NameZh, &c.NameEn, &c.CircleMinutes, &c.DoorstepMinutes, &c.Sort); err != nil {
				return err
			}
			list = append(list, c)
		}
		return rows.Err()
	})
	return list, err
}

// Organizations returns every organization by id.
func (db *DB) Organizations(ctx context.Context) ([]doorstep.Organization, error) {
	var list []doorstep.Organization
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name, kind FROM organizations ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o doorstep.Organization
			if err := rows.Scan(&o.ID, &o.Name, &o.Kind); err != nil {
				return err
			}
			list = append(list, o)
		}
		return rows.Err()
	})
	return list, err
}

// ensureOrganization returns the id of the organization with this name, creating it.
func ensureOrganization(ctx context.Context, tx *sql.Tx, name, kind string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM organizations WHERE name = ?`, name).Scan(&id)
	if err == nil {
		return id, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO organizations (name, kind) VALUES (?, ?)`, name, kind)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// Audit actions on listings.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
	ActionVerify = "verify"
)

// ListingFilter selects listings for the staff page. Unlike the resident lookups it
// includes closed listings.
type ListingFilter struct {
	OrganizationID int64 // 0 for every organization
	Limit, Offset  int
}

// Listings returns the listings matching the filter, least recently checked first
// (never checked before all others), and the total before Limit and Offset.
func (db *DB) Listings(ctx context.Context, filter ListingFilter) ([]*doorstep.Service, int, error) {
	var (
		list  []*doorstep.Service
		total int
	)
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		where, args := "1 = 1", []any{}
		if filter.OrganizationID != 0 {
			where, args = "organization_id = ?", append(args, filter.OrganizationID)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM services WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		limit := filter.Limit
		if limit <= 0 {
			limit = -1
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+serviceColumns+`, 0 FROM services WHERE `+where+`
			ORDER BY verified_at IS NOT NULL, verified_at, id LIMIT ? OFFSET ?`, append(args, limit, filter.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ignored int
		for rows.Next() {
			s, err := scanService(rows, &ignored)
			if err != nil {
				return err
			}
			list = append(list, s)
		}
		return rows.Err()
	})
	return list, total, err
}

// CreateService stores a new listing made by upd on behalf of the user in ctx, who
// must be allowed to edit its organization's listings (staff may leave
// organization_id out: theirs is taken), and audits it in the same transaction.
// The listing is checked as every listing is (doorstep.ServiceUpdate.Validate). A
// listing created by its keeper counts as checked now. The result carries its id,
// times and version 1.
func (db *DB) CreateService(ctx context.Context, upd *doorstep.ServiceUpdate) (*doorstep.Service, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	s := doorstep.NewService()
	if user.OrganizationID != nil {
		s.OrganizationID = *user.OrganizationID
	}
	upd.Apply(s)
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := checkUpdate(ctx, tx, upd, s, true); err != nil {
			return err
		}
		if upd.OrganizationID == nil && user.OrganizationID == nil {
			return doorstep.FieldErrorf("organization_id", "organization_id is required.")
		}
		if err := checkOrganization(ctx, tx, user, s.OrganizationID); err != nil {
			return err
		}
		now := db.Now()
		s.VerifiedAt, s.Sample = &now, false
		if err := db.insertService(ctx, tx, s); err != nil {
			return err
		}
		stored, err := findService(ctx, tx, s.ID)
		if err != nil {
			return err
		}
		s = stored
		return insertAudit(ctx, tx, auditRecord{
			At: now, User: user, Action: ActionCreate, Entity: EntityService, EntityID: s.ID,
			OrganizationID: &s.OrganizationID, After: s,
		})
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// UpdateService changes the listing id by upd on behalf of the user in ctx: the
// update is applied to the current listing and checked as every listing is
// (doorstep.ServiceUpdate.Validate); the result is stored as the next version and
// audited, all in one transaction. version must be the
// current version (else a *doorstep.ConflictError carrying the current listing). Staff may
// change only their own organization's listings and may not move one to another
// organization (EFORBIDDEN). A change that changes nothing stores nothing and
// returns the current listing.
func (db *DB) UpdateService(ctx context.Context, id, version int64, upd *doorstep.ServiceUpdate) (*doorstep.Service, error) {
	return db.changeService(ctx, id, version, ActionUpdate, func(tx *sql.Tx, s *doorstep.Service) error {
		upd.Apply(s)
		return checkUpdate(ctx, tx, upd, s, false)
	})
}

// checkUpdate checks s, made by upd, against the categories and the street.
func checkUpdate(ctx context.Context, tx *sql.Tx, upd *doorstep.ServiceUpdate, s *doorstep.Service, creating bool) error {
	rules, err := listingRules(ctx, tx)
	if err != nil {
		return err
	}
	return upd.Validate(s, creating, rules)
}

// listingRules reads what checking a listing needs: the categories and the street.
func listingRules(ctx context.Context, tx *sql.Tx) (doorstep.ListingRules, error) {
	categories := map[string]bool{}
	err := queryEach(ctx, tx, `SELECT id FROM categories`, func(r *sql.Rows) error {
		var id string
		err := r.Scan(&id)
		categories[id] = true
		return err
	})
	if err != nil {
		return doorstep.ListingRules{}, err
	}
	rules := doorstep.ListingRules{KnownCategory: func(id string) bool { return categories[id] }}
	street, err := streetRules(ctx, tx)
	if err != nil || street == nil {
		return rules, err
	}
	rules.StreetDistance = func(p orb.Point) float64 { return geo.DistanceToPolygon(p, street.Geometry) }
	rules.Phones = street.PhoneRule()
	return rules, nil
}

// streetRules reads the street's boundary and phone pattern, what checks of
// listings and delivery areas need; nil before a street is loaded.
func streetRules(ctx context.Context, tx *sql.Tx) (*doorstep.Street, error) {
	var (
		geom []byte
		st   doorstep.Street
	)
	err := tx.QueryRowContext(ctx, `SELECT geom, phone_pattern FROM street WHERE id = 1`).Scan(&geom, &st.PhonePattern)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if st.Geometry, err = decodeMultiPolygon(geom); err != nil {
		return nil, fmt.Errorf("street: %w", err)
	}
	return &st, nil
}

// DeleteService closes the listing id for good (status closed) on behalf of the user
// in ctx; the row stays, for the audit log and to be reopened. version 0 skips the
// version check. Closing a closed listing changes nothing.
func (db *DB) DeleteService(ctx context.Context, id, version int64) (*doorstep.Service, error) {
	return db.changeService(ctx, id, version, ActionDelete, func(_ *sql.Tx, s *doorstep.Service) error {
		s.Status, s.ReopensOn = doorstep.StatusClosed, ""
		return nil
	})
}

// MarkVerified records that the user in ctx checked the listing id today: its
// verified_at becomes now. version 0 skips the version check.
func (db *DB) MarkVerified(ctx context.Context, id, version int64) (*doorstep.Service, error) {
	now := db.Now()
	return db.changeService(ctx, id, version, ActionVerify, func(_ *sql.Tx, s *doorstep.Service) error {
		s.VerifiedAt = &now
		return nil
	})
}

// changeService is the one path of every change to an existing listing: read it,
// check the user and the version, apply, check the user again for the listing's
// new organization, store the next version and audit before and after.
func (db *DB) changeService(ctx context.Context, id, version int64, action string, apply func(*sql.Tx, *doorstep.Service) error) (*doorstep.Service, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	var result *doorstep.Service
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		current, err := findService(ctx, tx, id)
		if err != nil {
			return err
		}
		if !user.CanEdit(current.OrganizationID) {
			return doorstep.Errorf(doorstep.EFORBIDDEN, "You may change only your own organization's listings.")
		}
		if version != 0 && version != current.Version {
			return &doorstep.ConflictError{
				Err: doorstep.Errorf(doorstep.ECONFLICT,
					"This listing was changed by someone else: it is now at version %d, not %d.", current.Version, version),
				Current: current, Version: current.Version,
			}
		}
		next := cloneService(current)
		if err := apply(tx, next); err != nil {
			return err
		}
		// What the store keeps track of is not the caller's to change.
		next.ID, next.Sample, next.CreatedAt, next.UpdatedAt, next.Version =
			current.ID, current.Sample, current.CreatedAt, current.UpdatedAt, current.Version
		if next.OrganizationID != current.OrganizationID {
			if err := checkOrganization(ctx, tx, user, next.OrganizationID); err != nil {
				return err
			}
		}
		if storedAlike(current, next) {
			result = current
			return nil
		}
		now := db.Now()
		if err := updateService(ctx, tx, next, now); err != nil {
			return err
		}
		if result, err = findService(ctx, tx, id); err != nil {
			return err
		}
		return insertAudit(ctx, tx, auditRecord{
			At: now, User: user, Action: action, Entity: EntityService, EntityID: id,
			OrganizationID: &result.OrganizationID, Before: current, After: result,
		})
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// editor returns the signed-in user in ctx, who must be enabled.
func editor(ctx context.Context) (*doorstep.User, error) {
	user := doorstep.UserFromContext(ctx)
	if user == nil || user.Disabled {
		return nil, doorstep.Errorf(doorstep.EUNAUTHORIZED, "Please sign in first.")
	}
	return user, nil
}

// checkOrganization checks that the organization exists and that user may keep its
// listings.
func checkOrganization(ctx context.Context, tx *sql.Tx, user *doorstep.User, id int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return doorstep.FieldErrorf("organization_id", "Unknown organization %d.", id)
	}
	if !user.CanEdit(id) {
		return &doorstep.Error{Code: doorstep.EFORBIDDEN, Field: "organization_id",
			Message: "You may keep only your own organization's listings."}
	}
	return nil
}

// updateService stores s as the version after s.Version, if that is still the
// current one.
func updateService(ctx context.Context, tx *sql.Tx, s *doorstep.Service, now time.Time) error {
	hours, offers, verified, err := encodeListing(s)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE services SET category = ?, organization_id = ?, name = ?, name_en = ?,
		address = ?, lon = ?, lat = ?, phone = ?, hours = ?, offers = ?, capacity = ?, status = ?, note = ?,
		reopens_on = ?, verified_at = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		s.Category, s.OrganizationID, s.Name, s.NameEn, s.Address, s.Lon, s.Lat, s.Phone, hours, offers,
		s.Capacity, s.Status, s.Note, s.ReopensOn, verified, formatTime(now), s.ID, s.Version)
	if err != nil {
		return err
	}
	return versionStored(res, "service", s.ID, s.Version)
}

// versionStored checks that an UPDATE … WHERE id = ? AND version = ? changed its
// row: the version read in the same transaction is still the current one.
func versionStored(res sql.Result, entity string, id, version int64) error {
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return fmt.Errorf("store: %s %d version %d changed during its transaction", entity, id, version)
	}
	return nil
}

// cloneService returns a deep copy of s, so a change never reaches the original.
func cloneService(s *doorstep.Service) *doorstep.Service {
	c := *s
	c.Hours = make(doorstep.Schedule, len(s.Hours))
	for i, span := range s.Hours {
		c.Hours[i] = doorstep.OpeningSpan{Days: slices.Clone(span.Days), Opens: span.Opens, Closes: span.Closes}
	}
	c.Offers = slices.Clone(s.Offers)
	if s.Capacity != nil {
		v := *s.Capacity
		c.Capacity = &v
	}
	if s.VerifiedAt != nil {
		v := *s.VerifiedAt
		c.VerifiedAt = &v
	}
	return &c
}
