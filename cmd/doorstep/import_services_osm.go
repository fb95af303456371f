package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"doorstep"
	"doorstep/exchange"
	"doorstep/geo"
	"doorstep/store"
)

// osmOptionalFields are the columns an OSM listing may lose when its tag cannot be
// read (hours in a syntax not understood, a phone number of another form): the
// listing is still worth having, and what was left out is said by feature.
var osmOptionalFields = map[string]bool{
	exchange.FieldHours: true, exchange.FieldPhone: true, exchange.FieldAddress: true, exchange.FieldNameEn: true,
}

// importServicesOSM imports the listings an OSM file holds by a mapping file (see
// exchange.ReadListingMapping), each kept under its OSM id as external_id so a
// second import updates it. Tags that cannot be read into an optional field are
// left out and reported by feature id; any other problem stops the import, with
// the database unchanged.
func importServicesOSM(ctx context.Context, dbPath, path, mapPath string, dryRun bool, stdout, stderr io.Writer) error {
	start := time.Now()
	if mapPath == "" {
		return errors.New("import services --from-osm: give the mapping file with --map (rows of tags,category)")
	}
	mapData, err := os.ReadFile(mapPath)
	if err != nil {
		return fmt.Errorf("import services: %w", err)
	}
	rules, err := exchange.ReadListingMapping(mapData)
	if err != nil {
		return fmt.Errorf("import services: %s: %w", mapPath, err)
	}
	src, err := osmSource(path, stderr)
	if err != nil {
		return fmt.Errorf("import services %s: %w", path, err)
	}
	listings, err := exchange.ReadOSMListings(ctx, src, rules)
	if err != nil {
		return fmt.Errorf("import services %s: %w (database unchanged)", path, err)
	}
	if len(listings) == 0 {
		return fmt.Errorf("import services %s: no feature matches a row of %s (database unchanged)", path, mapPath)
	}
	cells := make([]map[string]string, len(listings))
	for i, l := range listings {
		cells[i] = l.Cells()
	}
	left := func(i int, field, why string) {
		fmt.Fprintf(stderr, "%s: %s: %s %q left out: %s\n", path, listings[i].ID, field, cells[i][field], why)
		delete(cells[i], field)
	}
	rows := func() []exchange.ServiceRow {
		rows := make([]exchange.ServiceRow, len(cells))
		for i := range cells {
			rows[i] = exchange.ParseServiceRow(i+1, cells[i], geo.WGS84)
			for _, e := range rows[i].Errors {
				if osmOptionalFields[e.Field] {
					left(i, e.Field, e.Message)
				}
			}
			if len(rows[i].Errors) > 0 {
				rows[i] = exchange.ParseServiceRow(i+1, cells[i], geo.WGS84)
			}
		}
		return rows
	}

	target, cleanup, err := importTarget(dbPath, dryRun, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	db, err := store.Open(ctx, target)
	if err != nil {
		return err
	}
	defer db.Close()
	// A dry run finds what the store refuses; optional fields it refuses are left
	// out and the rows checked again, until only real problems remain.
	var report *store.ImportReport
	for round := 0; ; round++ {
		report, err = db.ImportServices(ctx, rows(), store.ImportOptions{DryRun: true})
		if doorstep.ErrorCode(err) != doorstep.EINVALID || round == 3 {
			break
		}
		dropped := false
		for _, e := range report.Errors {
			if i := e.Line - 1; i >= 0 && i < len(cells) && osmOptionalFields[e.Field] && cells[i][e.Field] != "" {
				left(i, e.Field, e.Message)
				dropped = true
			}
		}
		if !dropped {
			break
		}
	}
	if err == nil && !dryRun {
		report, err = db.ImportServices(ctx, rows(), store.ImportOptions{})
	}
	if report != nil {
		for _, e := range report.Errors {
			id := fmt.Sprintf("feature %d", e.Line)
			if i := e.Line - 1; i >= 0 && i < len(listings) {
				id = listings[i].ID
			}
			fmt.Fprintf(stderr, "%s: %s, %s: %s\n", path, id, e.Field, e.Message)
		}
	}
	if err != nil {
		if doorstep.ErrorCode(err) == doorstep.EINVALID {
			return fmt.Errorf("import services %s: %d errors in %d listings; nothing imported (database unchanged)", path, report.ErrorCount, report.Rows)
		}
		return fmt.Errorf("import services %s: %w (database unchanged)", path, err)
	}
	verb := "imported"
	if dryRun {
		verb = "dry run of"
	}
	fmt.Fprintf(stdout, "%s %d OpenStreetMap listings from %s in %s: %d new, %d updated, %d unchanged, %d organizations created\n",
		verb, report.Rows, path, time.Since(start).Round(time.Millisecond), report.Created, report.Updated, report.Unchanged, report.OrganizationsCreated)
	if dryRun {
		return nil
	}
	return reportFit(ctx, db, stderr)
}
