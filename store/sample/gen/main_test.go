package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"doorstep"
)

// sampleDir is store/sample, seen from this package's directory.
const sampleDir = ".."

var categories = []string{
	"meal_point", "elderly_centre", "day_care", "nursing_home", "citizen_station",
	"activity_room", "service_centre", "health", "culture",
}

func loadCollection(tb testing.TB, name string) *geojson.FeatureCollection {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(sampleDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return fc
}

// street returns the target street polygon of boundary.geojson.
func street(tb testing.TB) orb.Polygon {
	tb.Helper()
	for _, f := range loadCollection(tb, boundaryFile).Features {
		if f.Properties["role"] == "target" {
			return f.Geometry.(orb.Polygon)
		}
	}
	tb.Fatal("no target polygon in boundary.geojson")
	return nil
}

// metric returns a projection of [lon, lat] to metres around the street.
func metric(tb testing.TB) func(orb.Point) orb.Point {
	tb.Helper()
	return newPlane(street(tb).Bound().Center()).toXY
}

func polygonXY(p orb.Polygon, xy func(orb.Point) orb.Point) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		out[i] = make(orb.Ring, len(r))
		for j, q := range r {
			out[i][j] = xy(q)
		}
	}
	return out
}

func lineXY(l orb.LineString, xy func(orb.Point) orb.Point) orb.LineString {
	out := make(orb.LineString, len(l))
	for i, q := range l {
		out[i] = xy(q)
	}
	return out
}

func str(tb testing.TB, f *geojson.Feature, key string) string {
	tb.Helper()
	s, ok := f.Properties[key].(string)
	if !ok {
		tb.Errorf("feature %v: %s is %T, want string", f.ID, key, f.Properties[key])
	}
	return s
}

func integer(tb testing.TB, f *geojson.Feature, key string) int {
	tb.Helper()
	v, ok := f.Properties[key].(float64)
	if !ok || v != math.Trunc(v) {
		tb.Errorf("feature %v: %s is %v, want an integer", f.ID, key, f.Properties[key])
	}
	return int(v)
}

func TestFilesCarryAttribution(t *testing.T) {
	for _, name := range []string{boundaryFile, roadsFile, areasFile, servicesFile, networkFile} {
		t.Run(name, func(t *testing.T) {
			fc := loadCollection(t, name)
			if got := fc.ExtraMembers["license"]; got != "ODbL-1.0" {
				t.Errorf("license = %v, want ODbL-1.0", got)
			}
			if got, _ := fc.ExtraMembers["attribution"].(string); !strings.Contains(got, "OpenStreetMap contributors") {
				t.Errorf("attribution = %q", got)
			}
		})
	}
}

func TestGeneratedFilesUpToDate(t *testing.T) {
	boundary, err := os.ReadFile(filepath.Join(sampleDir, boundaryFile))
	if err != nil {
		t.Fatal(err)
	}
	roads, err := os.ReadFile(filepath.Join(sampleDir, roadsFile))
	if err != nil {
		t.Fatal(err)
	}
	files, _, err := generate(boundary, roads)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{areasFile, servicesFile, networkFile} {
		onDisk, err := os.ReadFile(filepath.Join(sampleDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(files[name], onDisk) {
			t.Errorf("%s differs from a fresh run; run: go run ./store/sample/gen", name)
		}
	}
}

func TestAreas(t *testing.T) {
	fc := loadCollection(t, areasFile)
	if len(fc.Features) != 27 {
		t.Fatalf("%d areas, want 27", len(fc.Features))
	}
	names := map[string]bool{}
	for _, f := range fc.Features {
		p, ok := f.Geometry.(orb.Polygon)
		if !ok || len(p) != 1 {
			t.Fatalf("area %v: geometry %T with %d rings, want a Polygon with one ring", f.ID, f.Geometry, len(p))
		}
		r := p[0]
		if len(r) < 4 || !r.Closed() {
			t.Errorf("area %v: ring of %d points, closed %v", f.ID, len(r), r.Closed())
		}
		if r.Orientation() != orb.CCW {
			t.Errorf("area %v: outer ring is not counter-clockwise", f.ID)
		}
		if err := simpleRing(open(r)); err != nil {
			t.Errorf("area %v: %v", f.ID, err)
		}
		name := str(t, f, "name")
		if names[name] {
			t.Errorf("area name %q repeats", name)
		}
		names[name] = true
		if got := str(t, f, "committee"); got != name+"居民区居委会" {
			t.Errorf("area %s: committee %q", name, got)
		}
		pop, old := integer(t, f, "population"), integer(t, f, "elderly")
		if pop < 2500 || pop > 5500 {
			t.Errorf("area %s: population %d outside 2,500–5,500", name, pop)
		}
		if old > pop {
			t.Errorf("area %s: elderly %d > population %d", name, old, pop)
		}
		if share := float64(old) / float64(pop); share < 0.29 || share > 0.46 {
			t.Errorf("area %s: elderly share %.2f outside 30–45 %%", name, share)
		}
		if f.Properties["sample"] != true {
			t.Errorf("area %s: sample is not true", name)
		}
	}
	for _, name := range []string{"凉城四村", "凉城五村", "文苑一村", "华一", "广凉", "汶一", "汶二"} {
		if !names[name] {
			t.Errorf("reported area %s missing", name)
		}
	}
}

// TestAreasTileStreet samples the street on a grid of about 20 m: no point may lie in
// two areas, at least 97 % must lie in one, and areas must not spill out of the street.
func TestAreasTileStreet(t *testing.T) {
	target := street(t)
	var areas []orb.Polygon
	for _, f := range loadCollection(t, areasFile).Features {
		areas = append(areas, f.Geometry.(orb.Polygon))
	}
	b := target.Bound()
	var inside, covered, overlapped, spilled int
	for lon := b.Min[0]; lon <= b.Max[0]; lon += 0.0002 {
		for lat := b.Min[1]; lat <= b.Max[1]; lat += 0.00018 {
			p := orb.Point{lon, lat}
			n := 0
			for _, a := range areas {
				if planar.PolygonContains(a, p) {
					n++
				}
			}
			if !planar.PolygonContains(target, p) {
				if n > 0 {
					spilled++
				}
				continue
			}
			inside++
			if n > 0 {
				covered++
			}
			if n > 1 {
				overlapped++
			}
		}
	}
	t.Logf("%d sample points in the street: %d in an area, %d in two or more; %d outside the street in an area",
		inside, covered, overlapped, spilled)
	if overlapped > 0 {
		t.Errorf("%d sample points lie in more than one area", overlapped)
	}
	if share := float64(covered) / float64(inside); share < 0.97 {
		t.Errorf("areas cover %.1f %% of the street's sample points, want ≥ 97 %%", 100*share)
	}
	if spilled > inside/200 {
		t.Errorf("%d sample points outside the street lie in an area", spilled)
	}

	// The same by area, in square metres.
	xy := metric(t)
	total := 0.0
	for _, a := range areas {
		total += planar.Area(polygonXY(a, xy))
	}
	if ratio := total / planar.Area(polygonXY(target, xy)); ratio < 0.97 || ratio > 1.005 {
		t.Errorf("areas add up to %.3f of the street's area", ratio)
	}
}

func TestServices(t *testing.T) {
	fc := loadCollection(t, servicesFile)
	if len(fc.Features) < 60 {
		t.Errorf("%d services, want ≥ 60", len(fc.Features))
	}
	phone := regexp.MustCompile(`^021-0000-\d{4}$`)
	kinds := []string{"station", "committee", "operator", "office", "health", "culture"}
	perCategory := map[string]int{}
	phones := map[string]bool{}
	for _, f := range fc.Features {
		if _, ok := f.Geometry.(orb.Point); !ok {
			t.Fatalf("service %v: geometry %T, want Point", f.ID, f.Geometry)
		}
		cat := str(t, f, "category")
		perCategory[cat]++
		if !slices.Contains(categories, cat) {
			t.Errorf("service %v: unknown category %q", f.ID, cat)
		}
		for _, key := range []string{"organization", "name", "name_en", "address"} {
			if str(t, f, key) == "" {
				t.Errorf("service %v: empty %s", f.ID, key)
			}
		}
		if k := str(t, f, "organization_kind"); !slices.Contains(kinds, k) {
			t.Errorf("service %v: organization_kind %q", f.ID, k)
		}
		ph := str(t, f, "phone")
		if !phone.MatchString(ph) {
			t.Errorf("service %v: phone %q does not match %s", f.ID, ph, phone)
		}
		if phones[ph] {
			t.Errorf("service %v: phone %s repeats", f.ID, ph)
		}
		phones[ph] = true
		offers, ok := f.Properties["offers"].([]any)
		if !ok || len(offers) == 0 {
			t.Errorf("service %v: offers %v", f.ID, f.Properties["offers"])
		}
		if c, ok := f.Properties["capacity"]; ok && c != nil {
			if v := integer(t, f, "capacity"); v <= 0 {
				t.Errorf("service %v: capacity %d", f.ID, v)
			}
		}
		switch st := str(t, f, "status"); st {
		case doorstep.StatusOpen:
		case doorstep.StatusTemporarilyClosed:
			if str(t, f, "note") == "" {
				t.Errorf("service %v: temporarily closed without a note", f.ID)
			}
		default:
			t.Errorf("service %v: status %q", f.ID, st)
		}
		if _, ok := f.Properties["note"].(string); !ok {
			t.Errorf("service %v: note is not a string", f.ID)
		}
		if f.Properties["sample"] != true {
			t.Errorf("service %v: sample is not true", f.ID)
		}
	}
	for _, c := range categories {
		if perCategory[c] == 0 {
			t.Errorf("no service of category %s", c)
		}
	}
	if perCategory["meal_point"] < 4 {
		t.Errorf("%d meal points, want the canteen and ≥ 3 more", perCategory["meal_point"])
	}
}

// hours decodes a service's hours through the domain type.
func hours(tb testing.TB, f *geojson.Feature) doorstep.Schedule {
	tb.Helper()
	b, err := json.Marshal(f.Properties["hours"])
	if err != nil {
		tb.Fatal(err)
	}
	var s doorstep.Schedule
	if err := json.Unmarshal(b, &s); err != nil {
		tb.Fatalf("service %v: hours %s: %v", f.ID, b, err)
	}
	return s
}

func TestServiceHours(t *testing.T) {
	// at is day ("mon".."sun") of the week of Monday 2 March 2026, at clock in Shanghai.
	at := func(day, clock string) time.Time {
		t.Helper()
		minutes, err := doorstep.ParseClock(clock)
		if err != nil {
			t.Fatal(err)
		}
		monday := time.Date(2026, time.March, 2, 0, 0, 0, 0, doorstep.Shanghai)
		return monday.AddDate(0, 0, slices.Index(doorstep.Weekdays, day)).Add(time.Duration(minutes) * time.Minute)
	}
	// Every listing of a category is open at open and closed at closed.
	tests := []struct {
		category     string
		open, closed time.Time
	}{
		{"meal_point", at("wed", "11:30"), at("wed", "14:00")},
		{"elderly_centre", at("wed", "10:00"), at("wed", "20:00")},
		{"day_care", at("wed", "10:00"), time.Time{}},
		{"nursing_home", at("sun", "03:00"), time.Time{}},
		{"citizen_station", at("wed", "10:00"), at("sun", "10:00")},
		{"activity_room", at("wed", "10:00"), at("wed", "12:30")},
		{"service_centre", at("wed", "10:00"), at("sun", "10:00")},
		{"health", at("wed", "09:00"), at("sun", "09:00")},
		{"culture", at("wed", "10:00"), at("mon", "10:00")},
	}
	fc := loadCollection(t, servicesFile)
	for _, tc := range tests {
		t.Run(tc.category, func(t *testing.T) {
			for _, f := range fc.Features {
				if f.Properties["category"] != tc.category {
					continue
				}
				h := hours(t, f)
				if len(h) == 0 {
					t.Errorf("%s: no hours", f.Properties["name"])
				}
				if err := h.Validate(); err != nil {
					t.Errorf("%s: %v", f.Properties["name"], err)
				}
				if !h.OpenAt(tc.open) {
					t.Errorf("%s: closed at %v", f.Properties["name"], tc.open)
				}
				if !tc.closed.IsZero() && h.OpenAt(tc.closed) {
					t.Errorf("%s: open at %v", f.Properties["name"], tc.closed)
				}
			}
		})
	}
}

func TestServicePlaces(t *testing.T) {
	target := street(t)
	xy := metric(t)
	streetEdge := orb.LineString(polygonXY(target, xy)[0])
	areas := map[string]orb.Polygon{}
	for _, f := range loadCollection(t, areasFile).Features {
		areas[f.Properties["name"].(string)] = f.Geometry.(orb.Polygon)
	}
	fc := loadCollection(t, servicesFile)
	var points []orb.Point
	outside, canteens := 0, 0
	for _, f := range fc.Features {
		p := f.Geometry.(orb.Point)
		name := str(t, f, "name")
		for _, q := range points {
			if d := planar.Distance(xy(p), xy(q)); d < 20 {
				t.Errorf("%s stands %.1f m from another listing", name, d)
			}
		}
		points = append(points, p)

		area := str(t, f, "area")
		in := planar.PolygonContains(target, p)
		switch {
		case area != "":
			if !planar.PolygonContains(areas[area], p) {
				t.Errorf("%s is not inside its area %s", name, area)
			}
		case in:
			t.Errorf("%s is inside the street but names no area", name)
		default:
			outside++
			if d := planar.DistanceFrom(streetEdge, xy(p)); d > 300 {
				t.Errorf("%s is %.0f m outside the street, want ≤ 300 m", name, d)
			}
		}
		if f.Properties["category"] == "activity_room" {
			if want := area + "居民区居委会"; f.Properties["organization"] != want {
				t.Errorf("%s is run by %v, want %s", name, f.Properties["organization"], want)
			}
		}
		if f.Properties["address"] == "广灵四路268号" {
			canteens++
			if f.Properties["category"] != "meal_point" || !strings.Contains(name, "长者食堂") {
				t.Errorf("广灵四路268号 is %s (%v), want the community elder canteen", name, f.Properties["category"])
			}
			if !in {
				t.Errorf("the canteen at %v is outside the street", p)
			}
			// Near the east edge: east of the middle and within 300 m of the edge.
			if d := planar.DistanceFrom(streetEdge, xy(p)); p[0] < target.Bound().Center()[0] || d > 300 {
				t.Errorf("the canteen at %v is %.0f m from the edge, not near the east edge", p, d)
			}
		}
	}
	if canteens != 1 {
		t.Errorf("%d listings at 广灵四路268号, want 1", canteens)
	}
	if outside < 5 || outside > 8 {
		t.Errorf("%d services outside the street, want 5–8", outside)
	}
}

func TestNetwork(t *testing.T) {
	xy := metric(t)
	fc := loadCollection(t, networkFile)
	var lines, steps []orb.LineString
	vertices := 0
	for _, f := range fc.Features {
		l, ok := f.Geometry.(orb.LineString)
		if !ok || len(l) < 2 {
			t.Fatalf("network feature %v: %T of %d points, want a LineString", f.ID, f.Geometry, len(l))
		}
		for i := 1; i < len(l); i++ {
			if l[i] == l[i-1] {
				t.Errorf("line %v repeats vertex %v", f.Properties, l[i])
			}
		}
		vertices += len(l)
		lines = append(lines, l)
		switch kind := str(t, f, "kind"); kind {
		case "road":
			name := str(t, f, "name")
			if f.Properties["sample"] != false || name == "" || excludedRoads[name] {
				t.Errorf("road %q: sample %v; want a named surface road with sample false", name, f.Properties["sample"])
			}
		case "lane", "footway":
			if f.Properties["sample"] != true {
				t.Errorf("generated %s has sample %v", kind, f.Properties["sample"])
			}
		case "steps":
			steps = append(steps, l)
			if f.Properties["sample"] != true || !strings.Contains(str(t, f, "name"), "sample") {
				t.Errorf("steps %v: want sample true and a name saying sample", f.Properties)
			}
		default:
			t.Errorf("unknown kind %q", kind)
		}
	}
	if len(steps) != sampleSteps {
		t.Errorf("%d stepped passages, want %d", len(steps), sampleSteps)
	}
	// Step-free walks go round every flight: the network stays whole without them.
	var stepFree []orb.LineString
	for _, l := range lines {
		if !slices.ContainsFunc(steps, func(s orb.LineString) bool { return slices.Equal(s, l) }) {
			stepFree = append(stepFree, l)
		}
	}
	if n := components(stepFree); n != 1 {
		t.Errorf("without the steps the network has %d components, want 1", n)
	}
	if vertices > 5000 {
		t.Errorf("%d vertices, want a few thousand at most", vertices)
	}

	// One component, joining lines where they share a coordinate.
	adj := map[orb.Point][]orb.Point{}
	for _, l := range lines {
		for i := 1; i < len(l); i++ {
			adj[l[i-1]] = append(adj[l[i-1]], l[i])
			adj[l[i]] = append(adj[l[i]], l[i-1])
		}
	}
	seen := map[orb.Point]bool{lines[0][0]: true}
	queue := []orb.Point{lines[0][0]}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, q := range adj[p] {
			if !seen[q] {
				seen[q] = true
				queue = append(queue, q)
			}
		}
	}
	if len(seen) != len(adj) {
		t.Errorf("network reaches %d of %d vertices from its first one: not one component", len(seen), len(adj))
	}

	// Lines that cross must share the crossing as a vertex.
	type seg struct{ a, b orb.Point }
	var segs []seg
	for _, l := range lines {
		for i := 1; i < len(l); i++ {
			segs = append(segs, seg{l[i-1], l[i]})
		}
	}
	for i, s := range segs {
		for _, u := range segs[i+1:] {
			if orient(s.a, s.b, u.a)*orient(s.a, s.b, u.b) < 0 && orient(u.a, u.b, s.a)*orient(u.a, u.b, s.b) < 0 {
				t.Errorf("segments %v and %v cross without a shared vertex", s, u)
			}
		}
	}

	var mls orb.MultiLineString
	for _, l := range lines {
		mls = append(mls, lineXY(l, xy))
	}
	for _, f := range loadCollection(t, servicesFile).Features {
		if d := planar.DistanceFrom(mls, xy(f.Geometry.(orb.Point))); d > 100 {
			t.Errorf("service %v is %.0f m from the network", f.Properties["name"], d)
		}
	}
	// Every area: all its ~20 m sample points within 150 m of a line.
	for _, f := range loadCollection(t, areasFile).Features {
		poly := f.Geometry.(orb.Polygon)
		worst := 0.0
		b := poly.Bound()
		for lon := b.Min[0]; lon <= b.Max[0]; lon += 0.0002 {
			for lat := b.Min[1]; lat <= b.Max[1]; lat += 0.00018 {
				if p := (orb.Point{lon, lat}); planar.PolygonContains(poly, p) {
					worst = math.Max(worst, planar.DistanceFrom(mls, xy(p)))
				}
			}
		}
		t.Logf("area %v: farthest sample point %.0f m from the network", f.Properties["name"], worst)
		if worst > 100 {
			t.Errorf("area %v: a point %.0f m from the network", f.Properties["name"], worst)
		}
	}
}
