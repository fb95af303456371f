package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

func TestPasswordHash(t *testing.T) {
	h1, err := store.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	h2, err := store.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id in PHC format with the default costs", h1)
	}
	if h1 == h2 {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
	if strings.Contains(h1, "horse") {
		t.Errorf("hash contains the password")
	}
	tests := []struct {
		name, hash, password string
		ok, malformed        bool
	}{
		{"right", h1, "correct horse battery", true, false},
		{"wrong", h1, "correct horse battery!", false, false},
		{"empty", h1, "", false, false},
		{"other salt", h2, "correct horse battery", true, false},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuu", "x", false, true},
		{"cut short", h1[:20], "correct horse battery", false, true},
		{"argon2i", strings.Replace(h1, "argon2id", "argon2i", 1), "correct horse battery", false, true},
		{"zero cost", strings.Replace(h1, "t=2", "t=0", 1), "correct horse battery", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := store.CheckPassword(tc.hash, tc.password)
			if ok != tc.ok || (err != nil) != tc.malformed {
				t.Errorf("CheckPassword = %v, %v; want %v, malformed %v", ok, err, tc.ok, tc.malformed)
			}
		})
	}
}

func TestCreateUserAndAuthenticate(t *testing.T) {
	db := storetest.MustOpenSampleDB(t)
	ctx := context.Background()
	own, _, _, _ := storetest.MustOrganizations(t, db)
	staff := storetest.MustCreateUser(t, db, "wang.li", doorstep.RoleStaff, own)
	storetest.MustCreateUser(t, db, "zhao", doorstep.RoleOffice, 0)
	if err := db.SetUserDisabled(ctx, "zhao", true); err != nil {
		t.Fatal(err)
	}

	t.Run("refused accounts", func(t *testing.T) {
		missing := int64(99999)
		tests := []struct {
			name     string
			user     doorstep.User
			password string
			field    string
		}{
			{"short password", doorstep.User{Username: "li", Role: doorstep.RoleOffice}, "123456789", "password"},
			{"taken username in other case", doorstep.User{Username: "WANG.LI", Role: doorstep.RoleOffice}, storetest.Password, "username"},
			{"staff without organization", doorstep.User{Username: "li", Role: doorstep.RoleStaff}, storetest.Password, "organization_id"},
			{"unknown organization", doorstep.User{Username: "li", Role: doorstep.RoleStaff, OrganizationID: &missing}, storetest.Password, "organization_id"},
			{"unknown role", doorstep.User{Username: "li", Role: "root"}, storetest.Password, "role"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := db.CreateUser(ctx, &tc.user, tc.password)
				if doorstep.ErrorCode(err) != doorstep.EINVALID || doorstep.ErrorField(err) != tc.field {
					t.Errorf("CreateUser = %v, want invalid %s", err, tc.field)
				}
			})
		}
	})

	tests := []struct {
		name, username, password string
		code                     string
	}{
		{"right password", "wang.li", storetest.Password, ""},
		{"username in other case", "Wang.Li", storetest.Password, ""},
		{"wrong password", "wang.li", "correct horse battery!", doorstep.EUNAUTHORIZED},
		{"unknown user", "nobody", storetest.Password, doorstep.EUNAUTHORIZED},
		{"password too long", "wang.li", strings.Repeat("x", doorstep.MaxPasswordBytes+1), doorstep.EUNAUTHORIZED},
		{"disabled user", "zhao", storetest.Password, doorstep.EFORBIDDEN},
		{"disabled user, wrong password", "zhao", "not the password", doorstep.EUNAUTHORIZED},
	}
	var messages []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := db.Authenticate(ctx, tc.username, tc.password)
			if got := doorstep.ErrorCode(err); got != tc.code {
				t.Fatalf("Authenticate = %v, want code %q", err, tc.code)
			}
			if tc.code == "" && (u.ID != staff.ID || u.Role != doorstep.RoleStaff || *u.OrganizationID != own) {
				t.Errorf("signed in as %+v, want %+v", u, staff)
			}
			if tc.code == doorstep.EUNAUTHORIZED {
				messages = append(messages, doorstep.ErrorMessage(err))
			}
		})
	}
	for _, m := range messages {
		if m != messages[0] {
			t.Errorf("failed sign-ins answer %q and %q: an unknown user must look like a wrong password", messages[0], m)
		}
	}
}

func TestAuthenticateTakesAsLongForUnknownUsers(t *testing.T) {
	db := storetest.MustOpenSampleDB(t)
	ctx := context.Background()
	storetest.MustCreateUser(t, db, "office", doorstep.RoleOffice, 0)
	measure := func(username string) time.Duration {
		best := time.Hour
		for range 3 {
			start := time.Now()
			if _, err := db.Authenticate(ctx, username, "wrong password!"); err == nil {
				t.Fatal("signed in with a wrong password")
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	known, unknown := measure("office"), measure("nobody")
	// Both hash once; without the dummy hash the unknown user would answer ~100× faster.
	if unknown < known/3 {
		t.Errorf("unknown user answered in %v, known in %v: the difference tells which usernames exist", unknown, known)
	}
}

func TestPasswordChangeAndDisableEndSessions(t *testing.T) {
	db := storetest.MustOpenSampleDB(t)
	ctx := context.Background()
	u := storetest.MustCreateUser(t, db, "office", doorstep.RoleOffice, 0)
	if _, err := db.SessionUser(ctx, u.ID, "sid-1", u.SessionVersion); err != nil {
		t.Fatalf("fresh session refused: %v", err)
	}
	if err := db.SetPassword(ctx, "office", "a new password 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionUser(ctx, u.ID, "sid-1", u.SessionVersion); doorstep.ErrorCode(err) != doorstep.EUNAUTHORIZED {
		t.Errorf("session from before the password change = %v, want unauthorized", err)
	}
	if _, err := db.Authenticate(ctx, "office", storetest.Password); err == nil {
		t.Errorf("old password still works")
	}
	now, err := db.Authenticate(ctx, "office", "a new password 2")
	if err != nil {
		t.Fatalf("new password: %v", err)
	}
	if err := db.SetPassword(ctx, "office", "short"); doorstep.ErrorField(err) != "password" {
		t.Errorf("short new password = %v, want invalid password", err)
	}

	if err := db.RevokeSession(ctx, "sid-2", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionUser(ctx, u.ID, "sid-2", now.SessionVersion); doorstep.ErrorCode(err) != doorstep.EUNAUTHORIZED {
		t.Errorf("signed-out session = %v, want unauthorized", err)
	}
	if _, err := db.SessionUser(ctx, u.ID, "sid-3", now.SessionVersion); err != nil {
		t.Errorf("another session signed out too: %v", err)
	}

	if err := db.SetUserDisabled(ctx, "office", true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionUser(ctx, u.ID, "sid-3", now.SessionVersion); doorstep.ErrorCode(err) != doorstep.EUNAUTHORIZED {
		t.Errorf("session of a disabled user = %v, want unauthorized", err)
	}
	if err := db.SetUserDisabled(ctx, "office", false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, "office", "a new password 2"); err != nil {
		t.Errorf("enabled again, sign-in = %v", err)
	}
	if err := db.SetUserDisabled(ctx, "nobody", true); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Errorf("disable unknown user = %v, want not found", err)
	}

	// Every change to the account is in the audit log, without the password.
	office := storetest.MustCreateUser(t, db, "auditor", doorstep.RoleOffice, 0)
	entries, _, err := db.Audit(doorstep.NewContextWithUser(ctx, office), store.AuditFilter{Entity: store.EntityUser, EntityID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if strings.Contains(string(e.After), "argon2") || strings.Contains(string(e.After), "password_hash") {
			t.Errorf("audit entry %d carries the password hash: %s", e.ID, e.After)
		}
	}
	if got, want := strings.Join(actions, ","), "enable,disable,password,create"; got != want {
		t.Errorf("user audit actions = %s, want %s", got, want)
	}
}

func TestMetaOrInsert(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	first, err := db.MetaOrInsert(ctx, store.MetaSessionKey, "a")
	if err != nil || first != "a" {
		t.Fatalf("first = %q, %v", first, err)
	}
	if again, err := db.MetaOrInsert(ctx, store.MetaSessionKey, "b"); err != nil || again != "a" {
		t.Errorf("second = %q, %v; want the first value kept", again, err)
	}
}
