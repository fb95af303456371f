package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"doorstep/store"
	"doorstep/synth"
)

// runGen writes a synthetic city into a new database, for benchmarks and load tests.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", stderr)
	dbPath := fs.String("db", "", "SQLite database file to create (required; must not hold a street yet)")
	nodes := fs.Int("nodes", 1_000_000, "walking-network nodes, about")
	services := fs.Int("services", 100_000, "service listings")
	areas := fs.Int("areas", 5_000, "residential areas (a square grid)")
	seed := fs.Int64("seed", 1, "random seed: the same seed and sizes give the same city")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbPath == "" {
		return errors.New("gen: --db is required")
	}
	if *nodes < 100 || *nodes > 20_000_000 || *services < 0 || *services > 5_000_000 || *areas < 1 || *areas > 1_000_000 {
		return errors.New("gen: sizes out of range (nodes 100–20,000,000, services 0–5,000,000, areas 1–1,000,000)")
	}
	start := time.Now()
	city := synth.NewCity(*seed, *nodes, *services, *areas)
	fmt.Fprintf(stderr, "generated %d lines, %d areas, %d services in %s\n", len(city.Network), len(city.Areas), len(city.Services), time.Since(start).Round(time.Millisecond))
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.LoadCity(ctx, city.Street, city.Areas, city.Services, city.Network); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	fmt.Fprintf(stdout, "wrote the synthetic city (sample data) to %s in %s\n", *dbPath, time.Since(start).Round(time.Millisecond))
	return nil
}
