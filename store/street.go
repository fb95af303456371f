package store

import (
	"context"
	"database/sql"
	"fmt"

	"doorstep"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// ReplaceStreet makes street the one street the portal serves, in one
// transaction, as every import does: the previous street (the sample's too) is
// gone, the rest of the data stays. The caller checks the street first
// (exchange.ReadStreetGeoJSON).
func (db *DB) ReplaceStreet(ctx context.Context, street *doorstep.Street) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM street`); err != nil {
			return err
		}
		if err := insertStreet(ctx, tx, street, false); err != nil {
			return err
		}
		// The orientation features (neighbouring streets, main roads) were drawn
		// around the previous street.
		if _, err := tx.ExecContext(ctx, `DELETE FROM map_features`); err != nil {
			return err
		}
		return bumpImportVersion(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("store: replace street: %w", err)
	}
	return nil
}

func insertStreet(ctx context.Context, tx *sql.Tx, s *doorstep.Street, sample bool) error {
	geom, err := polygonWKB(s.Geometry)
	if err != nil {
		return err
	}
	timezone, country := s.Timezone, s.Country
	if timezone == "" {
		timezone = doorstep.DefaultTimezone
	}
	if country == "" {
		country = doorstep.DefaultCountry
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO street (id, name, name_en, city, district, timezone, country, phone_pattern, sample, geom)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.Name, s.NameEn, s.City, s.District, timezone, country, s.PhonePattern, sample, geom)
	return err
}

// asMultiPolygon returns a Polygon or MultiPolygon as a MultiPolygon.
func asMultiPolygon(g orb.Geometry) (orb.MultiPolygon, bool) {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}, true
	case orb.MultiPolygon:
		return g, true
	}
	return nil, false
}

// polygonWKB encodes an area's or a street's outline, one polygon as a Polygon.
func polygonWKB(mp orb.MultiPolygon) ([]byte, error) {
	if len(mp) == 1 {
		return wkb.Marshal(mp[0])
	}
	return wkb.Marshal(mp)
}
