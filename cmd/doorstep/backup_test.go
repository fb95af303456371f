package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"doorstep/store"
	"doorstep/store/storetest"
)

// TestBackupAndRestoreCommands runs doorstep backup and doorstep restore: the
// restore refuses while another connection (a server) holds the database, goes
// ahead with --force, and keeps the database as it was beside it.
func TestBackupAndRestoreCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, backup := storetest.MustSampleFile(t), filepath.Join(dir, "copy.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"backup", "--db", dbPath, backup}, &out, &errOut, nil); err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "integrity ok") {
		t.Errorf("backup said %q", out.String())
	}
	if err := store.CheckIntegrity(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"backup", "--db", filepath.Join(dir, "missing.db"), backup}, &out, &errOut, nil); err == nil {
		t.Error("a backup of a missing database was made")
	}

	// db stands for a running server.
	err = run(ctx, []string{"restore", "--db", dbPath, backup}, &out, &errOut, nil)
	if err == nil || !strings.Contains(err.Error(), "running server") {
		t.Fatalf("restore under a server: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"restore", "--db", dbPath, "--force", backup}, &out, &errOut, nil); err != nil {
		t.Fatalf("restore --force: %v", err)
	}
	if !strings.Contains(out.String(), "restart the server") {
		t.Errorf("restore --force said %q", out.String())
	}
	if _, err := os.Stat(dbPath + ".before-restore"); err != nil {
		t.Errorf("the database as it was is not kept: %v", err)
	}
	db.Close()
	fresh := filepath.Join(dir, "fresh.db")
	if err := run(ctx, []string{"restore", "--db", fresh, "--keep", "", backup}, &out, &errOut, nil); err != nil {
		t.Fatalf("restore into a new file: %v", err)
	}
	if err := store.CheckIntegrity(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fresh + ".before-restore"); err == nil {
		t.Error("--keep \"\" kept a copy")
	}
}
