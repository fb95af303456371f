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
)

func init() {
	importers["street"] = importer{
		summary: "the street's boundary and place: a GeoJSON Feature with name, name_en, city, district, timezone, country, phone_pattern (replaces it)",
		run:     runImportStreet,
	}
}

// streetOptions are the flags a street reader may use.
type streetOptions struct{}

// streetReader reads a street from a file.
type streetReader func(ctx context.Context, path string, opts streetOptions) (*doorstep.Street, error)

// streetReaders are the readers of a street by file extension (lower case, with
// the dot); a format is added by registering its reader here.
var streetReaders = map[string]streetReader{
	".geojson": readStreetGeoJSON,
	".json":    readStreetGeoJSON,
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
	return nil
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
