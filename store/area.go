package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"doorstep"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// Areas returns every residential area by id, with its geometry.
func (db *DB) Areas(ctx context.Context) ([]*doorstep.Area, error) {
	var list []*doorstep.Area
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name, committee, population, elderly, sample, geom FROM areas ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				a    doorstep.Area
				geom []byte
			)
			if err := rows.Scan(&a.ID, &a.Name, &a.Committee, &a.Population, &a.Elderly, &a.Sample, &geom); err != nil {
				return err
			}
			if a.Geometry, err = decodeMultiPolygon(geom); err != nil {
				return fmt.Errorf("area %d: %w", a.ID, err)
			}
			list = append(list, &a)
		}
		return rows.Err()
	})
	return list, err
}

// Street returns the street the portal serves, or ENOTFOUND before one is loaded.
func (db *DB) Street(ctx context.Context) (*doorstep.Street, bool, error) {
	var (
		s      doorstep.Street
		sample bool
	)
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var geom []byte
		err := tx.QueryRowContext(ctx, `SELECT name, name_en, city, district, timezone, country, phone_pattern, sample, geom
			FROM street WHERE id = 1`).Scan(&s.Name, &s.NameEn, &s.City, &s.District, &s.Timezone, &s.Country, &s.PhonePattern, &sample, &geom)
		if errors.Is(err, sql.ErrNoRows) {
			return doorstep.Errorf(doorstep.ENOTFOUND, "No street loaded.")
		} else if err != nil {
			return err
		}
		s.Geometry, err = decodeMultiPolygon(geom)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return &s, sample, nil
}

// MapFeatures returns the orientation features in load order.
func (db *DB) MapFeatures(ctx context.Context) ([]doorstep.MapFeature, error) {
	var list []doorstep.MapFeature
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT kind, name, geom FROM map_features ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				f    doorstep.MapFeature
				geom []byte
			)
			if err := rows.Scan(&f.Kind, &f.Name, &geom); err != nil {
				return err
			}
			if f.Geometry, err = wkb.Unmarshal(geom); err != nil {
				return fmt.Errorf("map feature %q: %w", f.Name, err)
			}
			list = append(list, f)
		}
		return rows.Err()
	})
	return list, err
}

func decodeMultiPolygon(b []byte) (orb.MultiPolygon, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	case orb.MultiPolygon:
		return g, nil
	}
	return nil, fmt.Errorf("geometry is %s, want Polygon or MultiPolygon", g.GeoJSONType())
}

// Attribution returns the map data's attribution line, or "".
func (db *DB) Attribution(ctx context.Context) (string, error) { return db.Meta(ctx, MetaAttribution) }

// ImportVersion returns MetaImportVersion, which changes with every bulk import.
func (db *DB) ImportVersion(ctx context.Context) (string, error) {
	return db.Meta(ctx, MetaImportVersion)
}

// Meta returns the value stored under key, or "" when absent.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return v, err
}
