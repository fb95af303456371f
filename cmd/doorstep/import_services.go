package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"doorstep"
	"doorstep/exchange"
	"doorstep/geo"
	"doorstep/store"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func init() {
	importers["services"] = importer{
		summary: "listings from CSV (.csv), GeoJSON (.geojson, .json) or OSM by a tag mapping (--from-osm, --map), matched by external_id: new ones added, known ones updated",
		run:     runImportServices,
	}
}

// progressRows is the size from which an import reports its progress on stderr.
const progressRows = 1000

// runImportServices loads listings from a CSV or GeoJSON file, all or nothing:
// every row is read and checked as the editing API checks a listing, and every
// problem is printed with its line and field (up to store.MaxImportErrors); only a
// file without problems is written, in one transaction. --dry-run checks and
// reports without writing.
func runImportServices(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import services", stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	crsName := fs.String("crs", "wgs84", "coordinate system of lon/lat where a row has no crs: wgs84, gcj02 (Amap, Tencent) or bd09 (Baidu)")
	dryRun := fs.Bool("dry-run", false, "check the file and say what would change, without changing the database")
	format := fs.String("format", "", "csv or geojson (default: from the file name)")
	encoding := fs.String("encoding", "utf-8", "text encoding of a CSV file: utf-8 (with or without BOM) or gb18030 (GBK, as older Excel saves)")
	fromOSM := fs.String("from-osm", "", "read the listings from this OpenStreetMap file (.osm, .osm.pbf) by the mapping of --map")
	mapPath := fs.String("map", "", "with --from-osm: a CSV of tags,category rows saying which OSM features make which category")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *fromOSM != "" {
		if fs.NArg() != 0 {
			return errors.New("import services: give the OSM file with --from-osm and no other file")
		}
		return importServicesOSM(ctx, *dbPath, *fromOSM, *mapPath, *dryRun, stdout, stderr)
	}
	if fs.NArg() != 1 {
		return errors.New("import services: give exactly one file")
	}
	path := fs.Arg(0)
	crs, err := geo.ParseCRS(strings.ToLower(*crsName))
	if err != nil {
		return fmt.Errorf("import services: --crs %q: use wgs84, gcj02 or bd09", *crsName)
	}
	if *format == "" {
		*format = formatOfPath(path)
	}
	start := time.Now()
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("import services: %w", err)
	}
	switch strings.ToLower(*encoding) {
	case "utf-8", "utf8":
	case "gb18030", "gbk", "gb2312":
		if data, err = simplifiedchinese.GB18030.NewDecoder().Bytes(data); err != nil {
			return fmt.Errorf("import services %s: not GB18030 text: %w", path, err)
		}
	default:
		return fmt.Errorf("import services: --encoding %q: use utf-8 or gb18030", *encoding)
	}

	var rows []exchange.ServiceRow
	switch *format {
	case "csv":
		rows, err = exchange.ReadServicesCSV(data, crs)
	case "geojson":
		var ignored []string
		rows, ignored, err = exchange.ReadServicesGeoJSON(data, crs)
		if len(ignored) > 0 {
			fmt.Fprintf(stderr, "%s: properties ignored (not columns of a services file): %s\n", path, strings.Join(ignored, ", "))
		}
	default:
		return fmt.Errorf("import services %s: unknown format: name the file .csv or .geojson, or give --format csv|geojson", path)
	}
	if err != nil {
		return fmt.Errorf("import services %s: %w (database unchanged)", path, err)
	}
	if len(rows) >= progressRows {
		fmt.Fprintf(stderr, "%s: read %d rows in %s\n", path, len(rows), time.Since(start).Round(time.Millisecond))
	}

	target, cleanup, err := importTarget(*dbPath, *dryRun, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	db, err := store.Open(ctx, target)
	if err != nil {
		return err
	}
	defer db.Close()
	opts := store.ImportOptions{DryRun: *dryRun}
	if len(rows) >= progressRows {
		opts.Progress = func(stage string, done, total int) {
			fmt.Fprintf(stderr, "%s: %s %d of %d rows\n", path, stage, done, total)
		}
	}
	report, err := db.ImportServices(ctx, rows, opts)
	if report != nil {
		for _, e := range report.Errors {
			fmt.Fprintf(stderr, "%s: %s\n", path, e)
		}
		if more := report.ErrorCount - len(report.Errors); more > 0 {
			fmt.Fprintf(stderr, "%s: … and %d more errors\n", path, more)
		}
	}
	if err != nil {
		if doorstep.ErrorCode(err) == doorstep.EINVALID {
			return fmt.Errorf("import services %s: %d errors in %d rows; nothing imported (database unchanged)", path, report.ErrorCount, report.Rows)
		}
		return fmt.Errorf("import services %s: %w (database unchanged)", path, err)
	}
	if report.NoStreet {
		fmt.Fprintln(stderr, "note: no street is loaded, so the distance of each place to the street was not checked")
	}
	verb, tail := "imported", "; a running portal serves them within 5 s"
	if report.DryRun {
		verb, tail = "dry run of", "; nothing changed"
	}
	fmt.Fprintf(stdout, "%s %d rows from %s in %s: %d new, %d updated, %d unchanged, %d organizations created%s\n",
		verb, report.Rows, path, time.Since(start).Round(time.Millisecond), report.Created, report.Updated, report.Unchanged,
		report.OrganizationsCreated, tail)
	if report.DryRun {
		return nil
	}
	return reportFit(ctx, db, stderr)
}

// formatOfPath names a file's format by its extension, "" when unknown.
func formatOfPath(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv"
	case ".geojson", ".json":
		return "geojson"
	}
	return ""
}

// importTarget is the database a listings import writes: dbPath, except that a dry
// run never creates it: without one, it checks against an empty database of its
// own, which cleanup removes.
func importTarget(dbPath string, dryRun bool, stderr io.Writer) (target string, cleanup func(), err error) {
	if _, err := os.Stat(dbPath); !dryRun || !errors.Is(err, os.ErrNotExist) {
		return dbPath, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "doorstep-dry-run-")
	if err != nil {
		return "", nil, err
	}
	fmt.Fprintf(stderr, "%s does not exist yet: checking against an empty database\n", dbPath)
	return filepath.Join(dir, "empty.db"), func() { os.RemoveAll(dir) }, nil
}
