package server

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"
	"doorstep/synth"

	"github.com/paulmach/orb"
)

// The answers as encoding/json writes them from the answer structs: the reference
// the hand-written encoder (answers.go, fragments.go) must match byte for byte.

// servicesJSON is a list or nearest-first answer. Its members are in the order
// encoding/json gives a map's keys (as the answer once was), those an answer may
// lack omitted when empty. listingWriter.appendServicesAnswer writes it
// byte for byte, as the tests below hold it to.
type servicesJSON struct {
	Limit         int                  `json:"limit"`
	Message       string               `json:"message,omitempty"`
	Offset        int                  `json:"offset"`
	OutsideStreet bool                 `json:"outside_street,omitempty"`
	Profile       doorstep.ProfileName `json:"profile,omitempty"`
	Services      []serviceJSON        `json:"services"`
	StepSeconds   *float64             `json:"step_seconds,omitempty"`
	Total         int                  `json:"total"`
}

// doorstepJSON is a doorstep answer; listingWriter.appendDoorstepAnswer writes it.
type doorstepJSON struct {
	Origin orb.Point `json:"origin"`
	outsideJSON
	Area         *areaRef `json:"area"`
	SpeedMPerMin float64  `json:"speed_m_per_min"`
	profileJSON
	Estimate   string                 `json:"estimate,omitempty"`
	Categories []doorstepCategoryJSON `json:"categories"`
}

type areaRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// doorstepCategoryJSON is one category's line of a doorstep answer.
type doorstepCategoryJSON struct {
	Category   string       `json:"category"`
	Service    *serviceJSON `json:"service"`
	AtDoorstep bool         `json:"at_doorstep"`
	InCircle   bool         `json:"in_circle"`
	// With open_now: the usual nearest, when it is closed now (and so not the service).
	Usual *serviceJSON `json:"usual,omitempty"`
	// With open_now and none open within finder.OpenNowMaxMinutes' walk: those minutes.
	NoneOpenWithin int `json:"none_open_within_minutes,omitempty"`
	// Delivery: on the meal points' line, a meal point that delivers to the origin
	// (可送餐上门), however far it is on foot.
	Delivery *deliveryNoteJSON `json:"delivery,omitempty"`
}

// newServicesJSON answers a list or nearest-first query as servicesJSON.
func newServicesJSON(snap *finder.Snapshot, reported *reportedSet, q finder.Query, crs geo.CRS) servicesJSON {
	hits, total := snap.Services(q)
	list := make([]serviceJSON, len(hits))
	for i, h := range hits {
		list[i] = newServiceJSON(snap, reported, h.Service, h.Walk, crs, q.Now)
	}
	body := servicesJSON{Services: list, Total: total, Limit: q.Limit, Offset: q.Offset}
	if q.Origin != nil {
		pj := newProfileJSON(snap.Profile())
		body.Profile, body.StepSeconds = pj.Profile, pj.StepSeconds
	}
	if out := outsideOf(snap, q.Origin); out.OutsideStreet {
		body.OutsideStreet, body.Message = true, out.Message
	}
	return body
}

// newDoorstepJSON encodes a doorstep answer with coordinates in crs and today's
// menus on the meal points' objects.
func newDoorstepJSON(snap *finder.Snapshot, reported *reportedSet, ans finder.DoorstepAnswer, crs geo.CRS, now time.Time, menus map[int64]*doorstep.Menu) doorstepJSON {
	body := doorstepJSON{
		Origin:       geo.FromWGS84(crs, ans.Origin),
		outsideJSON:  outsideOf(snap, &ans.Origin),
		SpeedMPerMin: ans.SpeedMPerMin,
		profileJSON:  newProfileJSON(ans.Profile),
		Estimate:     ans.Estimate,
		Categories:   make([]doorstepCategoryJSON, len(ans.Categories)),
	}
	if ans.Area != nil {
		body.Area = &areaRef{ID: ans.Area.ID, Name: ans.Area.Name}
	}
	for i, line := range ans.Categories {
		cj := doorstepCategoryJSON{Category: line.Category.ID, AtDoorstep: line.AtDoorstep, InCircle: line.InCircle,
			NoneOpenWithin: line.NoneOpenWithin, Delivery: newDeliveryNoteJSON(line.Delivery)}
		if line.Service != nil {
			sj := newServiceJSON(snap, reported, line.Service, line.Walk, crs, now)
			sj.TodayMenu = menus[sj.ID]
			cj.Service = &sj
		}
		if line.Usual != nil {
			uj := newServiceJSON(snap, reported, line.Usual, line.UsualWalk, crs, now)
			uj.TodayMenu = menus[uj.ID]
			cj.Usual = &uj
		}
		body.Categories[i] = cj
	}
	return body
}

// oddStrings are texts whose JSON differs from their bytes: quotes, HTML, control
// characters, line separators, emoji, Chinese and broken UTF-8.
var oddStrings = []string{
	"", `"quoted" \ back\slash /`, "<script>alert('&amp;')</script>", "line\nbreak\ttab\r\b\f\x00\x1f\x7f",
	"sep\u2028ara\u2029tor", "emoji 🍲🧓🏻👨‍👩‍👧", "家门口长者食堂（临汾路）", "broken \xff\xfe utf-8 \xe4\xb8", "a,b|c(d)e&f=g?h#i%j+k",
	strings.Repeat("长", 300),
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range append(oddStrings, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x1f", "\u00e9\u0301 \U0010ffff \ufffd \xed\xa0\x80") {
		if got, want := appendJSONString(nil, s), mustMarshal(t, s); !bytes.Equal(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range oddStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendJSONString([]byte("x"), s), append([]byte("x"), mustMarshal(t, s)...); !bytes.Equal(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
	})
}

func TestAppendJSONFloat(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 15.4, 1234, 121.4747131, 31.2861549, 1e-6, 9.99e-7, 1e-7, -1.5e-9,
		1e20, 1e21, 123456789012345678901234.0, math.MaxFloat64, math.SmallestNonzeroFloat64, 1.0 / 3} {
		if got, want := appendJSONFloat(nil, f), mustMarshal(t, f); !bytes.Equal(got, want) {
			t.Errorf("%v: got %s, want %s", f, got, want)
		}
	}
	if got := appendJSONFloat(nil, math.NaN()); string(got) != "null" {
		t.Errorf("NaN: got %s", got)
	}
}

// oddListings are copies of list with every member of a listing set, odd texts,
// nulls and empty lists spread over them.
func oddListings(list []*doorstep.Service) []*doorstep.Service {
	shanghai := time.Date(2026, 11, 20, 9, 30, 15, 123456789, doorstep.Shanghai)
	out := make([]*doorstep.Service, len(list))
	for i, orig := range list {
		svc := *orig
		odd := func(k int) string { return oddStrings[(i+k)%len(oddStrings)] }
		svc.OrganizationID = int64(i % 5)
		svc.Name, svc.NameEn, svc.Address, svc.Note = odd(0)+svc.Name, odd(1), odd(2), odd(3)
		svc.Phone = odd(4)
		capacity := i * 3
		switch i % 4 {
		case 0:
			svc.Hours, svc.Offers, svc.Capacity, svc.VerifiedAt = nil, nil, nil, nil
		case 1:
			svc.Hours, svc.Offers = doorstep.Schedule{}, []string{}
			svc.Capacity, svc.VerifiedAt = &capacity, &shanghai
		case 2:
			svc.Hours = append(doorstep.Schedule{{Days: []string{"mon", odd(5)}, Opens: "25:00", Closes: odd(6)}, {Days: nil}}, svc.Hours...)
			svc.Offers = []string{odd(7), odd(8), ""}
			svc.Capacity = &capacity
			verified := time.Date(2026, 11, 24, 1, 2, 3, 0, time.UTC)
			svc.VerifiedAt = &verified
		}
		svc.Sample = i%3 == 0
		svc.ReopensOn = []string{"", "2026-11-26", "2026-12-31"}[i%3]
		svc.CreatedAt = time.Date(2025, 1, 2, 3, 4, 5, i*1000, time.UTC)
		svc.UpdatedAt = shanghai.Add(time.Duration(i) * time.Second)
		svc.Version = int64(i%7 + 1)
		out[i] = &svc
	}
	return out
}

// encodingCase is one snapshot answers are written from: the sample street's, or a
// generated city's with odd listings.
type encodingCase struct {
	name     string
	snap     *finder.Snapshot
	reported *reportedSet
	origins  []orb.Point
}

func encodingCases(t *testing.T) []encodingCase {
	t.Helper()
	s := newTestPortal(t)
	sample := s.Snapshot()
	var origins []orb.Point
	for _, svc := range sample.AllServices() {
		origins = append(origins, svc.Point())
	}
	inside := sample.Street().Geometry.Bound().Center()
	origins = append(origins[:min(len(origins), 12)], inside, orb.Point{inside[0] + 0.2, inside[1]})

	city := synth.NewCity(4, 3000, 600, 10)
	city.Services = oddListings(city.Services)
	snap := finder.Build(finder.Input{Street: city.Street, Categories: sample.Categories(), Areas: city.Areas,
		Services: city.Services, Network: city.Network})
	reported := &reportedSet{newest: map[int64]time.Time{}}
	for i, svc := range city.Services {
		if i%5 == 0 { // filed before some checks, after others
			reported.newest[svc.ID] = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
		}
	}
	return []encodingCase{
		{"sample street", sample, &s.reported, origins},
		{"generated city", snap, reported, append(city.Origins(12, 3), orb.Point{city.Street.Geometry.Bound().Max[0] + 0.05, city.Street.Geometry.Bound().Max[1]})},
	}
}

// encodingMoments are times whose openings differ: a weekday morning and night,
// a Sunday's last second, the day a closure ends.
var encodingMoments = []time.Time{
	time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC),
	time.Date(2026, 11, 25, 19, 30, 0, 0, time.UTC),
	time.Date(2026, 11, 29, 15, 59, 59, 999999999, time.UTC),
	time.Date(2026, 11, 26, 0, 0, 30, 0, time.UTC),
}

// TestServiceObjectsAsEncodingJSON: every listing's service object, in every crs,
// with and without a walk and a menu, at moments open and shut, is encoding/json's
// serviceJSON byte for byte — asked twice, so the second comes from the kept bytes.
func TestServiceObjectsAsEncodingJSON(t *testing.T) {
	price := 800
	menu := &doorstep.Menu{ServiceID: 1, Date: "2026-11-25", MenuDay: doorstep.MenuDay{
		Dishes: []doorstep.Dish{{Name: "红烧肉 <大份> & \u2028", PriceFen: &price}, {Name: "青菜", SoldOut: true}}, SetMealFen: &price, Note: "11:00 开饭"}, Version: 3}
	walks := []*finder.Walk{nil, {DistanceM: 1234, WalkMinutes: 15.4}, {DistanceM: 0, WalkMinutes: 1e-7, Estimate: finder.EstimateStraightLine}}
	for _, ec := range encodingCases(t) {
		t.Run(ec.name, func(t *testing.T) {
			listings := ec.snap.AllServices()
			fragments := &fragmentCache{}
			for _, now := range encodingMoments {
				for _, crs := range []geo.CRS{geo.WGS84, geo.GCJ02, geo.BD09} {
					w := listingWriter{snap: ec.snap, reported: ec.reported, fragments: fragments, crs: crs, now: now, minute: ec.snap.ClockMinute(now)}
					for i, svc := range listings {
						walk := walks[i%len(walks)]
						sj := newServiceJSON(ec.snap, ec.reported, svc, walk, crs, now)
						if i%9 == 0 {
							sj.TodayMenu = menu
						}
						want := mustMarshal(t, sj)
						for range 2 {
							if got := w.appendService(nil, svc, walk, sj.TodayMenu); !bytes.Equal(got, want) {
								t.Fatalf("listing %d at %v in %s:\n got %s\nwant %s", svc.ID, now, crs, got, want)
							}
						}
					}
				}
			}
		})
	}
}

// TestEncodingCasesSetEveryMember: the listings the encoder is compared on set
// every member of a listing somewhere, so a member added to doorstep.Service or
// serviceJSON and not written by hand fails TestServiceObjectsAsEncodingJSON.
func TestEncodingCasesSetEveryMember(t *testing.T) {
	city := synth.NewCity(4, 3000, 600, 10)
	listings := oddListings(city.Services)
	typ := reflect.TypeFor[doorstep.Service]()
	for i := range typ.NumField() {
		set := false
		for _, svc := range listings {
			set = set || !reflect.ValueOf(*svc).Field(i).IsZero()
		}
		if !set {
			t.Errorf("no listing sets %s: give oddListings a value for it", typ.Field(i).Name)
		}
	}
	// serviceJSON's own members, which appendService writes by hand.
	var own []string
	st := reflect.TypeFor[serviceJSON]()
	for i := range st.NumField() {
		if f := st.Field(i); !f.Anonymous {
			own = append(own, strings.Split(f.Tag.Get("json"), ",")[0])
		}
	}
	want := "lon lat open_now next_change stale distance_m walk_minutes estimate reported navigate today_menu"
	if got := strings.Join(own, " "); got != want {
		t.Errorf("serviceJSON's members are %q; appendService writes %q: write the new ones there", got, want)
	}
}

// TestAnswersAsEncodingJSON: nearest lists and doorstep answers from many origins,
// in and outside the street, by walk and walker, open now or not, in each crs, are
// the bytes encoding/json writes for servicesJSON and doorstepJSON.
func TestAnswersAsEncodingJSON(t *testing.T) {
	walker := doorstep.Profile{Name: doorstep.ProfileWalker, StepSeconds: 45}
	price := 1200
	for _, ec := range encodingCases(t) {
		t.Run(ec.name, func(t *testing.T) {
			menus := map[int64]*doorstep.Menu{}
			for _, svc := range ec.snap.AllServices() {
				if svc.Category == "meal_point" && svc.ID%2 == 0 {
					menus[svc.ID] = &doorstep.Menu{ServiceID: svc.ID, Date: "2026-11-25", MenuDay: doorstep.MenuDay{Dishes: []doorstep.Dish{}, SetMealFen: &price}}
				}
			}
			fragments := &fragmentCache{}
			checked := 0
			for i, origin := range ec.origins {
				now := encodingMoments[i%len(encodingMoments)]
				crs := []geo.CRS{geo.WGS84, geo.GCJ02, geo.BD09}[i%3]
				for _, profile := range []doorstep.Profile{doorstep.Walk, walker} {
					snap := ec.snap.ForProfile(profile)
					w := listingWriter{snap: snap, reported: ec.reported, fragments: fragments, crs: crs, now: now, minute: snap.ClockMinute(now)}
					for _, q := range []finder.Query{{Limit: 10}, {Limit: 10, OpenNow: true, Category: "meal_point"}, {Limit: 5, Offset: 3, WithinMinutes: 10},
						{Limit: 3, Category: "nursing_home", WithinMinutes: 1}} {
						q.Origin, q.SpeedMPerMin, q.Now = &origin, doorstep.SpeedElder, now
						want := mustMarshal(t, newServicesJSON(snap, ec.reported, q, crs))
						if got := w.appendServicesAnswer(nil, q); !bytes.Equal(got, want) {
							t.Fatalf("services from %v %+v:\n got %s\nwant %s", origin, q, got, want)
						}
						checked++
					}
					for _, ans := range []finder.DoorstepAnswer{snap.Doorstep(origin, doorstep.SpeedElder, now), snap.DoorstepOpenNow(origin, doorstep.SpeedElder, now)} {
						want := mustMarshal(t, newDoorstepJSON(snap, ec.reported, ans, crs, now, menus))
						if got := w.appendDoorstepAnswer(nil, ans, menus); !bytes.Equal(got, want) {
							t.Fatalf("doorstep from %v:\n got %s\nwant %s", origin, got, want)
						}
						checked++
					}
				}
			}
			// A list without an origin: no profile, no walks.
			now := encodingMoments[0]
			w := listingWriter{snap: ec.snap, reported: ec.reported, fragments: fragments, crs: geo.WGS84, now: now, minute: ec.snap.ClockMinute(now)}
			q := finder.Query{Limit: 50, Offset: 2, Now: now}
			if got, want := w.appendServicesAnswer(nil, q), mustMarshal(t, newServicesJSON(ec.snap, ec.reported, q, geo.WGS84)); !bytes.Equal(got, want) {
				t.Fatalf("list:\n got %s\nwant %s", got, want)
			}
			if checked == 0 {
				t.Fatal("nothing compared")
			}
		})
	}
}

// TestAnswersWithContentLength: the nearest list and the doorstep answer arrive
// with a Content-Length, not chunked, as JSON; errors are still the JSON error.
func TestAnswersWithContentLength(t *testing.T) {
	ts := newTestServer(t)
	paths := []string{"/api/services?limit=10&lon=121.4747&lat=31.2862", "/api/doorstep?lon=121.4747&lat=31.2862",
		"/api/services?limit=10&lon=121.4747&lat=31.2862&open_now=true&category=meal_point", "/api/services?limit=10"}
	for _, path := range paths {
		res, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != jsonContentType || !json.Valid(body) {
			t.Errorf("%s: %d %q %.100s", path, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if len(res.TransferEncoding) != 0 || res.ContentLength != int64(len(body)) || res.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Errorf("%s: Transfer-Encoding %v, Content-Length %d, body %d bytes", path, res.TransferEncoding, res.ContentLength, len(body))
		}
	}
	res, err := http.Get(ts.URL + "/api/services?limit=10&lon=500&lat=31")
	if err != nil {
		t.Fatal(err)
	}
	var e errorBody
	err = json.NewDecoder(res.Body).Decode(&e)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusBadRequest || e.Error.Field != "lon" {
		t.Errorf("bad lon: %d %+v %v", res.StatusCode, e, err)
	}
}

// TestAnswersShowEditsAtOnce: a listing's new name, closure and hours written by
// staff show in the very next answers — nearest list and doorstep, in the same
// minute — though its bytes and opening were kept from the answers before.
func TestAnswersShowEditsAtOnce(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "staff")
	svc := p.ownSvc
	near := fmt.Sprintf("/api/services?limit=10&lon=%v&lat=%v", svc.Lon, svc.Lat)
	doorstepPath := fmt.Sprintf("/api/doorstep?lon=%v&lat=%v", svc.Lon, svc.Lat)
	find := func(path string) serviceJSON {
		t.Helper()
		var ans struct {
			Services   []serviceJSON
			Categories []struct{ Service *serviceJSON }
		}
		if code := getJSON(t, p.srv, path, &ans); code != http.StatusOK {
			t.Fatalf("%s: %d", path, code)
		}
		for _, line := range ans.Categories {
			if line.Service != nil {
				ans.Services = append(ans.Services, *line.Service)
			}
		}
		for _, sj := range ans.Services {
			if sj.ID == svc.ID {
				return sj
			}
		}
		t.Fatalf("%s: listing %d not in the answer", path, svc.ID)
		return serviceJSON{}
	}
	for _, path := range []string{near, doorstepPath} {
		if sj := find(path); !sj.OpenNow || sj.Name != svc.Name {
			t.Fatalf("%s before: open %v, name %q; the sample's listing %d should be open at 11:00", path, sj.OpenNow, sj.Name, svc.ID)
		}
	}
	version := svc.Version
	edits := []struct {
		name  string
		body  map[string]any
		check func(sj serviceJSON) bool
	}{
		{"name", map[string]any{"name": "新名字 <食堂> & \u2028"}, func(sj serviceJSON) bool { return sj.Name == "新名字 <食堂> & \u2028" && sj.OpenNow }},
		{"hours", map[string]any{"hours": []map[string]any{{"days": []string{"wed"}, "opens": "13:00", "closes": "17:00"}}},
			func(sj serviceJSON) bool {
				return !sj.OpenNow && sj.NextChange != nil && sj.NextChange.At == "2026-11-25T13:00:00+08:00"
			}},
		{"closure", map[string]any{"status": doorstep.StatusTemporarilyClosed, "reopens_on": "2026-11-27"}, func(sj serviceJSON) bool {
			return !sj.OpenNow && sj.Status == doorstep.StatusTemporarilyClosed && sj.NextChange != nil && sj.NextChange.Kind == doorstep.ChangeOpens
		}},
	}
	for _, edit := range edits {
		res := c.do(http.MethodPatch, fmt.Sprintf("/api/services/%d", svc.ID), edit.body, map[string]string{"If-Match": strconv.FormatInt(version, 10)})
		if res.status != http.StatusOK {
			t.Fatalf("%s: PATCH %d %s", edit.name, res.status, res.body)
		}
		version++
		paths := []string{near}
		if edit.name != "closure" { // a closure takes the listing off the doorstep answer
			paths = append(paths, doorstepPath)
		}
		for _, path := range paths {
			if sj := find(path); !edit.check(sj) {
				t.Errorf("%s: %s answers %+v", edit.name, path, sj)
			}
		}
	}
}

// TestFragmentCacheBounded: a listing edited gives way to its new value, and past
// its budget the cache drops entries.
func TestFragmentCacheBounded(t *testing.T) {
	city := synth.NewCity(4, 3000, 600, 10)
	for _, tc := range []struct {
		name  string
		limit int
		all   bool // every listing stays
	}{{"default budget", 0, true}, {"small budget", fragmentShards * 8 << 10, false}} {
		t.Run(tc.name, func(t *testing.T) {
			c := fragmentCache{limit: tc.limit}
			for range 3 { // new values of every listing each round, as after edits
				for _, svc := range oddListings(city.Services) {
					f := c.get(svc)
					if f.svc != svc || c.get(svc) != f {
						t.Fatalf("listing %d: the fragment is not the listing's", svc.ID)
					}
				}
			}
			entries, held := 0, 0
			for i := range c.shards {
				entries += len(c.shards[i].byID)
				held += c.shards[i].bytes
			}
			if all := entries == len(city.Services); all != tc.all || entries > len(city.Services) {
				t.Errorf("%d entries for %d listings", entries, len(city.Services))
			}
			if limit := cmp.Or(tc.limit, fragmentCacheBytes); held > limit {
				t.Errorf("%d bytes held, over the budget of %d", held, limit)
			}
		})
	}
}

// TestCircleServicesAsEncodingJSON: a circle's service points' properties are
// encoding/json's circleServiceJSON byte for byte, odd texts included.
func TestCircleServicesAsEncodingJSON(t *testing.T) {
	city := synth.NewCity(4, 3000, 600, 10)
	for i, svc := range oddListings(city.Services) {
		p := circleServiceJSON{Kind: "service", ID: svc.ID, Category: svc.Category, Name: svc.Name, NameEn: svc.NameEn,
			DistanceM: float64(i) * 7.5, WalkMinutes: float64(i) / 10, Status: svc.Status, ReopensOn: svc.ReopensOn,
			Phone: svc.Phone, OpenNow: i%2 == 0, Stale: i%3 == 0}
		if got, want := appendCircleService(nil, p), mustMarshal(t, p); !bytes.Equal(got, want) {
			t.Fatalf("listing %d:\n got %s\nwant %s", svc.ID, got, want)
		}
	}
}

// TestAnswersWhileEdited: answers written from kept fragments and openings while
// staff edit the listings they name stay whole JSON (run with -race: the caches
// are shared by every request).
func TestAnswersWhileEdited(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "staff")
	svc := p.ownSvc
	paths := []string{fmt.Sprintf("/api/services?limit=10&lon=%v&lat=%v", svc.Lon, svc.Lat),
		fmt.Sprintf("/api/doorstep?lon=%v&lat=%v&open_now=true", svc.Lon, svc.Lat)}
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				req := httptest.NewRequest(http.MethodGet, paths[(g+i)%len(paths)], nil)
				rec := httptest.NewRecorder()
				p.srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !json.Valid(rec.Body.Bytes()) {
					errs <- fmt.Errorf("%s: %d %.200s", req.URL, rec.Code, rec.Body)
					return
				}
			}
		}()
	}
	version := svc.Version
	for i := range 10 {
		res := c.do(http.MethodPatch, fmt.Sprintf("/api/services/%d", svc.ID), map[string]any{"name": fmt.Sprintf("食堂 %d <&>", i)},
			map[string]string{"If-Match": strconv.FormatInt(version, 10)})
		if res.status != http.StatusOK {
			t.Fatalf("PATCH %d %s", res.status, res.body)
		}
		version++
	}
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
