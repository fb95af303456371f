package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"doorstep/store"
)

const feedbackUsage = `usage: doorstep feedback purge [--db D] [--days N]

Erases the contact details residents left — the phone number to call back of a
report on a listing, the contact of a suggestion — N days (default 180) after the
report was resolved or the suggestion closed (resolved or not feasible). Open ones
keep theirs. Each erasure is written to the audit log. Run it daily,
for instance from cron.`

// defaultRetentionDays is how long contact details are kept after closing.
const defaultRetentionDays = 180

// runFeedback runs "doorstep feedback purge".
func runFeedback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "purge" {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprintln(stdout, feedbackUsage)
			return nil
		}
		return fmt.Errorf("feedback: the subcommand is purge\n%s", feedbackUsage)
	}
	fs := newFlagSet("feedback purge", stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, feedbackUsage); fs.PrintDefaults() }
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	days := fs.Int("days", defaultRetentionDays, "days contact details are kept after a report is resolved")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("feedback purge: unexpected argument %q\n%s", fs.Arg(0), feedbackUsage)
	}
	if *days < 0 {
		return fmt.Errorf("feedback purge: --days must be 0 or more, not %d", *days)
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("feedback purge: %w", err)
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	cutoff := db.Now().AddDate(0, 0, -*days)
	n, err := db.EraseReportContacts(ctx, cutoff)
	if err != nil {
		return err
	}
	m, err := db.EraseSuggestionContacts(ctx, cutoff)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "erased the contact details of %d reports resolved and %d suggestions closed before %s\n",
		n, m, cutoff.Format(time.DateOnly))
	return nil
}
