package storetest

import (
	"context"
	"testing"

	"doorstep"
	"doorstep/store"
)

// Password is the password of every account MustCreateUser makes.
const Password = "correct horse battery"

// MustCreateUser adds an account with Password; org is its organization's id, or 0
// for none.
func MustCreateUser(tb testing.TB, db *store.DB, username string, role doorstep.Role, org int64) *doorstep.User {
	tb.Helper()
	u := &doorstep.User{Username: username, Role: role}
	if org != 0 {
		u.OrganizationID = &org
	}
	if err := db.CreateUser(context.Background(), u, Password); err != nil {
		tb.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// MustOrganizations returns the ids of two different organizations that each keep
// at least one listing, and one listing of each: for tests of who may edit what.
func MustOrganizations(tb testing.TB, db *store.DB) (own, other int64, ownService, otherService *doorstep.Service) {
	tb.Helper()
	list, _, err := db.Services(context.Background(), doorstep.ServiceFilter{})
	if err != nil {
		tb.Fatalf("services: %v", err)
	}
	for _, s := range list {
		switch {
		case ownService == nil:
			ownService = s
		case s.OrganizationID != ownService.OrganizationID:
			return ownService.OrganizationID, s.OrganizationID, ownService, s
		}
	}
	tb.Fatalf("the database has no two organizations with listings")
	return 0, 0, nil, nil
}

// UseCheapPasswords makes the hashes of this test binary cheap (argon2id with
// 64 KiB and one pass instead of 19 MiB and two), for packages whose tests sign in
// many times: a real hash takes about 0.1 s under the race detector. Call it from
// TestMain, before any hash; store's own tests keep the real costs.
func UseCheapPasswords() {
	store.DefaultPasswordParams.Memory = 64
	store.DefaultPasswordParams.Time = 1
}
