package geo

import (
	"math"
	"slices"
)

// SnapTargets indexes points joined to a graph — targets, such as listings — by
// the nodes at the ends of their edges, so that a walk can pick them up as it
// settles nodes (Walker.NearestTargets) rather than measure every point found
// within a straight-line radius. Entries are kept in compressed sparse rows:
// 4 bytes a node, 24 bytes an end of each target's edge and 24 a target. A SnapTargets is immutable and safe for concurrent use.
type SnapTargets struct {
	first []uint32     // per node, and one more: where its entries start in ends
	ends  []targetEnd  // by node
	snaps []targetSnap // per target

	// Targets moved since the rows were built (Moved): their entries in the
	// rows are stale, and their current ones are kept apart, by node, with a
	// bit a node saying which nodes have any.
	n      int                    // targets, the moved and added ones too
	stale  map[uint32]targetSnap  // by target, where it now is
	extra  map[uint32][]targetEnd // by node
	marked []uint64
}

// maxMovedTargets is how many moved targets Moved keeps apart before it
// builds the rows afresh.
const maxMovedTargets = 4096

// targetEnd is a target seen from one end of its edge, with what a walk
// settling that end needs, so that it reads no more than the node's row.
type targetEnd struct {
	target uint32
	edge   int32   // the half-edge of the target's snap
	along  float64 // metres along the edge from this end to the snap point
	offset float64 // the snap's Offset
}

// targetSnap is a target's snap as walks measure it (Along and Offset kept
// whole: a SnapRef's float32 would not give DistanceTo's metres); edge is -1
// for a target off the network.
type targetSnap struct {
	edge, from    int32
	along, offset float64
}

// NewSnapTargets indexes n targets on g: snap(i) is where target i joins g,
// false when it does not (a snap onto an edge g does not have counts as none).
func NewSnapTargets(g *Graph, n int, snap func(i int) (Snap, bool)) *SnapTargets {
	nodes := len(g.coords)
	ts := &SnapTargets{first: make([]uint32, nodes+1), snaps: make([]targetSnap, n), n: n}
	for i := range ts.snaps {
		ts.snaps[i] = newTargetSnap(g, snap, i)
	}
	// Count each node's entries one place up, sum them into starts, fill each
	// node's row moving its start up, then move the starts back down.
	for _, r := range ts.snaps {
		if r.edge >= 0 {
			ts.first[r.from+1]++
			ts.first[g.half[r.edge].to+1]++
		}
	}
	for u := range nodes {
		ts.first[u+1] += ts.first[u]
	}
	ts.ends = make([]targetEnd, ts.first[nodes])
	for i, r := range ts.snaps {
		if r.edge < 0 {
			continue
		}
		from, to, atFrom, atTo := r.ends(g, i)
		ts.ends[ts.first[from]] = atFrom
		ts.first[from]++
		ts.ends[ts.first[to]] = atTo
		ts.first[to]++
	}
	copy(ts.first[1:], ts.first[:nodes])
	ts.first[0] = 0
	return ts
}

// newTargetSnap is target i's snap(i), edge -1 when it has none on g.
func newTargetSnap(g *Graph, snap func(i int) (Snap, bool), i int) targetSnap {
	s, ok := snap(i)
	if !ok || s.Edge < 0 || s.Edge >= len(g.half) || s.From < 0 || s.From >= len(g.coords) {
		return targetSnap{edge: -1}
	}
	return targetSnap{edge: int32(s.Edge), from: int32(s.From), along: s.Along, offset: s.Offset}
}

// ends returns the entries of r, target t, at its From and To nodes.
func (r targetSnap) ends(g *Graph, t int) (from, to uint32, atFrom, atTo targetEnd) {
	h := g.half[r.edge]
	// As DistanceTo measures the rest of the edge from To.
	rest := max(float64(h.metres)-r.along, 0)
	return uint32(r.from), h.to, targetEnd{target: uint32(t), edge: r.edge, along: r.along, offset: r.offset},
		targetEnd{target: uint32(t), edge: r.edge, along: rest, offset: r.offset}
}

// Moved returns ts with the targets in changed moved to where snap (which
// gives every target's snap, now n of them, n >= ts.Len()) puts them; targets
// from ts.Len() on are added. ts itself is unchanged. The result shares ts's
// rows and keeps the moved targets apart, so it costs what the change does
// rather than the whole, until maxMovedTargets have moved; then it is built
// afresh.
func (ts *SnapTargets) Moved(g *Graph, n int, changed []int, snap func(i int) (Snap, bool)) *SnapTargets {
	if len(ts.stale)+len(changed) > maxMovedTargets || n < ts.n {
		return NewSnapTargets(g, n, snap)
	}
	m := *ts
	m.n = n
	m.stale = make(map[uint32]targetSnap, len(ts.stale)+len(changed))
	for t, r := range ts.stale {
		m.stale[t] = r
	}
	m.extra = make(map[uint32][]targetEnd, len(ts.extra)+2*len(changed))
	for u, ends := range ts.extra {
		m.extra[u] = ends
	}
	copied := ts.marked == nil // the bits are made here, not shared
	if m.marked = ts.marked; copied {
		m.marked = make([]uint64, (len(g.coords)+63)/64)
	}
	for _, t := range changed {
		if old, ok := ts.stale[uint32(t)]; ok && old.edge >= 0 {
			// Moved again: drop its entries kept apart (the lists are copied
			// before they change, ts's stay as they were).
			from, to, _, _ := old.ends(g, t)
			for _, u := range [2]uint32{from, to} {
				m.extra[u] = slices.DeleteFunc(slices.Clone(m.extra[u]), func(e targetEnd) bool { return e.target == uint32(t) })
			}
		}
		r := newTargetSnap(g, snap, t)
		m.stale[uint32(t)] = r
		if r.edge < 0 {
			continue
		}
		if !copied {
			m.marked, copied = slices.Clone(m.marked), true
		}
		from, to, atFrom, atTo := r.ends(g, t)
		m.extra[from] = append(slices.Clip(m.extra[from]), atFrom)
		m.extra[to] = append(slices.Clip(m.extra[to]), atTo)
		m.marked[from/64] |= 1 << (from % 64)
		m.marked[to/64] |= 1 << (to % 64)
	}
	return &m
}

// snap returns target t's snap.
func (ts *SnapTargets) snap(t uint32) targetSnap {
	if r, ok := ts.stale[t]; ok {
		return r
	}
	return ts.snaps[t]
}

// row calls fn with the entries of node u, of targets at their current snaps.
func (ts *SnapTargets) row(u uint32, fn func(end *targetEnd)) {
	for i := ts.first[u]; i < ts.first[u+1]; i++ {
		if ts.stale != nil {
			if _, moved := ts.stale[ts.ends[i].target]; moved {
				continue
			}
		}
		fn(&ts.ends[i])
	}
	if ts.marked != nil && ts.marked[u/64]&(1<<(u%64)) != 0 {
		for i := range ts.extra[u] {
			fn(&ts.extra[u][i])
		}
	}
}

// Len returns the number of targets, on the network or not.
func (ts *SnapTargets) Len() int { return ts.n }

// MemoryBytes returns about how many bytes ts holds.
func (ts *SnapTargets) MemoryBytes() int {
	return cap(ts.first)*4 + cap(ts.ends)*24 + cap(ts.snaps)*24
}

// TargetHit is a target that Walker.NearestTargets found, and how far it is on
// foot in metres (in the walker's Cost).
type TargetHit struct {
	Target int
	Metres float64
}

// targetScratch is a walker's working state for NearestTargets, reused between
// searches: the targets reached, in a small open-addressing table whose entries
// are valid when their gen is the scratch's (a search reaches few targets, and
// the table stays in cache where an array over every target would not).
type targetScratch struct {
	gen   uint32
	slots []targetState // a power of two of them
	shift uint          // 32 - log2(len(slots))
	used  int
	heap  []TargetHit // candidates, a binary min-heap on (Metres, Target)
}

type targetState struct {
	metres float64 // the shortest walk found so far
	target uint32
	gen    uint32
	kept   bool // keep accepted it
	final  bool // in the answer: no walk to it can be shorter
}

const targetFirstSlots = 256

// NearestTargets walks from sources as FromSnaps does, to at most maxMetres,
// and appends to out[:0] the k targets of ts (built on w's graph) nearest on foot
// that keep accepts (nil keeps all), nearest first, equal distances by lower
// target; fewer when fewer are within maxMetres. A target's distance is
// DistanceTo's for its snap, to the last bit. The walk stops as soon as no
// target it has not yet measured could rank among the first k: when the k-th
// found is nearer than every node not yet settled (Dijkstra's algorithm settles
// nodes nearest first). keep is asked once a target, when the walk first
// reaches it.
//
// The walker then holds a partial search: Reached lists the nodes settled
// before it stopped, and DistanceTo is not to be used until the next FromSnaps.
func (w *Walker) NearestTargets(sources []Snap, maxMetres float64, ts *SnapTargets, k int, keep func(i int) bool, out []TargetHit) []TargetHit {
	out = out[:0]
	limit := w.begin(sources, maxMetres)
	if k <= 0 {
		return out
	}
	g := w.g
	sc := &w.targets
	sc.start()
	// A target on a source's own edge is also reached straight along it.
	for _, s := range w.sources {
		key := walkEdgeKey(s.From, s.To)
		ts.row(uint32(s.From), func(end *targetEnd) {
			r := ts.snap(end.target)
			e := int(r.edge)
			if walkEdgeKey(int(r.from), int(g.half[e].to)) != key {
				return
			}
			length := float64(g.half[e].metres)
			along := s.Along
			if s.From != int(r.from) {
				along = length - s.Along // the source is given from the other end
			}
			w.offerTarget(int(end.target), s.Offset+w.cost.part(g, e, math.Abs(along-r.along), length)+r.offset, keep)
		})
	}

	state, half, first, access := w.state, g.half, g.first, g.access
	for len(w.heap) > 0 {
		// Every node not yet settled is at least as far as the heap's top (a
		// stale entry's too), and so is every target not yet measured.
		top := w.heap[0]
		if out = sc.finalize(float64(top.metres()), k, out); len(out) == k {
			return out
		}
		w.heap.pop()
		u, du := top.node(), top.metres()
		if du > state[u].metres {
			continue // stale
		}
		w.settled = append(w.settled, u)
		offer := func(end *targetEnd) {
			part := end.along
			if w.cost != nil {
				e := int(end.edge)
				part = w.cost.part(g, e, end.along, float64(half[e].metres))
			}
			w.offerTarget(int(end.target), float64(du)+part+end.offset, keep)
		}
		if ts.stale == nil {
			for i := ts.first[u]; i < ts.first[u+1]; i++ {
				offer(&ts.ends[i])
			}
		} else {
			ts.row(u, offer)
		}
		for e := first[u]; e < first[u+1]; e++ {
			h := half[e]
			d := du + h.metres
			if w.cost != nil {
				f := w.cost.factor[access[e]]
				if f > math.MaxFloat32 {
					continue // forbidden
				}
				d = du + h.metres*f + w.cost.extra[access[e]]
			}
			if d > limit {
				continue
			}
			st := &state[h.to]
			if st.gen != w.gen || d < st.metres {
				st.gen, st.metres = w.gen, d
				w.heap.push(walkItem(d, h.to))
			}
		}
	}
	return sc.finalize(math.Inf(1), k, out)
}

// start readies the scratch for a new search.
func (sc *targetScratch) start() {
	if sc.slots == nil {
		sc.slots, sc.shift = make([]targetState, targetFirstSlots), 32-8
	}
	sc.gen++
	if sc.gen == 0 {
		clear(sc.slots)
		sc.gen = 1
	}
	sc.used = 0
	sc.heap = sc.heap[:0]
}

// state returns target t's entry, and false when the search has not reached
// it before (the entry is then new, for the caller to fill).
func (sc *targetScratch) state(t int) (*targetState, bool) {
	if 2*(sc.used+1) > len(sc.slots) {
		sc.grow()
	}
	mask := len(sc.slots) - 1
	for i := int(uint32(t)*0x9E3779B1>>sc.shift) & mask; ; i = (i + 1) & mask {
		st := &sc.slots[i]
		if st.gen != sc.gen {
			sc.used++
			*st = targetState{target: uint32(t), gen: sc.gen}
			return st, false
		}
		if st.target == uint32(t) {
			return st, true
		}
	}
}

// grow doubles the table, keeping the search's entries.
func (sc *targetScratch) grow() {
	old := sc.slots
	sc.slots, sc.shift, sc.used = make([]targetState, 2*len(old)), sc.shift-1, 0
	for _, st := range old {
		if st.gen == sc.gen {
			n, _ := sc.state(int(st.target))
			*n = st
		}
	}
}

// offerTarget records a walk of metres to target t, when within the search's
// bound, kept and shorter than any found before.
func (w *Walker) offerTarget(t int, metres float64, keep func(int) bool) {
	if !(metres <= w.maxMetres) {
		return
	}
	sc := &w.targets
	st, seen := sc.state(t)
	if !seen {
		st.metres, st.kept = math.Inf(1), keep == nil || keep(t)
	}
	if !st.kept || st.final || !(metres < st.metres) {
		return
	}
	st.metres = metres
	sc.push(TargetHit{Target: t, Metres: metres})
}

// finalize moves to out, nearest first, the candidates nearer than frontier —
// no walk through a node not yet settled can reach them shorter — until out
// holds k.
func (sc *targetScratch) finalize(frontier float64, k int, out []TargetHit) []TargetHit {
	for len(out) < k && len(sc.heap) > 0 && sc.heap[0].Metres < frontier {
		c := sc.pop()
		st, _ := sc.state(c.Target)
		if st.final || c.Metres != st.metres {
			continue // stale: a shorter walk was found
		}
		st.final = true
		out = append(out, c)
	}
	return out
}

func targetLess(a, b TargetHit) bool {
	return a.Metres < b.Metres || (a.Metres == b.Metres && a.Target < b.Target)
}

func (sc *targetScratch) push(c TargetHit) {
	h := append(sc.heap, c)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !targetLess(c, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = c
	sc.heap = h
}

func (sc *targetScratch) pop() TargetHit {
	h := sc.heap
	top, last := h[0], h[len(h)-1]
	h = h[:len(h)-1]
	if n := len(h); n > 0 {
		i := 0
		for {
			c := 2*i + 1
			if c >= n {
				break
			}
			if c+1 < n && targetLess(h[c+1], h[c]) {
				c++
			}
			if !targetLess(h[c], last) {
				break
			}
			h[i] = h[c]
			i = c
		}
		h[i] = last
	}
	sc.heap = h
	return top
}

// ForbidsAny reports whether c forbids any way at all: snaps made for plain
// length serve a cost that forbids none.
func (c *Cost) ForbidsAny() bool {
	if c == nil {
		return false
	}
	for _, f := range c.factor {
		if f > math.MaxFloat32 {
			return true
		}
	}
	return false
}
