package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"doorstep"
	"doorstep/exchange"
	"doorstep/geo"
	"doorstep/store"
)

// exportMeals writes every menu and weekly template (kind menus: csv, one row a
// dish, or json) or every delivery area (kind delivery: csv or geojson, in crs).
// HSDS has no home for either (docs/data.md).
func exportMeals(ctx context.Context, kind, dbPath, format, crsName, out string, bom bool, stdout io.Writer) error {
	formats := map[string][]string{"menus": {"csv", "json"}, "delivery": {"csv", "geojson"}}
	if !strings.Contains(" "+strings.Join(formats[kind], " ")+" ", " "+format+" ") {
		return fmt.Errorf("export: --format %q: %s are written as %s (HSDS has no home for them)", format, kind, strings.Join(formats[kind], " or "))
	}
	crs, err := geo.ParseCRS(strings.ToLower(crsName))
	if err != nil {
		return fmt.Errorf("export: --crs %q: use wgs84, gcj02 or bd09", crsName)
	}
	db, names, ids, err := openForExport(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if kind == "delivery" {
		list, err := db.DeliveryAreas(ctx)
		if err != nil {
			return err
		}
		return writeTo(out, stdout, func(w io.Writer) error {
			if format == "csv" {
				return exchange.WriteDeliveryCSV(w, list, names, ids, crs, bom)
			}
			return exchange.WriteDeliveryGeoJSON(w, list, names, ids, crs)
		})
	}
	menus, err := db.AllMenus(ctx)
	if err != nil {
		return err
	}
	templates, err := db.AllMenuTemplates(ctx)
	if err != nil {
		return err
	}
	return writeTo(out, stdout, func(w io.Writer) error {
		if format == "csv" {
			return exchange.WriteMenusCSV(w, menus, names, ids, bom)
		}
		return exchange.WriteMenusJSON(w, menus, templates)
	})
}

// openForExport opens an existing database and reads the listings' names and
// external ids, by listing id, which exports of what listings hold name them by.
func openForExport(ctx context.Context, dbPath string) (db *store.DB, names, ids map[int64]string, err error) {
	if _, err := os.Stat(dbPath); err != nil {
		return nil, nil, nil, fmt.Errorf("export: %w", err)
	}
	if db, err = store.Open(ctx, dbPath); err != nil {
		return nil, nil, nil, err
	}
	if ids, err = db.ExternalIDs(ctx); err == nil {
		var services []*doorstep.Service
		services, _, err = db.Services(ctx, doorstep.ServiceFilter{})
		names = make(map[int64]string, len(services))
		for _, s := range services {
			names[s.ID] = s.Name
		}
	}
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return db, names, ids, nil
}
