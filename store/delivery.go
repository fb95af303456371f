package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"doorstep"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

const deliveryColumns = `service_id, kind, geom, minutes, area_names, booking, phone, sample, updated_at, version`

// DeliveryArea returns where the meal point id delivers; version 0 when it does
// not. ENOTFOUND for a listing that is not a meal point.
func (db *DB) DeliveryArea(ctx context.Context, id int64) (*doorstep.DeliveryArea, error) {
	var d *doorstep.DeliveryArea
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if _, err := mealPoint(ctx, tx, id); err != nil {
			return err
		}
		var err error
		d, err = findDelivery(ctx, tx, id)
		return err
	})
	return d, err
}

// DeliveryAreas returns every meal point's delivery area, by listing id: what the
// finder resolves a doorstep answer's "可送餐上门" from.
func (db *DB) DeliveryAreas(ctx context.Context) ([]*doorstep.DeliveryArea, error) {
	var list []*doorstep.DeliveryArea
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return queryEach(ctx, tx, `SELECT `+deliveryColumns+` FROM delivery_areas ORDER BY service_id`, func(rows *sql.Rows) error {
			d, err := scanDelivery(rows)
			list = append(list, d)
			return err
		})
	})
	return list, err
}

func findDelivery(ctx context.Context, tx *sql.Tx, id int64) (*doorstep.DeliveryArea, error) {
	d := &doorstep.DeliveryArea{ServiceID: id, AreaNames: []string{}}
	err := queryEach(ctx, tx, `SELECT `+deliveryColumns+` FROM delivery_areas WHERE service_id = ?`, func(rows *sql.Rows) error {
		var err error
		d, err = scanDelivery(rows)
		return err
	}, id)
	return d, err
}

func scanDelivery(rows *sql.Rows) (*doorstep.DeliveryArea, error) {
	var (
		d                doorstep.DeliveryArea
		geom             []byte
		minutes          sql.NullFloat64
		names, updatedAt string
	)
	if err := rows.Scan(&d.ServiceID, &d.Kind, &geom, &minutes, &names, &d.Booking, &d.Phone, &d.Sample, &updatedAt, &d.Version); err != nil {
		return nil, err
	}
	if len(geom) > 0 {
		g, err := wkb.Unmarshal(geom)
		if err != nil {
			return nil, fmt.Errorf("delivery area %d: %w", d.ServiceID, err)
		}
		if p, ok := g.(orb.Polygon); ok {
			d.Polygon = p
		}
	}
	d.Minutes = minutes.Float64
	if err := json.Unmarshal([]byte(names), &d.AreaNames); err != nil {
		return nil, fmt.Errorf("delivery area %d area_names: %w", d.ServiceID, err)
	}
	if d.AreaNames == nil {
		d.AreaNames = []string{}
	}
	t, err := parseTime(updatedAt)
	if err != nil {
		return nil, fmt.Errorf("delivery area %d updated_at: %w", d.ServiceID, err)
	}
	d.UpdatedAt = &t
	return &d, nil
}

// PutDeliveryArea sets where the meal point id delivers, on behalf of the user in
// ctx, who must keep the meal point's organization. version is the area's current
// version, 0 when it does not deliver yet (else a *doorstep.ConflictError with the
// current area). The area is checked (doorstep.DeliveryArea.Validate) against the
// street and its residential areas, and audited, in one transaction.
func (db *DB) PutDeliveryArea(ctx context.Context, id, version int64, d *doorstep.DeliveryArea) (*doorstep.DeliveryArea, error) {
	return db.changeDelivery(ctx, id, version, func(tx *sql.Tx) (*doorstep.DeliveryArea, error) {
		rules, err := deliveryRules(ctx, tx)
		if err != nil {
			return nil, err
		}
		next := *d
		if next.AreaNames == nil {
			next.AreaNames = []string{}
		}
		return &next, next.Validate(rules)
	})
}

// DeleteDeliveryArea stops the meal point delivering: as PutDeliveryArea, with
// nothing in place of the area.
func (db *DB) DeleteDeliveryArea(ctx context.Context, id, version int64) (*doorstep.DeliveryArea, error) {
	return db.changeDelivery(ctx, id, version, func(*sql.Tx) (*doorstep.DeliveryArea, error) { return nil, nil })
}

// changeDelivery is the one path of a change to a delivery area: check the user
// and the version, make the next area (nil: none), store it and audit.
func (db *DB) changeDelivery(ctx context.Context, id, version int64, make func(*sql.Tx) (*doorstep.DeliveryArea, error)) (*doorstep.DeliveryArea, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	var result *doorstep.DeliveryArea
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		svc, err := keptMealPoint(ctx, tx, user, id)
		if err != nil {
			return err
		}
		current, err := findDelivery(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := staleVersion("delivery area", current.Version, version, current); err != nil {
			return err
		}
		next, err := make(tx)
		if err != nil {
			return err
		}
		now := db.Now()
		action := ActionUpdate
		if next == nil {
			if current.Version == 0 {
				result = current
				return nil
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM delivery_areas WHERE service_id = ?`, id); err != nil {
				return err
			}
			result, action = &doorstep.DeliveryArea{ServiceID: id, AreaNames: []string{}}, ActionDelete
		} else {
			next.ServiceID, next.Sample, next.UpdatedAt, next.Version = id, false, current.UpdatedAt, current.Version
			if same, err := sameDelivery(current, next); err != nil || same {
				result = current
				return err
			}
			next.UpdatedAt, next.Version = &now, current.Version+1
			if err := writeDelivery(ctx, tx, next, false); err != nil {
				return err
			}
			result = next
		}
		var before any
		if current.Version != 0 {
			before = current
		}
		return insertAudit(ctx, tx, auditRecord{At: now, User: user, Action: action, Entity: EntityDelivery, EntityID: id,
			OrganizationID: &svc.OrganizationID, Before: before, After: result})
	})
	return result, err
}

// sameDelivery reports whether a and b would be stored alike.
func sameDelivery(a, b *doorstep.DeliveryArea) (bool, error) {
	same, err := sameJSON(a, b)
	return same && orb.Equal(a.Polygon, b.Polygon), err
}

// writeDelivery inserts or replaces the row of d.
func writeDelivery(ctx context.Context, tx *sql.Tx, d *doorstep.DeliveryArea, sample bool) error {
	var geom []byte
	if len(d.Polygon) > 0 {
		var err error
		if geom, err = wkb.Marshal(d.Polygon); err != nil {
			return err
		}
	}
	var minutes any
	if d.Kind == doorstep.DeliveryWalk {
		minutes = d.Minutes
	}
	names, err := json.Marshal(d.AreaNames)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO delivery_areas (`+deliveryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (service_id) DO UPDATE SET kind = excluded.kind, geom = excluded.geom, minutes = excluded.minutes,
			area_names = excluded.area_names, booking = excluded.booking, phone = excluded.phone, sample = excluded.sample,
			updated_at = excluded.updated_at, version = excluded.version`,
		d.ServiceID, d.Kind, geom, minutes, string(names), d.Booking, d.Phone, sample, formatTime(*d.UpdatedAt), d.Version)
	return err
}

// deliveryRules reads what checking a delivery area needs: the street and the
// names of its residential areas.
func deliveryRules(ctx context.Context, tx *sql.Tx) (doorstep.DeliveryRules, error) {
	names := map[string]bool{}
	err := queryEach(ctx, tx, `SELECT name FROM areas`, func(r *sql.Rows) error {
		var n string
		err := r.Scan(&n)
		names[n] = true
		return err
	})
	if err != nil {
		return doorstep.DeliveryRules{}, err
	}
	st, err := streetRules(ctx, tx)
	if err != nil || st == nil {
		return doorstep.DeliveryRules{KnownArea: func(n string) bool { return names[n] }}, err
	}
	return doorstep.DeliveryRules{KnownArea: func(n string) bool { return names[n] }, Street: st, Phones: st.PhoneRule()}, nil
}
