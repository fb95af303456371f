package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// editFixture is a sample database with a staff member of one organization, an
// office user, and one listing of the staff's organization and one of another.
type editFixture struct {
	db                    *store.DB
	staff, office         context.Context
	own, other            int64
	ownSvc, otherSvc      *doorstep.Service
	staffUser, officeUser *doorstep.User
}

func newEditFixture(t *testing.T) *editFixture {
	t.Helper()
	db := storetest.MustOpenSampleDB(t)
	f := &editFixture{db: db}
	f.own, f.other, f.ownSvc, f.otherSvc = storetest.MustOrganizations(t, db)
	f.staffUser = storetest.MustCreateUser(t, db, "staff", doorstep.RoleStaff, f.own)
	f.officeUser = storetest.MustCreateUser(t, db, "office", doorstep.RoleOffice, 0)
	f.staff = doorstep.NewContextWithUser(context.Background(), f.staffUser)
	f.office = doorstep.NewContextWithUser(context.Background(), f.officeUser)
	return f
}

// auditCount counts the service audit entries about id.
func (f *editFixture) auditCount(t *testing.T, id int64) int {
	t.Helper()
	_, n, err := f.db.Audit(f.office, store.AuditFilter{Entity: store.EntityService, EntityID: id})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func setPhone(phone string) *doorstep.ServiceUpdate {
	return &doorstep.ServiceUpdate{Phone: &phone}
}

func ptr[T any](v T) *T { return &v }

// copyOf is an update that makes a new listing like s.
func copyOf(s *doorstep.Service, name string) *doorstep.ServiceUpdate {
	return &doorstep.ServiceUpdate{Category: &s.Category, OrganizationID: &s.OrganizationID, Name: &name,
		Lon: &s.Lon, Lat: &s.Lat, Hours: &s.Hours, Offers: &s.Offers, Phone: &s.Phone, Address: &s.Address}
}

func TestServiceChangesByRole(t *testing.T) {
	f := newEditFixture(t)
	nobody := context.Background()
	tests := []struct {
		name   string
		ctx    context.Context
		target func() *doorstep.Service
		code   string
	}{
		{"staff own", f.staff, func() *doorstep.Service { return f.ownSvc }, ""},
		{"staff other", f.staff, func() *doorstep.Service { return f.otherSvc }, doorstep.EFORBIDDEN},
		{"office other", f.office, func() *doorstep.Service { return f.otherSvc }, ""},
		{"signed out", nobody, func() *doorstep.Service { return f.ownSvc }, doorstep.EUNAUTHORIZED},
	}
	type change struct {
		name string
		do   func(ctx context.Context, s *doorstep.Service) (*doorstep.Service, error)
	}
	changes := []change{
		{"update", func(ctx context.Context, s *doorstep.Service) (*doorstep.Service, error) {
			return f.db.UpdateService(ctx, s.ID, s.Version, setPhone("021-6666-0001"))
		}},
		{"verify", func(ctx context.Context, s *doorstep.Service) (*doorstep.Service, error) {
			return f.db.MarkVerified(ctx, s.ID, s.Version)
		}},
		{"delete", func(ctx context.Context, s *doorstep.Service) (*doorstep.Service, error) {
			return f.db.DeleteService(ctx, s.ID, 0)
		}},
		{"create", func(ctx context.Context, s *doorstep.Service) (*doorstep.Service, error) {
			return f.db.CreateService(ctx, copyOf(s, "新的助餐点"))
		}},
	}
	for _, tc := range tests {
		for _, ch := range changes {
			t.Run(tc.name+"/"+ch.name, func(t *testing.T) {
				target, err := f.db.Service(context.Background(), tc.target().ID)
				if err != nil {
					t.Fatal(err)
				}
				before := f.auditCount(t, target.ID)
				got, err := ch.do(tc.ctx, target)
				if code := doorstep.ErrorCode(err); code != tc.code {
					t.Fatalf("%s = %v, want code %q", ch.name, err, tc.code)
				}
				after := f.auditCount(t, target.ID)
				if tc.code != "" {
					if after != before {
						t.Errorf("a refused %s wrote %d audit entries", ch.name, after-before)
					}
					if now, _ := f.db.Service(context.Background(), target.ID); now.Version != target.Version {
						t.Errorf("a refused %s changed the listing to version %d", ch.name, now.Version)
					}
					return
				}
				if ch.name == "create" {
					if got.ID == target.ID || got.Version != 1 || got.VerifiedAt == nil || f.auditCount(t, got.ID) != 1 {
						t.Errorf("created %+v with %d audit entries", got, f.auditCount(t, got.ID))
					}
					return
				}
				if got.Version != target.Version+1 || after != before+1 {
					t.Errorf("%s: version %d → %d, audit entries %d → %d", ch.name, target.Version, got.Version, before, after)
				}
			})
		}
	}
}

func TestUpdateServiceStaleVersion(t *testing.T) {
	f := newEditFixture(t)
	first, err := f.db.UpdateService(f.staff, f.ownSvc.ID, f.ownSvc.Version, setPhone("021-6666-0001"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.db.UpdateService(f.office, f.ownSvc.ID, f.ownSvc.Version, setPhone("021-6666-0002"))
	var conflict *doorstep.ConflictError
	if !errors.As(err, &conflict) || doorstep.ErrorCode(err) != doorstep.ECONFLICT {
		t.Fatalf("stale update = %v, want a conflict", err)
	}
	if current, ok := conflict.Current.(*doorstep.Service); !ok || conflict.Version != first.Version || current.Version != first.Version || current.Phone != "021-6666-0001" {
		t.Errorf("conflict carries %+v, want the current listing", conflict.Current)
	}
	now, _ := f.db.Service(context.Background(), f.ownSvc.ID)
	if now.Phone != "021-6666-0001" {
		t.Errorf("stale update overwrote the phone: %q", now.Phone)
	}
}

func TestUpdateServiceAudit(t *testing.T) {
	f := newEditFixture(t)
	capacity := 25
	updated, err := f.db.UpdateService(f.staff, f.ownSvc.ID, f.ownSvc.Version, &doorstep.ServiceUpdate{
		Hours:    &doorstep.Schedule{{Days: []string{"mon", "wed"}, Opens: "11:00", Closes: "13:30"}},
		Capacity: ptr(&capacity),
		Status:   ptr(doorstep.StatusTemporarilyClosed), ReopensOn: ptr("2026-12-15"), Note: ptr("<b>装修</b> & 暂停"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated.ID != f.ownSvc.ID || updated.Version != f.ownSvc.Version+1 {
		t.Errorf("id %d version %d, want %d and %d", updated.ID, updated.Version, f.ownSvc.ID, f.ownSvc.Version+1)
	}
	stored, _ := f.db.Service(context.Background(), f.ownSvc.ID)
	if stored.ReopensOn != "2026-12-15" || stored.Note != "<b>装修</b> & 暂停" || *stored.Capacity != 25 || stored.Hours[0].Opens != "11:00" {
		t.Errorf("stored %+v", stored)
	}
	entries, _, err := f.db.Audit(f.office, store.AuditFilter{Entity: store.EntityService, EntityID: f.ownSvc.ID})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit = %v, %v; want one entry", entries, err)
	}
	e := entries[0]
	if e.Username != "staff" || e.Action != store.ActionUpdate || e.Entity != store.EntityService || *e.OrganizationID != f.own {
		t.Errorf("audit entry %+v", e)
	}
	var before, after doorstep.Service
	mustUnmarshal(t, e.Before, &before)
	mustUnmarshal(t, e.After, &after)
	if before.Status != f.ownSvc.Status || after.Status != doorstep.StatusTemporarilyClosed || after.ReopensOn != "2026-12-15" || before.Version+1 != after.Version {
		t.Errorf("audit before %+v after %+v", before, after)
	}

	// A change that changes nothing stores and audits nothing.
	same, err := f.db.UpdateService(f.staff, updated.ID, updated.Version, &doorstep.ServiceUpdate{})
	if err != nil || same.Version != updated.Version {
		t.Errorf("no-op update = version %d, %v", same.Version, err)
	}
	if n := f.auditCount(t, updated.ID); n != 1 {
		t.Errorf("no-op update wrote audit: %d entries", n)
	}
}

func TestStaffCannotMoveListingAway(t *testing.T) {
	f := newEditFixture(t)
	_, err := f.db.UpdateService(f.staff, f.ownSvc.ID, f.ownSvc.Version, &doorstep.ServiceUpdate{OrganizationID: ptr[int64](f.other)})
	if doorstep.ErrorCode(err) != doorstep.EFORBIDDEN || doorstep.ErrorField(err) != "organization_id" {
		t.Errorf("move to other organization = %v, want forbidden organization_id", err)
	}
	moved, err := f.db.UpdateService(f.office, f.ownSvc.ID, f.ownSvc.Version, &doorstep.ServiceUpdate{OrganizationID: ptr[int64](f.other)})
	if err != nil || moved.OrganizationID != f.other {
		t.Errorf("office move = %v, %v", moved, err)
	}
	_, err = f.db.UpdateService(f.office, moved.ID, moved.Version, &doorstep.ServiceUpdate{OrganizationID: ptr[int64](99999)})
	if doorstep.ErrorField(err) != "organization_id" || doorstep.ErrorCode(err) != doorstep.EINVALID {
		t.Errorf("move to unknown organization = %v", err)
	}
}

func TestFailedChangeWritesNoAudit(t *testing.T) {
	f := newEditFixture(t)
	ctx := context.Background()
	negative := -5
	tests := []struct {
		name  string
		apply *doorstep.ServiceUpdate
	}{
		{"bad phone", &doorstep.ServiceUpdate{Phone: ptr("not a phone")}},
		{"negative capacity", &doorstep.ServiceUpdate{Capacity: ptr(&negative)}},
		{"unknown category", &doorstep.ServiceUpdate{Category: ptr("casino")}},
		{"far from the street", &doorstep.ServiceUpdate{Lon: ptr(121.9)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.db.UpdateService(f.staff, f.ownSvc.ID, f.ownSvc.Version, tc.apply); err == nil {
				t.Fatal("change accepted")
			}
			if n := f.auditCount(t, f.ownSvc.ID); n != 0 {
				t.Errorf("failed change wrote %d audit entries", n)
			}
		})
	}

	// The other way round: when the audit entry cannot be written, the change is
	// rolled back with it.
	listings := listingCount(t, f.db)
	conn, err := f.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit refused'); END`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if _, err := f.db.UpdateService(f.staff, f.ownSvc.ID, f.ownSvc.Version, setPhone("021-6666-0009")); err == nil {
		t.Fatal("change stored although its audit entry was refused")
	}
	if _, err := f.db.MarkVerified(f.staff, f.ownSvc.ID, 0); err == nil {
		t.Fatal("verify stored although its audit entry was refused")
	}
	if _, err := f.db.CreateService(f.staff, copyOf(f.ownSvc, "新的助餐点")); err == nil {
		t.Fatal("listing created although its audit entry was refused")
	}
	now, _ := f.db.Service(ctx, f.ownSvc.ID)
	if now.Phone != f.ownSvc.Phone || now.Version != f.ownSvc.Version || now.VerifiedAt != nil {
		t.Errorf("listing changed without audit: %+v", now)
	}
	if n := listingCount(t, f.db); n != listings {
		t.Errorf("a listing was created without audit: %d listings, was %d", n, listings)
	}
}

func listingCount(t *testing.T, db *store.DB) int {
	t.Helper()
	_, total, err := db.Listings(context.Background(), store.ListingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func TestConcurrentUpdatesOneWinsPerVersion(t *testing.T) {
	f := newEditFixture(t)
	const n = 20
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		won       []string
		conflicts int
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			phone := "021-6666-" + string(rune('A'+i))
			_, err := f.db.UpdateService(f.staff, f.ownSvc.ID, f.ownSvc.Version, &doorstep.ServiceUpdate{Note: &phone})
			mu.Lock()
			defer mu.Unlock()
			switch doorstep.ErrorCode(err) {
			case "":
				won = append(won, phone)
			case doorstep.ECONFLICT:
				conflicts++
			default:
				t.Errorf("update %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if len(won) != 1 || conflicts != n-1 {
		t.Fatalf("%d updates won, %d conflicts; want 1 and %d", len(won), conflicts, n-1)
	}
	now, _ := f.db.Service(context.Background(), f.ownSvc.ID)
	if now.Note != won[0] || now.Version != f.ownSvc.Version+1 || f.auditCount(t, f.ownSvc.ID) != 1 {
		t.Errorf("stored note %q version %d, want the winner %q at version %d", now.Note, now.Version, won[0], f.ownSvc.Version+1)
	}
}

func TestDeleteKeepsTheListingClosed(t *testing.T) {
	f := newEditFixture(t)
	ctx := context.Background()
	closed, err := f.db.DeleteService(f.staff, f.ownSvc.ID, f.ownSvc.Version)
	if err != nil {
		t.Fatal(err)
	}
	if closed.Status != doorstep.StatusClosed {
		t.Errorf("status %q after delete", closed.Status)
	}
	again, err := f.db.DeleteService(f.staff, f.ownSvc.ID, 0)
	if err != nil || again.Version != closed.Version {
		t.Errorf("second delete = version %d, %v; want no change", again.Version, err)
	}
	if _, err := f.db.DeleteService(f.staff, 99999, 0); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Errorf("delete of a missing listing = %v", err)
	}
	// The closed listing stays on the staff list, and can be opened again.
	list, _, err := f.db.Listings(ctx, store.ListingFilter{OrganizationID: f.own})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range list {
		found = found || s.ID == f.ownSvc.ID
		if s.OrganizationID != f.own {
			t.Errorf("listing %d of organization %d in organization %d's list", s.ID, s.OrganizationID, f.own)
		}
	}
	if !found {
		t.Errorf("closed listing missing from its organization's list")
	}
	reopened, err := f.db.UpdateService(f.staff, closed.ID, closed.Version, &doorstep.ServiceUpdate{Status: ptr(doorstep.StatusOpen)})
	if err != nil || reopened.Status != doorstep.StatusOpen {
		t.Errorf("reopen = %v, %v", reopened, err)
	}
	actions := []string{}
	entries, _, _ := f.db.Audit(f.office, store.AuditFilter{Entity: store.EntityService, EntityID: f.ownSvc.ID})
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if len(actions) != 2 || actions[0] != store.ActionUpdate || actions[1] != store.ActionDelete {
		t.Errorf("audit actions %v, want [update delete]", actions)
	}
}

func TestListingsLeastRecentlyCheckedFirst(t *testing.T) {
	f := newEditFixture(t)
	clock := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	f.db.Now = func() time.Time { return clock }
	list, total, err := f.db.Listings(context.Background(), store.ListingFilter{})
	if err != nil || total < 3 || len(list) != total {
		t.Fatalf("listings: %d of %d, %v", len(list), total, err)
	}
	// Check the first two, the first later: both move to the end, earlier check first.
	a, b := list[0], list[1]
	if _, err := f.db.MarkVerified(f.office, b.ID, 0); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Hour)
	if _, err := f.db.MarkVerified(f.office, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	list, _, _ = f.db.Listings(context.Background(), store.ListingFilter{})
	if n := len(list); list[n-2].ID != b.ID || list[n-1].ID != a.ID || list[n-1].VerifiedAt.Sub(*list[n-2].VerifiedAt) != time.Hour {
		t.Errorf("recently checked listings not last: %d, %d", list[n-2].ID, list[n-1].ID)
	}
	page, total2, _ := f.db.Listings(context.Background(), store.ListingFilter{Limit: 2, Offset: 1})
	if len(page) != 2 || total2 != total || page[0].ID != list[1].ID {
		t.Errorf("page of 2 at 1: %d items, total %d", len(page), total2)
	}
}

func TestAuditVisibilityAndFilters(t *testing.T) {
	f := newEditFixture(t)
	clock := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	f.db.Now = func() time.Time { return clock }
	if _, err := f.db.UpdateService(f.staff, f.ownSvc.ID, f.ownSvc.Version, setPhone("021-6666-0001")); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(24 * time.Hour)
	if _, err := f.db.MarkVerified(f.office, f.otherSvc.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.MarkVerified(f.office, f.ownSvc.ID, 0); err != nil {
		t.Fatal(err)
	}
	staffOther := storetest.MustCreateUser(t, f.db, "other.staff", doorstep.RoleStaff, f.other)
	otherCtx := doorstep.NewContextWithUser(context.Background(), staffOther)

	tests := []struct {
		name   string
		ctx    context.Context
		filter store.AuditFilter
		want   int
	}{
		{"office sees every service change", f.office, store.AuditFilter{Entity: store.EntityService}, 3},
		{"staff see their organization's listings' changes", f.staff, store.AuditFilter{}, 2}, // not the account's creation
		{"other staff see theirs", otherCtx, store.AuditFilter{Entity: store.EntityService}, 1},
		{"by entity id", f.office, store.AuditFilter{Entity: store.EntityService, EntityID: f.ownSvc.ID}, 2},
		{"by user", f.office, store.AuditFilter{Username: "staff", Entity: store.EntityService}, 1},
		{"by action", f.office, store.AuditFilter{Action: store.ActionVerify}, 2},
		{"since", f.office, store.AuditFilter{Entity: store.EntityService, Since: clock}, 2},
		{"staff asking for another organization's listing", f.staff, store.AuditFilter{Entity: store.EntityService, EntityID: f.otherSvc.ID}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := f.db.Audit(tc.ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if total != tc.want || len(list) != tc.want {
				t.Errorf("%d entries (total %d), want %d", len(list), total, tc.want)
			}
			for i := 1; i < len(list); i++ {
				if list[i].ID > list[i-1].ID {
					t.Errorf("entries not newest first")
				}
			}
		})
	}
	page, total, _ := f.db.Audit(f.office, store.AuditFilter{Limit: 1, Offset: 1, Entity: store.EntityService})
	if len(page) != 1 || total != 3 || page[0].Action != store.ActionVerify || page[0].EntityID != f.otherSvc.ID {
		t.Errorf("second page of one: %+v, total %d", page, total)
	}
	if _, _, err := f.db.Audit(context.Background(), store.AuditFilter{}); doorstep.ErrorCode(err) != doorstep.EUNAUTHORIZED {
		t.Errorf("audit without a user = %v", err)
	}
}

func mustUnmarshal(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
}

// TestHostileAuditStoresChangedFields edits one field of a listing holding as much
// as validation allows: the entry holds that field (and what names the listing),
// not the listing twice.
func TestHostileAuditStoresChangedFields(t *testing.T) {
	f := newEditFixture(t)
	var hours doorstep.Schedule
	for _, d := range doorstep.Weekdays {
		for _, h := range [][2]string{{"06:00", "07:00"}, {"08:00", "09:00"}, {"10:00", "11:00"}, {"12:00", "13:00"}} {
			hours = append(hours, doorstep.OpeningSpan{Days: []string{d}, Opens: h[0], Closes: h[1]})
		}
	}
	var offers []string
	for i := range doorstep.MaxOffers {
		offers = append(offers, string(rune('甲'+i))+"服务项目二十个字以内的说明文字")
	}
	big, err := f.db.UpdateService(f.staff, f.ownSvc.ID, f.ownSvc.Version, &doorstep.ServiceUpdate{Hours: &hours, Offers: &offers})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.UpdateService(f.staff, big.ID, big.Version, &doorstep.ServiceUpdate{Note: ptr("换了电话")}); err != nil {
		t.Fatal(err)
	}
	entries, _, err := f.db.Audit(f.office, store.AuditFilter{Entity: store.EntityService, EntityID: big.ID, Limit: 1})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit = %v, %v", entries, err)
	}
	e := entries[0]
	var before, after map[string]json.RawMessage
	mustUnmarshal(t, e.Before, &before)
	mustUnmarshal(t, e.After, &after)
	for _, m := range []map[string]json.RawMessage{before, after} {
		for _, absent := range []string{"hours", "offers", "address", "updated_at"} {
			if _, ok := m[absent]; ok {
				t.Errorf("entry holds unchanged %q: %s", absent, m[absent])
			}
		}
		for _, present := range []string{"id", "name", "note", "version"} {
			if _, ok := m[present]; !ok {
				t.Errorf("entry lacks %q", present)
			}
		}
	}
	if string(after["note"]) != `"换了电话"` {
		t.Errorf("after note = %s", after["note"])
	}
	if n := len(e.Before) + len(e.After); n > 500 {
		t.Errorf("entry is %d bytes for a one-field edit", n)
	}
}
