package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"doorstep/finder"
	"doorstep/store"
)

// reportFit says on w how well the database's walking network, areas and listings
// fit its street, as every import does after writing: one line of measures, then
// each problem in Chinese and English. It reads the database as serve would.
func reportFit(ctx context.Context, db *store.DB, w io.Writer) error {
	snap, err := finder.Load(ctx, db)
	if err != nil {
		return err
	}
	r := snap.Fit()
	fmt.Fprintf(w, "fit: %s\n", r.Summary())
	for _, p := range r.Problems {
		fmt.Fprintf(w, "fit: %s\nfit: %s\n", p.Zh, p.En)
	}
	return nil
}

// logFit logs at serve's start how well the data fits the street: the measures,
// and a warning for each problem (a missing street is logged when the database
// is opened).
func logFit(logger *slog.Logger, r *finder.FitReport) {
	if !r.Street {
		return
	}
	logger.Info("fit: "+r.Summary(), "network_share", r.NetworkShare, "areas_outside", r.AreasOutside, "listings_far", r.ListingsFar)
	for _, p := range r.Problems {
		logger.Warn("fit: "+p.En, "zh", p.Zh, "kind", p.Kind)
	}
}
