package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"doorstep"
	"doorstep/calendar"
)

// EntityActivity is the audit entity of activities at places.
const EntityActivity = "activity"

const activityColumns = `id, service_id, title, title_en, description, starts, ends, rrule, exdates, cancelled_dates,
	capacity, sign_up, cancelled, sample, created_at, updated_at, version`

// ActivityFilter selects activities. Zero fields do not filter.
type ActivityFilter struct {
	ServiceID int64
}

// Activities returns the activities matching the filter by place, then first
// start, then id.
func (db *DB) Activities(ctx context.Context, filter ActivityFilter) ([]*doorstep.Activity, error) {
	var list []*doorstep.Activity
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		list, err = findActivities(ctx, tx, filter.ServiceID, 0)
		return err
	})
	return list, err
}

// Activity returns the activity with this id, or ENOTFOUND.
func (db *DB) Activity(ctx context.Context, id int64) (*doorstep.Activity, error) {
	var a *doorstep.Activity
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = findActivity(ctx, tx, id)
		return err
	})
	return a, err
}

func findActivity(ctx context.Context, tx *sql.Tx, id int64) (*doorstep.Activity, error) {
	list, err := findActivities(ctx, tx, 0, id)
	if err != nil {
		return nil, err
	} else if len(list) == 0 {
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "Activity %d not found.", id)
	}
	return list[0], nil
}

func findActivities(ctx context.Context, tx *sql.Tx, serviceID, id int64) ([]*doorstep.Activity, error) {
	where, args := "1 = 1", []any{}
	if serviceID != 0 {
		where, args = where+" AND service_id = ?", append(args, serviceID)
	}
	if id != 0 {
		where, args = where+" AND id = ?", append(args, id)
	}
	list := []*doorstep.Activity{}
	err := queryEach(ctx, tx, `SELECT `+activityColumns+` FROM activities WHERE `+where+` ORDER BY service_id, starts, id`,
		func(rows *sql.Rows) error {
			a, err := scanActivity(rows)
			if err == nil {
				list = append(list, a)
			}
			return err
		}, args...)
	return list, err
}

func scanActivity(rows *sql.Rows) (*doorstep.Activity, error) {
	var (
		a                  doorstep.Activity
		exdates, cancelled string
		capacity           sql.NullInt64
		created, updated   string
	)
	if err := rows.Scan(&a.ID, &a.ServiceID, &a.Title, &a.TitleEn, &a.Description, &a.Start, &a.End, &a.RRule,
		&exdates, &cancelled, &capacity, &a.SignUp, &a.Cancelled, &a.Sample, &created, &updated, &a.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(exdates), &a.ExDates); err != nil {
		return nil, fmt.Errorf("activity %d exdates: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(cancelled), &a.CancelledDates); err != nil {
		return nil, fmt.Errorf("activity %d cancelled_dates: %w", a.ID, err)
	}
	a.ExDates, a.CancelledDates = nonNilStrings(a.ExDates), nonNilStrings(a.CancelledDates)
	if capacity.Valid {
		c := int(capacity.Int64)
		a.Capacity = &c
	}
	var err error
	if a.CreatedAt, err = parseTime(created); err != nil {
		return nil, fmt.Errorf("activity %d created_at: %w", a.ID, err)
	}
	if a.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, fmt.Errorf("activity %d updated_at: %w", a.ID, err)
	}
	return &a, nil
}

// activityPlace reads the place an activity is held at and checks that user may
// keep its activities.
func activityPlace(ctx context.Context, tx *sql.Tx, user *doorstep.User, serviceID int64) (*doorstep.Service, error) {
	place, err := findService(ctx, tx, serviceID)
	if err != nil {
		return nil, err
	}
	if !user.CanEdit(place.OrganizationID) {
		return nil, doorstep.Errorf(doorstep.EFORBIDDEN, "You may keep only your own organization's activities.")
	}
	return place, nil
}

// checkActivity checks a, made by upd, in the street's zone.
func checkActivity(ctx context.Context, tx *sql.Tx, upd *doorstep.ActivityUpdate, a *doorstep.Activity, creating bool) error {
	loc, err := streetLocation(ctx, tx)
	if err != nil {
		return err
	}
	return upd.Validate(a, creating, loc, calendar.CheckRule)
}

// CreateActivity stores a new activity at the place serviceID, made by upd on
// behalf of the user in ctx, who must be allowed to keep the place's listing, and
// audits it in the same transaction. A place holds at most
// doorstep.MaxActivitiesPerPlace activities (EUNPROCESSABLE beyond).
func (db *DB) CreateActivity(ctx context.Context, serviceID int64, upd *doorstep.ActivityUpdate) (*doorstep.Activity, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	a := &doorstep.Activity{ServiceID: serviceID, ExDates: []string{}, CancelledDates: []string{}}
	upd.Apply(a)
	a.Sample = false
	var result *doorstep.Activity
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		place, err := activityPlace(ctx, tx, user, serviceID)
		if err != nil {
			return err
		}
		if err := checkActivity(ctx, tx, upd, a, true); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM activities WHERE service_id = ?`, serviceID).Scan(&n); err != nil {
			return err
		}
		if n >= doorstep.MaxActivitiesPerPlace {
			return &doorstep.Error{Code: doorstep.EUNPROCESSABLE, Field: "service_id",
				Message: fmt.Sprintf("A place keeps at most %d activities; delete old ones first.", doorstep.MaxActivitiesPerPlace)}
		}
		now := db.Now()
		if err := insertActivity(ctx, tx, a, now); err != nil {
			return err
		}
		if result, err = findActivity(ctx, tx, a.ID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, auditRecord{At: now, User: user, Action: ActionCreate, Entity: EntityActivity,
			EntityID: a.ID, OrganizationID: &place.OrganizationID, After: result})
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// insertActivity stores a new activity as it is and sets its id, times and
// version 1.
func insertActivity(ctx context.Context, tx *sql.Tx, a *doorstep.Activity, now time.Time) error {
	exdates, cancelled, err := encodeActivityDates(a)
	if err != nil {
		return err
	}
	a.CreatedAt, a.UpdatedAt, a.Version = now, now, 1
	res, err := tx.ExecContext(ctx, `INSERT INTO activities (service_id, title, title_en, description, starts, ends,
		rrule, exdates, cancelled_dates, capacity, sign_up, cancelled, sample, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		a.ServiceID, a.Title, a.TitleEn, a.Description, a.Start, a.End, a.RRule, exdates, cancelled, a.Capacity,
		a.SignUp, a.Cancelled, a.Sample, formatTime(now), formatTime(now))
	if err != nil {
		return err
	}
	a.ID, err = res.LastInsertId()
	return err
}

func encodeActivityDates(a *doorstep.Activity) (exdates, cancelled string, err error) {
	e, err := json.Marshal(nonNilStrings(a.ExDates))
	if err != nil {
		return "", "", err
	}
	c, err := json.Marshal(nonNilStrings(a.CancelledDates))
	return string(e), string(c), err
}

// UpdateActivity changes the activity id by upd on behalf of the user in ctx:
// applied to the current activity, checked, stored as the next version and
// audited in one transaction. version must be the current version (else a
// *doorstep.ConflictError carrying the current activity). A change that changes
// nothing stores nothing and returns the current activity.
func (db *DB) UpdateActivity(ctx context.Context, id, version int64, upd *doorstep.ActivityUpdate) (*doorstep.Activity, error) {
	return db.changeActivity(ctx, id, version, ActionUpdate, func(tx *sql.Tx, a *doorstep.Activity) error {
		upd.Apply(a)
		return checkActivity(ctx, tx, upd, a, false)
	})
}

// DeleteActivity removes the activity id for good on behalf of the user in ctx;
// the audit log keeps it as it was. version 0 skips the version check. The
// result is the activity as it was.
func (db *DB) DeleteActivity(ctx context.Context, id, version int64) (*doorstep.Activity, error) {
	return db.changeActivity(ctx, id, version, ActionDelete, nil)
}

// changeActivity is the one path of every change to an existing activity: read
// it and its place, check the user and the version, apply (nil: delete), store
// and audit before and after.
func (db *DB) changeActivity(ctx context.Context, id, version int64, action string, apply func(*sql.Tx, *doorstep.Activity) error) (*doorstep.Activity, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	var result *doorstep.Activity
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		current, err := findActivity(ctx, tx, id)
		if err != nil {
			return err
		}
		place, err := activityPlace(ctx, tx, user, current.ServiceID)
		if err != nil {
			return err
		}
		if version != 0 {
			if err := staleVersion("activity", current.Version, version, current); err != nil {
				return err
			}
		}
		now := db.Now()
		if apply == nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM activities WHERE id = ?`, id); err != nil {
				return err
			}
			result = current
			return insertAudit(ctx, tx, auditRecord{At: now, User: user, Action: action, Entity: EntityActivity,
				EntityID: id, OrganizationID: &place.OrganizationID, Before: current})
		}
		next := cloneActivity(current)
		if err := apply(tx, next); err != nil {
			return err
		}
		// What the store keeps track of is not the caller's to change.
		next.ID, next.ServiceID, next.Sample, next.CreatedAt, next.UpdatedAt, next.Version =
			current.ID, current.ServiceID, current.Sample, current.CreatedAt, current.UpdatedAt, current.Version
		if storedAlike(current, next) {
			result = current
			return nil
		}
		if err := updateActivity(ctx, tx, next, now); err != nil {
			return err
		}
		if result, err = findActivity(ctx, tx, id); err != nil {
			return err
		}
		return insertAudit(ctx, tx, auditRecord{At: now, User: user, Action: action, Entity: EntityActivity,
			EntityID: id, OrganizationID: &place.OrganizationID, Before: current, After: result})
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

func updateActivity(ctx context.Context, tx *sql.Tx, a *doorstep.Activity, now time.Time) error {
	exdates, cancelled, err := encodeActivityDates(a)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE activities SET title = ?, title_en = ?, description = ?, starts = ?, ends = ?,
		rrule = ?, exdates = ?, cancelled_dates = ?, capacity = ?, sign_up = ?, cancelled = ?, updated_at = ?,
		version = version + 1 WHERE id = ? AND version = ?`,
		a.Title, a.TitleEn, a.Description, a.Start, a.End, a.RRule, exdates, cancelled, a.Capacity, a.SignUp,
		a.Cancelled, formatTime(now), a.ID, a.Version)
	if err != nil {
		return err
	}
	return versionStored(res, "activity", a.ID, a.Version)
}

func cloneActivity(a *doorstep.Activity) *doorstep.Activity {
	c := *a
	c.ExDates, c.CancelledDates = slices.Clone(a.ExDates), slices.Clone(a.CancelledDates)
	if a.Capacity != nil {
		v := *a.Capacity
		c.Capacity = &v
	}
	return &c
}

// storedAlike reports whether a and b would be stored alike; a value that does
// not encode is never alike.
func storedAlike(a, b any) bool {
	same, err := sameJSON(a, b)
	return err == nil && same
}
