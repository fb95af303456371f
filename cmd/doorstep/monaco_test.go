package main

import (
	"container/heap"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"doorstep"
	"doorstep/internal/testenv"
	"doorstep/store"
	"doorstep/store/storetest"
)

// The Monaco fixture: a real OpenStreetMap extract cut to the street (see its
// SOURCE.md; © OpenStreetMap contributors, ODbL).
var monacoDir = filepath.Join("..", "..", "exchange", "testdata", "monaco")

// monacoDB imports the fixture into a new database as a street office would: the
// street (its only admin_level 8 boundary), quarters as areas, the walking network,
// listings by the mapping; and adds an office account. It returns the database path and the network import's report.
func monacoDB(t *testing.T) (dbPath, report string) {
	t.Helper()
	pbf := filepath.Join(monacoDir, "monaco.osm.pbf")
	dbPath = filepath.Join(t.TempDir(), "monaco.db")
	runCLI(t, "import", "--db", dbPath, "street", "--timezone", "Europe/Monaco", "--country", "MC", pbf)
	runCLI(t, "import", "--db", dbPath, "areas", "--from-osm", pbf, "--populations", filepath.Join(monacoDir, "quarters.csv"))
	var stdout, stderr strings.Builder
	if err := run(context.Background(), []string{"import", "--db", dbPath, "network", pbf}, &stdout, &stderr, nil); err != nil {
		t.Fatalf("import network: %v\n%s", err, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "kept ") {
			report = line
		}
	}
	runCLI(t, "import", "--db", dbPath, "services", "--from-osm", pbf, "--map", filepath.Join(monacoDir, "mapping.csv"))
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.MustCreateUser(t, db, "office", doorstep.RoleOffice, 0)
	return dbPath, report
}

// TestMonacoFromOSM serves a real place imported from OpenStreetMap and checks the
// API's walking distances against a Dijkstra written here over the stored ways.
func TestMonacoFromOSM(t *testing.T) {
	dbPath, report := monacoDB(t)
	t.Logf("import report: %s", report)
	for _, want := range []string{"kept 1,245 ways", "dropped: 23 access=private", "pedestrian areas: 10 crossed", "islands left out: 14"} {
		if !strings.Contains(report, want) {
			t.Errorf("import report lacks %q: %s", want, report)
		}
	}
	get := officeClient(t, dbPath)
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	services, _, err := db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	lines, err := db.NetworkLines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(services) < 60 {
		t.Fatalf("%d listings imported, want the fixture's 66", len(services))
	}

	t.Run("listings import again", func(t *testing.T) {
		// Matched by their OSM ids: nothing new, nothing changed.
		out := runCLI(t, "import", "--db", dbPath, "services", "--from-osm", filepath.Join(monacoDir, "monaco.osm.pbf"),
			"--map", filepath.Join(monacoDir, "mapping.csv"))
		if !strings.Contains(out, "0 new, 0 updated, 66 unchanged") {
			t.Errorf("second import: %s", out)
		}
	})
	t.Run("street", func(t *testing.T) {
		var meta struct {
			Street, Country, Timezone string
		}
		mustJSON(t, get("/api/meta"), &meta)
		if meta.Street != "Monaco" || meta.Country != "MC" || meta.Timezone != "Europe/Monaco" {
			t.Errorf("meta %+v, want Monaco, MC, Europe/Monaco", meta)
		}
	})
	t.Run("doorstep", func(t *testing.T) {
		// Place du Casino, Monte-Carlo.
		var ans struct {
			Area       *struct{ Name string } `json:"area"`
			Categories []struct {
				Category string `json:"category"`
				Service  *struct {
					DistanceM float64 `json:"distance_m"`
					Estimate  string  `json:"estimate"`
				} `json:"service"`
			} `json:"categories"`
		}
		mustJSON(t, get("/api/doorstep?lon=7.4275&lat=43.7394&crs=wgs84"), &ans)
		if ans.Area == nil || ans.Area.Name != "Monte-Carlo" {
			t.Errorf("area %+v, want Monte-Carlo", ans.Area)
		}
		walked := 0
		for _, c := range ans.Categories {
			if c.Service != nil && c.Service.Estimate == "" && c.Service.DistanceM > 0 {
				walked++
			}
		}
		if walked < 4 {
			t.Errorf("%d categories answered by a walk on the network, want the 4 the mapping fills", walked)
		}
	})
	t.Run("circle", func(t *testing.T) {
		var fc struct {
			Features []struct {
				Geometry struct{ Type string } `json:"geometry"`
			} `json:"features"`
		}
		mustJSON(t, get("/api/circle?lon=7.4275&lat=43.7394&crs=wgs84&minutes=10"), &fc)
		polygons := 0
		for _, f := range fc.Features {
			if strings.Contains(f.Geometry.Type, "Polygon") {
				polygons++
			}
		}
		if polygons == 0 {
			t.Errorf("no walking circle drawn: %d features", len(fc.Features))
		}
	})
	t.Run("coverage", func(t *testing.T) {
		var cov struct {
			Areas []struct {
				Name string `json:"name"`
			} `json:"areas"`
		}
		mustJSON(t, get("/api/coverage?category=meal_point"), &cov)
		if len(cov.Areas) != 9 {
			t.Errorf("coverage of %d areas, want the 9 quarters", len(cov.Areas))
		}
	})
	t.Run("attribution", func(t *testing.T) {
		if page := string(get("/")); !strings.Contains(page, "© OpenStreetMap contributors") {
			t.Error("the page does not credit OpenStreetMap contributors")
		}
	})

	t.Run("routes agree with a reference Dijkstra", func(t *testing.T) { checkRoutes(t, dbPath, 30) })
	t.Run("walks agree with a reference Dijkstra", func(t *testing.T) {
		ref := newReferenceNetwork(lines, nil)
		targets := make(map[int64]refSnap, len(services))
		for _, s := range services {
			targets[s.ID] = ref.snap([2]float64{s.Lon, s.Lat})
		}
		pairs, agree := 0, 0
		var worst string
		// make test walks from 12 listings, make test-long from 40.
		wantOrigins := testenv.Count(12, 40)
		origins := 0
		for _, o := range services {
			if origins == wantOrigins {
				break
			}
			origins++
			var list struct {
				Services []struct {
					ID        int64    `json:"id"`
					DistanceM *float64 `json:"distance_m"`
					Estimate  string   `json:"estimate"`
				} `json:"services"`
			}
			mustJSON(t, get(fmt.Sprintf("/api/services?lon=%v&lat=%v&crs=wgs84&limit=500", o.Lon, o.Lat)), &list)
			want := ref.walksFrom([2]float64{o.Lon, o.Lat}, targets)
			for _, s := range list.Services {
				w, ok := want[s.ID]
				if !ok || s.DistanceM == nil {
					continue
				}
				pairs++
				if s.Estimate == "" && !math.IsInf(w, 1) && math.Abs(*s.DistanceM-w) <= 1 {
					agree++
				} else if worst == "" {
					worst = fmt.Sprintf("from listing %d to %d: API %v m (%q), reference %.1f m", o.ID, s.ID, *s.DistanceM, s.Estimate, w)
				}
			}
		}
		share := float64(agree) / float64(max(pairs, 1))
		t.Logf("%d origins, %d pairs: %d (%.2f %%) within 1 m of the reference Dijkstra", origins, pairs, agree, 100*share)
		if origins < wantOrigins || pairs < wantOrigins*30 || share < 0.99 {
			t.Errorf("%d of %d pairs agree within 1 m (%.2f %%), want 99 %%; first disagreement %s", agree, pairs, 100*share, worst)
		}
	})
}

func mustJSON(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%v: %.300s", err, data)
	}
}

// referenceNetwork is the stored network as a plain adjacency list, built here
// independently of geo and finder: line ends join by node key (or coordinate when
// the line has none), inner vertices are the line's own, lengths are haversine on a
// sphere of radius 6,371,008.8 m. Small islands are left out by the documented rule
// (parts of at most max(1 % of the largest, 20) nodes, at most 1000). Lines skip
// says (nil: none) join nodes but cannot be walked, as a profile forbids them.
type referenceNetwork struct {
	pts  [][2]float64
	adj  [][]refEdge
	segs [][2]int // kept segments, for snapping
}

type refEdge struct {
	to int
	m  float64
}

func refHaversine(a, b [2]float64) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dLat, dLon := (b[1]-a[1])*rad, (b[0]-a[0])*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

func newReferenceNetwork(lines []doorstep.NetworkLine, skip func(doorstep.NetworkLine) bool) *referenceNetwork {
	n := &referenceNetwork{}
	ids := map[string]int{}
	node := func(key string, p [2]float64) int {
		if id, ok := ids[key]; ok {
			return id
		}
		n.pts = append(n.pts, p)
		n.adj = append(n.adj, nil)
		ids[key] = len(n.pts) - 1
		return len(n.pts) - 1
	}
	var segs [][2]int
	skipped := map[[2]int]bool{}
	for li, l := range lines {
		prev := -1
		for i, q := range l.Geometry {
			p := [2]float64{q[0], q[1]}
			var key string
			switch {
			case l.FromNode == 0:
				key = fmt.Sprint(p)
			case i == 0:
				key = fmt.Sprint("k", l.FromNode)
			case i == len(l.Geometry)-1:
				key = fmt.Sprint("k", l.ToNode)
			default:
				key = fmt.Sprint("l", li, "/", i)
			}
			id := node(key, p)
			if prev >= 0 && prev != id {
				segs = append(segs, [2]int{prev, id})
				if skip != nil && skip(l) {
					skipped[[2]int{prev, id}] = true
				}
			}
			prev = id
		}
	}
	// Components by breadth-first search over the segments.
	adj := make([][]int, len(n.pts))
	for _, s := range segs {
		adj[s[0]] = append(adj[s[0]], s[1])
		adj[s[1]] = append(adj[s[1]], s[0])
	}
	comp := make([]int, len(n.pts))
	for i := range comp {
		comp[i] = -1
	}
	var sizes []int
	for start := range n.pts {
		if comp[start] >= 0 {
			continue
		}
		c := len(sizes)
		queue := []int{start}
		comp[start] = c
		for h := 0; h < len(queue); h++ {
			for _, v := range adj[queue[h]] {
				if comp[v] < 0 {
					comp[v] = c
					queue = append(queue, v)
				}
			}
		}
		sizes = append(sizes, len(queue))
	}
	largest, largestComp := 0, 0
	for c, s := range sizes {
		if s > largest {
			largest, largestComp = s, c
		}
	}
	limit := int(math.Min(math.Min(math.Max(float64(largest)*0.01, 20), 1000), float64(largest-1)))
	for _, s := range segs {
		if c := comp[s[0]]; (c == largestComp || sizes[c] > limit) && !skipped[s] {
			m := refHaversine(n.pts[s[0]], n.pts[s[1]])
			n.adj[s[0]] = append(n.adj[s[0]], refEdge{s[1], m})
			n.adj[s[1]] = append(n.adj[s[1]], refEdge{s[0], m})
			n.segs = append(n.segs, s)
		}
	}
	return n
}

// refSnap is where a point joins the network: the nearest point of the nearest
// segment, in a local plane around the point.
type refSnap struct {
	a, b        int
	along, rest float64 // metres from a, and on to b
	offset      float64
}

func (n *referenceNetwork) snap(p [2]float64) refSnap {
	kx := math.Cos(p[1]*math.Pi/180) * 111195.08
	const ky = 111195.08
	best := refSnap{offset: math.Inf(1)}
	for _, s := range n.segs {
		a, b := n.pts[s[0]], n.pts[s[1]]
		ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*ky
		bx, by := (b[0]-p[0])*kx, (b[1]-p[1])*ky
		dx, dy := bx-ax, by-ay
		t := 0.0
		if l2 := dx*dx + dy*dy; l2 > 0 {
			t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
		}
		q := [2]float64{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
		if d := refHaversine(p, q); d < best.offset {
			best = refSnap{a: s[0], b: s[1], along: refHaversine(a, q), rest: refHaversine(q, b), offset: d}
		}
	}
	return best
}

type refItem struct {
	node int
	m    float64
}
type refHeap []refItem

func (h refHeap) Len() int           { return len(h) }
func (h refHeap) Less(i, j int) bool { return h[i].m < h[j].m }
func (h refHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *refHeap) Push(x any)        { *h = append(*h, x.(refItem)) }
func (h *refHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// walksFrom returns the walk in metres from origin to every target (by id), by
// textbook Dijkstra (a binary heap, lazy deletion) from both ends of the origin's
// segment.
func (n *referenceNetwork) walksFrom(origin [2]float64, targets map[int64]refSnap) map[int64]float64 {
	src := n.snap(origin)
	dist := make([]float64, len(n.pts))
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	h := &refHeap{}
	seed := func(v int, m float64) {
		if m < dist[v] {
			dist[v] = m
			heap.Push(h, refItem{v, m})
		}
	}
	seed(src.a, src.offset+src.along)
	seed(src.b, src.offset+src.rest)
	for h.Len() > 0 {
		it := heap.Pop(h).(refItem)
		if it.m > dist[it.node] {
			continue
		}
		for _, e := range n.adj[it.node] {
			seed(e.to, it.m+e.m)
		}
	}
	out := map[int64]float64{}
	for id, dst := range targets {
		w := math.Min(dist[dst.a]+dst.along, dist[dst.b]+dst.rest)
		if (dst.a == src.a && dst.b == src.b) || (dst.a == src.b && dst.b == src.a) {
			// On one segment: straight along it.
			along := dst.along
			if dst.a != src.a {
				along = dst.rest
			}
			w = math.Min(w, src.offset+math.Abs(along-src.along))
		}
		out[id] = w + dst.offset
	}
	return out
}

// TestImportFromOSMRefusesBadInput: each refusal names the file or flag, and leaves
// the database without areas or listings.
func TestImportFromOSMRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "d.db")
	pbf := filepath.Join(monacoDir, "monaco.osm.pbf")
	walk := filepath.Join("..", "..", "exchange", "testdata", "walk.osm")
	badPops := filepath.Join(dir, "pops.csv")
	if err := os.WriteFile(badPops, []byte("name,population\nMonte-Carlo,many\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"street not in file", []string{"street", "--osm-id", "relation/1", pbf}, "relation/1 is not in the file"},
		{"no street boundary", []string{"street", walk}, "no boundary=administrative with admin_level=8"},
		{"street time zone", []string{"street", "--timezone", "Mars/Base", pbf}, "timezone"},
		{"no quarters", []string{"areas", "--from-osm", walk}, "no boundary=administrative with admin_level=10"},
		{"bad populations", []string{"areas", "--from-osm", pbf, "--populations", badPops}, "pops.csv: line 2, population"},
		{"osm with crs", []string{"areas", "--from-osm", pbf, "--crs", "gcj02"}, "WGS84"},
		{"no mapping", []string{"services", "--from-osm", pbf}, "--map"},
		{"nothing matches", []string{"services", "--from-osm", walk, "--map", filepath.Join(monacoDir, "mapping.csv")}, "no feature matches"},
		{"not osm", []string{"services", "--from-osm", badPops, "--map", filepath.Join(monacoDir, "mapping.csv")}, "not an OpenStreetMap file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			err := run(context.Background(), append([]string{"import", "--db", dbPath}, tc.args...), &stdout, &stderr, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q\n%s", err, tc.want, stderr.String())
			}
		})
	}
	if _, err := os.Stat(dbPath); err == nil {
		db, err := store.Open(context.Background(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		areas, err := db.Areas(context.Background())
		if err != nil || len(areas) != 0 {
			t.Errorf("%d areas after refused imports (%v)", len(areas), err)
		}
		if _, found, err := db.Street(context.Background()); err != nil || found {
			t.Errorf("a street after refused imports (%v)", err)
		}
	}
}

// A dry run of an OSM listings import says what it would do and creates no database.
func TestImportServicesFromOSMDryRun(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "none.db")
	out := runCLI(t, "import", "--db", dbPath, "services", "--dry-run", "--from-osm", filepath.Join(monacoDir, "monaco.osm.pbf"),
		"--map", filepath.Join(monacoDir, "mapping.csv"))
	if !strings.Contains(out, "dry run of 66 OpenStreetMap listings") || !strings.Contains(out, "66 new") {
		t.Errorf("dry run: %s", out)
	}
	if _, err := os.Stat(dbPath); err == nil {
		t.Error("a dry run created the database")
	}
}

// Tags a listing cannot hold are left out of it, said by feature id; the listing
// is still imported.
func TestImportServicesFromOSMLeavesOutUnreadableTags(t *testing.T) {
	dir := t.TempDir()
	osmFile := filepath.Join(dir, "pharmacy.osm")
	body := `<osm><node id="42" lat="43.7384" lon="7.4246">
<tag k="amenity" v="pharmacy"/><tag k="name" v="Pharmacie du Casino"/>
<tag k="opening_hours" v="sunrise-sunset"/><tag k="phone" v="call the casino"/></node>
<node id="43" lat="43.7390" lon="7.4250"><tag k="amenity" v="pharmacy"/><tag k="name" v="Pharmacie Centrale"/>
<tag k="opening_hours" v="Mo-Fr 08:30-19:30; Sa 09:00-12:00"/><tag k="phone" v="+377 93 30 11 22"/></node></osm>`
	if err := os.WriteFile(osmFile, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "d.db")
	var stdout, stderr strings.Builder
	err := run(context.Background(), []string{"import", "--db", dbPath, "services", "--from-osm", osmFile,
		"--map", filepath.Join(monacoDir, "mapping.csv")}, &stdout, &stderr, nil)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{`node/42: hours "sunrise-sunset" left out`, `node/42: phone "call the casino" left out`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "node/43") {
		t.Errorf("node/43's tags were readable:\n%s", stderr.String())
	}
	list := listings(t, dbPath)
	if len(list) != 2 {
		t.Fatalf("%d listings, want both", len(list))
	}
	for _, s := range list {
		full := s.Name == "Pharmacie Centrale"
		if (len(s.Hours) > 0) != full || (s.Phone != "") != full {
			t.Errorf("%s: hours %v, phone %q", s.Name, s.Hours, s.Phone)
		}
	}
}
