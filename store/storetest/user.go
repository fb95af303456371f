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
	ownService, otherService = twoOrganizations(tb, db, doorstep.ServiceFilter{})
	return ownService.OrganizationID, otherService.OrganizationID, ownService, otherService
}

// twoOrganizations returns the first listing the filter selects and the first
// after it of another organization.
func twoOrganizations(tb testing.TB, db *store.DB, filter doorstep.ServiceFilter) (own, other *doorstep.Service) {
	tb.Helper()
	list, _, err := db.Services(context.Background(), filter)
	if err != nil {
		tb.Fatalf("services: %v", err)
	}
	for _, s := range list {
		switch {
		case own == nil:
			own = s
		case s.OrganizationID != own.OrganizationID:
			return own, s
		}
	}
	tb.Fatalf("the database has no two organizations with listings of %+v", filter)
	return nil, nil
}

// UseCheapPasswords makes the hashes of this test binary cheap (argon2id with
// 64 KiB and one pass instead of 19 MiB and two), for packages whose tests sign in
// many times: a real hash takes about 0.1 s under the race detector. Call it from
// TestMain, before any hash; store's own tests keep the real costs.
func UseCheapPasswords() {
	store.DefaultPasswordParams.Memory = 64
	store.DefaultPasswordParams.Time = 1
}

// MustMealPoints returns two meal points run by different organizations: for
// tests of who may keep which menus and delivery areas.
func MustMealPoints(tb testing.TB, db *store.DB) (own, other *doorstep.Service) {
	tb.Helper()
	return twoOrganizations(tb, db, doorstep.ServiceFilter{Category: "meal_point"})
}
