package main

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// Kinds of walking lines.
const (
	kindRoad    = "road"    // real, from OpenStreetMap
	kindLane    = "lane"    // generated: roads between areas, lanes (小区道路/弄堂) inside them
	kindFootway = "footway" // generated: along the street edge, and short links to services and roads
)

// Network parameters in metres.
const (
	nodeTol     = 0.05  // vertices closer than this are one vertex
	roadReach   = 400.0 // real roads are kept this far around the street
	laneMinLen  = 30.0  // shorter lane pieces are dropped
	spineStride = 220.0 // one north–south lane per this much width of an area
)

// excludedRoads are elevated or otherwise not walkable from the street: only surface
// roads (layer elevated_road, scope local, a real name) are walking lines.
var excludedRoads = map[string]bool{"其他城市高架": true, "中环路": true, "内环高架路": true, "逸仙高架路": true}

// netLine is one walking line in the local plane.
type netLine struct {
	pts    []orb.Point
	kind   string
	name   string
	sample bool
}

func (l *netLine) segments(yield func(a, b orb.Point) bool) {
	for i := 0; i+1 < len(l.pts); i++ {
		if !yield(l.pts[i], l.pts[i+1]) {
			return
		}
	}
}

// nearestOnLines returns the point of the lines nearest to p and its distance.
func nearestOnLines(lines []*netLine, p orb.Point) (orb.Point, float64) {
	best, bestD := orb.Point{}, math.Inf(1)
	for _, l := range lines {
		for a, b := range l.segments {
			q := nearestOnSegment(a, b, p)
			if d := planar.Distance(p, q); d < bestD {
				best, bestD = q, d
			}
		}
	}
	return best, bestD
}

// buildNetwork generates the sample walking network: the edges of the residential
// areas (the roads between them and the footway along the street's edge), a lane grid
// inside each area, the real surface roads around the street, and footway links from
// every service and every stray road piece to the nearest line; then nodes it so that
// lines meet at shared vertices, and checks that it is one connected whole.
func buildNetwork(rng *rand.Rand, areas []*area, services []*service, roads []*netLine, sn *snapper) ([]*netLine, error) {
	generated := areaEdges(areas)
	generated = append(generated, areaLanes(rng, areas)...)

	// Real road pieces, joined one at a time, nearest first, each by a footway from
	// its vertex nearest to what is already joined.
	joined := slices.Clone(generated)
	var links []*netLine
	pending := slices.Clone(roads)
	for len(pending) > 0 {
		bi, bd := -1, math.Inf(1)
		var from, to orb.Point
		for i, r := range pending {
			if linesTouch(r, joined) {
				bi, bd = i, 0
				break
			}
			for _, v := range r.pts {
				if q, d := nearestOnLines(joined, v); d < bd {
					bi, bd, from, to = i, d, v, q
				}
			}
		}
		if bd > 0 {
			link := &netLine{pts: []orb.Point{from, to}, kind: kindFootway, sample: true}
			links = append(links, link)
			joined = append(joined, link)
		}
		joined = append(joined, pending[bi])
		pending = slices.Delete(pending, bi, bi+1)
	}

	// A footway from each service to its nearest line.
	for _, s := range services {
		s.xy = sn.snap(s.xy)
		q, d := nearestOnLines(joined, s.xy)
		if d < nodeTol {
			continue
		}
		link := &netLine{pts: []orb.Point{s.xy, q}, kind: kindFootway, sample: true}
		links = append(links, link)
		joined = append(joined, link)
	}

	lines := slices.Concat(roads, generated, links)
	if err := nodeLines(lines, sn); err != nil {
		return nil, err
	}
	lines = slices.DeleteFunc(lines, func(l *netLine) bool { return len(l.pts) < 2 })
	return markSampleSteps(lines), nil
}

// linesTouch reports whether line l meets any of the others.
func linesTouch(l *netLine, others []*netLine) bool {
	for a, b := range l.segments {
		for _, o := range others {
			for c, d := range o.segments {
				if segmentsTouch(a, b, c, d) {
					return true
				}
			}
		}
	}
	return false
}

// areaEdges turns the area rings into lines: an edge two areas share is a lane between
// them, an edge of one area only is the footway along the street's edge. Edges are
// chained into lines that run from junction to junction.
func areaEdges(areas []*area) []*netLine {
	type edge struct {
		a, b  orb.Point
		count int
	}
	var edges []*edge
	index := map[[2]orb.Point]*edge{}
	degree := map[orb.Point]int{}
	for _, ar := range areas {
		n := len(ar.ring)
		for i := range n {
			a, b := ar.ring[i], ar.ring[(i+1)%n]
			k := [2]orb.Point{a, b}
			if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
				k = [2]orb.Point{b, a}
			}
			if e := index[k]; e != nil {
				e.count++
				continue
			}
			e := &edge{a: k[0], b: k[1], count: 1}
			index[k] = e
			edges = append(edges, e)
			degree[a]++
			degree[b]++
		}
	}
	kindOf := func(e *edge) string {
		if e.count == 1 {
			return kindFootway
		}
		return kindLane
	}
	at := map[orb.Point][]*edge{}
	for _, e := range edges {
		at[e.a] = append(at[e.a], e)
		at[e.b] = append(at[e.b], e)
	}
	used := map[*edge]bool{}
	// walk follows unused edges of the same kind from p until a junction.
	walk := func(start orb.Point, e *edge) *netLine {
		l := &netLine{pts: []orb.Point{start}, kind: kindOf(e), sample: true}
		p := start
		for e != nil {
			used[e] = true
			q := e.a
			if q == p {
				q = e.b
			}
			l.pts = append(l.pts, q)
			p = q
			var next *edge
			if degree[p] == 2 {
				for _, f := range at[p] {
					if !used[f] && kindOf(f) == l.kind {
						next = f
					}
				}
			}
			e = next
		}
		return l
	}
	var lines []*netLine
	for _, e := range edges {
		if used[e] {
			continue
		}
		switch {
		case degree[e.a] != 2:
			lines = append(lines, walk(e.a, e))
		case degree[e.b] != 2:
			lines = append(lines, walk(e.b, e))
		}
	}
	// Whatever is left runs between two-way vertices only, such as a loop; start
	// anywhere, the walk stops where it came round or where the kind changes.
	for _, e := range edges {
		if !used[e] {
			lines = append(lines, walk(e.a, e))
		}
	}
	return lines
}

// areaLanes lays a small lane grid inside each area, the way Shanghai new villages
// (新村) are built: east–west lanes between rows of south-facing blocks, every 80–100 m,
// turned by up to 12°, and one or two north–south lanes through the middle. Every lane
// runs from edge to edge of its area.
func areaLanes(rng *rand.Rand, areas []*area) []*netLine {
	var lines []*netLine
	for _, a := range areas {
		theta := (rng.Float64()*2 - 1) * 12 * math.Pi / 180
		d := orb.Point{math.Cos(theta), math.Sin(theta)}
		n := orb.Point{-d[1], d[0]}
		c := a.centroid
		smin, smax, dmin, dmax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for _, p := range a.ring {
			s, t := dot(sub(p, c), n), dot(sub(p, c), d)
			smin, smax = math.Min(smin, s), math.Max(smax, s)
			dmin, dmax = math.Min(dmin, t), math.Max(dmax, t)
		}
		addLanes := func(o, dir orb.Point) {
			for _, iv := range lineInside(o, dir, a.ring) {
				if iv[1]-iv[0] >= laneMinLen {
					lines = append(lines, &netLine{pts: []orb.Point{add(o, mul(dir, iv[0])), add(o, mul(dir, iv[1]))}, kind: kindLane, sample: true})
				}
			}
		}
		spacing := 80 + 20*rng.Float64()
		for s := smin + spacing*(0.45+0.2*rng.Float64()); s < smax-25; s += spacing {
			addLanes(add(c, mul(n, s)), d)
		}
		w := dmax - dmin
		k := max(1, int(math.Round(w/spineStride)))
		for i := range k {
			off := dmin + w*(float64(i)+0.5)/float64(k) + (rng.Float64()*2-1)*15
			addLanes(add(c, mul(d, off)), n)
		}
	}
	return lines
}

// realRoads reads the walkable surface roads from roads.geojson: layer elevated_road
// with scope local and a real name, the pieces within roadReach metres of the street.
func realRoads(pl plane, fc *geojson.FeatureCollection, street []orb.Point) []*netLine {
	ring := closed(street)
	near := func(p orb.Point) bool {
		return planar.RingContains(ring, p) || planar.DistanceFrom(orb.LineString(ring), p) <= roadReach
	}
	var lines []*netLine
	for _, f := range fc.Features {
		name, _ := f.Properties["name"].(string)
		if f.Properties["layer"] != "elevated_road" || f.Properties["scope"] != "local" || name == "" || excludedRoads[name] {
			continue
		}
		var parts []orb.LineString
		switch g := f.Geometry.(type) {
		case orb.LineString:
			parts = []orb.LineString{g}
		case orb.MultiLineString:
			parts = g
		}
		for _, part := range parts {
			// Keep the runs of vertices near the street.
			var run []orb.Point
			flush := func() {
				if len(run) >= 2 {
					lines = append(lines, &netLine{pts: run, kind: kindRoad, name: name})
				}
				run = nil
			}
			for _, ll := range part {
				p := pl.toXY(ll)
				if near(p) {
					run = append(run, p)
				} else {
					flush()
				}
			}
			flush()
		}
	}
	return lines
}

// errOverlap reports two lines running along each other, which noding cannot merge.
var errOverlap = errors.New("network: two lines overlap")

// nodeLines makes lines meet where they cross or touch: every crossing point, and
// every end that lies on another line, becomes a vertex of both lines, with the same
// coordinates. Vertices closer than the snapper's tolerance are merged first.
func nodeLines(lines []*netLine, sn *snapper) error {
	type seg struct {
		line, idx int
		a, b      orb.Point
		box       orb.Bound
	}
	var segs []seg
	for li, l := range lines {
		for i := range l.pts {
			l.pts[i] = sn.snap(l.pts[i])
		}
		l.pts = slices.Compact(l.pts)
		for i := 0; i+1 < len(l.pts); i++ {
			a, b := l.pts[i], l.pts[i+1]
			box := orb.MultiPoint{a, b}.Bound().Pad(nodeTol)
			segs = append(segs, seg{li, i, a, b, box})
		}
	}
	splits := map[[2]int][]orb.Point{}
	addSplit := func(s seg, x orb.Point) {
		if x != s.a && x != s.b {
			k := [2]int{s.line, s.idx}
			if !slices.Contains(splits[k], x) {
				splits[k] = append(splits[k], x)
			}
		}
	}
	for i := range segs {
		for j := i + 1; j < len(segs); j++ {
			s, u := segs[i], segs[j]
			if !s.box.Intersects(u.box) {
				continue
			}
			x, ok, err := crossing(s.a, s.b, u.a, u.b)
			if err != nil {
				return fmt.Errorf("%w: %s %q and %s %q near %v", err,
					lines[s.line].kind, lines[s.line].name, lines[u.line].kind, lines[u.line].name, s.a)
			}
			if ok {
				x = sn.snap(x)
				addSplit(s, x)
				addSplit(u, x)
			}
		}
	}
	for li, l := range lines {
		pts := []orb.Point{l.pts[0]}
		for i := 0; i+1 < len(l.pts); i++ {
			a, b := l.pts[i], l.pts[i+1]
			xs := splits[[2]int{li, i}]
			slices.SortFunc(xs, func(p, q orb.Point) int {
				return cmpFloat(dot(sub(p, a), sub(b, a)), dot(sub(q, a), sub(b, a)))
			})
			pts = append(pts, xs...)
			pts = append(pts, b)
		}
		l.pts = slices.Compact(pts)
	}
	return nil
}

// crossing returns where segments ab and cd meet, an end within nodeTol of the other
// segment counting as meeting. Collinear overlap longer than nodeTol is an error.
func crossing(a, b, c, d orb.Point) (orb.Point, bool, error) {
	r, s := sub(b, a), sub(d, c)
	lr, ls := math.Hypot(r[0], r[1]), math.Hypot(s[0], s[1])
	if lr == 0 || ls == 0 {
		return orb.Point{}, false, nil
	}
	den := cross(r, s)
	if math.Abs(den) > 1e-9*lr*ls {
		w := sub(c, a)
		t, u := cross(w, s)/den, cross(w, r)/den
		et, eu := nodeTol/lr, nodeTol/ls
		if t < -et || t > 1+et || u < -eu || u > 1+eu {
			return orb.Point{}, false, nil
		}
		return lerp(a, b, math.Max(0, math.Min(1, t))), true, nil
	}
	// Parallel: only collinear overlap matters.
	if math.Abs(cross(r, sub(c, a)))/lr > nodeTol {
		return orb.Point{}, false, nil
	}
	tc, td := dot(sub(c, a), r)/lr, dot(sub(d, a), r)/lr
	lo, hi := math.Max(0, math.Min(tc, td)), math.Min(lr, math.Max(tc, td))
	if hi-lo > nodeTol {
		return orb.Point{}, false, errOverlap
	}
	return orb.Point{}, false, nil
}

// components counts the connected parts of lines that join where they share a vertex.
func components(lines []orb.LineString) int {
	parent := map[orb.Point]orb.Point{}
	var find func(p orb.Point) orb.Point
	find = func(p orb.Point) orb.Point {
		q, ok := parent[p]
		if !ok {
			parent[p] = p
			return p
		}
		if q == p {
			return p
		}
		r := find(q)
		parent[p] = r
		return r
	}
	for _, l := range lines {
		for i := 0; i+1 < len(l); i++ {
			ra, rb := find(l[i]), find(l[i+1])
			if ra != rb {
				parent[ra] = rb
			}
		}
		if len(l) == 1 {
			find(l[0])
		}
	}
	n := 0
	for p := range parent {
		if find(p) == p {
			n++
		}
	}
	return n
}

// kindSteps is a flight of steps. The sample street has no real footbridge or
// underpass (its surface roads are crossed at grade), so a few generated lane
// pieces are made sample stepped passages, that step-free walks have to go round.
const kindSteps = "steps"

// sampleSteps is how many stepped passages markSampleSteps makes, and their length
// range in metres.
const (
	sampleSteps       = 4
	sampleStepsMinLen = 15.0
	sampleStepsMaxLen = 45.0
)

// markSampleSteps cuts sampleSteps segments out of generated lanes, spread over the
// list, and makes each a line of kind steps named as sample, keeping the network
// one connected whole without them (a step-free walk can always go round).
func markSampleSteps(lines []*netLine) []*netLine {
	type candidate struct{ line, seg int }
	var cands []candidate
	for li, l := range lines {
		if l.kind != kindLane || !l.sample {
			continue
		}
		for i := 0; i+1 < len(l.pts); i++ {
			if d := planar.Distance(l.pts[i], l.pts[i+1]); d >= sampleStepsMinLen && d <= sampleStepsMaxLen {
				cands = append(cands, candidate{li, i})
				break // one candidate a lane
			}
		}
	}
	if len(cands) == 0 {
		return lines
	}
	out := slices.Clone(lines)
	made := 0
	for k := 0; k < len(cands) && made < sampleSteps; k += max(1, len(cands)/sampleSteps) {
		c := cands[k]
		l := lines[c.line]
		a, b := l.pts[c.seg], l.pts[c.seg+1]
		steps := &netLine{pts: []orb.Point{a, b}, kind: kindSteps, name: "示例台阶 sample steps", sample: true}
		before := &netLine{pts: slices.Clone(l.pts[:c.seg+1]), kind: l.kind, name: l.name, sample: true}
		after := &netLine{pts: slices.Clone(l.pts[c.seg+1:]), kind: l.kind, name: l.name, sample: true}
		// Keep the cut only if the rest stays connected without the steps.
		var rest []orb.LineString
		for i, o := range out {
			if o != l {
				rest = append(rest, out[i].pts)
			}
		}
		for _, p := range []*netLine{before, after} {
			if len(p.pts) >= 2 {
				rest = append(rest, p.pts)
			}
		}
		if components(rest) != 1 {
			continue
		}
		i := slices.Index(out, l)
		out = slices.Replace(out, i, i+1, before, steps, after)
		made++
	}
	return slices.DeleteFunc(out, func(l *netLine) bool { return len(l.pts) < 2 })
}
