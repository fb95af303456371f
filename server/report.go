package server

import (
	"context"
	"fmt"
	"net/url"

	"doorstep"
	"doorstep/finder"
	"doorstep/store"
)

// LoadSnapshot builds from db the finder snapshot the server answers from — the
// same street, categories, areas, walking network and listings — for tools that
// answer the API's questions without serving it (doorstep coverage).
func LoadSnapshot(ctx context.Context, db *store.DB) (*finder.Snapshot, error) {
	in, _, err := readBase(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("server: build snapshot: %w", err)
	}
	services, _, err := db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		return nil, fmt.Errorf("server: build snapshot: %w", err)
	}
	return finder.NewBase(in).Index(services, nil), nil
}

// CoverageReport answers GET /api/coverage on snap for the query parameters
// minutes (1–60, default 15), speed (elder, adult or 20–120 m/min) and category
// (every category when absent), read exactly as the API reads them: `doorstep
// coverage` prints NewCoverageJSON of it, the API's answer. Bad parameters are
// EINVALID errors naming the field.
func CoverageReport(snap *finder.Snapshot, query url.Values) (*finder.CoverageReport, error) {
	return coverageReport(snap, &params{values: query})
}

func coverageReport(snap *finder.Snapshot, p *params) (*finder.CoverageReport, error) {
	minutes, speed, err := coverageParams(p)
	if err != nil {
		return nil, err
	}
	var categories []string
	if id, err := category(p, snap); err != nil {
		return nil, err
	} else if id != "" {
		categories = []string{id}
	}
	return snap.Coverage(categories, minutes, speed)
}
