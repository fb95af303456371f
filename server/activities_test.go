package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/store"

	"github.com/emersion/go-ical"
)

// weekdayCodes are RFC 5545's weekday names by time.Weekday.
var weekdayCodes = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// weeklyClass is a body for a weekly class from the clock's today at 14:00.
func (p *staffPortal) weeklyClass(title string) map[string]any {
	today := p.clock.now().In(doorstep.Shanghai)
	d := today.Format(doorstep.DateLayout)
	return map[string]any{"title": title, "start": d + "T14:00", "end": d + "T15:30",
		"rrule": "FREQ=WEEKLY;BYDAY=" + weekdayCodes[today.Weekday()], "sign_up": true, "capacity": 20}
}

func activityPath(id int64) string { return "/api/activities/" + strconv.FormatInt(id, 10) }

func (r response) activity(tb testing.TB) doorstep.Activity {
	tb.Helper()
	var a doorstep.Activity
	if err := json.Unmarshal(r.body, &a); err != nil {
		tb.Fatalf("decode activity %s: %v", r.body, err)
	}
	return a
}

// activityAudits counts the audit entries about activities.
func (p *staffPortal) activityAudits(tb testing.TB) int {
	tb.Helper()
	ctx := doorstep.NewContextWithUser(tb.Context(), p.users["admin"])
	_, n, err := p.db.Audit(ctx, store.AuditFilter{Entity: store.EntityActivity})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// mustActivity creates an activity as the office at the place id.
func (p *staffPortal) mustActivity(tb testing.TB, office *staffClient, id int64, body map[string]any) doorstep.Activity {
	tb.Helper()
	r := office.do(http.MethodPost, idPath(id, "/activities"), body, nil)
	if r.status != http.StatusCreated {
		tb.Fatalf("create activity: %d %s", r.status, r.body)
	}
	return r.activity(tb)
}

// TestActivityAuthorizationMatrix runs every role × change × own or other
// organization's place: a refused change changes nothing and writes no audit
// entry, an allowed one writes exactly one.
func TestActivityAuthorizationMatrix(t *testing.T) {
	p := newStaffPortal(t)
	clients := map[string]*staffClient{"signed out": p.client(t)}
	clients["signed out"].session()
	for _, u := range []string{"staff", "other.staff", "office", "admin"} {
		clients[u] = p.signedIn(t, u)
	}
	changes := []struct {
		name string
		ok   int
		send func(c *staffClient, place int64, a doorstep.Activity) response
	}{
		{"create", http.StatusCreated, func(c *staffClient, place int64, _ doorstep.Activity) response {
			return c.do(http.MethodPost, idPath(place, "/activities"), p.weeklyClass("书法"), nil)
		}},
		{"update", http.StatusOK, func(c *staffClient, _ int64, a doorstep.Activity) response {
			return c.do(http.MethodPatch, activityPath(a.ID), map[string]any{"title": "书法 " + strconv.FormatInt(a.Version, 10)}, ifMatch(a.Version))
		}},
		{"delete", http.StatusOK, func(c *staffClient, _ int64, a doorstep.Activity) response {
			return c.do(http.MethodDelete, activityPath(a.ID), nil, ifMatch(a.Version))
		}},
	}
	tests := []struct {
		user       string
		own, other int // 0: the change's success
	}{
		{"signed out", http.StatusUnauthorized, http.StatusUnauthorized},
		{"staff", 0, http.StatusForbidden},
		{"other.staff", http.StatusForbidden, 0},
		{"office", 0, 0},
		{"admin", 0, 0},
	}
	for _, tc := range tests {
		for _, ch := range changes {
			for _, target := range []string{"own", "other"} {
				t.Run(tc.user+"/"+ch.name+"/"+target, func(t *testing.T) {
					place, want := p.ownSvc.ID, tc.own
					if target == "other" {
						place, want = p.otherSvc.ID, tc.other
					}
					if want == 0 {
						want = ch.ok
					}
					a := p.mustActivity(t, clients["office"], place, p.weeklyClass("太极拳"))
					audits := p.activityAudits(t)
					r := ch.send(clients[tc.user], place, a)
					if r.status != want {
						t.Fatalf("%d %s, want %d", r.status, r.body, want)
					}
					after, err := p.db.Activity(t.Context(), a.ID)
					switch {
					case r.status >= 400:
						if err != nil || after.Version != a.Version || p.activityAudits(t) != audits {
							t.Errorf("refused change: %v, version %d, audit %d → %d", err, a.Version, audits, p.activityAudits(t))
						}
					case ch.name == "delete":
						if doorstep.ErrorCode(err) != doorstep.ENOTFOUND || p.activityAudits(t) != audits+1 {
							t.Errorf("deleted: %v, audit %d → %d", err, audits, p.activityAudits(t))
						}
					case ch.name == "create":
						got := r.activity(t)
						if got.ServiceID != place || p.activityAudits(t) != audits+1 || r.header.Get("Location") != activityPath(got.ID) {
							t.Errorf("created %+v; audit %d → %d", got, audits, p.activityAudits(t))
						}
					default:
						if after.Version != a.Version+1 || p.activityAudits(t) != audits+1 {
							t.Errorf("version %d → %d, audit %d → %d", a.Version, after.Version, audits, p.activityAudits(t))
						}
					}
				})
			}
		}
	}
	// Reading is open to anyone.
	for _, path := range []string{idPath(p.ownSvc.ID, "/activities"), "/ical/services/" + strconv.FormatInt(p.ownSvc.ID, 10) + ".ics"} {
		if r := clients["signed out"].do(http.MethodGet, path, nil, nil); r.status != http.StatusOK {
			t.Errorf("GET %s signed out: %d", path, r.status)
		}
	}
}

// TestActivityEdits: versions, conflicts carrying the current activity, and bad
// input refused naming the field.
func TestActivityEdits(t *testing.T) {
	p := newStaffPortal(t)
	staff := p.signedIn(t, "staff")
	r := staff.do(http.MethodPost, idPath(p.ownSvc.ID, "/activities"), p.weeklyClass("合唱"), nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	a := r.activity(t)
	path := activityPath(a.ID)
	if r := staff.do(http.MethodPatch, path, map[string]any{"title": "合唱团"}, nil); r.status != http.StatusPreconditionRequired {
		t.Errorf("without If-Match: %d", r.status)
	}
	nextWeek := p.clock.now().In(doorstep.Shanghai).AddDate(0, 0, 7).Format(doorstep.DateLayout)
	r = staff.do(http.MethodPatch, path, map[string]any{"cancelled_dates": []string{nextWeek}}, ifMatch(a.Version))
	if r.status != http.StatusOK || r.activity(t).Version != 2 {
		t.Fatalf("cancel a day: %d %s", r.status, r.body)
	}
	r = staff.do(http.MethodPatch, path, map[string]any{"title": "合唱团"}, ifMatch(a.Version))
	var conflict struct {
		Current doorstep.Activity `json:"current"`
	}
	if err := json.Unmarshal(r.body, &conflict); r.status != http.StatusConflict || err != nil || conflict.Current.Version != 2 ||
		r.header.Get("ETag") != `"2"` {
		t.Errorf("stale version: %d %s", r.status, r.body)
	}
	for _, bc := range []bodyCase{
		{name: "unknown member", body: map[string]any{"note": "x"}, status: 400, field: "note"},
		{name: "server-kept", body: map[string]any{"service_id": p.otherSvc.ID}, status: 400, field: "service_id"},
		{name: "sample", body: map[string]any{"sample": true}, status: 400, field: "sample"},
		{name: "title type", body: map[string]any{"title": 5}, status: 400, field: "title"},
		{name: "empty title", body: map[string]any{"title": ""}, status: 400, field: "title"},
		{name: "bad rule", body: map[string]any{"rrule": "FREQ=SECONDLY"}, status: 400, field: "rrule"},
		{name: "rule that never matches", body: map[string]any{"rrule": "FREQ=DAILY;INTERVAL=7;BYDAY=SA"}, status: 400, field: "rrule"},
		{name: "end before start", body: map[string]any{"end": "2000-01-01T00:00"}, status: 400, field: "end"},
		{name: "bad day", body: map[string]any{"exdates": []string{"soon"}}, status: 400, field: "exdates"},
		{name: "capacity", body: map[string]any{"capacity": -3}, status: 400, field: "capacity"},
		{name: "sign_up type", body: map[string]any{"sign_up": "yes"}, status: 400, field: "sign_up"},
		{name: "long description", body: map[string]any{"description": strings.Repeat("长", 1001)}, status: 400, field: "description"},
	} {
		t.Run(bc.name, func(t *testing.T) { bc.send(t, staff, http.MethodPatch, path, ifMatch(2)) })
	}
	if got, _ := p.db.Activity(t.Context(), a.ID); got.Version != 2 {
		t.Errorf("refused changes moved the version to %d", got.Version)
	}
	t.Run("create needs title, start, end", func(t *testing.T) {
		bodyCase{body: map[string]any{"title": "x"}, status: 400, field: "start"}.send(t, staff, http.MethodPost, idPath(p.ownSvc.ID, "/activities"), nil)
	})
	t.Run("no such place", func(t *testing.T) {
		if r := staff.do(http.MethodPost, idPath(999999, "/activities"), p.weeklyClass("x"), nil); r.status != http.StatusNotFound {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
}

// occurrencesAnswer is GET /api/activities' answer.
type occurrencesAnswer struct {
	Occurrences []struct {
		ActivityID  int64   `json:"activity_id"`
		Title       string  `json:"title"`
		Date        string  `json:"date"`
		Start       string  `json:"start"`
		Cancelled   bool    `json:"cancelled"`
		WalkMinutes float64 `json:"walk_minutes"`
		Place       struct {
			ID   int64  `json:"id"`
			ICal string `json:"ical"`
		} `json:"place"`
	} `json:"occurrences"`
	Truncated bool `json:"truncated"`
}

// TestActivitiesNearby: an edit reaches the walking lookup at once; a day
// cancelled shows as cancelled; a place beyond the walk is left out; the feed
// parses and holds the recurring event with its exception.
func TestActivitiesNearby(t *testing.T) {
	p := newStaffPortal(t)
	staff := p.signedIn(t, "staff")
	office := p.signedIn(t, "office")
	anon := p.client(t)
	origin := "lon=" + strconv.FormatFloat(p.ownSvc.Lon, 'f', -1, 64) + "&lat=" + strconv.FormatFloat(p.ownSvc.Lat, 'f', -1, 64)
	lookup := func(query string) occurrencesAnswer {
		t.Helper()
		r := anon.do(http.MethodGet, "/api/activities?"+origin+query, nil, nil)
		if r.status != http.StatusOK {
			t.Fatalf("lookup: %d %s", r.status, r.body)
		}
		var out occurrencesAnswer
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	class := p.mustActivity(t, staff, p.ownSvc.ID, p.weeklyClass("太极拳班"))
	today := p.clock.now().In(doorstep.Shanghai)
	skip := today.AddDate(0, 0, 7).Format(doorstep.DateLayout)
	off := today.AddDate(0, 0, 14).Format(doorstep.DateLayout)
	r := staff.do(http.MethodPatch, activityPath(class.ID), map[string]any{"exdates": []string{skip}, "cancelled_dates": []string{off}}, ifMatch(1))
	if r.status != http.StatusOK {
		t.Fatalf("exceptions: %d %s", r.status, r.body)
	}
	got := lookup("&to=" + today.AddDate(0, 0, 22).Format(doorstep.DateLayout))
	var days []string
	for i, o := range got.Occurrences {
		if i > 0 && o.Start < got.Occurrences[i-1].Start {
			t.Errorf("occurrence %d starts before the one above it", i)
		}
		if o.ActivityID != class.ID {
			continue // the sample's programme
		}
		if o.Place.ID != p.ownSvc.ID || o.Title != "太极拳班" || !strings.HasSuffix(o.Start, "T14:00:00+08:00") {
			t.Errorf("occurrence %+v", o)
		}
		if o.Cancelled {
			days = append(days, o.Date+"*")
		} else {
			days = append(days, o.Date)
		}
	}
	want := []string{today.Format(doorstep.DateLayout), off + "*", today.AddDate(0, 0, 21).Format(doorstep.DateLayout)}
	if strings.Join(days, " ") != strings.Join(want, " ") {
		t.Errorf("days %v, want %v (the exception left out, the cancelled day marked)", days, want)
	}
	// A walk of one minute from far away reaches nothing.
	if r := anon.do(http.MethodGet, "/api/activities?lon=121.40&lat=31.20&minutes=1", nil, nil); r.status == http.StatusOK {
		var far occurrencesAnswer
		_ = json.Unmarshal(r.body, &far)
		if len(far.Occurrences) != 0 {
			t.Errorf("far away: %+v", far)
		}
	}
	// Removed, it is gone from the lookup at once.
	p.mustActivity(t, office, p.ownSvc.ID, p.weeklyClass("合唱"))
	if r := office.do(http.MethodDelete, activityPath(class.ID), nil, nil); r.status != http.StatusOK {
		t.Fatalf("delete: %d", r.status)
	}
	for _, o := range lookup("").Occurrences {
		if o.ActivityID == class.ID {
			t.Fatalf("deleted activity still listed: %+v", o)
		}
	}
	// Limit cuts and says so.
	if got := lookup("&limit=1"); len(got.Occurrences) != 1 || !got.Truncated {
		t.Errorf("limit 1: %d occurrences, truncated %v", len(got.Occurrences), got.Truncated)
	}

	// The feed, of a class with a day left out.
	class = p.mustActivity(t, staff, p.ownSvc.ID, p.weeklyClass("太极拳班"))
	if r := staff.do(http.MethodPatch, activityPath(class.ID), map[string]any{"exdates": []string{skip}}, ifMatch(1)); r.status != http.StatusOK {
		t.Fatalf("exdates: %d %s", r.status, r.body)
	}
	feedPath := icalPath(p.ownSvc.ID)
	feed := anon.do(http.MethodGet, feedPath, nil, nil)
	if feed.status != http.StatusOK || feed.header.Get("Content-Type") != "text/calendar; charset=utf-8" || feed.header.Get("ETag") == "" {
		t.Fatalf("feed: %d %v", feed.status, feed.header)
	}
	if again := anon.do(http.MethodGet, feedPath, nil, map[string]string{"If-None-Match": feed.header.Get("ETag")}); again.status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", again.status)
	}
	cal, err := ical.NewDecoder(strings.NewReader(string(feed.body))).Decode()
	if err != nil {
		t.Fatalf("parse feed: %v", err)
	}
	var recurring *ical.Event
	for _, e := range cal.Events() {
		if s, _ := e.Props.Text(ical.PropSummary); s == "太极拳班" && e.Props.Get(ical.PropRecurrenceRule) != nil {
			recurring = &e
		}
	}
	if recurring == nil {
		t.Fatalf("no recurring 太极拳班 in the feed:\n%s", feed.body)
	}
	ex := recurring.Props.Get(ical.PropExceptionDates)
	if ex == nil || !strings.HasPrefix(ex.Value, strings.ReplaceAll(skip, "-", "")+"T140000") || ex.Params.Get(ical.ParamTimezoneID) != "Asia/Shanghai" {
		t.Errorf("EXDATE %+v, want %s at 14:00 Asia/Shanghai", ex, skip)
	}
	if uid, _ := recurring.Props.Text(ical.PropUID); uid != "activity-"+strconv.FormatInt(class.ID, 10)+"@"+icalDomain {
		t.Errorf("UID %q", uid)
	}
	for _, bad := range []string{"/ical/services/abc.ics", "/ical/services/12", "/ical/services/999999.ics"} {
		if r := anon.do(http.MethodGet, bad, nil, nil); r.status < 400 || r.status > 499 {
			t.Errorf("%s: %d", bad, r.status)
		}
	}
}

// TestActivityWindow checks the window parameters name their field.
func TestActivityWindow(t *testing.T) {
	now := time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC) // Monday 07:30 in Shanghai
	for _, tc := range []struct {
		query, from, to, field string
	}{
		{"", "2026-12-07", "2026-12-14", ""},
		{"from=2026-12-10", "2026-12-10", "2026-12-17", ""},
		{"from=2026-12-10&to=2026-12-11", "2026-12-10", "2026-12-11", ""},
		{"from=2026-12-10&to=2026-12-10", "", "", "to"},
		{"to=2027-03-01", "", "", "to"},
		{"from=12-10", "", "", "from"},
	} {
		p, _ := parseParams(tc.query)
		from, to, err := activityWindow(p, now, doorstep.Shanghai)
		if doorstep.ErrorField(err) != tc.field || (err == nil && (from.Format(doorstep.DateLayout) != tc.from || to.Format(doorstep.DateLayout) != tc.to)) {
			t.Errorf("%q: %v %v %v", tc.query, from, to, err)
		}
	}
}

// TestActivitiesOfClosedPlace: a place closed for good drops out of the lookup
// with its activities, and comes back when reopened; its own list stays readable.
func TestActivitiesOfClosedPlace(t *testing.T) {
	p := newStaffPortal(t)
	office := p.signedIn(t, "office")
	class := p.mustActivity(t, office, p.ownSvc.ID, p.weeklyClass("太极拳班"))
	query := "/api/activities?lon=" + strconv.FormatFloat(p.ownSvc.Lon, 'f', -1, 64) + "&lat=" + strconv.FormatFloat(p.ownSvc.Lat, 'f', -1, 64)
	listed := func() bool {
		t.Helper()
		r := office.do(http.MethodGet, query, nil, nil)
		var out occurrencesAnswer
		if err := json.Unmarshal(r.body, &out); r.status != http.StatusOK || err != nil {
			t.Fatalf("lookup: %d %s", r.status, r.body)
		}
		for _, o := range out.Occurrences {
			if o.ActivityID == class.ID {
				return true
			}
		}
		return false
	}
	if !listed() {
		t.Fatal("the class is not listed while its place is open")
	}
	closed := office.do(http.MethodDelete, idPath(p.ownSvc.ID, ""), nil, nil)
	if closed.status != http.StatusOK || listed() {
		t.Errorf("closed place: %d, class still listed %v", closed.status, listed())
	}
	if r := office.do(http.MethodGet, idPath(p.ownSvc.ID, "/activities"), nil, nil); r.status != http.StatusOK || !strings.Contains(string(r.body), "太极拳班") {
		t.Errorf("a closed place's own list: %d", r.status)
	}
	reopen := office.do(http.MethodPatch, idPath(p.ownSvc.ID, ""), map[string]string{"status": "open"}, ifMatch(closed.listing(t).Version))
	if reopen.status != http.StatusOK || !listed() {
		t.Errorf("reopened: %d, listed %v", reopen.status, listed())
	}
}
