package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// noteWrites counts the changes of writeNotes. A change is begun before its
// transaction starts and acknowledged after UpdateService returns, so at any moment
// the database holds at least the acknowledged changes and at most the begun ones.
type noteWrites struct {
	begun, acknowledged atomic.Int64
}

// writeNotes changes the note of the listings ids, one writer per listing, until
// stop is closed, and counts the changes.
func writeNotes(t *testing.T, db *store.DB, ids []int64, stop <-chan struct{}) *noteWrites {
	t.Helper()
	admin := storetest.MustCreateUser(t, db, "backup.admin", doorstep.RoleAdmin, 0)
	ctx := doorstep.NewContextWithUser(context.Background(), admin)
	writes := &noteWrites{}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				writes.begun.Add(1)
				_, err := db.UpdateService(ctx, id, 0, &doorstep.ServiceUpdate{Note: ptr(fmt.Sprintf("write %d", n))})
				if err != nil {
					t.Errorf("update %d: %v", id, err)
					return
				}
				writes.acknowledged.Add(1)
			}
		})
	}
	t.Cleanup(wg.Wait)
	return writes
}

// auditedVersions checks that a database is transactionally consistent — every
// listing's version is one more than its audited updates — and returns the number
// of audited updates.
func auditedVersions(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT s.id, s.version, (SELECT COUNT(*) FROM audit a
		WHERE a.entity = 'service' AND a.entity_id = s.id AND a.action = 'update') FROM services s`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var id, version, updates int
		if err := rows.Scan(&id, &version, &updates); err != nil {
			t.Fatal(err)
		}
		if version != updates+1 {
			t.Errorf("%s: listing %d at version %d with %d audited updates", filepath.Base(path), id, version, updates)
		}
		total += updates
	}
	return total
}

func TestBackupDuringConcurrentWrites(t *testing.T) {
	db := storetest.MustOpenSampleDB(t)
	stop := make(chan struct{})
	writes := writeNotes(t, db, []int64{1, 2, 3, 4}, stop)
	dir := t.TempDir()
	var last int
	for i := range 5 {
		time.Sleep(30 * time.Millisecond)
		// Every change acknowledged before the backup began is in the copy; a change
		// whose commit overlaps the backup may be in it, though UpdateService has not
		// returned yet, but none begun after the backup ended.
		before := writes.acknowledged.Load()
		path := filepath.Join(dir, fmt.Sprintf("copy-%d.db", i))
		size, err := db.Backup(context.Background(), path)
		if err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		after := writes.begun.Load()
		if st, err := os.Stat(path); err != nil || st.Size() != size || size == 0 {
			t.Fatalf("backup %d: size %d, stat %v %v", i, size, st, err)
		}
		if err := store.CheckIntegrity(context.Background(), path); err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		// The copy holds one moment between the two, and later copies never go
		// back in time.
		n := auditedVersions(t, path)
		if int64(n) < before || int64(n) > after || n < last {
			t.Errorf("backup %d holds %d updates; %d were acknowledged before it began, %d begun before it ended, %d in the previous copy", i, n, before, after, last)
		}
		last = n
	}
	close(stop)
	if last == 0 {
		t.Error("no write was committed while backing up")
	}
	t.Logf("5 backups during %d acknowledged writes", writes.acknowledged.Load())

	// No temporary files are left beside the copies.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 5 {
		t.Errorf("backup directory holds %d files, want 5", len(entries))
	}
	if _, err := db.Backup(context.Background(), db.Path()); err == nil {
		t.Error("a backup over the database itself was allowed")
	}
}

func TestCheckIntegrityRefuses(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte("SQLite format 3\x00 but not really a database, just text"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckIntegrity(context.Background(), junk); err == nil {
		t.Error("junk passed the check")
	}
	other := filepath.Join(dir, "other.db")
	sqldb, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqldb.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	sqldb.Close()
	if err := store.CheckIntegrity(context.Background(), other); err == nil {
		t.Error("a database of another program passed the check")
	}
	if err := store.CheckIntegrity(context.Background(), filepath.Join(dir, "missing.db")); err == nil {
		t.Error("a missing file passed the check")
	}
}

func TestRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, backup := storetest.MustSampleFile(t), filepath.Join(dir, "backup.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	admin := storetest.MustCreateUser(t, db, "restore.admin", doorstep.RoleAdmin, 0)
	if _, err := db.UpdateService(doorstep.NewContextWithUser(ctx, admin), 1, 0, &doorstep.ServiceUpdate{Note: ptr("after the backup")}); err != nil {
		t.Fatal(err)
	}

	// While a server holds the database open, restore refuses.
	if err := store.Restore(ctx, path, backup, store.RestoreOptions{}); !errors.Is(err, store.ErrInUse) {
		t.Fatalf("restore under a running server: %v, want ErrInUse", err)
	}
	if svc, err := db.Service(ctx, 1); err != nil || svc.Note != "after the backup" {
		t.Fatalf("the refused restore changed the database: %v %v", svc, err)
	}
	// With force it goes ahead; the server's connections see the restored data.
	previous := filepath.Join(dir, "previous.db")
	if err := store.Restore(ctx, path, backup, store.RestoreOptions{Force: true, Previous: previous}); err != nil {
		t.Fatalf("forced restore: %v", err)
	}
	if svc, err := db.Service(ctx, 1); err != nil || svc.Note == "after the backup" {
		t.Fatalf("after the forced restore listing 1 is %v %v", svc, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// The copy of the database as it was holds the change the restore undid.
	kept, err := store.Open(ctx, previous)
	if err != nil {
		t.Fatal(err)
	}
	if svc, err := kept.Service(ctx, 1); err != nil || svc.Note != "after the backup" {
		t.Errorf("the previous database kept listing 1 as %v %v", svc, err)
	}
	kept.Close()

	// With the server stopped, restore needs no force, and the result opens.
	if err := store.Restore(ctx, path, backup, store.RestoreOptions{}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if users, err := db.Users(ctx); err != nil || len(users) != 0 {
		t.Errorf("restored database has users %v (%v); the backup had none", users, err)
	}
	if err := store.Restore(ctx, path, path, store.RestoreOptions{Force: true}); err == nil {
		t.Error("restoring a database onto itself was allowed")
	}
	if err := store.Restore(ctx, path, filepath.Join(dir, "missing.db"), store.RestoreOptions{Force: true}); err == nil {
		t.Error("restoring from a missing file was allowed")
	}
}
