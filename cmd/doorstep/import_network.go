package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"doorstep"
	"doorstep/exchange"
	"doorstep/finder"
	"doorstep/store"
)

func init() {
	importers["network"] = importer{
		summary: "the walking network from OpenStreetMap (.osm, .osm.pbf) or GeoJSON lines (.geojson, .json)",
		run:     runImportNetwork,
	}
}

// runImportNetwork replaces the walking network with the walkable ways of a file.
// The whole file is read and checked before the database is touched, and the
// replacement is one transaction, so a bad file leaves the database unchanged.
func runImportNetwork(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import network", stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("import network: give exactly one file")
	}
	path := fs.Arg(0)
	start := time.Now()
	lines, report, err := readNetworkFile(ctx, path, func(pass string, n int64) {
		fmt.Fprintf(stderr, "reading %s: %s pass, %d objects\n", path, pass, n)
	})
	if err != nil {
		return fmt.Errorf("import network %s: %w (database unchanged)", path, err)
	}
	_, islands := finder.WalkingGraph(lines)
	if report != nil {
		report.Islands = islands
		fmt.Fprintf(stderr, "%s: %s\n", path, report)
	} else if islands.Count > 0 {
		fmt.Fprintf(stderr, "%s: islands left out: %d (%d nodes, largest %d)\n", path, islands.Count, islands.Nodes, islands.Largest)
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.ReplaceNetwork(ctx, lines, func(done int) {
		fmt.Fprintf(stderr, "writing: %d of %d lines\n", done, len(lines))
	})
	if err != nil {
		return fmt.Errorf("import network %s: %w (database unchanged)", path, err)
	}
	fmt.Fprintf(stdout, "imported %d walkable lines from %s in %s\n", len(lines), path, time.Since(start).Round(time.Millisecond))
	return reportFit(ctx, db, stderr)
}

// readNetworkFile reads an OSM file (with its report) or GeoJSON lines (report nil).
func readNetworkFile(ctx context.Context, path string, progress func(string, int64)) ([]doorstep.NetworkLine, *exchange.NetworkReport, error) {
	if _, ok := exchange.OSMFormatOf(path); ok {
		src, err := osmSource(path, nil)
		if err != nil {
			return nil, nil, err
		}
		src.Progress = progress
		return exchange.ReadOSM(ctx, src)
	}
	lower := strings.ToLower(path)
	if strings.HasSuffix(lower, ".geojson") || strings.HasSuffix(lower, ".json") {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		lines, err := exchange.ReadNetworkGeoJSON(data)
		return lines, nil, err
	}
	return nil, nil, errors.New("unknown file type: use .osm, .osm.pbf, .geojson or .json")
}

// osmSource opens an OpenStreetMap file by its name (.osm, .osm.pbf), printing the
// passes' progress on stderr when not nil.
func osmSource(path string, stderr io.Writer) (exchange.OSMSource, error) {
	format, ok := exchange.OSMFormatOf(path)
	if !ok {
		return exchange.OSMSource{}, errors.New("not an OpenStreetMap file: use .osm or .osm.pbf")
	}
	src := exchange.OSMSource{Format: format, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
	if stderr != nil {
		src.Progress = func(pass string, n int64) {
			fmt.Fprintf(stderr, "reading %s: %s pass, %d objects\n", path, pass, n)
		}
	}
	return src, nil
}
