package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"doorstep"
	"doorstep/exchange"
	"doorstep/geo"
	"doorstep/store"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
	"github.com/paulmach/osm"
)

func init() {
	importers["street"] = importer{
		summary: "the street's boundary and place: a GeoJSON Feature with name, name_en, city, district, timezone, country, phone_pattern, or an OSM boundary (.osm, .osm.pbf; --osm-id) (replaces it)",
		run:     runImportStreet,
	}
}

// streetOptions are the flags a street reader may use.
type streetOptions struct {
	osmID string // the OSM boundary to read, "relation/NNN" or "way/NNN"
}

// streetReader reads a street from a file.
type streetReader func(ctx context.Context, path string, opts streetOptions) (*doorstep.Street, error)

// streetReaders are the readers of a street by file extension (lower case, with
// the dot); a format is added by registering its reader here.
var streetReaders = map[string]streetReader{
	".geojson": readStreetGeoJSON,
	".json":    readStreetGeoJSON,
	".osm":     readStreetOSM,
	".osm.pbf": readStreetOSM,
	".pbf":     readStreetOSM,
}

// readStreetOSM reads the street's boundary from an OpenStreetMap file: the
// relation or closed way of --osm-id, or the only admin_level 8 boundary.
func readStreetOSM(ctx context.Context, path string, opts streetOptions) (*doorstep.Street, error) {
	src, err := osmSource(path, nil)
	if err != nil {
		return nil, err
	}
	areas, err := exchange.ReadOSMAreas(ctx, src, func(id string, tags osm.Tags) bool {
		return id == opts.osmID || (tags.Find("boundary") == "administrative" && tags.Find("admin_level") == "8")
	})
	if err != nil {
		return nil, err
	}
	return exchange.OSMStreet(areas, opts.osmID)
}

func readStreetGeoJSON(_ context.Context, path string, _ streetOptions) (*doorstep.Street, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return exchange.ReadStreetGeoJSON(data)
}

// streetReaderFor picks the reader by the longest registered extension the
// path ends with (".osm.pbf" before ".pbf").
func streetReaderFor(path string) (streetReader, error) {
	lower := strings.ToLower(filepath.Base(path))
	best := ""
	for ext := range streetReaders {
		if strings.HasSuffix(lower, ext) && len(ext) > len(best) {
			best = ext
		}
	}
	if best == "" {
		exts := make([]string, 0, len(streetReaders))
		for ext := range streetReaders {
			exts = append(exts, ext)
		}
		sort.Strings(exts)
		return nil, fmt.Errorf("unknown file type: use %s", strings.Join(exts, ", "))
	}
	return streetReaders[best], nil
}

// runImportStreet replaces the street with the one in a file. The file is read and
// checked whole before the database is opened; the replacement is one
// transaction. Afterwards the fit of the network, areas and listings to the new
// street is reported on stderr.
func runImportStreet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import street", stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	crsName := fs.String("crs", "wgs84", "coordinates of the file: wgs84, gcj02 (Amap, Tencent) or bd09 (Baidu)")
	var opts streetOptions
	fs.StringVar(&opts.osmID, "osm-id", "", "with an OSM file: the street's boundary, relation/NNN or way/NNN (default: the only admin_level=8 boundary)")
	// A place the file does not give (OSM rarely has a time zone) or gives wrongly.
	override := map[string]*string{}
	for _, f := range []struct{ name, usage string }{
		{"name-en", "the street's English name, instead of the file's"},
		{"city", "the city, instead of the file's"},
		{"district", "the district, instead of the file's"},
		{"timezone", "the IANA time zone opening hours are read in (Europe/Monaco), instead of the file's"},
		{"country", "the two-letter country code (MC), instead of the file's"},
	} {
		override[f.name] = fs.String(f.name, "", f.usage)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("import street: give exactly one file")
	}
	crs, err := geo.ParseCRS(strings.ToLower(*crsName))
	if err != nil {
		return fmt.Errorf("import street: --crs must be wgs84, gcj02 or bd09, not %q", *crsName)
	}
	path := fs.Arg(0)
	read, err := streetReaderFor(path)
	if err != nil {
		return fmt.Errorf("import street %s: %w (database unchanged)", path, err)
	}
	street, err := read(ctx, path, opts)
	if err != nil {
		return fmt.Errorf("import street %s: %w (database unchanged)", path, err)
	}
	for flag, field := range map[string]*string{"name-en": &street.NameEn, "city": &street.City, "district": &street.District,
		"timezone": &street.Timezone, "country": &street.Country} {
		if v := *override[flag]; v != "" {
			*field = v
		}
	}
	if problems := exchange.CheckStreet(street); len(problems) > 0 {
		return fmt.Errorf("import street %s: %w (database unchanged)", path, problems)
	}
	if crs != geo.WGS84 {
		street.Geometry = project.MultiPolygon(street.Geometry, func(p orb.Point) orb.Point { return geo.ToWGS84(crs, p) })
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.ReplaceStreet(ctx, street); err != nil {
		return fmt.Errorf("import street %s: %w (database unchanged)", path, err)
	}
	place := strings.Join(nonEmpty(street.District, street.City, street.Country), ", ")
	fmt.Fprintf(stdout, "imported the street %s (%s; hours read in %s) from %s\n", street.Name, place, street.Timezone, path)
	return reportFit(ctx, db, stderr)
}

// nonEmpty returns the values that are not "".
func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
