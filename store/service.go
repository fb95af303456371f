package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"doorstep"
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
	args = append(args, limit, filter.Offset)
	rows, err := tx.QueryContext(ctx, `SELECT `+serviceColumns+`, COUNT(*) OVER ()
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
	hours, err := json.Marshal(nonNilSchedule(s.Hours))
	if err != nil {
		return err
	}
	offers, err := json.Marshal(nonNilStrings(s.Offers))
	if err != nil {
		return err
	}
	now := db.Now()
	s.CreatedAt, s.UpdatedAt, s.Version = now, now, 1
	if s.Status == "" {
		s.Status = doorstep.StatusOpen
	}
	var verified any
	if s.VerifiedAt != nil {
		verified = formatTime(*s.VerifiedAt)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO services (category, organization_id, name, name_en, address, lon, lat,
		phone, hours, offers, capacity, status, note, reopens_on, sample, verified_at, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.Category, s.OrganizationID, s.Name, s.NameEn, s.Address, s.Lon, s.Lat, s.Phone, string(hours), string(offers),
		s.Capacity, s.Status, s.Note, s.ReopensOn, s.Sample, verified, formatTime(now), formatTime(now), s.Version)
	if err != nil {
		return err
	}
	s.ID, err = res.LastInsertId()
	return err
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
