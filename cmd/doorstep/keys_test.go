package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// TestHostileKeysRotate: doorstep keys rotate replaces the key where the server
// reads it — the database, or a key file it writes 0600 under umask 022 — and
// moves every user's session version on, signing everyone out.
func TestHostileKeysRotate(t *testing.T) {
	storetest.UsualUmask(t)
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, keyFile := filepath.Join(dir, "d.db"), filepath.Join(dir, "session.key")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	u := storetest.MustCreateUser(t, db, "keys.staff", doorstep.RoleOffice, 0)
	before, err := db.MetaOrInsert(ctx, store.MetaSessionKey, "old")
	if err != nil {
		t.Fatal(err)
	}
	version := func() int64 {
		t.Helper()
		got, err := db.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.SessionVersion
	}
	v0 := version()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"keys", "rotate", "--db", dbPath}, &out, &errOut, nil); err != nil {
		t.Fatalf("keys rotate: %v %s", err, errOut.String())
	}
	if after, _ := db.Meta(ctx, store.MetaSessionKey); after == before || len(after) != 128 {
		t.Errorf("key in the database %q after rotation (was %q)", after, before)
	}
	if v := version(); v != v0+1 {
		t.Errorf("session version %d after rotation, want %d", v, v0+1)
	}

	for range 2 {
		if err := run(ctx, []string{"keys", "rotate", "--db", dbPath, "--session-key-file", keyFile}, &out, &errOut, nil); err != nil {
			t.Fatalf("keys rotate --session-key-file: %v %s", err, errOut.String())
		}
	}
	storetest.WantPrivate(t, keyFile)
	if v := version(); v != v0+3 {
		t.Errorf("session version %d after three rotations, want %d", v, v0+3)
	}
}
