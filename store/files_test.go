package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// TestHostileDatabaseFilesPrivate: under the usual umask 022 the database, its -wal
// and -shm, a backup, a restored database and the copy kept before a restore are
// all created 0600, and an older database left 0644 is made 0600 when opened.
func TestHostileDatabaseFilesPrivate(t *testing.T) {
	storetest.UsualUmask(t)
	ctx := context.Background()
	dir := t.TempDir()

	live := filepath.Join(dir, "live.db")
	db, err := store.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustCreateUser(t, db, "files.admin", doorstep.RoleAdmin, 0) // a write: the -wal has frames
	storetest.WantPrivate(t, live, live+"-wal", live+"-shm")

	backup := filepath.Join(dir, "backup.db")
	if _, err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	storetest.WantPrivate(t, backup)

	restored := filepath.Join(dir, "restored.db")
	if err := store.Restore(ctx, restored, backup, store.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	storetest.WantPrivate(t, restored)
	previous := live + ".before-restore"
	if err := store.Restore(ctx, live, backup, store.RestoreOptions{Force: true, Previous: previous}); err != nil {
		t.Fatal(err)
	}
	storetest.WantPrivate(t, previous, live, live+"-wal", live+"-shm")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// A database an older version created world-readable.
	if err := os.Chmod(backup, 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := store.Open(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	storetest.WantPrivate(t, backup, backup+"-wal", backup+"-shm")
}
