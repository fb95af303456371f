package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/calendar"
	"doorstep/store"
	"doorstep/store/storetest"
)

func taiChi() *doorstep.ActivityUpdate {
	return &doorstep.ActivityUpdate{Title: ptr("太极拳"), Start: ptr("2026-12-09T14:00"), End: ptr("2026-12-09T15:30"),
		RRule: ptr("FREQ=WEEKLY;BYDAY=WE"), Capacity: ptr(ptr(20)), SignUp: ptr(true)}
}

func (f *editFixture) activityAudits(t *testing.T, id int64) int {
	t.Helper()
	_, n, err := f.db.Audit(f.office, store.AuditFilter{Entity: store.EntityActivity, EntityID: id})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestActivityLifeCycle creates, changes, conflicts on and deletes an activity,
// each change audited in its own transaction, on a real database file.
func TestActivityLifeCycle(t *testing.T) {
	f := newEditFixture(t)
	a, err := f.db.CreateActivity(f.staff, f.ownSvc.ID, taiChi())
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Version != 1 || a.ServiceID != f.ownSvc.ID || *a.Capacity != 20 || !a.SignUp || a.ExDates == nil {
		t.Fatalf("created %+v", a)
	}
	if n := f.activityAudits(t, a.ID); n != 1 {
		t.Errorf("%d audit entries after create, want 1", n)
	}
	// Staff see it in their organization's audit log.
	entries, _, err := f.db.Audit(f.staff, store.AuditFilter{Entity: store.EntityActivity})
	if err != nil || len(entries) != 1 || entries[0].OrganizationID == nil || *entries[0].OrganizationID != f.own {
		t.Errorf("staff audit: %v %v", entries, err)
	}

	cancel := &doorstep.ActivityUpdate{CancelledDates: &[]string{"2026-12-16"}}
	b, err := f.db.UpdateActivity(f.staff, a.ID, a.Version, cancel)
	if err != nil || b.Version != 2 || len(b.CancelledDates) != 1 {
		t.Fatalf("update: %+v %v", b, err)
	}
	// The same change again changes nothing and writes nothing.
	if c, err := f.db.UpdateActivity(f.staff, a.ID, b.Version, cancel); err != nil || c.Version != 2 || f.activityAudits(t, a.ID) != 2 {
		t.Errorf("no-op update: %+v %v, %d audits", c, err, f.activityAudits(t, a.ID))
	}
	// A change made to version 1 conflicts, carrying the current activity.
	_, err = f.db.UpdateActivity(f.staff, a.ID, 1, &doorstep.ActivityUpdate{Title: ptr("太极")})
	var conflict *doorstep.ConflictError
	if !errors.As(err, &conflict) || conflict.Version != 2 || conflict.Current.(*doorstep.Activity).Title != "太极拳" {
		t.Fatalf("stale update: %v", err)
	}
	list, err := f.db.Activities(f.staff, store.ActivityFilter{ServiceID: f.ownSvc.ID})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}
	if _, err := f.db.DeleteActivity(f.staff, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Activity(f.staff, a.ID); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Errorf("after delete: %v", err)
	}
	if n := f.activityAudits(t, a.ID); n != 3 {
		t.Errorf("%d audit entries, want 3 (create, update, delete)", n)
	}
}

func TestActivityAuthorization(t *testing.T) {
	f := newEditFixture(t)
	if _, err := f.db.CreateActivity(f.staff, f.otherSvc.ID, taiChi()); doorstep.ErrorCode(err) != doorstep.EFORBIDDEN {
		t.Errorf("staff at another organization's place: %v", err)
	}
	if _, err := f.db.CreateActivity(t.Context(), f.ownSvc.ID, taiChi()); doorstep.ErrorCode(err) != doorstep.EUNAUTHORIZED {
		t.Errorf("nobody signed in: %v", err)
	}
	a, err := f.db.CreateActivity(f.office, f.otherSvc.ID, taiChi())
	if err != nil {
		t.Fatalf("the office keeps every place's activities: %v", err)
	}
	if _, err := f.db.UpdateActivity(f.staff, a.ID, a.Version, &doorstep.ActivityUpdate{Title: ptr("x")}); doorstep.ErrorCode(err) != doorstep.EFORBIDDEN {
		t.Errorf("staff changing another organization's activity: %v", err)
	}
	if _, err := f.db.DeleteActivity(f.staff, a.ID, 0); doorstep.ErrorCode(err) != doorstep.EFORBIDDEN {
		t.Errorf("staff deleting another organization's activity: %v", err)
	}
	if n := f.activityAudits(t, a.ID); n != 1 {
		t.Errorf("refused changes wrote audit entries: %d", n)
	}
}

// TestActivityValidation refuses bad activities naming the field, and stores nothing.
func TestActivityValidation(t *testing.T) {
	f := newEditFixture(t)
	before, err := f.db.Activities(f.staff, store.ActivityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		mod   func(u *doorstep.ActivityUpdate)
		field string
	}{
		{"no title", func(u *doorstep.ActivityUpdate) { u.Title = nil }, "title"},
		{"blank title", func(u *doorstep.ActivityUpdate) { u.Title = ptr("   ") }, "title"},
		{"long title", func(u *doorstep.ActivityUpdate) { u.Title = ptr(strings.Repeat("太", 61)) }, "title"},
		{"long description", func(u *doorstep.ActivityUpdate) { u.Description = ptr(strings.Repeat("x", 1001)) }, "description"},
		{"no start", func(u *doorstep.ActivityUpdate) { u.Start = nil }, "start"},
		{"bad start", func(u *doorstep.ActivityUpdate) { u.Start = ptr("2026-12-09 14:00") }, "start"},
		{"end before start", func(u *doorstep.ActivityUpdate) { u.End = ptr("2026-12-09T13:00") }, "end"},
		{"too long", func(u *doorstep.ActivityUpdate) { u.End = ptr("2026-12-10T14:00") }, "end"},
		{"bad rule", func(u *doorstep.ActivityUpdate) { u.RRule = ptr("FREQ=SOMETIMES") }, "rrule"},
		{"rule off the start's day", func(u *doorstep.ActivityUpdate) { u.RRule = ptr("FREQ=WEEKLY;BYDAY=MO") }, "start"},
		{"bad exdate", func(u *doorstep.ActivityUpdate) { u.ExDates = &[]string{"12/16"} }, "exdates"},
		{"too many cancelled dates", func(u *doorstep.ActivityUpdate) {
			d := make([]string, 101)
			for i := range d {
				d[i] = "2026-12-16"
			}
			u.CancelledDates = &d
		}, "cancelled_dates"},
		{"capacity 0", func(u *doorstep.ActivityUpdate) { u.Capacity = ptr(ptr(0)) }, "capacity"},
		{"capacity huge", func(u *doorstep.ActivityUpdate) { u.Capacity = ptr(ptr(1_000_000)) }, "capacity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := taiChi()
			tc.mod(u)
			_, err := f.db.CreateActivity(f.staff, f.ownSvc.ID, u)
			if doorstep.ErrorCode(err) != doorstep.EINVALID || doorstep.ErrorField(err) != tc.field {
				t.Errorf("got %v, want invalid naming %q", err, tc.field)
			}
		})
	}
	if list, _ := f.db.Activities(f.staff, store.ActivityFilter{}); len(list) != len(before) {
		t.Errorf("%d activities stored by refused creates", len(list)-len(before))
	}
}

// TestActivitiesPerPlaceBounded: a place keeps at most MaxActivitiesPerPlace.
func TestActivitiesPerPlaceBounded(t *testing.T) {
	f := newEditFixture(t)
	for i := range doorstep.MaxActivitiesPerPlace {
		if _, err := f.db.CreateActivity(f.staff, f.ownSvc.ID, taiChi()); err != nil {
			t.Fatalf("activity %d: %v", i+1, err)
		}
	}
	_, err := f.db.CreateActivity(f.staff, f.ownSvc.ID, taiChi())
	if doorstep.ErrorCode(err) != doorstep.EUNPROCESSABLE || doorstep.ErrorField(err) != "service_id" {
		t.Errorf("one more: %v", err)
	}
}

// TestSampleActivities: the sample street has a weekly programme, marked sample,
// every rule taken, with this week's classes in it wherever the sample is loaded.
func TestSampleActivities(t *testing.T) {
	db := storetest.MustOpenSampleDB(t)
	list, err := db.Activities(t.Context(), store.ActivityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 30 {
		t.Fatalf("%d sample activities, want a programme at every station and room", len(list))
	}
	titles, exceptions, cancellations := map[string]bool{}, 0, 0
	now := db.Now().In(doorstep.Shanghai)
	weekStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, doorstep.Shanghai)
	thisWeek := 0
	for _, a := range list {
		titles[a.Title] = true
		exceptions += len(a.ExDates)
		cancellations += len(a.CancelledDates)
		if !a.Sample {
			t.Errorf("activity %d is not marked sample", a.ID)
		}
		occ, _, err := calendar.Expand(a, doorstep.Shanghai, weekStart, weekStart.AddDate(0, 0, 7), 50)
		if err != nil {
			t.Errorf("activity %d: %v", a.ID, err)
		}
		thisWeek += len(occ)
	}
	for _, want := range []string{"太极拳", "合唱", "书法", "健康讲座", "智能手机课"} {
		if !titles[want] {
			t.Errorf("no %s in the sample programme", want)
		}
	}
	if exceptions == 0 || cancellations == 0 || thisWeek < len(list)/2 {
		t.Errorf("%d days left out, %d cancelled, %d occurrences in the next 7 days", exceptions, cancellations, thisWeek)
	}
}
