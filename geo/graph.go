package geo

import (
	"iter"
	"math"
	"slices"
	"sort"
	"unsafe"

	"doorstep"

	"github.com/paulmach/orb"
)

// The walking graph is stored in compressed sparse rows (CSR): node i's half-edges are
// half[first[i]:first[i+1]], each 8 bytes (target uint32, length float32 metres), and
// node coordinates are int32 fixed point at 1e-7 degree (about 1 cm, as OSM stores
// them). Nodes are renumbered along a Hilbert curve at build time, so nodes close on
// the ground are close in memory and a bounded walk touches few cache lines.

// graphE7 is the fixed-point scale of node coordinates: 1e-7 degree.
const graphE7 = 1e7

// graphMetresPerDegree is the length of one degree of latitude (and of longitude at
// the equator) on the sphere of Distance (MeanEarthRadius), in metres.
const graphMetresPerDegree = MeanEarthRadius * degToRad

// graphCoordE7 is a node position in 1e-7 degrees, [lon, lat] order.
type graphCoordE7 struct {
	lon, lat int32
}

// graphHalfEdge is one direction of a walking edge: its target node and length.
type graphHalfEdge struct {
	to     uint32
	metres float32
}

// Graph is an undirected walking network in compressed sparse rows. Node ids are
// 0..NumNodes()-1; edge ids are half-edge indexes 0..2*NumEdges()-1, each undirected
// edge being stored once from each end. Lengths are metres (haversine on orb's
// spherical earth, stored as float32); coordinates are WGS84 [lon, lat] kept to 1e-7
// degree.
//
// A Graph is immutable after GraphBuilder.Build and safe for any number of concurrent
// readers. Searches need a Walker each (see NewWalker), which is not shared.
type Graph struct {
	coords []graphCoordE7  // per node
	first  []uint32        // per node, and one more: half-edge offsets
	half   []graphHalfEdge // per half-edge
	access []uint8         // per half-edge: doorstep.Access, read only by profiles
	label  []uint32        // per half-edge: index into labels
	labels []graphLabel    // kind and name of ways, each pair once

	bound     orb.Bound
	maxMetres float64 // longest edge
	snap      snapGrid

	partsCache graphPartsCache // connected parts by profile, found when first asked (reach.go)
}

// NumNodes returns the number of nodes.
func (g *Graph) NumNodes() int { return len(g.coords) }

// NumEdges returns the number of undirected edges (half the number of half-edges).
func (g *Graph) NumEdges() int { return len(g.half) / 2 }

// Bound returns the bounding box of all nodes, WGS84 degrees.
func (g *Graph) Bound() orb.Bound { return g.bound }

// NodePoint returns node's position, WGS84 [lon, lat], to 1e-7 degree.
func (g *Graph) NodePoint(node int) orb.Point {
	c := g.coords[node]
	return orb.Point{float64(c.lon) / graphE7, float64(c.lat) / graphE7}
}

// Degree returns how many edges meet at node.
func (g *Graph) Degree(node int) int {
	return int(g.first[node+1] - g.first[node])
}

// Neighbors iterates over node's edges: each neighbouring node and the edge length in
// metres, ordered by neighbour id.
func (g *Graph) Neighbors(node int) iter.Seq2[int, float64] {
	return func(yield func(int, float64) bool) {
		for _, h := range g.half[g.first[node]:g.first[node+1]] {
			if !yield(int(h.to), float64(h.metres)) {
				return
			}
		}
	}
}

// Edges iterates over node's half-edges by edge id, ordered by neighbour id. Use
// EdgeEnds, EdgeLength and EdgeKind on the ids.
func (g *Graph) Edges(node int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for e := g.first[node]; e < g.first[node+1]; e++ {
			if !yield(int(e)) {
				return
			}
		}
	}
}

// EdgeEnds returns the node a half-edge leaves and the node it reaches.
func (g *Graph) EdgeEnds(edge int) (from, to int) {
	// The first node whose offset passes edge, less one.
	from = sort.Search(len(g.coords), func(i int) bool { return int(g.first[i+1]) > edge })
	return from, int(g.half[edge].to)
}

// EdgeLength returns a half-edge's length in metres.
func (g *Graph) EdgeLength(edge int) float64 { return float64(g.half[edge].metres) }

// EdgeKind returns the kind of the way the edge came from (the shortest way, if two
// ways share a segment).
func (g *Graph) EdgeKind(edge int) string { return g.labels[g.label[edge]].kind }

// EdgeName returns the name of the way the edge came from, "" when it has none.
func (g *Graph) EdgeName(edge int) string { return g.labels[g.label[edge]].name }

// EdgeAccess returns what the edge's way holds for people who cannot take steps,
// with doorstep.AccessFlight on the one edge of each flight of steps that stands
// for it (markFlights).
func (g *Graph) EdgeAccess(edge int) doorstep.Access { return doorstep.Access(g.access[edge]) }

// graphLabel is what edges of one way share: its kind and name, interned so that a
// million-node graph keeps 4 bytes an edge for them.
type graphLabel struct {
	kind, name string
}

// MemoryBytes returns the heap bytes the graph holds, including its snapping index.
func (g *Graph) MemoryBytes() int {
	n := int(unsafe.Sizeof(*g))
	n += cap(g.coords) * int(unsafe.Sizeof(graphCoordE7{}))
	n += cap(g.first) * 4
	n += cap(g.half) * int(unsafe.Sizeof(graphHalfEdge{}))
	n += cap(g.access) + 4*cap(g.label)
	for _, l := range g.labels {
		n += int(unsafe.Sizeof(l)) + len(l.kind) + len(l.name)
	}
	n += g.snap.memoryBytes()
	n += g.partsMemoryBytes()
	return n
}

// Components returns the number of connected components and the number of nodes in
// the largest one.
func (g *Graph) Components() (count, largest int) {
	sizes := g.ComponentSizes()
	seen := map[int32]int{}
	for _, size := range sizes {
		seen[size]++
	}
	for size, nodes := range seen {
		count += nodes / int(size)
		largest = max(largest, int(size))
	}
	return count, largest
}

// ComponentSizes returns, for every node, the number of nodes in its connected
// component, so callers can leave out islands (a footpath inside a compound that
// the data never joins to a street) where nobody could walk anywhere.
func (g *Graph) ComponentSizes() []int32 {
	n := len(g.coords)
	sizes := make([]int32, n)
	queue := make([]uint32, 0, 1024)
	for start := range n {
		if sizes[start] != 0 {
			continue
		}
		sizes[start] = -1
		queue = append(queue[:0], uint32(start))
		for head := 0; head < len(queue); head++ {
			u := queue[head]
			for _, h := range g.half[g.first[u]:g.first[u+1]] {
				if sizes[h.to] == 0 {
					sizes[h.to] = -1
					queue = append(queue, h.to)
				}
			}
		}
		for _, u := range queue {
			sizes[u] = int32(len(queue))
		}
	}
	return sizes
}

// edgeLookup returns the half-edge from→to, or -1.
func (g *Graph) edgeLookup(from, to uint32) int {
	hs := g.half[g.first[from]:g.first[from+1]]
	i, ok := slices.BinarySearchFunc(hs, to, func(h graphHalfEdge, t uint32) int {
		switch {
		case h.to < t:
			return -1
		case h.to > t:
			return 1
		}
		return 0
	})
	if !ok {
		return -1
	}
	return int(g.first[from]) + i
}

// GraphBuilder collects walking lines and builds a Graph. Every vertex of every line
// becomes a node. Lines added with AddLine join wherever they share an exact
// coordinate, so they are split wherever they share a vertex (and a line that passes a
// vertex twice forms a loop). Lines added with AddJoinedLine join only at their ends,
// by node key, whatever the coordinates: a bridge and the road under it stay apart.
// Consecutive repeated vertices are dropped, as are non-finite coordinates. When two
// lines share a segment the graph keeps one edge.
//
// The zero GraphBuilder is ready to use. It is not safe for concurrent use.
type GraphBuilder struct {
	index    map[orb.Point]uint32
	keyIndex map[int64]uint32
	pts      []orb.Point
	edges    []graphBuildEdge

	labels     []graphLabel
	labelIndex map[graphLabel]uint32
}

// graphBuildEdge is an undirected edge waiting for Build.
type graphBuildEdge struct {
	u, v   uint32
	metres float32
	label  uint32
	access uint8
}

// Way is what a walking line's edges keep of it: the way's kind (the OSM highway
// value), its name, and its access bits. Kind "steps" adds doorstep.AccessSteps and
// "elevator" doorstep.AccessElevator, so networks stored before access was kept
// still know their steps.
type Way struct {
	Kind, Name string
	Access     doorstep.Access
}

// AddLine adds a walking line (a footway, a street side, a lane…) of the given kind.
// Each pair of consecutive vertices becomes one edge whose length is their haversine
// distance in metres; every vertex joins the other lines' vertices at its coordinate.
func (b *GraphBuilder) AddLine(ls orb.LineString, kind string) {
	b.AddWay(ls, Way{Kind: kind}, 0, 0)
}

// AddJoinedLine adds a walking line whose ends are the nodes named fromKey and toKey
// (non-zero; an OpenStreetMap node id, say). The line joins other joined lines only
// at ends with the same key, never by coordinate; its inner vertices are its own.
// A line with a zero key is added with AddLine.
func (b *GraphBuilder) AddJoinedLine(ls orb.LineString, kind string, fromKey, toKey int64) {
	b.AddWay(ls, Way{Kind: kind}, fromKey, toKey)
}

// AddWay adds a walking line of way w, joined by node keys as AddJoinedLine when
// both keys are non-zero, else by coordinate as AddLine.
func (b *GraphBuilder) AddWay(ls orb.LineString, w Way, fromKey, toKey int64) {
	if fromKey == 0 || toKey == 0 {
		b.addLine(ls, w, func(i int, p orb.Point) uint32 { return b.nodeAt(p) })
		return
	}
	last := len(ls) - 1
	b.addLine(ls, w, func(i int, p orb.Point) uint32 {
		switch i {
		case 0:
			return b.nodeKeyed(fromKey, p)
		case last:
			return b.nodeKeyed(toKey, p)
		}
		return b.newNode(p)
	})
}

// nodeAt returns the node at p, made when new.
func (b *GraphBuilder) nodeAt(p orb.Point) uint32 {
	if b.index == nil {
		b.index = make(map[orb.Point]uint32)
	}
	id, ok := b.index[p]
	if !ok {
		id = b.newNode(p)
		b.index[p] = id
	}
	return id
}

// nodeKeyed returns the node named key, made at p when new.
func (b *GraphBuilder) nodeKeyed(key int64, p orb.Point) uint32 {
	if b.keyIndex == nil {
		b.keyIndex = make(map[int64]uint32)
	}
	id, ok := b.keyIndex[key]
	if !ok {
		id = b.newNode(p)
		b.keyIndex[key] = id
	}
	return id
}

func (b *GraphBuilder) newNode(p orb.Point) uint32 {
	b.pts = append(b.pts, p)
	return uint32(len(b.pts) - 1)
}

// addLine adds the edges between consecutive valid, distinct vertices of ls; node
// gives the node of vertex i.
func (b *GraphBuilder) addLine(ls orb.LineString, w Way, node func(i int, p orb.Point) uint32) {
	if b.labelIndex == nil {
		b.labelIndex = make(map[graphLabel]uint32)
	}
	key := graphLabel{w.Kind, w.Name}
	label, ok := b.labelIndex[key]
	if !ok {
		label = uint32(len(b.labels))
		b.labels = append(b.labels, key)
		b.labelIndex[key] = label
	}
	access := w.Access &^ doorstep.AccessFlight
	switch w.Kind {
	case "steps":
		access |= doorstep.AccessSteps
	case "elevator":
		access |= doorstep.AccessElevator
	}
	var prev orb.Point
	prevID, havePrev := uint32(0), false
	for i, p := range ls {
		if !ValidLonLat(p) || (havePrev && p == prev && i != len(ls)-1) {
			continue
		}
		id := node(i, p)
		if havePrev && id != prevID {
			b.edges = append(b.edges, graphBuildEdge{
				u: prevID, v: id, metres: float32(Distance(prev, p)), label: label, access: uint8(access),
			})
		}
		prev, prevID, havePrev = p, id, true
	}
}

// ValidLonLat reports whether p is a finite WGS84 position, [lon, lat] in degrees.
func ValidLonLat(p orb.Point) bool {
	return p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}

// NumNodes returns the number of distinct vertices added so far; nodes of lines that
// make no edge count too until Build drops them.
func (b *GraphBuilder) NumNodes() int { return len(b.pts) }

// Build returns the graph of all lines added so far. The builder may go on collecting
// lines and build again. Build takes about a second for a million nodes.
func (b *GraphBuilder) Build() *Graph {
	g := &Graph{labels: slices.Clone(b.labels)}
	if len(g.labels) == 0 {
		g.labels = []graphLabel{{}}
	}

	// Keep only vertices that are edge ends (a line of one distinct vertex adds a
	// vertex but no edge), in Hilbert-curve order.
	used := make([]bool, len(b.pts))
	for _, e := range b.edges {
		used[e.u], used[e.v] = true, true
	}
	bound := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for i, p := range b.pts {
		if used[i] {
			bound = bound.Extend(p)
		}
	}
	order := graphHilbertOrder(b.pts, used, bound)
	n := len(order)
	newID := make([]uint32, len(b.pts))
	g.coords = make([]graphCoordE7, n)
	for i, old := range order {
		newID[old] = uint32(i)
		p := b.pts[old]
		g.coords[i] = graphCoordE7{lon: int32(math.Round(p[0] * graphE7)), lat: int32(math.Round(p[1] * graphE7))}
	}
	if n == 0 {
		bound = orb.Bound{}
	}
	g.bound = bound

	// Count, fill, then sort each row by target and merge parallel edges.
	first := make([]uint32, n+1)
	for _, e := range b.edges {
		first[newID[e.u]+1]++
		first[newID[e.v]+1]++
	}
	for i := range n {
		first[i+1] += first[i]
	}
	half := make([]graphHalfEdge, first[n])
	label := make([]uint32, first[n])
	access := make([]uint8, first[n])
	fill := slices.Clone(first[:n])
	for _, e := range b.edges {
		u, v := newID[e.u], newID[e.v]
		half[fill[u]], label[fill[u]], access[fill[u]] = graphHalfEdge{to: v, metres: e.metres}, e.label, e.access
		fill[u]++
		half[fill[v]], label[fill[v]], access[fill[v]] = graphHalfEdge{to: u, metres: e.metres}, e.label, e.access
		fill[v]++
	}
	w := uint32(0)
	for u := range n {
		lo, hi := first[u], first[u+1]
		first[u] = w
		graphSortRow(half[lo:hi], label[lo:hi], access[lo:hi])
		for i := lo; i < hi; i++ {
			if w > first[u] && half[w-1].to == half[i].to {
				// Parallel edge: the row is sorted by (target, length, access),
				// so the kept one is the shortest, with fewest access bits.
				continue
			}
			half[w], label[w], access[w] = half[i], label[i], access[i]
			w++
		}
	}
	first[n] = w
	g.first = first
	g.half = slices.Clip(half[:w])
	g.label = slices.Clip(label[:w])
	g.access = slices.Clip(access[:w])
	if int(w) < len(half) {
		// Parallel edges were merged: give the memory back.
		g.half = slices.Clone(g.half)
		g.label = slices.Clone(g.label)
		g.access = slices.Clone(g.access)
	}
	for _, h := range g.half {
		g.maxMetres = max(g.maxMetres, float64(h.metres))
	}
	markFlights(g)
	g.snap = buildSnapGrid(g)
	return g
}

// Islands describes the parts of a network left out of its graph: how many, how
// many nodes they held in all, and the nodes of the largest.
type Islands struct {
	Count, Nodes, Largest int
}

// LeaveOutIslands drops the edges of every connected part of at most
// maxNodes(largest) nodes, largest being the node count of the biggest part, which
// is always kept. Islands — a footpath in a compound whose gate the data lacks — are
// parts where a point snapped onto one could reach nothing. Parts are found with a
// disjoint-set forest (union by size, path halving; Tarjan 1975).
func (b *GraphBuilder) LeaveOutIslands(maxNodes func(largest int) int) Islands {
	parent := make([]uint32, len(b.pts))
	size := make([]int32, len(b.pts))
	for i := range parent {
		parent[i] = uint32(i)
	}
	find := func(x uint32) uint32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	used := make([]bool, len(b.pts))
	for _, e := range b.edges {
		used[e.u], used[e.v] = true, true
		ru, rv := find(e.u), find(e.v)
		if ru == rv {
			continue
		}
		if size[ru] < size[rv] {
			ru, rv = rv, ru
		}
		parent[rv] = ru
		size[ru] += size[rv] + 1 // size counts the nodes joined below a root
	}
	nodes := map[uint32]int{}
	for i, u := range used {
		if u {
			nodes[find(uint32(i))]++
		}
	}
	var largestRoot uint32
	largest := -1
	for r, n := range nodes {
		if n > largest || (n == largest && r < largestRoot) {
			largest, largestRoot = n, r
		}
	}
	limit := maxNodes(largest)
	var isl Islands
	for r, n := range nodes {
		if r != largestRoot && n <= limit {
			isl.Count++
			isl.Nodes += n
			isl.Largest = max(isl.Largest, n)
		}
	}
	if isl.Count == 0 {
		return isl
	}
	kept := b.edges[:0]
	for _, e := range b.edges {
		r := find(e.u)
		if r == largestRoot || nodes[r] > limit {
			kept = append(kept, e)
		}
	}
	b.edges = kept
	return isl
}

// graphSortRow sorts one CSR row by (target, length, access) with insertion sort:
// rows are short (walking nodes have a handful of edges). Both half-edges of an
// edge sort alike, so the same one of two parallel edges is kept at both ends.
func graphSortRow(hs []graphHalfEdge, ls []uint32, as []uint8) {
	less := func(i, j int) bool {
		a, b := hs[i], hs[j]
		if a.to != b.to {
			return a.to < b.to
		}
		if a.metres != b.metres {
			return a.metres < b.metres
		}
		if as[i] != as[j] {
			return as[i] < as[j]
		}
		return ls[i] < ls[j]
	}
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && less(j, j-1); j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
			ls[j], ls[j-1] = ls[j-1], ls[j]
			as[j], as[j-1] = as[j-1], as[j]
		}
	}
}

// graphHilbertOrder returns the used vertices ordered along a Hilbert curve over
// bound (65536 × 65536 cells), ties by insertion order.
func graphHilbertOrder(pts []orb.Point, used []bool, bound orb.Bound) []uint32 {
	keys := make([]uint64, 0, len(pts))
	sx := 65535 / math.Max(bound.Max[0]-bound.Min[0], 1e-12)
	sy := 65535 / math.Max(bound.Max[1]-bound.Min[1], 1e-12)
	for i, p := range pts {
		if !used[i] {
			continue
		}
		x := uint32(math.Min(65535, math.Max(0, (p[0]-bound.Min[0])*sx)))
		y := uint32(math.Min(65535, math.Max(0, (p[1]-bound.Min[1])*sy)))
		keys = append(keys, uint64(graphHilbertKey(x, y))<<32|uint64(i))
	}
	slices.Sort(keys)
	order := make([]uint32, len(keys))
	for i, k := range keys {
		order[i] = uint32(k)
	}
	return order
}

// graphHilbertKey maps a cell of a 65536 × 65536 grid to its position along the
// Hilbert curve (the classic xy2d; Hilbert 1891, as given by Wikipedia "Hilbert curve").
func graphHilbertKey(x, y uint32) uint32 {
	const n = 1 << 16
	var d uint32
	for s := uint32(n / 2); s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		if ry == 0 {
			if rx == 1 {
				x = n - 1 - x
				y = n - 1 - y
			}
			x, y = y, x
		}
	}
	return d
}

// graphMetresPerDegreeLon returns the length of one degree of longitude at lat.
func graphMetresPerDegreeLon(lat float64) float64 {
	return graphMetresPerDegree * math.Cos(lat*math.Pi/180)
}
