package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Walker runs bounded shortest-walk searches (Dijkstra's algorithm) on one Graph and
// keeps the result of the last search for DistanceTo, Reached and Graph.Isochrone.
//
// A Walker owns buffers the size of the graph (8 bytes a node) and reuses them: a node's
// distance is valid only when its stamp equals the search's generation, so starting a
// search costs nothing proportional to the graph, and a search allocates nothing once
// the buffers have grown to what it needs. A Walker is not safe for concurrent use;
// give each goroutine its own, or keep them in a sync.Pool.
type Walker struct {
	g       *Graph
	state   []walkNodeState
	gen     uint32
	heap    walkHeap
	settled []uint32 // nodes reached, in order of distance
	pred    []uint32 // per node, by Route only: the node it was reached from

	maxMetres float64
	cost      *Cost // nil: plain length
	sources   []Snap
	byEdge    []walkSourceRef // sources sorted by edge, for DistanceTo

	iso     isochroneScratch
	targets targetScratch // NearestTargets'
}

// walkNodeState is a node's distance in metres, valid when gen is the walker's.
type walkNodeState struct {
	gen    uint32
	metres float32
}

// walkHeapItem is a heap entry: the float32 bits of the metres walked (which order as
// integers, metres being never negative) above the node id, so entries compare as
// integers without branches. Entries made stale by a shorter walk are skipped when
// popped (lazy deletion) rather than removed.
type walkHeapItem uint64

func walkItem(metres float32, node uint32) walkHeapItem {
	return walkHeapItem(uint64(math.Float32bits(metres))<<32 | uint64(node))
}

func (it walkHeapItem) metres() float32 { return math.Float32frombits(uint32(it >> 32)) }
func (it walkHeapItem) node() uint32    { return uint32(it) }

// walkSourceRef points at a source by the undirected edge it lies on.
type walkSourceRef struct {
	key uint64 // lower node << 32 | higher node
	i   int
}

// NewWalker returns a Walker for g. It allocates 8 bytes a node.
func (g *Graph) NewWalker() *Walker {
	return &Walker{g: g, state: make([]walkNodeState, len(g.coords))}
}

// SetCost prices the walker's next searches by c (nil: plain length). Distances,
// bounds and Reached are then in c's metres, and edges c forbids are never used.
func (w *Walker) SetCost(c *Cost) { w.cost = c }

// Cost returns the walker's pricing, nil for plain length.
func (w *Walker) Cost() *Cost { return w.cost }

// walkEdgeKey identifies the undirected edge between two nodes.
func walkEdgeKey(a, b int) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(a)<<32 | uint64(b)
}

// FromSnaps walks from every source at once (each source starts at its snap point,
// having walked its Offset already) and finds every node within maxMetres of the
// nearest source; math.Inf(1) walks the whole component. Sources that do not belong to
// the walker's graph, or have a negative or non-finite Offset, are ignored. It replaces
// the previous search.
func (w *Walker) FromSnaps(sources []Snap, maxMetres float64) {
	limit := w.begin(sources, maxMetres)
	if w.cost != nil {
		w.searchCosted(limit)
		return
	}
	state, half, first, gen := w.state, w.g.half, w.g.first, w.gen
	for len(w.heap) > 0 {
		top := w.heap.pop()
		u, du := top.node(), top.metres()
		if du > state[u].metres {
			continue // stale: u was reached by a shorter walk
		}
		w.settled = append(w.settled, u)
		for _, h := range half[first[u]:first[u+1]] {
			d := du + h.metres
			if d > limit {
				continue
			}
			st := &state[h.to]
			if st.gen != gen || d < st.metres {
				st.gen, st.metres = gen, d
				w.heap.push(walkItem(d, h.to))
			}
		}
	}
}

// begin starts a new search from sources bounded by maxMetres: it forgets the
// last one, seeds the heap with the ends of the sources' edges and returns the
// bound as the heap compares it.
func (w *Walker) begin(sources []Snap, maxMetres float64) float32 {
	g := w.g
	w.gen++
	if w.gen == 0 {
		// The stamps wrapped around: forget them all once every 4 billion searches.
		clear(w.state)
		w.gen = 1
	}
	w.heap = w.heap[:0]
	w.settled = w.settled[:0]
	w.sources = w.sources[:0]
	w.byEdge = w.byEdge[:0]
	if math.IsNaN(maxMetres) || maxMetres < 0 {
		maxMetres = 0
	}
	w.maxMetres = maxMetres
	limit := float32(maxMetres)

	n := len(g.coords)
	for _, s := range sources {
		if s.From < 0 || s.To < 0 || s.From >= n || s.To >= n || s.Edge < 0 || s.Edge >= len(g.half) ||
			!(s.Offset >= 0) || math.IsInf(s.Offset, 1) || math.IsNaN(s.Along) {
			continue
		}
		length := float64(g.half[s.Edge].metres)
		s.Along = min(max(s.Along, 0), length)
		if length > 0 {
			// The snap point from the edge itself, whatever the caller filled in.
			a, b := g.NodePoint(s.From), g.NodePoint(s.To)
			f := s.Along / length
			s.Point = orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
		} else {
			s.Point = g.NodePoint(s.From)
		}
		w.seed(uint32(s.From), float32(s.Offset+w.cost.part(g, s.Edge, s.Along, length)), limit)
		w.seed(uint32(s.To), float32(s.Offset+w.cost.part(g, s.Edge, length-s.Along, length)), limit)
		w.byEdge = append(w.byEdge, walkSourceRef{key: walkEdgeKey(s.From, s.To), i: len(w.sources)})
		w.sources = append(w.sources, s)
	}
	if len(w.byEdge) > 1 {
		slices.SortFunc(w.byEdge, func(a, b walkSourceRef) int { return cmp.Compare(a.key, b.key) })
	}
	return limit
}

// searchCosted is FromSnaps' search under a Cost, kept apart so that the plain
// walk's loop stays as tight as it was.
func (w *Walker) searchCosted(limit float32) {
	g := w.g
	state, half, first, access, gen := w.state, g.half, g.first, g.access, w.gen
	factor, extra := &w.cost.factor, &w.cost.extra
	for len(w.heap) > 0 {
		top := w.heap.pop()
		u, du := top.node(), top.metres()
		if du > state[u].metres {
			continue
		}
		w.settled = append(w.settled, u)
		for e := first[u]; e < first[u+1]; e++ {
			h, a := half[e], access[e]
			f := factor[a]
			if f > math.MaxFloat32 {
				continue // forbidden
			}
			d := du + h.metres*f + extra[a]
			if d > limit {
				continue
			}
			st := &state[h.to]
			if st.gen != gen || d < st.metres {
				st.gen, st.metres = gen, d
				w.heap.push(walkItem(d, h.to))
			}
		}
	}
}

// seed starts the walk at node with the metres already walked.
func (w *Walker) seed(node uint32, metres, limit float32) {
	if metres > limit {
		return
	}
	st := &w.state[node]
	if st.gen != w.gen || metres < st.metres {
		st.gen, st.metres = w.gen, metres
		w.heap.push(walkItem(metres, node))
	}
}

// walkHeap is a 4-ary min-heap of walk items. Equal items may be queued: the
// Walker pushes a node again only with a shorter walk, but a Voronoi queues a
// node again at the same distance when a lower id reaches it.
type walkHeap []walkHeapItem

// push adds an item to the heap.
func (h *walkHeap) push(it walkHeapItem) {
	q := append(*h, it)
	i := len(q) - 1
	for i > 0 {
		p := (i - 1) / 4
		if q[p] <= it {
			break
		}
		q[i] = q[p]
		i = p
	}
	q[i] = it
	*h = q
}

// pop removes and returns the smallest item of the heap.
func (h *walkHeap) pop() walkHeapItem {
	q := *h
	top := q[0]
	last := q[len(q)-1]
	q = q[:len(q)-1]
	n := len(q)
	if n > 0 {
		i := 0
		for {
			c := 4*i + 1
			if c >= n {
				break
			}
			// The smallest of up to four children (conditional moves, not
			// branches, when all four are there).
			m, mk := c, q[c]
			if c+3 < n {
				k := q[c : c+4 : c+4]
				mk = min(k[0], k[1], k[2], k[3])
				// The first child that matches, as equal keys may be queued.
				m = c + 3
				if k[2] == mk {
					m = c + 2
				}
				if k[1] == mk {
					m = c + 1
				}
				if k[0] == mk {
					m = c
				}
			} else {
				for j := c + 1; j < n; j++ {
					if k := q[j]; k < mk {
						m, mk = j, k
					}
				}
			}
			if mk >= last {
				break
			}
			q[i] = q[m]
			i = m
		}
		q[i] = last
	}
	*h = q
	return top
}

// MaxMetres returns the bound of the last search, in metres.
func (w *Walker) MaxMetres() float64 { return w.maxMetres }

// NumReached returns how many nodes the last search reached.
func (w *Walker) NumReached() int { return len(w.settled) }

// NodeDistance returns the walking distance in metres from the nearest source to node,
// and false when the last search did not reach it within its bound.
func (w *Walker) NodeDistance(node int) (float64, bool) {
	st := w.state[node]
	if st.gen != w.gen || w.gen == 0 {
		return math.Inf(1), false
	}
	return float64(st.metres), true
}

// Reached calls fn for every node the last search reached, nearest first, with its
// walking distance in metres.
func (w *Walker) Reached(fn func(node int, metres float64)) {
	for _, u := range w.settled {
		fn(int(u), float64(w.state[u].metres))
	}
}

// DistanceTo returns the walking distance in metres from the nearest source to a snapped
// point: through either end of its edge, or straight along the edge from a source on the
// same edge, plus the target's Offset. It returns false when that is beyond the search's
// bound. It allocates nothing.
func (w *Walker) DistanceTo(t Snap) (float64, bool) {
	g := w.g
	if w.gen == 0 || t.Edge < 0 || t.Edge >= len(g.half) {
		return math.Inf(1), false
	}
	length := float64(g.half[t.Edge].metres)
	best := math.Inf(1)
	if d, ok := w.NodeDistance(t.From); ok {
		best = d + w.cost.part(g, t.Edge, t.Along, length)
	}
	if d, ok := w.NodeDistance(t.To); ok {
		best = min(best, d+w.cost.part(g, t.Edge, max(length-t.Along, 0), length))
	}
	// Sources on the same edge: walk straight along it.
	key := walkEdgeKey(t.From, t.To)
	i, _ := slices.BinarySearchFunc(w.byEdge, key, func(r walkSourceRef, k uint64) int { return cmp.Compare(r.key, k) })
	for ; i < len(w.byEdge) && w.byEdge[i].key == key; i++ {
		s := w.sources[w.byEdge[i].i]
		along := s.Along
		if s.From != t.From {
			along = length - s.Along // the source is given from the other end
		}
		best = min(best, s.Offset+w.cost.part(g, t.Edge, math.Abs(along-t.Along), length))
	}
	best += t.Offset
	if math.IsInf(best, 1) || !(best <= w.maxMetres) {
		return best, false
	}
	return best, true
}

// DistanceToRef is DistanceTo for a snap kept as a SnapRef, without making the
// Snap's points (coverage measures millions of them); false when r holds none.
func (w *Walker) DistanceToRef(r SnapRef) (float64, bool) {
	if !r.OK() {
		return math.Inf(1), false
	}
	e := r.Edge()
	return w.DistanceTo(Snap{Edge: e, From: int(r.from), To: int(w.g.half[e].to), Along: float64(r.along), Offset: float64(r.offset)})
}
