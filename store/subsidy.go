package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"doorstep"
)

const subsidyColumns = `version, effective_from, effective_to, bands, note, sample, created_at`

// SubsidyRules returns the street's meal subsidy rules in effect on date
// (YYYY-MM-DD) — the newest version whose dates hold it, nil when none does — and
// the newest version of all (0 before any), which a change must name.
func (db *DB) SubsidyRules(ctx context.Context, date string) (inEffect *doorstep.SubsidyRules, latest int64, err error) {
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM subsidy_rules`).Scan(&latest); err != nil {
			return err
		}
		list, err := findSubsidyRules(ctx, tx, `WHERE effective_from <= ? AND (effective_to = '' OR effective_to >= ?)
			ORDER BY version DESC LIMIT 1`, date, date)
		if len(list) > 0 {
			inEffect = list[0]
		}
		return err
	})
	return inEffect, latest, err
}

// SubsidyVersions returns the latest doorstep.MaxSubsidyVersionsIn versions of the
// rules, newest first.
func (db *DB) SubsidyVersions(ctx context.Context) ([]*doorstep.SubsidyRules, error) {
	var list []*doorstep.SubsidyRules
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		list, err = findSubsidyRules(ctx, tx, `ORDER BY version DESC LIMIT ?`, doorstep.MaxSubsidyVersionsIn)
		return err
	})
	if list == nil {
		list = []*doorstep.SubsidyRules{}
	}
	return list, err
}

func findSubsidyRules(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]*doorstep.SubsidyRules, error) {
	var list []*doorstep.SubsidyRules
	err := queryEach(ctx, tx, `SELECT `+subsidyColumns+` FROM subsidy_rules `+where, func(rows *sql.Rows) error {
		var (
			r              doorstep.SubsidyRules
			bands, created string
		)
		if err := rows.Scan(&r.Version, &r.EffectiveFrom, &r.EffectiveTo, &bands, &r.Note, &r.Sample, &created); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(bands), &r.Bands); err != nil {
			return fmt.Errorf("subsidy rules %d: %w", r.Version, err)
		}
		var err error
		if r.CreatedAt, err = parseTime(created); err != nil {
			return fmt.Errorf("subsidy rules %d created_at: %w", r.Version, err)
		}
		list = append(list, &r)
		return nil
	}, args...)
	return list, err
}

// AddSubsidyRules stores r as the next version of the street's meal subsidy rules,
// on behalf of the user in ctx, who must be the office or an admin (EFORBIDDEN).
// latest must be the newest version now (0 before any; else a
// *doorstep.ConflictError carrying it). r is checked (doorstep.SubsidyRules.Validate)
// and the new version audited in the same transaction. Versions are never changed
// or removed: the old ones stay, for the dates they held.
func (db *DB) AddSubsidyRules(ctx context.Context, latest int64, r *doorstep.SubsidyRules) (*doorstep.SubsidyRules, error) {
	user, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	if !user.SeesAll() {
		return nil, doorstep.Errorf(doorstep.EFORBIDDEN, "Only the street office keeps the meal subsidy rules.")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var result *doorstep.SubsidyRules
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		newest, err := findSubsidyRules(ctx, tx, `ORDER BY version DESC LIMIT 1`)
		if err != nil {
			return err
		}
		var have int64
		var current any
		if len(newest) > 0 {
			have, current = newest[0].Version, newest[0]
		}
		if err := staleVersion("subsidy rule", have, latest, current); err != nil {
			return err
		}
		now := db.Now()
		next := *r
		next.Version, next.Sample, next.CreatedAt = have+1, false, now
		if err := insertSubsidyRules(ctx, tx, &next, &user.ID); err != nil {
			return err
		}
		result = &next
		return insertAudit(ctx, tx, auditRecord{At: now, User: user, Action: ActionCreate, Entity: EntitySubsidy,
			EntityID: next.Version, After: &next})
	})
	return result, err
}

func insertSubsidyRules(ctx context.Context, tx *sql.Tx, r *doorstep.SubsidyRules, userID *int64) error {
	bands, err := json.Marshal(r.Bands)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO subsidy_rules (version, effective_from, effective_to, bands, note, sample, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Version, r.EffectiveFrom, r.EffectiveTo, string(bands), r.Note, r.Sample, formatTime(r.CreatedAt), userID)
	return err
}
