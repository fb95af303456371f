package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
)

// bench holds both sides and the origins they are asked about.
type bench struct {
	o        options
	snap     *finder.Snapshot // the server's snapshot, built in this process
	graph    *geo.Graph       // the same walking graph, node for node, as loaded into PostGIS
	walker   *geo.Walker
	services []*doorstep.Service
	index    *geo.PointIndex // over services, as the finder's straight-line index
	srv      *server
	pg       *cluster
	box      orb.Bound   // origins are drawn from the middle 80 % of the network's bounds
	points   []orb.Point // origins of the straight-line lookups
	nodes    []int       // origins of reaches and circles: random network nodes
	meals    []int       // the network node nearest each open meal point, shuffled
}

func newBench(o options, snap *finder.Snapshot, srv *server) (*bench, error) {
	g, _ := finder.WalkingGraph(snap.Network())
	if g.NumNodes() == 0 {
		return nil, errors.New("the city has no walking network")
	}
	b := &bench{o: o, snap: snap, graph: g, walker: g.NewWalker(), services: snap.AllServices(), srv: srv}
	pts := make([]orb.Point, len(b.services))
	for i, s := range b.services {
		pts[i] = s.Point()
	}
	b.index = geo.NewPointIndex(pts)
	rng := rand.New(rand.NewPCG(1, 2))
	nb := g.Bound()
	w, h := nb.Max[0]-nb.Min[0], nb.Max[1]-nb.Min[1]
	b.box = orb.Bound{Min: orb.Point{nb.Min[0] + 0.1*w, nb.Min[1] + 0.1*h}, Max: orb.Point{nb.Max[0] - 0.1*w, nb.Max[1] - 0.1*h}}
	for range o.origins {
		b.points = append(b.points, b.randomPoint(rng))
		b.nodes = append(b.nodes, rng.IntN(g.NumNodes()))
	}
	seen := map[int]bool{}
	for _, s := range b.services {
		if s.Category != "meal_point" || s.Status != doorstep.StatusOpen {
			continue
		}
		sn, err := g.Snap(s.Point(), geo.MaxSnapMetres)
		if err != nil {
			continue
		}
		node := sn.From
		if sn.Along > g.EdgeLength(sn.Edge)/2 {
			node = sn.To
		}
		if !seen[node] {
			seen[node] = true
			b.meals = append(b.meals, node)
		}
	}
	rng.Shuffle(len(b.meals), func(i, j int) { b.meals[i], b.meals[j] = b.meals[j], b.meals[i] })
	return b, nil
}

func (b *bench) randomPoint(rng *rand.Rand) orb.Point {
	return orb.Point{b.box.Min[0] + rng.Float64()*(b.box.Max[0]-b.box.Min[0]), b.box.Min[1] + rng.Float64()*(b.box.Max[1]-b.box.Min[1])}
}

// pointScript is a pgbench script that runs sql with :lon and :lat drawn
// uniformly from the origins' box, as the HTTP side draws its points.
func (b *bench) pointScript(sql string) string {
	return fmt.Sprintf("\\set lon %.7f + random(0, 1000000) * %.10f\n\\set lat %.7f + random(0, 1000000) * %.10f\n%s;\n",
		b.box.Min[0], (b.box.Max[0]-b.box.Min[0])/1e6, b.box.Min[1], (b.box.Max[1]-b.box.Min[1])/1e6, sql)
}

// nodeSnap starts a walk exactly at node, as pgRouting starts at a vertex.
func (b *bench) nodeSnap(node int) geo.Snap {
	for e := range b.graph.Edges(node) {
		from, to := b.graph.EdgeEnds(e)
		p := b.graph.NodePoint(node)
		return geo.Snap{Edge: e, From: from, To: to, Point: p, Query: p}
	}
	return geo.Snap{Edge: -1}
}

// nodeSnaps starts a walk at each of the nodes.
func (b *bench) nodeSnaps(nodes []int) []geo.Snap {
	snaps := make([]geo.Snap, len(nodes))
	for i, n := range nodes {
		snaps[i] = b.nodeSnap(n)
	}
	return snaps
}

// walkFrom walks from the nodes up to metres and returns each reached node's distance.
func (b *bench) walkFrom(nodes []int, metres float64) map[int]float64 {
	b.walker.FromSnaps(b.nodeSnaps(nodes), metres)
	out := make(map[int]float64, b.walker.NumReached())
	b.walker.Reached(func(node int, m float64) { out[node] = m })
	return out
}

// medianCall calls f for every i below n and returns the median time of a call.
func medianCall(n int, f func(i int) error) (time.Duration, error) {
	times := make([]time.Duration, n)
	for i := range n {
		t0 := time.Now()
		if err := f(i); err != nil {
			return 0, err
		}
		times[i] = time.Since(t0)
	}
	return median(times), nil
}

func median[T int | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// measure runs every comparison, both sides interleaved repeat by repeat.
func (b *bench) measure(ctx context.Context, r *report) error {
	conn, err := b.pg.connect(ctx)
	if err != nil {
		return err
	}
	defer func() { conn.Close(context.Background()) }()
	if err := conn.QueryRow(ctx, "SELECT split_part(version(), ' ', 2), postgis_lib_version(), pgr_version()").
		Scan(&r.pgVersion, &r.postgisVersion, &r.pgrVersion); err != nil {
		return err
	}
	n, e, bytes := b.snap.GraphStats()
	r.graph = fmt.Sprintf("%d nodes, %d edges (%s in Doorstep), %d listings, %d areas, %d open meal points",
		n, e, gb(int64(bytes)), len(b.services), len(b.snap.Areas()), len(b.meals))
	steps := []struct {
		name string
		run  func(context.Context, *pgx.Conn, *report) error
	}{
		{"nearest-10 in process and in SQL", b.nearestOneClient},
		{"nearest-10 over HTTP and pgbench", b.nearestLoad},
		{"circles by minutes", b.circles},
		{"15-minute circle over HTTP and pgbench", b.circleLoad},
		{"doorstep answers", b.doorstep},
		{"15-minute reach agreement", b.reachAgreement},
		{"coverage by sources", b.coverage},
	}
	for _, s := range steps {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t0 := time.Now()
		fmt.Printf("== %s\n", s.name)
		// A step that fails is reported in the table and the others still run: on
		// the full city one run takes long, and a partial table says more than none.
		if err := s.run(ctx, conn, r); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fmt.Printf("   failed: %v\n", err)
			r.failed = append(r.failed, fmt.Sprintf("%s: %v", s.name, err))
			if conn.IsClosed() {
				if conn, err = b.pg.connect(ctx); err != nil {
					return err
				}
			}
		}
		fmt.Printf("   (%s)\n", time.Since(t0).Round(time.Second))
	}
	return nil
}

const knnSQL = `SELECT id FROM services ORDER BY geog <-> ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography LIMIT 10`

// nearestOneClient: nearest-10 by straight line, Doorstep's index in process
// against PostGIS KNN over one connection (prepared), and whether the ids agree.
func (b *bench) nearestOneClient(ctx context.Context, conn *pgx.Conn, r *report) error {
	var ds, ws, ps []time.Duration
	buf := make([]geo.Neighbor, 0, 10)
	sqlIDs := make([][]int64, len(b.points))
	for range b.o.repeats {
		d, _ := medianCall(len(b.points), func(i int) error {
			buf = b.index.Nearest(b.points[i], 10, 0, nil, buf)
			return nil
		})
		w, _ := medianCall(len(b.points), func(i int) error {
			b.snap.Services(finder.Query{Origin: &b.points[i], SpeedMPerMin: doorstep.SpeedElder, Limit: 10})
			return nil
		})
		ws = append(ws, w)
		p, err := medianCall(len(b.points), func(i int) error {
			rows, _ := conn.Query(ctx, knnSQL, b.points[i][0], b.points[i][1])
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			sqlIDs[i] = ids
			return err
		})
		if err != nil {
			return err
		}
		ds, ps = append(ds, d), append(ps, p)
	}
	same, sameSet := 0, 0
	for i, p := range b.points {
		buf = b.index.Nearest(p, 10, 0, nil, buf)
		ids := make([]int64, len(buf))
		for j, nb := range buf {
			ids[j] = b.services[nb.Index].ID
		}
		if slices.Equal(ids, sqlIDs[i]) {
			same++
		}
		slices.Sort(ids)
		s := slices.Clone(sqlIDs[i])
		slices.Sort(s)
		if slices.Equal(ids, s) {
			sameSet++
		}
	}
	r.add("nearest-10 straight line: Doorstep's index in process vs KNN `<->` on geography, 1 client",
		us(median(ds)), us(median(ps)), times(median(ps), median(ds)))
	r.add("nearest-10 by walking time: Doorstep's finder in process (snap, walk, rank) vs the same KNN by straight line",
		us(median(ws)), us(median(ps)), times(median(ps), median(ws)))
	r.agree = append(r.agree, fmt.Sprintf("nearest-10 by straight line, %d origins: the same ids in the same order for %d (%.1f %%), the same ten for %d (%.1f %%); "+
		"Doorstep measures great circles on a sphere, PostGIS geography `<->` likewise, so only near-ties can differ",
		len(b.points), same, pct(same, len(b.points)), sameSet, pct(sameSet, len(b.points))))
	return nil
}

// nearestLoad: nearest-10 over HTTP (Doorstep's /api/services ranks by walking
// time) against the KNN query under pgbench, at 2 and 16 clients.
func (b *bench) nearestLoad(ctx context.Context, _ *pgx.Conn, r *report) error {
	rng := rand.New(rand.NewPCG(3, 4))
	next := func() string {
		p := b.randomPoint(rng)
		return fmt.Sprintf("/api/services?limit=10&lon=%.6f&lat=%.6f", p[0], p[1])
	}
	script := b.pointScript(strings.NewReplacer("$1", ":lon", "$2", ":lat").Replace(knnSQL))
	for _, clients := range []int{2, 16} {
		d, p, err := b.underLoad(ctx, clients, next, script)
		if err != nil {
			return err
		}
		r.add(fmt.Sprintf("nearest-10 over HTTP (Doorstep: by walking time, JSON) vs KNN under pgbench, %d clients", clients),
			d.String(), p.String(), rates(d.rate, p.rate))
	}
	return nil
}

// circles: the circle around a node for 5, 15, 30 and 60 minutes at the elder's
// speed (50 m a minute), Doorstep's finder in process (walk, outline polygon,
// listings inside) against pgr_drivingDistance on the boxed subgraph with the
// concave hull of the reached nodes, one client.
func (b *bench) circles(ctx context.Context, conn *pgx.Conn, r *report) error {
	for _, minutes := range []float64{5, 15, 30, 60} {
		n := min(len(b.nodes), max(10, int(float64(len(b.nodes))/5*15/max(minutes, 15))))
		metres := minutes * doorstep.SpeedElder
		var ds, ps []time.Duration
		var reached []int
		for rep := range b.o.repeats {
			d, err := medianCall(n, func(i int) error {
				_, err := b.snap.Circle(b.graph.NodePoint(b.nodes[i]), doorstep.SpeedElder, minutes, nil)
				return err
			})
			if err != nil {
				return err
			}
			p, err := medianCall(n, func(i int) error {
				var count int
				var outline string
				err := conn.QueryRow(ctx, "SELECT reached, outline FROM anchor_circle($1, $2)", b.nodes[i], metres).Scan(&count, &outline)
				if rep == 0 {
					reached = append(reached, count)
				}
				return err
			})
			if err != nil {
				return err
			}
			ds, ps = append(ds, d), append(ps, p)
		}
		r.circles = append(r.circles, []string{fmt.Sprintf("%.0f (%.0f m)", minutes, metres), fmt.Sprint(n),
			fmt.Sprint(median(reached)), ms(median(ds)), ms(median(ps)), times(median(ps), median(ds))})
		if minutes == 15 {
			r.add("15-minute circle with outline, 1 client: Doorstep's finder in process vs boxed pgr_drivingDistance + ST_ConcaveHull",
				ms(median(ds)), ms(median(ps)), times(median(ps), median(ds)))
		}
	}
	return nil
}

// circleLoad: 15-minute circles over HTTP (/api/circle, GeoJSON with the listings
// inside) against anchor_circle under pgbench, 2 clients, from random nodes.
func (b *bench) circleLoad(ctx context.Context, _ *pgx.Conn, r *report) error {
	rng := rand.New(rand.NewPCG(5, 6))
	next := func() string {
		p := b.graph.NodePoint(rng.IntN(b.graph.NumNodes()))
		return fmt.Sprintf("/api/circle?minutes=15&lon=%.7f&lat=%.7f", p[0], p[1])
	}
	script := fmt.Sprintf("\\set n random(0, %d)\nSELECT reached, outline FROM anchor_circle(:n, %g);\n", b.graph.NumNodes()-1, 15*doorstep.SpeedElder)
	d, p, err := b.underLoad(ctx, 2, next, script)
	if err != nil {
		return err
	}
	r.add("15-minute circle over HTTP (GeoJSON outline and listings) vs anchor_circle under pgbench, 2 clients",
		d.String(), p.String(), rates(d.rate, p.rate))
	return nil
}

// doorstepSQL makes anchor_doorstep, the SQL stand-in for a doorstep answer: per
// category the nearest listing by straight line (KNN), then one 15-minute reach
// from the network node nearest the origin prices the walk to each listing's
// nearest node. It answers "the nearest by straight line, walked", not Doorstep's
// "the nearest by walk", and is the cheapest honest form in SQL.
func doorstepSQL(categories []string) string {
	quoted := make([]string, len(categories))
	for i, c := range categories {
		quoted[i] = "'" + strings.ReplaceAll(c, "'", "''") + "'"
	}
	return `CREATE OR REPLACE FUNCTION anchor_doorstep(lon float8, lat float8) RETURNS TABLE (category text, id bigint, metres float8)
LANGUAGE sql STABLE AS $$
	WITH k AS (SELECT c.cat, s.id, s.geog FROM unnest(ARRAY[` + strings.Join(quoted, ", ") + `]) c(cat),
		LATERAL (SELECT v.id, v.geog FROM services v WHERE v.category = c.cat
			ORDER BY v.geog <-> ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography LIMIT 1) s),
	kn AS (SELECT k.cat, k.id, (SELECT n.id FROM nodes n ORDER BY n.geom <-> k.geog::geometry LIMIT 1) AS node FROM k),
	r AS (SELECT * FROM anchor_reach((SELECT n.id FROM nodes n ORDER BY n.geom <-> ST_SetSRID(ST_MakePoint(lon, lat), 4326) LIMIT 1), 750))
	SELECT kn.cat, kn.id, r.agg_cost FROM kn LEFT JOIN r ON r.node = kn.node
$$`
}

// doorstep: the doorstep answer for all categories, Doorstep's finder in process
// and /api/doorstep over HTTP at 2 clients, against anchor_doorstep (nine KNN
// lookups and a reach) over one connection and under pgbench.
func (b *bench) doorstep(ctx context.Context, conn *pgx.Conn, r *report) error {
	var cats []string
	for _, c := range b.snap.Categories() {
		cats = append(cats, c.ID)
	}
	if _, err := conn.Exec(ctx, doorstepSQL(cats)); err != nil {
		return err
	}
	now := time.Now()
	var ds, ps []time.Duration
	rng := rand.New(rand.NewPCG(7, 8))
	next := func() string {
		p := b.randomPoint(rng)
		return fmt.Sprintf("/api/doorstep?lon=%.6f&lat=%.6f", p[0], p[1])
	}
	script := b.pointScript("SELECT * FROM anchor_doorstep(:lon, :lat)")
	for range b.o.repeats {
		d, _ := medianCall(len(b.points), func(i int) error {
			b.snap.Doorstep(b.points[i], doorstep.SpeedElder, now)
			return nil
		})
		p, err := medianCall(len(b.points), func(i int) error {
			rows, _ := conn.Query(ctx, "SELECT * FROM anchor_doorstep($1, $2)", b.points[i][0], b.points[i][1])
			rows.Close()
			return rows.Err()
		})
		if err != nil {
			return err
		}
		ds, ps = append(ds, d), append(ps, p)
	}
	r.add(fmt.Sprintf("doorstep (%d kinds), 1 client: Doorstep's finder in process vs %d KNN + a reach in SQL (anchor_doorstep)", len(cats), len(cats)),
		ms(median(ds)), ms(median(ps)), times(median(ps), median(ds)))
	d, p, err := b.underLoad(ctx, 2, next, script)
	if err != nil {
		return err
	}
	r.add(fmt.Sprintf("doorstep (%d kinds) over HTTP vs anchor_doorstep under pgbench, 2 clients", len(cats)), d.String(), p.String(), rates(d.rate, p.rate))
	return nil
}

// reachAgreement compares, node by node, the 15-minute reach of Doorstep's walker
// and of pgr_drivingDistance from the same origins.
func (b *bench) reachAgreement(ctx context.Context, conn *pgx.Conn, r *report) error {
	metres := 15 * doorstep.SpeedElder
	n := min(100, len(b.nodes))
	var a agreement
	for _, node := range b.nodes[:n] {
		mine := b.walkFrom([]int{node}, metres)
		theirs, err := reachRows(ctx, conn, "SELECT node, agg_cost FROM anchor_reach($1, $2)", node, metres)
		if err != nil {
			return err
		}
		a.add(mine, theirs, metres)
	}
	r.agree = append(r.agree, fmt.Sprintf("15-minute reach (%.0f m) from %d random nodes, Doorstep's walker vs boxed pgr_drivingDistance: %s", metres, n, a))
	return nil
}

func reachRows(ctx context.Context, conn *pgx.Conn, sql string, args ...any) (map[int]float64, error) {
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out := map[int]float64{}
	var node int64
	var cost float64
	_, err = pgx.ForEachRow(rows, []any{&node, &cost}, func() error { out[int(node)] = cost; return nil })
	return out, err
}

// agreement sums up how two sets of reached nodes and their distances compare.
type agreement struct {
	walks, walksSame   int
	inter, union       int
	onlyNear, onlyFar  int // nodes only one side reached: within 1 m of the bound, or not
	pairs, over1m      int
	longer             int // of over1m, how many are longer on the second side
	maxDiff, minJacard float64
}

func (a *agreement) add(mine, theirs map[int]float64, bound float64) {
	if a.walks == 0 {
		a.minJacard = 1
	}
	a.walks++
	inter := 0
	only := func(m map[int]float64, other map[int]float64) {
		for node, d := range m {
			if _, ok := other[node]; ok {
				continue
			}
			if bound-d <= 1 {
				a.onlyNear++
			} else {
				a.onlyFar++
			}
		}
	}
	for node, d := range mine {
		if t, ok := theirs[node]; ok {
			inter++
			a.pairs++
			diff := math.Abs(d - t)
			a.maxDiff = max(a.maxDiff, diff)
			if diff > 1 {
				a.over1m++
				if t > d {
					a.longer++
				}
			}
		}
	}
	only(mine, theirs)
	only(theirs, mine)
	union := len(mine) + len(theirs) - inter
	a.inter += inter
	a.union += union
	if union > 0 {
		a.minJacard = min(a.minJacard, float64(inter)/float64(union))
	}
	if inter == union {
		a.walksSame++
	}
}

func (a agreement) String() string {
	j := 1.0
	if a.union > 0 {
		j = float64(a.inter) / float64(a.union)
	}
	return fmt.Sprintf("the same node set in %d of %d walks; Jaccard %.6f overall (lowest %.6f); %d nodes reached by one side only "+
		"(%d of them within 1 m of the bound); of %d node distances both give, %d differ by more than 1 m (%d of them longer in PostgreSQL), the largest difference %.3f m",
		a.walksSame, a.walks, j, a.minJacard, a.onlyNear+a.onlyFar, a.onlyNear, a.pairs, a.over1m, a.longer, a.maxDiff)
}

// pgOutcome is one PostgreSQL-side coverage query: its time, or why it has none.
type pgOutcome struct {
	times  []time.Duration
	failed string
	peak   int64 // the backend's peak resident set
}

// coverage: walks from many meal points at once, 15 minutes at the elder's speed,
// against pgRouting from the same nodes two ways: one many-source
// pgr_drivingDistance over the whole graph (equicost: each node to its nearest
// source), and one boxed pgr_drivingDistance a source with the least distance of
// each node kept.
func (b *bench) coverage(ctx context.Context, conn *pgx.Conn, r *report) error {
	metres := 15 * doorstep.SpeedElder
	const manySQL = `SELECT node, agg_cost FROM pgr_drivingDistance('SELECT id, source, target, cost FROM edges', $1::bigint[], $2::float8, false, true)`
	const boxedSQL = `SELECT r.node, min(r.agg_cost) FROM unnest($1::bigint[]) s(n), LATERAL anchor_reach(s.n, $2::float8) r GROUP BY r.node`
	variants := []struct{ name, sql string }{{"many", manySQL}, {"boxed", boxedSQL}}

	counts := b.sourceCounts()
	if len(counts) == 0 {
		return errors.New("the city has no open meal point on the network to start from")
	}
	// Agreement first, on the smallest set of sources.
	first := counts[0]
	mine := b.walkFrom(b.meals[:first], metres)
	for _, v := range variants {
		theirs, err := reachRows(ctx, conn, v.sql, b.meals[:first], metres)
		if err != nil {
			return err
		}
		var a agreement
		a.add(mine, theirs, metres)
		name := map[string]string{"many": "one many-source pgr_drivingDistance (equicost)", "boxed": "one boxed pgr_drivingDistance a source"}[v.name]
		r.agree = append(r.agree, fmt.Sprintf("coverage walk from %d meal points, Doorstep's many-source walk vs %s: %s", first, name, a))
	}

	failedAt := map[string]string{}
	for _, count := range counts {
		sources := b.meals[:count]
		var ds []time.Duration
		outs := map[string]*pgOutcome{}
		for rep := range b.o.repeats {
			// The walk is cheap beside the queries: the median of five a repeat keeps a
			// busy moment on the machine out of it.
			snaps := b.nodeSnaps(sources)
			d, _ := medianCall(5, func(int) error { b.walker.FromSnaps(snaps, metres); return nil })
			ds = append(ds, d)
			for _, v := range variants {
				o := outs[v.name]
				if o == nil {
					o = &pgOutcome{}
					outs[v.name] = o
				}
				if failedAt[v.name] != "" && o.failed == "" {
					o.failed = "not run: " + failedAt[v.name] // at fewer sources
					continue
				}
				// A slow query is not repeated: one timing of many seconds says enough.
				if o.failed != "" || (rep > 0 && median(o.times) > 20*time.Second) {
					continue
				}
				took, peak, err := b.pgCoverage(ctx, v.sql, sources, metres)
				if ctx.Err() != nil {
					return ctx.Err()
				}
				o.peak = max(o.peak, peak)
				if err != nil {
					o.failed = err.Error()
					failedAt[v.name] = fmt.Sprintf("failed from %d sources", count)
					continue
				}
				o.times = append(o.times, took)
			}
		}
		d := median(ds)
		row := []string{fmt.Sprint(count), fmt.Sprint(b.walker.NumReached()), ms(d)}
		best := time.Duration(0)
		for _, v := range variants {
			o := outs[v.name]
			if o.failed != "" {
				row = append(row, o.failed)
				continue
			}
			took := median(o.times)
			cell := ms(took)
			if len(o.times) < b.o.repeats {
				cell += fmt.Sprintf(" (%d run)", len(o.times))
			}
			if v.name == "many" {
				cell += ", backend peak " + gb(o.peak)
			}
			row = append(row, cell)
			if best == 0 || took < best {
				best = took
			}
		}
		if best > 0 {
			row = append(row, times(best, d))
		} else {
			row = append(row, "—")
		}
		r.coverage = append(r.coverage, row)
		fmt.Println("  ", strings.Join(row, " | "))
	}
	// The whole coverage answer in process, areas and all, once: the walks are
	// memoised in the snapshot, so only the first call computes them.
	t0 := time.Now()
	b.snap.Warm()
	warm := time.Since(t0)
	t0 = time.Now()
	if _, err := b.snap.Coverage(finder.CoverageQuery{Minutes: 15, Speed: doorstep.SpeedElder, Categories: []string{"meal_point"}}); err != nil {
		return err
	}
	r.coverageFull = fmt.Sprintf("Doorstep's whole meal-point coverage in process (finder.Coverage: the walk from all %d meal points, then every area's share and median walk), first call: %s; making and snapping the areas' sample points before it (Warm): %s",
		len(b.meals), ms(time.Since(t0)), warm.Round(time.Millisecond))
	return nil
}

// sourceCounts are the numbers of meal points the coverage walks start from.
func (b *bench) sourceCounts() []int {
	if len(b.meals) == 0 {
		return nil
	}
	var out []int
	for _, s := range strings.Split(b.o.sources, ",") {
		n := len(b.meals)
		if s = strings.TrimSpace(s); s != "all" {
			fmt.Sscan(s, &n)
		}
		if n > 0 && (len(out) == 0 || n > out[len(out)-1]) {
			out = append(out, min(n, len(b.meals)))
		}
	}
	return slices.Compact(out)
}

// pgCoverage runs one coverage query on a fresh connection (so the backend's peak
// memory is this query's), under the statement timeout, and counts its rows.
func (b *bench) pgCoverage(ctx context.Context, sql string, sources []int, metres float64) (time.Duration, int64, error) {
	conn, err := b.pg.connect(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(context.Background())
	var pid int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		return 0, 0, err
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("SET statement_timeout = %d", b.o.pgTimeout.Milliseconds())); err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	var rows int
	err = conn.QueryRow(ctx, "SELECT count(*) FROM ("+sql+") t", sources, metres).Scan(&rows)
	took := time.Since(t0)
	peak := procField(pid, "status", "VmHWM:")
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && pe.Code == "57014":
		return took, peak, fmt.Errorf("not finished in %s", b.o.pgTimeout)
	case errors.As(err, &pe) && (pe.Code == "53200" || strings.Contains(pe.Message, "bad_alloc") || strings.Contains(strings.ToLower(pe.Message), "memory")):
		return took, peak, fmt.Errorf("out of memory after %s (limit %.0f GB a process)", took.Round(time.Second), float64(b.o.pgMemLimit)/(1<<30))
	case err != nil:
		return took, peak, fmt.Errorf("failed after %s: %v", took.Round(time.Second), err)
	}
	return took, peak, nil
}
