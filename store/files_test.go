package store_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// TestHostileDatabaseFilesPrivate: under the usual umask 022 the database, its -wal
// and -shm, a backup, a restored database and the copy kept before a restore are
// all created 0600, and an older database left 0644 is made 0600 when opened.
func TestHostileDatabaseFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	ctx := context.Background()
	dir := t.TempDir()
	wantPrivate := func(t *testing.T, paths ...string) {
		t.Helper()
		for _, p := range paths {
			info, err := os.Stat(p)
			if err != nil {
				t.Errorf("stat: %v", err)
				continue
			}
			if mode := info.Mode().Perm(); mode != 0o600 {
				t.Errorf("%s is %#o, want 0600", filepath.Base(p), mode)
			}
		}
	}

	live := filepath.Join(dir, "live.db")
	db, err := store.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustCreateUser(t, db, "files.admin", doorstep.RoleAdmin, 0) // a write: the -wal has frames
	wantPrivate(t, live, live+"-wal", live+"-shm")

	backup := filepath.Join(dir, "backup.db")
	if _, err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	wantPrivate(t, backup)

	restored := filepath.Join(dir, "restored.db")
	if err := store.Restore(ctx, restored, backup, store.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	wantPrivate(t, restored)
	previous := live + ".before-restore"
	if err := store.Restore(ctx, live, backup, store.RestoreOptions{Force: true, Previous: previous}); err != nil {
		t.Fatal(err)
	}
	wantPrivate(t, previous, live, live+"-wal", live+"-shm")
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
	wantPrivate(t, backup, backup+"-wal", backup+"-shm")
}
