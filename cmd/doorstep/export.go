package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"doorstep"
	"doorstep/exchange"
	"doorstep/geo"
	"doorstep/hsds"
	"doorstep/store"
)

const exportUsage = `usage: doorstep export [--db FILE] services --format geojson|csv|hsds [--crs wgs84|gcj02|bd09] [-o FILE]
       doorstep export [--db FILE] activities --format csv|json [-o FILE]
       doorstep export [--db FILE] menus --format csv|json [-o FILE]
       doorstep export [--db FILE] delivery --format csv|geojson [--crs wgs84|gcj02|bd09] [-o FILE]

services writes every listing, closed ones included, in listing id order:
  csv      one listing a row, the columns "doorstep import services" reads (docs/data.md)
  geojson  a FeatureCollection of Points with the same fields as properties
  hsds     a JSON list of Open Referral HSDS 3.0 services, fully nested (WGS84 only)
A CSV or GeoJSON export imports again as the same listings (matched by external_id).
activities writes every place's activities (活动) by place, one a row (csv) or a
JSON list; HSDS has no home for events, so they are not in the hsds export.
menus writes every meal point's menus, one row a dish (csv), or the menus and the
weekly templates (json); delivery writes where meal points deliver, one a row (csv)
or as GeoJSON features (a drawn polygon as its geometry). Money is whole fen. HSDS
has no home for menus or delivery areas either.`

// runExport writes the listings to a file or stdout. Flags may come before or after
// the kind: "export --db D services --format csv" and "export services --db D ...".
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, exportUsage)
		return nil
	}
	fs := newFlagSet("export", stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, exportUsage) }
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	format := fs.String("format", "", "geojson, csv or hsds")
	crsName := fs.String("crs", "wgs84", "coordinate system of the coordinates written: wgs84, gcj02 (Amap, Tencent) or bd09 (Baidu)")
	out := fs.String("o", "", "file to write (default: standard output)")
	bom := fs.Bool("bom", true, "start a CSV file with a UTF-8 byte order mark, so Excel and WPS read its Chinese")
	kind, err := parseAroundKind(fs, args)
	if err != nil {
		return err
	}
	switch kind {
	case "activities":
		return exportActivities(ctx, *dbPath, *format, *out, *bom, stdout)
	case "menus", "delivery":
		return exportMeals(ctx, kind, *dbPath, *format, *crsName, *out, *bom, stdout)
	case "services":
	default:
		return fmt.Errorf("export: unknown kind %q (services, activities, menus or delivery)\n%s", kind, exportUsage)
	}
	crs, err := geo.ParseCRS(strings.ToLower(*crsName))
	if err != nil {
		return fmt.Errorf("export: --crs %q: use wgs84, gcj02 or bd09", *crsName)
	}
	switch *format {
	case "csv", "geojson":
	case "hsds":
		if crs != geo.WGS84 {
			return errors.New("export: HSDS coordinates are WGS84 by the standard; leave out --crs")
		}
	default:
		return fmt.Errorf("export: --format %q: use geojson, csv or hsds", *format)
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	list, _, err := db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		return err
	}
	return writeTo(*out, stdout, func(w io.Writer) error {
		switch *format {
		case "hsds":
			return writeHSDS(ctx, db, w, list)
		}
		f, err := newServicesFile(ctx, db, crs)
		if err != nil {
			return err
		}
		if *format == "csv" {
			return f.WriteCSV(w, list, *bom)
		}
		return f.WriteGeoJSON(w, list)
	})
}

// parseAroundKind parses flags before and after the one positional argument, the
// kind, and returns it.
func parseAroundKind(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", fmt.Errorf("export: name what to export: services or activities\n%s", exportUsage)
	}
	kind, rest := fs.Arg(0), fs.Args()[1:]
	if err := fs.Parse(rest); err != nil {
		return "", err
	}
	if fs.NArg() != 0 {
		return "", fmt.Errorf("export: unexpected %q\n%s", fs.Arg(0), exportUsage)
	}
	return kind, nil
}

// exportActivities writes every activity as CSV or JSON, each naming its place by
// the listing's external_id and name.
func exportActivities(ctx context.Context, dbPath, format, out string, bom bool, stdout io.Writer) error {
	if format != "csv" && format != "json" {
		return fmt.Errorf("export: --format %q: activities are written as csv or json (HSDS has no home for events)", format)
	}
	db, names, ids, err := openForExport(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.Activities(ctx, store.ActivityFilter{})
	if err != nil {
		return err
	}
	f := &exchange.ActivitiesFile{ExternalIDs: ids, Names: names}
	return writeTo(out, stdout, func(w io.Writer) error {
		if format == "csv" {
			return f.WriteCSV(w, list, bom)
		}
		return f.WriteJSON(w, list)
	})
}

func newServicesFile(ctx context.Context, db *store.DB, crs geo.CRS) (*exchange.ServicesFile, error) {
	orgs, err := db.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := db.ExternalIDs(ctx)
	if err != nil {
		return nil, err
	}
	return exchange.NewServicesFile(ids, orgs, crs), nil
}

// writeHSDS writes the listings as a JSON list of full HSDS services.
func writeHSDS(ctx context.Context, db *store.DB, w io.Writer, list []*doorstep.Service) error {
	orgs, err := db.Organizations(ctx)
	if err != nil {
		return err
	}
	cats, err := db.Categories(ctx)
	if err != nil {
		return err
	}
	street, _, err := db.Street(ctx)
	if doorstep.ErrorCode(err) == doorstep.ENOTFOUND {
		street = nil
	} else if err != nil {
		return err
	}
	m := hsds.NewMapper(street, cats, orgs)
	out := make([]hsds.Service, len(list))
	for i, s := range list {
		out[i] = m.Service(s)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeTo runs write on the named file — written whole to a temporary file beside
// it and renamed, so a failed export leaves no half file — or on stdout.
func writeTo(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
