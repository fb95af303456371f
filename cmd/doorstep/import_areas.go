package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"doorstep"
	"doorstep/exchange"
	"doorstep/geo"
	"doorstep/store"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
	"github.com/paulmach/osm"
)

func init() {
	importers["areas"] = importer{
		summary: "residential areas: GeoJSON polygons with name, committee, population, elderly, or OSM boundaries (--from-osm) (replaces them all)",
		run:     runImportAreas,
	}
}

// runImportAreas replaces the residential areas with a GeoJSON file's. Every
// feature is checked first and every problem listed (up to store.MaxFeatureProblems)
// with its feature number and field; the replacement is one transaction, so a bad
// file or a failure leaves the database as it was. --dry-run only checks.
func runImportAreas(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import areas", stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	dryRun := fs.Bool("dry-run", false, "check the file and say what would change, without changing the database")
	crsName := fs.String("crs", "wgs84", "coordinates of the file: wgs84, gcj02 (Amap, Tencent) or bd09 (Baidu)")
	fromOSM := fs.String("from-osm", "", "read the areas from this OpenStreetMap file (.osm, .osm.pbf): its boundary=administrative relations of --admin-level")
	adminLevel := fs.String("admin-level", "10", "with --from-osm: the admin_level of the residential areas")
	populations := fs.String("populations", "", "with --from-osm: a CSV of name,population[,elderly][,sample] giving each area's residents by name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var (
		path  string
		areas []*doorstep.Area
		err   error
	)
	if *fromOSM != "" {
		if fs.NArg() != 0 {
			return errors.New("import areas: give the OSM file with --from-osm and no other file")
		}
		path = *fromOSM
		areas, err = readOSMAreas(ctx, path, *adminLevel, *populations, stderr)
		if err != nil {
			return fmt.Errorf("import areas %s: %w (database unchanged)", path, err)
		}
	} else {
		if fs.NArg() != 1 {
			return errors.New("import areas: give exactly one GeoJSON file, or an OSM file with --from-osm")
		}
		path = fs.Arg(0)
		if areas, err = readAreasGeoJSON(path, stderr); err != nil {
			return err
		}
	}
	crs, err := geo.ParseCRS(*crsName)
	if err != nil {
		return fmt.Errorf("import areas: --crs must be wgs84, gcj02 or bd09, not %q", *crsName)
	}
	if *fromOSM != "" && crs != geo.WGS84 {
		return errors.New("import areas: OpenStreetMap files are WGS84; --crs is for GeoJSON files")
	}
	population, elderly := 0, 0
	for _, a := range areas {
		if crs != geo.WGS84 {
			a.Geometry = project.MultiPolygon(a.Geometry, func(p orb.Point) orb.Point { return geo.ToWGS84(crs, p) })
		}
		population += a.Population
		elderly += a.Elderly
	}
	if *dryRun {
		// Read only: a dry run must not even create the database file.
		before := "no database yet"
		if _, err := os.Stat(*dbPath); err == nil {
			db, err := store.Open(ctx, *dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			old, err := db.Areas(ctx)
			if err != nil {
				return err
			}
			before = fmt.Sprintf("%d areas now", len(old))
		}
		fmt.Fprintf(stdout, "%s is fine: %d areas, %d residents, %d aged 60 and over, would replace the areas of %s (%s); dry run, nothing changed\n",
			path, len(areas), population, elderly, *dbPath, before)
		return nil
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.ReplaceAreas(ctx, areas); err != nil {
		return fmt.Errorf("import areas %s: %w (database unchanged)", path, err)
	}
	fmt.Fprintf(stdout, "imported %d areas (%d residents, %d aged 60 and over) from %s; a running portal serves them within 5 s\n",
		len(areas), population, elderly, path)
	return reportFit(ctx, db, stderr)
}

// readAreasGeoJSON reads an areas GeoJSON file, printing every problem on stderr.
func readAreasGeoJSON(path string, stderr io.Writer) ([]*doorstep.Area, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("import areas: %w", err)
	}
	areas, err := store.ParseAreasGeoJSON(data)
	var problems *store.FeatureErrors
	if errors.As(err, &problems) {
		for _, p := range problems.Problems {
			fmt.Fprintln(stderr, path+": "+p.String())
		}
		if problems.Omitted > 0 {
			fmt.Fprintf(stderr, "%s: … and %d more problems\n", path, problems.Omitted)
		}
		return nil, fmt.Errorf("import areas %s: %d problems, nothing imported (database unchanged)", path, problems.Count())
	} else if err != nil {
		return nil, fmt.Errorf("import areas %s: %w (database unchanged)", path, err)
	}
	return areas, nil
}

// readOSMAreas reads the administrative boundaries of one level of an OSM file as
// residential areas, with residents from a populations CSV by name when given.
// Names without a population, or populations without an area, are said on stderr.
func readOSMAreas(ctx context.Context, path, level, populations string, stderr io.Writer) ([]*doorstep.Area, error) {
	var pops map[string]exchange.Population
	if populations != "" {
		data, err := os.ReadFile(populations)
		if err != nil {
			return nil, err
		}
		if pops, err = exchange.ReadPopulationsCSV(data); err != nil {
			return nil, fmt.Errorf("%s: %w", populations, err)
		}
	}
	src, err := osmSource(path, stderr)
	if err != nil {
		return nil, err
	}
	found, err := exchange.ReadOSMAreas(ctx, src, func(_ string, tags osm.Tags) bool {
		return tags.Find("boundary") == "administrative" && tags.Find("admin_level") == level
	})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("no boundary=administrative with admin_level=%s in the file (see --admin-level)", level)
	}
	areas, unmatched, err := exchange.OSMResidentialAreas(found, pops)
	if err != nil {
		return nil, err
	}
	for _, u := range unmatched {
		fmt.Fprintf(stderr, "%s: %s\n", path, u)
	}
	return areas, nil
}
