package exchange

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
)

// NetworkReport says what ReadOSM kept of a file and what it left out.
type NetworkReport struct {
	Ways    int            // walkable ways kept
	Lines   int            // lines they were split into at junctions, with the area lines
	Kinds   map[string]int // kept ways by kind (highway value)
	Dropped map[string]int // highway ways left out, by reason
	// Squares are the pedestrian areas walked across, with the straight lines added
	// inside them; SquaresUncrossed are those left with their outline only (not
	// closed, nodes missing, or fewer than two entrances).
	Squares, SquareLines, SquaresUncrossed int
	Cut                                    int // ways cut where nodes are missing from the file
	Joined                                 int // nodes joined to another at one coordinate on the same layer and level
	// Islands are the parts of the graph left out as too small, filled in by the
	// caller that builds the graph (finder.WalkingGraph).
	Islands geo.Islands
}

// String is the report in one paragraph, e.g. "kept 5,996 ways (12,040 lines);
// dropped: 1,203 highway=motorway, …; 3 squares crossed by 48 lines; islands: 14
// (largest 38 nodes)".
func (r *NetworkReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kept %s ways (%s lines", thousands(r.Ways), thousands(r.Lines))
	for _, k := range sortedByCount(r.Kinds) {
		if k == "steps" || k == "elevator" || k == "platform" || k == "corridor" || k == "crossing" || k == "sidewalk" {
			fmt.Fprintf(&b, ", %s %s", thousands(r.Kinds[k]), k)
		}
	}
	b.WriteString(")")
	if len(r.Dropped) == 0 {
		b.WriteString("; dropped: none")
	} else {
		b.WriteString("; dropped:")
		for i, reason := range sortedByCount(r.Dropped) {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, " %s %s", thousands(r.Dropped[reason]), reason)
		}
	}
	fmt.Fprintf(&b, "; pedestrian areas: %d crossed by %s lines, %d walked around the edge only",
		r.Squares, thousands(r.SquareLines), r.SquaresUncrossed)
	if r.Cut > 0 {
		fmt.Fprintf(&b, "; %s ways cut at nodes missing from the file", thousands(r.Cut))
	}
	fmt.Fprintf(&b, "; %s joined by coordinate on one layer and level", plural(r.Joined, "node", "nodes"))
	fmt.Fprintf(&b, "; islands left out: %d", r.Islands.Count)
	if r.Islands.Count > 0 {
		fmt.Fprintf(&b, " (%s nodes, largest %s)", thousands(r.Islands.Nodes), thousands(r.Islands.Largest))
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

func sortedByCount(m map[string]int) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
	})
	return keys
}

// thousands writes n with comma separators: 12,345.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// osmWay is a walkable way as read, or the outline of a multipolygon square.
type osmWay struct {
	nodes  []osm.NodeID
	kind   string
	name   string
	access doorstep.Access
	plane  uint16 // layer and level (see planeOf): nodes join by coordinate only on one plane
}

// osmSquare is a pedestrian area: its outer and inner rings as closed lists of node
// ids (outer nil when they could not be assembled), and the node lists of its own
// outline ways, whose nodes are not entrances.
type osmSquare struct {
	outer, inner         [][]osm.NodeID
	kind, name           string
	outerWays, innerWays []osm.WayID // of a multipolygon, until assembled
	own                  [][]osm.NodeID
}

// networkReader collects walkable ways and squares over the passes of ReadOSM.
type networkReader struct {
	report  NetworkReport
	ways    []osmWay
	squares []osmSquare
	wanted  map[osm.NodeID]bool
	planes  map[string]uint16
	// squareMembers are the ways of multipolygon squares, by way id, with the
	// squares they belong to; memberNodes their nodes.
	squareMembers map[osm.WayID][]int
	memberNodes   map[osm.WayID][]osm.NodeID
	// kerbs are the wanted nodes that are raised kerbs: a line through one has one.
	kerbs map[osm.NodeID]bool
}

func newNetworkReader() *networkReader {
	return &networkReader{
		report:        NetworkReport{Kinds: map[string]int{}, Dropped: map[string]int{}},
		wanted:        map[osm.NodeID]bool{},
		planes:        map[string]uint16{},
		squareMembers: map[osm.WayID][]int{},
		memberNodes:   map[osm.WayID][]osm.NodeID{},
		kerbs:         map[osm.NodeID]bool{},
	}
}

// planeOf numbers a way's layer and level, the same number for the same pair.
func (rd *networkReader) planeOf(tags osm.Tags) uint16 {
	name := plane(tags)
	n, ok := rd.planes[name]
	if !ok {
		n = uint16(min(len(rd.planes), math.MaxUint16))
		rd.planes[name] = n
	}
	return n
}

// plane names a way's layer and level. A bridge without a layer is on layer 1 and a
// tunnel on layer −1, as mappers mean them.
func plane(tags osm.Tags) string {
	layer := 0
	if l, err := strconv.Atoi(strings.TrimSpace(tags.Find("layer"))); err == nil {
		layer = l
	} else if b := tags.Find("bridge"); b != "" && b != "no" {
		layer = 1
	} else if t := tags.Find("tunnel"); t != "" && t != "no" && t != "building_passage" {
		layer = -1
	}
	return strconv.Itoa(layer) + "|" + strings.TrimSpace(tags.Find("level"))
}

// relation notes multipolygon squares (type=multipolygon with a pedestrian highway).
func (rd *networkReader) relation(o osm.Object) {
	r := o.(*osm.Relation)
	kind := r.Tags.Find("highway")
	if r.Tags.Find("type") != "multipolygon" || !pedestrianAreaKinds[kind] {
		return
	}
	if k, dropped := WalkableHighway(r.Tags); dropped != "" || k == "" {
		rd.report.Dropped[dropped+" (area)"]++
		return
	}
	sq := osmSquare{kind: kind, name: r.Tags.Find("name")}
	for _, m := range r.Members {
		if m.Type != osm.TypeWay {
			continue
		}
		id := osm.WayID(m.Ref)
		if m.Role == "inner" {
			sq.innerWays = append(sq.innerWays, id)
		} else {
			sq.outerWays = append(sq.outerWays, id)
		}
		rd.squareMembers[id] = append(rd.squareMembers[id], len(rd.squares))
	}
	rd.squares = append(rd.squares, sq)
}

// way keeps a walkable way, and the member ways of multipolygon squares.
func (rd *networkReader) way(o osm.Object) {
	w := o.(*osm.Way)
	ids := w.Nodes.NodeIDs()
	members := rd.squareMembers[w.ID]
	if len(members) > 0 {
		rd.memberNodes[w.ID] = ids
	}
	kind, dropped := WalkableHighway(w.Tags)
	switch {
	case dropped != "":
		rd.report.Dropped[dropped]++
		return
	case kind == "":
		// Not a highway: only the outline of a square, walked with its square's tags.
		if len(members) > 0 {
			sq := rd.squares[members[0]]
			rd.addWay(osmWay{nodes: ids, kind: sq.kind, name: sq.name, plane: rd.planeOf(w.Tags)})
		}
		return
	case len(ids) < 2:
		rd.report.Dropped["fewer than 2 nodes"]++
		return
	}
	rd.report.Ways++
	rd.report.Kinds[kind]++
	ow := osmWay{nodes: ids, kind: kind, name: w.Tags.Find("name"), plane: rd.planeOf(w.Tags),
		access: WayAccess(kind, w.Tags.Find)}
	// A closed pedestrian way is a square with area=yes; a closed platform is one
	// unless area=no (OSM reads closed platforms as areas).
	area := w.Tags.Find("area")
	if closed := len(ids) >= 4 && ids[0] == ids[len(ids)-1]; closed && ((area == "yes" && pedestrianAreaKinds[kind]) || (kind == "platform" && area != "no")) {
		rd.squares = append(rd.squares, osmSquare{outer: [][]osm.NodeID{ids}, own: [][]osm.NodeID{ids}, kind: kind, name: ow.name})
	}
	rd.addWay(ow)
}

func (rd *networkReader) addWay(w osmWay) {
	if len(w.nodes) < 2 {
		return
	}
	for _, id := range w.nodes {
		rd.wanted[id] = true
	}
	rd.ways = append(rd.ways, w)
}

// assembleSquares joins the member ways of multipolygon squares into rings.
func (rd *networkReader) assembleSquares() {
	for i := range rd.squares {
		sq := &rd.squares[i]
		if sq.outer != nil {
			continue
		}
		parts := func(ids []osm.WayID) [][]osm.NodeID {
			var ps [][]osm.NodeID
			for _, id := range ids {
				if ns, ok := rd.memberNodes[id]; ok {
					ps = append(ps, ns)
					sq.own = append(sq.own, ns)
				}
			}
			return ps
		}
		outer, okOuter := assembleRings(parts(sq.outerWays))
		inner, okInner := assembleRings(parts(sq.innerWays))
		if okOuter && okInner && len(outer) > 0 {
			sq.outer, sq.inner = outer, inner
		}
	}
}

// assembleRings joins ways end to end into closed rings (each with its first node
// repeated last); ok is false when some way is left with an open end.
func assembleRings(parts [][]osm.NodeID) (rings [][]osm.NodeID, ok bool) {
	var left [][]osm.NodeID
	for _, p := range parts {
		if len(p) >= 2 {
			left = append(left, p)
		}
	}
	for len(left) > 0 {
		ring := slices.Clone(left[0])
		left = left[1:]
		for ring[0] != ring[len(ring)-1] {
			end := ring[len(ring)-1]
			i := slices.IndexFunc(left, func(p []osm.NodeID) bool { return p[0] == end || p[len(p)-1] == end })
			if i < 0 {
				return nil, false
			}
			next := left[i]
			if next[0] != end {
				next = slices.Clone(next)
				slices.Reverse(next)
			}
			ring = append(ring, next[1:]...)
			left = slices.Delete(left, i, i+1)
		}
		if len(ring) < 4 {
			return nil, false
		}
		rings = append(rings, ring)
	}
	return rings, true
}

// disjointNodes is a disjoint-set forest over node ids (path halving).
type disjointNodes map[osm.NodeID]osm.NodeID

func (d disjointNodes) find(x osm.NodeID) osm.NodeID {
	for {
		p, ok := d[x]
		if !ok || p == x {
			return x
		}
		if gp, ok := d[p]; ok {
			d[x] = gp
		}
		x = p
	}
}

// union joins a and b under the lower id, so the result does not depend on order.
func (d disjointNodes) union(a, b osm.NodeID) bool {
	ra, rb := d.find(a), d.find(b)
	if ra == rb {
		return false
	}
	if rb < ra {
		ra, rb = rb, ra
	}
	d[rb] = ra
	return true
}

// build makes the network lines once the node coordinates are known.
func (rd *networkReader) build(points map[osm.NodeID]orb.Point) []doorstep.NetworkLine {
	rd.assembleSquares()

	// Cut ways where nodes are missing; the pieces keep their way's square.
	var ways []osmWay
	for _, w := range rd.ways {
		var piece []osm.NodeID
		cut := false
		flush := func() {
			if len(piece) >= 2 {
				w2 := w
				w2.nodes = piece
				ways = append(ways, w2)
			}
			piece = nil
		}
		for _, id := range w.nodes {
			if _, ok := points[id]; !ok {
				cut = true
				flush()
				continue
			}
			piece = append(piece, id)
		}
		flush()
		if cut {
			rd.report.Cut++
		}
	}

	// Join nodes that share a coordinate on the same plane: one node for OSM.
	type spot struct {
		lon, lat int32 // 1e-7 degree, as OSM stores them
		plane    uint16
	}
	joined := disjointNodes{}
	first := map[spot]osm.NodeID{}
	for _, w := range ways {
		for _, id := range w.nodes {
			p := points[id]
			s := spot{int32(math.Round(p[0] * 1e7)), int32(math.Round(p[1] * 1e7)), w.plane}
			if other, ok := first[s]; !ok {
				first[s] = id
			} else if other != id && joined.union(other, id) {
				rd.report.Joined++
			}
		}
	}

	// A node is a junction where ways meet (or a way meets itself), at every way's
	// ends, and where a square's crossing lines start.
	uses := map[osm.NodeID]int{}
	for _, w := range ways {
		for _, id := range w.nodes {
			uses[joined.find(id)]++
		}
	}
	split := map[osm.NodeID]bool{}
	var crossings []doorstep.NetworkLine
	for i := range rd.squares {
		lines, ends := rd.crossSquare(&rd.squares[i], points, joined, uses)
		crossings = append(crossings, lines...)
		for _, id := range ends {
			split[id] = true
		}
	}

	var lines []doorstep.NetworkLine
	for _, w := range ways {
		start := 0
		for i := 1; i < len(w.nodes); i++ {
			id := joined.find(w.nodes[i])
			if i < len(w.nodes)-1 && uses[id] < 2 && !split[id] {
				continue
			}
			ls := make(orb.LineString, 0, i-start+1)
			access := w.access
			for j, n := range w.nodes[start : i+1] {
				ls = append(ls, points[n])
				// A kerb inside a line is on it; one at a junction is the
				// crossing's, not that of the sidewalk it meets.
				if rd.kerbs[n] && ((j > 0 && j < i-start) || w.kind == "crossing") {
					access |= doorstep.AccessKerb
				}
			}
			lines = append(lines, doorstep.NetworkLine{
				Geometry: ls, Kind: w.kind, Name: w.name, Access: access,
				FromNode: int64(joined.find(w.nodes[start])), ToNode: int64(id),
			})
			start = i
		}
	}
	lines = append(lines, crossings...)
	rd.report.Lines = len(lines)
	return lines
}
