package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"doorstep"
	"doorstep/store"
)

func TestGenWritesASyntheticCity(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "city.db")
	var stdout, stderr bytes.Buffer
	args := []string{"gen", "--db", dbPath, "--nodes", "3000", "--services", "200", "--areas", "16"}
	if err := run(ctx, args, &stdout, &stderr, nil); err != nil {
		t.Fatalf("gen: %v\n%s", err, stderr.String())
	}
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, services, err := db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	areas, err := db.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := db.NetworkLines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if services != 200 || len(areas) != 16 || len(lines) == 0 {
		t.Errorf("city: %d services, %d areas, %d lines", services, len(areas), len(lines))
	}
	if v, _ := db.Meta(ctx, store.MetaSample); v != "true" {
		t.Errorf("city not marked sample: %q", v)
	}
	// A second run into the same database is refused, leaving it as it was.
	err = run(ctx, args, &stdout, &stderr, nil)
	if err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("second gen: %v", err)
	}
}
