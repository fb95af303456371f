package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"doorstep"
	"doorstep/exchange"
	"doorstep/store"
)

func init() {
	importers["suggestions"] = importer{
		summary: "earlier years' suggestions from a CSV file (all or nothing; re-import updates by external_id)",
		run:     runImportSuggestions,
	}
}

// runImportSuggestions runs "doorstep import suggestions --db D FILE.csv".
func runImportSuggestions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import suggestions", stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("import suggestions: give one CSV file with the columns %v", exchange.SuggestionColumns)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("import suggestions: %w", err)
	}
	defer f.Close()
	records, err := exchange.ReadSuggestions(f)
	if err != nil {
		var rows exchange.RowErrors
		if errors.As(err, &rows) {
			fmt.Fprintln(stderr, rows.Error())
			return fmt.Errorf("import suggestions %s: %d bad rows (database unchanged)", fs.Arg(0), len(rows))
		}
		return fmt.Errorf("import suggestions %s: %w (database unchanged)", fs.Arg(0), err)
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	added, updated, err := db.ImportSuggestions(ctx, records)
	if err != nil {
		return fmt.Errorf("import suggestions %s: %w (database unchanged)", fs.Arg(0), err)
	}
	fmt.Fprintf(stdout, "imported %s: %d suggestions added, %d updated\n", fs.Arg(0), added, updated)
	return nil
}

const reportUsage = `usage: doorstep report suggestions [--db D] [--year Y] [--format table|csv|json] [--bom=false]

Counts a year's suggestions by category, state and area with their shares, each
computed exactly and rounded once to two decimals by the largest remainder, so
every table sums to 100.00 % (ties: the larger count, then the earlier line).`

// runReport runs "doorstep report suggestions".
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "suggestions" {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprintln(stdout, reportUsage)
			return nil
		}
		return fmt.Errorf("report: the report is suggestions\n%s", reportUsage)
	}
	fs := newFlagSet("report suggestions", stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, reportUsage); fs.PrintDefaults() }
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	year := fs.Int("year", time.Now().Year(), "the year to count")
	format := fs.String("format", "table", "table, csv or json")
	bom := fs.Bool("bom", true, "start a CSV file with a UTF-8 byte order mark, so Excel and WPS read its Chinese")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		return fmt.Errorf("report suggestions: --format must be table, csv or json, not %q", *format)
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("report suggestions: %w", err)
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.SuggestionReport(ctx, *year)
	if err != nil {
		return err
	}
	return writeSuggestionReport(stdout, rep, *format, *bom)
}

// writeSuggestionReport writes the report as an aligned table, CSV rows of
// year,table,key,count,share_percent (a BOM first when bom), or the JSON of the API.
func writeSuggestionReport(w io.Writer, rep *doorstep.SuggestionReport, format string, bom bool) error {
	tables := []struct {
		name  string
		lines []doorstep.ReportLine
	}{{"category", rep.Categories}, {"state", rep.States}, {"area", rep.Areas}}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "csv":
		return exchange.WriteSuggestionReportCSV(w, rep, bom)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "suggestions %d: %d\t\t\n", rep.Year, rep.Total)
	for _, t := range tables {
		fmt.Fprintf(tw, "\t\t\n%s\tcount\tshare %%\t\n", t.name)
		for _, l := range t.lines {
			key := l.Key
			if key == "" {
				key = "(none)"
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t\n", key, l.Count, l.Percent)
		}
	}
	return tw.Flush()
}
