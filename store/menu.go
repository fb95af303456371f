package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"doorstep"
)

// Entities of meals in the audit log; entity_id is the meal point's listing id.
const (
	EntityMenu         = "menu"
	EntityMenuTemplate = "menu_template"
	EntityDelivery     = "delivery_area"
	EntitySubsidy      = "subsidy_rules"
)

// ActionCopy is the audit action of days filled from a menu template.
const ActionCopy = "copy"

// mealPoint returns the listing id, which must be a meal point: only meal points
// keep menus and deliver (ENOTFOUND otherwise).
func mealPoint(ctx context.Context, tx *sql.Tx, id int64) (*doorstep.Service, error) {
	svc, err := findService(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if svc.Category != "meal_point" {
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "Service %d is not a meal point: it keeps no menu and delivers no meals.", id)
	}
	return svc, nil
}

// keptMealPoint is mealPoint for a change by user, who must keep the listing's
// organization (EFORBIDDEN).
func keptMealPoint(ctx context.Context, tx *sql.Tx, user *doorstep.User, id int64) (*doorstep.Service, error) {
	svc, err := mealPoint(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !user.CanEdit(svc.OrganizationID) {
		return nil, doorstep.Errorf(doorstep.EFORBIDDEN, "You may change only your own organization's meal points.")
	}
	return svc, nil
}

// staleVersion is the conflict of a change made to version when current is at
// have; the current state travels with it.
func staleVersion(what string, have, version int64, current any) error {
	if version == have {
		return nil
	}
	msg := fmt.Sprintf("This %s was changed by someone else: it is now at version %d, not %d.", what, have, version)
	if have == 0 {
		msg = fmt.Sprintf("This %s was removed by someone else: send If-Match 0 to start it again.", what)
	}
	return &doorstep.ConflictError{Err: doorstep.Errorf(doorstep.ECONFLICT, "%s", msg), Current: current, Version: have}
}

// Menus returns the meal point's menu on each of dates (at most
// doorstep.MaxMenuDays), in that order; a date without one has an empty menu at
// version 0.
func (db *DB) Menus(ctx context.Context, serviceID int64, dates []string) ([]*doorstep.Menu, error) {
	if len(dates) > doorstep.MaxMenuDays {
		return nil, doorstep.FieldErrorf("date", "At most %d days at once.", doorstep.MaxMenuDays)
	}
	var list []*doorstep.Menu
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if _, err := mealPoint(ctx, tx, serviceID); err != nil {
			return err
		}
		var err error
		list, err = findMenus(ctx, tx, serviceID, dates)
		return err
	})
	return list, err
}

// MenusOnDate returns every menu kept for date, by listing id.
func (db *DB) MenusOnDate(ctx context.Context, date string) (map[int64]*doorstep.Menu, error) {
	out := map[int64]*doorstep.Menu{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return queryEach(ctx, tx, `SELECT service_id, date, day, sample, updated_at, version FROM menus WHERE date = ?`,
			func(rows *sql.Rows) error {
				m, err := scanMenu(rows)
				if err == nil {
					out[m.ServiceID] = m
				}
				return err
			}, date)
	})
	return out, err
}

func findMenus(ctx context.Context, tx *sql.Tx, serviceID int64, dates []string) ([]*doorstep.Menu, error) {
	list := make([]*doorstep.Menu, len(dates))
	for i, date := range dates {
		m, err := findMenu(ctx, tx, serviceID, date)
		if err != nil {
			return nil, err
		}
		list[i] = m
	}
	return list, nil
}

// findMenu returns the menu of one date, empty at version 0 when none is kept.
func findMenu(ctx context.Context, tx *sql.Tx, serviceID int64, date string) (*doorstep.Menu, error) {
	rows, err := tx.QueryContext(ctx, `SELECT service_id, date, day, sample, updated_at, version FROM menus
		WHERE service_id = ? AND date = ?`, serviceID, date)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		m := &doorstep.Menu{ServiceID: serviceID, Date: date}
		m.Normalize()
		return m, rows.Err()
	}
	return scanMenu(rows)
}

func scanMenu(rows *sql.Rows) (*doorstep.Menu, error) {
	var (
		m       doorstep.Menu
		day     string
		updated string
	)
	if err := rows.Scan(&m.ServiceID, &m.Date, &day, &m.Sample, &updated, &m.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(day), &m.MenuDay); err != nil {
		return nil, fmt.Errorf("menu %d %s: %w", m.ServiceID, m.Date, err)
	}
	m.Normalize()
	t, err := parseTime(updated)
	if err != nil {
		return nil, fmt.Errorf("menu %d %s updated_at: %w", m.ServiceID, m.Date, err)
	}
	m.UpdatedAt = &t
	return &m, nil
}

// PutMenu replaces the meal point's menu on date with day, on behalf of the user
// in ctx, who must keep the meal point's organization. version is the menu's
// current version, 0 when the day has none yet (else a *doorstep.ConflictError
// with the current menu). The day is checked (doorstep.MenuDay.Validate); an empty
// day removes the menu. The change is audited in its transaction. A change that
// changes nothing stores nothing.
func (db *DB) PutMenu(ctx context.Context, serviceID int64, date string, version int64, day doorstep.MenuDay) (*doorstep.Menu, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	if err := day.Validate(""); err != nil {
		return nil, err
	}
	var result *doorstep.Menu
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		svc, err := keptMealPoint(ctx, tx, user, serviceID)
		if err != nil {
			return err
		}
		current, err := findMenu(ctx, tx, serviceID, date)
		if err != nil {
			return err
		}
		if err := staleVersion("menu", current.Version, version, current); err != nil {
			return err
		}
		result, err = db.writeMenu(ctx, tx, user, svc, current, day, ActionUpdate)
		return err
	})
	return result, err
}

// writeMenu stores day as the menu after current and audits it; an empty day
// deletes the menu. Sample menus become the keeper's own once changed.
func (db *DB) writeMenu(ctx context.Context, tx *sql.Tx, user *doorstep.User, svc *doorstep.Service, current *doorstep.Menu, day doorstep.MenuDay, action string) (*doorstep.Menu, error) {
	day.Normalize()
	if same, err := sameJSON(current.MenuDay, day); err != nil || same {
		return current, err
	}
	now := db.Now()
	next := &doorstep.Menu{ServiceID: current.ServiceID, Date: current.Date, MenuDay: day, UpdatedAt: &now, Version: current.Version + 1}
	if day.Empty() && day.Note == "" {
		if _, err := tx.ExecContext(ctx, `DELETE FROM menus WHERE service_id = ? AND date = ?`, current.ServiceID, current.Date); err != nil {
			return nil, err
		}
		next.Version, next.UpdatedAt, action = 0, nil, ActionDelete
	} else {
		data, err := json.Marshal(day)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO menus (service_id, date, day, sample, updated_at, version)
			VALUES (?, ?, ?, 0, ?, ?)
			ON CONFLICT (service_id, date) DO UPDATE SET day = excluded.day, sample = 0,
				updated_at = excluded.updated_at, version = excluded.version`,
			next.ServiceID, next.Date, string(data), formatTime(now), next.Version); err != nil {
			return nil, err
		}
	}
	var before any
	if current.Version != 0 {
		before = current
	}
	return next, insertAudit(ctx, tx, auditRecord{
		At: now, User: user, Action: action, Entity: EntityMenu, EntityID: svc.ID,
		OrganizationID: &svc.OrganizationID, Before: before, After: next,
	})
}

// sameJSON reports whether a and b encode alike.
func sameJSON(a, b any) (bool, error) {
	ja, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	jb, err := json.Marshal(b)
	return err == nil && string(ja) == string(jb), err
}

// MenuTemplate returns the meal point's weekly template, empty at version 0 when
// it has none.
func (db *DB) MenuTemplate(ctx context.Context, serviceID int64) (*doorstep.MenuTemplate, error) {
	var t *doorstep.MenuTemplate
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if _, err := mealPoint(ctx, tx, serviceID); err != nil {
			return err
		}
		var err error
		t, err = findMenuTemplate(ctx, tx, serviceID)
		return err
	})
	return t, err
}

func findMenuTemplate(ctx context.Context, tx *sql.Tx, serviceID int64) (*doorstep.MenuTemplate, error) {
	t := &doorstep.MenuTemplate{ServiceID: serviceID, Days: map[string]doorstep.MenuDay{}}
	var days, updated string
	err := tx.QueryRowContext(ctx, `SELECT days, sample, updated_at, version FROM menu_templates WHERE service_id = ?`,
		serviceID).Scan(&days, &t.Sample, &updated, &t.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil
	} else if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(days), &t.Days); err != nil {
		return nil, fmt.Errorf("menu template %d: %w", serviceID, err)
	}
	for k, d := range t.Days {
		d.Normalize()
		t.Days[k] = d
	}
	at, err := parseTime(updated)
	if err != nil {
		return nil, fmt.Errorf("menu template %d updated_at: %w", serviceID, err)
	}
	t.UpdatedAt = &at
	return t, nil
}

// PutMenuTemplate replaces the meal point's weekly template, as PutMenu replaces
// a day: the keeper's organization only, version 0 for a first template, checked
// (doorstep.ValidateTemplateDays) and audited in the same transaction.
func (db *DB) PutMenuTemplate(ctx context.Context, serviceID, version int64, days map[string]doorstep.MenuDay) (*doorstep.MenuTemplate, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	if err := doorstep.ValidateTemplateDays(days); err != nil {
		return nil, err
	}
	for k, d := range days {
		if d.Empty() && d.Note == "" {
			delete(days, k)
			continue
		}
		d.Normalize()
		days[k] = d
	}
	var result *doorstep.MenuTemplate
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		svc, err := keptMealPoint(ctx, tx, user, serviceID)
		if err != nil {
			return err
		}
		current, err := findMenuTemplate(ctx, tx, serviceID)
		if err != nil {
			return err
		}
		if err := staleVersion("menu template", current.Version, version, current); err != nil {
			return err
		}
		if same, err := sameJSON(current.Days, days); err != nil || same {
			result = current
			return err
		}
		now := db.Now()
		result = &doorstep.MenuTemplate{ServiceID: serviceID, Days: days, UpdatedAt: &now, Version: current.Version + 1}
		data, err := json.Marshal(days)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO menu_templates (service_id, days, sample, updated_at, version)
			VALUES (?, ?, 0, ?, ?)
			ON CONFLICT (service_id) DO UPDATE SET days = excluded.days, sample = 0,
				updated_at = excluded.updated_at, version = excluded.version`,
			serviceID, string(data), formatTime(now), result.Version); err != nil {
			return err
		}
		var before any
		if current.Version != 0 {
			before = current
		}
		return insertAudit(ctx, tx, auditRecord{
			At: now, User: user, Action: ActionUpdate, Entity: EntityMenuTemplate, EntityID: serviceID,
			OrganizationID: &svc.OrganizationID, Before: before, After: result,
		})
	})
	return result, err
}

// CopyMenuTemplate fills each of dates (at most doorstep.MaxMenuDays) with the
// template's day of its weekday, nothing sold out, on behalf of the user in ctx,
// who must keep the meal point. Days that already have a menu keep it unless
// replace; a weekday the template leaves out is skipped. Each day filled is
// audited, all in one transaction. It returns the menus of every date, in order.
func (db *DB) CopyMenuTemplate(ctx context.Context, serviceID int64, dates []string, replace bool) ([]*doorstep.Menu, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	if len(dates) > doorstep.MaxMenuDays {
		return nil, doorstep.FieldErrorf("to", "At most %d days at once.", doorstep.MaxMenuDays)
	}
	var list []*doorstep.Menu
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		svc, err := keptMealPoint(ctx, tx, user, serviceID)
		if err != nil {
			return err
		}
		tmpl, err := findMenuTemplate(ctx, tx, serviceID)
		if err != nil {
			return err
		}
		if tmpl.Version == 0 {
			return doorstep.Errorf(doorstep.EUNPROCESSABLE, "This meal point has no weekly template yet: keep one first.")
		}
		for _, date := range dates {
			current, err := findMenu(ctx, tx, serviceID, date)
			if err != nil {
				return err
			}
			weekday, err := doorstep.WeekdayOf(date)
			if err != nil {
				return doorstep.FieldErrorf("from", "%q is not a date.", date)
			}
			day, ok := tmpl.Days[weekday]
			if !ok || (current.Version != 0 && !replace) {
				list = append(list, current)
				continue
			}
			m, err := db.writeMenu(ctx, tx, user, svc, current, day.ForNewDay(), ActionCopy)
			if err != nil {
				return err
			}
			list = append(list, m)
		}
		return nil
	})
	return list, err
}

// sampleMenu is a menu the sample street comes with, written without an editor.
func insertSampleMenu(ctx context.Context, tx *sql.Tx, serviceID int64, date string, day doorstep.MenuDay, now time.Time) error {
	data, err := json.Marshal(day)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO menus (service_id, date, day, sample, updated_at, version) VALUES (?, ?, ?, 1, ?, 1)`,
		serviceID, date, string(data), formatTime(now))
	return err
}

// AllMenus returns every menu kept, by listing id then date: for exports.
func (db *DB) AllMenus(ctx context.Context) ([]*doorstep.Menu, error) {
	var list []*doorstep.Menu
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return queryEach(ctx, tx, `SELECT service_id, date, day, sample, updated_at, version FROM menus ORDER BY service_id, date`,
			func(rows *sql.Rows) error {
				m, err := scanMenu(rows)
				list = append(list, m)
				return err
			})
	})
	return list, err
}

// AllMenuTemplates returns every weekly template, by listing id: for exports.
func (db *DB) AllMenuTemplates(ctx context.Context) ([]*doorstep.MenuTemplate, error) {
	var list []*doorstep.MenuTemplate
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var ids []int64
		err := queryEach(ctx, tx, `SELECT service_id FROM menu_templates ORDER BY service_id`, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		})
		for _, id := range ids {
			if err != nil {
				break
			}
			var t *doorstep.MenuTemplate
			t, err = findMenuTemplate(ctx, tx, id)
			list = append(list, t)
		}
		return err
	})
	return list, err
}
