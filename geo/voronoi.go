package geo

import (
	"cmp"
	"math"
	"slices"
	"sync/atomic"
	"unsafe"
)

// A network Voronoi diagram labels every node of a graph with its nearest source
// by plain walking length, and how far that is: one many-source Dijkstra (Erwig,
// "The graph Voronoi diagram with applications", Networks 36, 2000) replaces a
// search per question with a look-up per question. Ties between sources at the
// same distance go to the lower id, so two sources standing at one point label
// the same nodes whatever order they are given in.
//
// Labels are kept in chunks of voronoiChunkNodes nodes, shared between a diagram
// and the diagrams made from it by With: a change of sources copies only the
// chunks whose nodes it relabels.

// NoSource is the id Voronoi.Node gives a node that no source reaches.
const NoSource = math.MaxUint32

// voronoiChunkBits sets the chunk size: 4,096 nodes, 32 KB of labels.
const (
	voronoiChunkBits  = 12
	voronoiChunkNodes = 1 << voronoiChunkBits
)

// VoronoiSource is a source of a Voronoi diagram: where it joins the network (its
// Offset counts as walked) and the caller's id for it.
type VoronoiSource struct {
	Snap Snap
	ID   uint32
}

// Voronoi is a network Voronoi diagram of one Graph for a set of sources, by plain
// length. It is immutable once made and safe for concurrent readers.
type Voronoi struct {
	g      *Graph
	chunks []*voronoiChunk
	gen    uint64        // chunks stamped with it were made for this diagram
	sites  []voronoiSite // the sources, sorted by edge
	// ends marks the nodes at either end of a source's edge (a bit a node), so
	// that NearestTo looks for sources on its edge only where there may be some.
	ends []uint64
}

type voronoiChunk struct {
	gen    uint64
	owner  [voronoiChunkNodes]uint32
	metres [voronoiChunkNodes]float32
	// owners has bit id%256 set for every id that has labelled a node of the
	// chunk (and perhaps since been replaced), so that finding a removed
	// source's nodes skips most chunks.
	owners [4]uint64
}

func (c *voronoiChunk) mayOwn(id uint32) bool { return c.owners[id/64%4]&(1<<(id%64)) != 0 }

// voronoiSite is a source by the undirected edge it lies on.
type voronoiSite struct {
	key    uint64 // walkEdgeKey of its edge
	edge   int32
	from   int32
	along  float64
	offset float64
	id     uint32
}

// voronoiGen numbers diagrams so that each knows which chunks it may write.
var voronoiGen atomic.Uint64

// NewVoronoi labels every node of g with its nearest source (by plain length)
// and the metres to it. Sources that do not belong to g, or have a negative or
// non-finite Offset, are left out. It takes one Dijkstra over the nodes the
// sources reach and holds 8 bytes a node.
func (g *Graph) NewVoronoi(sources []VoronoiSource) *Voronoi {
	v := &Voronoi{g: g, gen: voronoiGen.Add(1)}
	n := len(g.coords)
	v.chunks = make([]*voronoiChunk, (n+voronoiChunkNodes-1)/voronoiChunkNodes)
	for i := range v.chunks {
		c := &voronoiChunk{gen: v.gen}
		for j := range c.owner {
			c.owner[j], c.metres[j] = NoSource, float32(math.Inf(1))
		}
		v.chunks[i] = c
	}
	for _, s := range sources {
		if site, ok := g.voronoiSite(s); ok {
			v.sites = append(v.sites, site)
		}
	}
	slices.SortFunc(v.sites, compareSites)
	v.ends = make([]uint64, (n+63)/64)
	v.markEnds(v.sites)
	var h walkHeap
	for _, s := range v.sites {
		v.seed(&h, s)
	}
	v.grow(&h)
	return v
}

func compareSites(a, b voronoiSite) int {
	if c := cmp.Compare(a.key, b.key); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

func (v *Voronoi) markEnds(sites []voronoiSite) {
	for _, s := range sites {
		for _, u := range [2]uint32{uint32(s.from), v.g.half[s.edge].to} {
			v.ends[u/64] |= 1 << (u % 64)
		}
	}
}

func (v *Voronoi) endsAt(node int) bool { return v.ends[node/64]&(1<<(node%64)) != 0 }

// voronoiSite checks a source and keeps what the diagram needs of it.
func (g *Graph) voronoiSite(s VoronoiSource) (voronoiSite, bool) {
	n := len(g.coords)
	if s.Snap.From < 0 || s.Snap.To < 0 || s.Snap.From >= n || s.Snap.To >= n || s.Snap.Edge < 0 || s.Snap.Edge >= len(g.half) ||
		!(s.Snap.Offset >= 0) || math.IsInf(s.Snap.Offset, 1) || math.IsNaN(s.Snap.Along) || s.ID == NoSource {
		return voronoiSite{}, false
	}
	length := float64(g.half[s.Snap.Edge].metres)
	return voronoiSite{
		key: walkEdgeKey(s.Snap.From, s.Snap.To), edge: int32(s.Snap.Edge), from: int32(s.Snap.From),
		along: min(max(s.Snap.Along, 0), length), offset: s.Snap.Offset, id: s.ID,
	}, true
}

// seed starts a source's walk at both ends of its edge, as Walker.FromSnaps does.
func (v *Voronoi) seed(h *walkHeap, s voronoiSite) {
	half := v.g.half[s.edge]
	length := float64(half.metres)
	v.relax(h, uint32(s.from), float32(s.offset+s.along), s.id)
	v.relax(h, half.to, float32(s.offset+(length-s.along)), s.id)
}

// relax labels node with (metres, id) when that is nearer than its label, or as
// near from a lower id, and queues it.
func (v *Voronoi) relax(h *walkHeap, node uint32, metres float32, id uint32) {
	c := v.chunks[node>>voronoiChunkBits]
	j := node & (voronoiChunkNodes - 1)
	if metres > c.metres[j] || (metres == c.metres[j] && id >= c.owner[j]) {
		return
	}
	c = v.writable(node)
	c.metres[j], c.owner[j] = metres, id
	c.owners[id/64%4] |= 1 << (id % 64)
	h.push(walkItem(metres, node))
}

// writable returns node's chunk, copied first when it is shared with another
// diagram.
func (v *Voronoi) writable(node uint32) *voronoiChunk {
	k := node >> voronoiChunkBits
	c := v.chunks[k]
	if c.gen != v.gen {
		cp := *c
		cp.gen = v.gen
		c = &cp
		v.chunks[k] = c
	}
	return c
}

// grow runs Dijkstra from what is queued, relabelling only nodes it brings nearer.
func (v *Voronoi) grow(h *walkHeap) {
	half, first := v.g.half, v.g.first
	for len(*h) > 0 {
		top := h.pop()
		u, du := top.node(), top.metres()
		c := v.chunks[u>>voronoiChunkBits]
		j := u & (voronoiChunkNodes - 1)
		if du > c.metres[j] {
			continue // stale
		}
		id := c.owner[j]
		for _, e := range half[first[u]:first[u+1]] {
			v.relax(h, e.to, du+e.metres, id)
		}
	}
}

// Node returns node's nearest source and the metres to it; NoSource and +Inf when
// no source reaches it.
func (v *Voronoi) Node(node int) (id uint32, metres float32) {
	c := v.chunks[node>>voronoiChunkBits]
	j := node & (voronoiChunkNodes - 1)
	return c.owner[j], c.metres[j]
}

// NearestTo returns the source nearest to a snapped point by walking — through
// either end of its edge, or straight along the edge from a source on the same
// edge — with the metres, the point's Offset included; false when no source
// reaches it. Ties go to the lower id. It allocates nothing.
func (v *Voronoi) NearestTo(t Snap) (id uint32, metres float64, ok bool) {
	g := v.g
	if t.Edge < 0 || t.Edge >= len(g.half) || t.From < 0 || t.To < 0 || t.From >= len(g.coords) || t.To >= len(g.coords) {
		return NoSource, math.Inf(1), false
	}
	length := float64(g.half[t.Edge].metres)
	best, bestID := math.Inf(1), uint32(NoSource)
	offer := func(m float64, id uint32) {
		if id != NoSource && (m < best || (m == best && id < bestID)) {
			best, bestID = m, id
		}
	}
	// The same sums, in the same order, as Walker.DistanceTo from a walk out of t.
	if id, m := v.Node(t.From); id != NoSource {
		offer(float64(m)+t.Along+t.Offset, id)
	}
	if id, m := v.Node(t.To); id != NoSource {
		offer(float64(m)+max(length-t.Along, 0)+t.Offset, id)
	}
	if !v.endsAt(t.From) || !v.endsAt(t.To) {
		return bestID, best, bestID != NoSource
	}
	key := walkEdgeKey(t.From, t.To)
	i, _ := slices.BinarySearchFunc(v.sites, key, func(s voronoiSite, k uint64) int { return cmp.Compare(s.key, k) })
	for ; i < len(v.sites) && v.sites[i].key == key; i++ {
		s := v.sites[i]
		along := s.along
		if int(s.from) != t.From {
			along = length - s.along
		}
		offer(t.Offset+math.Abs(along-t.Along)+s.offset, s.id)
	}
	return bestID, best, bestID != NoSource
}

// NumSources returns how many sources the diagram holds.
func (v *Voronoi) NumSources() int { return len(v.sites) }

// MemoryBytes returns the heap bytes the diagram holds, chunks shared with other
// diagrams included.
func (v *Voronoi) MemoryBytes() int {
	return int(unsafe.Sizeof(*v)) + len(v.chunks)*(8+int(unsafe.Sizeof(voronoiChunk{}))) +
		cap(v.sites)*int(unsafe.Sizeof(voronoiSite{})) + 8*cap(v.ends)
}

// With returns the diagram with the sources of ids removed and added added (a
// moved source is removed and added). v is unchanged; the two share every chunk
// the change does not relabel. Removing a source clears the nodes it labelled — a
// connected region, as each one's shortest walk passes through nodes of the same
// source — and grows them again from the labelled nodes around it and the sources
// on its edges; adding one runs a Dijkstra from it that goes only as far as it
// brings nodes nearer.
func (v *Voronoi) With(removed []uint32, added []VoronoiSource) *Voronoi {
	g := v.g
	n := &Voronoi{g: g, chunks: slices.Clone(v.chunks), gen: voronoiGen.Add(1)}
	gone := make(map[uint32]bool, len(removed))
	for _, id := range removed {
		gone[id] = true
	}
	var cleared []voronoiSite
	for _, s := range v.sites {
		if gone[s.id] {
			cleared = append(cleared, s)
		}
	}
	n.sites = slices.Grow(slices.Clone(v.sites), len(added))
	if len(cleared) > 0 {
		n.sites = slices.DeleteFunc(n.sites, func(s voronoiSite) bool { return gone[s.id] })
	}
	var fresh []voronoiSite
	for _, s := range added {
		if site, ok := g.voronoiSite(s); ok {
			fresh = append(fresh, site)
			i, _ := slices.BinarySearchFunc(n.sites, site, compareSites)
			n.sites = slices.Insert(n.sites, i, site)
		}
	}
	// Ends of removed sources' edges stay marked: a look for sources there finds
	// none, which costs only the look.
	n.ends = slices.Clone(v.ends)
	n.markEnds(fresh)

	// The regions of removed sources: every node one labels (a scan rather than
	// a walk out from the source, which float32 sums that round to a tie could
	// lead astray).
	var region []uint32
	inRegion := map[uint32]bool{}
	for _, s := range cleared {
		for k, c := range n.chunks {
			if !c.mayOwn(s.id) {
				continue
			}
			for j, id := range &c.owner {
				if id == s.id {
					u := uint32(k<<voronoiChunkBits + j)
					region = append(region, u)
					inRegion[u] = true
				}
			}
		}
	}
	for _, u := range region {
		c := n.writable(u)
		j := u & (voronoiChunkNodes - 1)
		c.owner[j], c.metres[j] = NoSource, float32(math.Inf(1))
	}
	// Grow them back from the labelled nodes around them and the remaining
	// sources on their edges, and from the added sources.
	var h walkHeap
	for _, u := range region {
		for e := g.first[u]; e < g.first[u+1]; e++ {
			x := g.half[e].to
			if id, m := n.Node(int(x)); id != NoSource && !inRegion[x] {
				h.push(walkItem(m, x)) // perhaps more than once: grow skips nothing it needs
			}
			key := walkEdgeKey(int(u), int(x))
			i, _ := slices.BinarySearchFunc(n.sites, key, func(s voronoiSite, k uint64) int { return cmp.Compare(s.key, k) })
			for ; i < len(n.sites) && n.sites[i].key == key; i++ {
				n.seed(&h, n.sites[i])
			}
		}
	}
	for _, s := range fresh {
		n.seed(&h, s)
	}
	n.grow(&h)
	return n
}
