package geo

import (
	"math"
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
}

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
	ts := &SnapTargets{first: make([]uint32, nodes+1), snaps: make([]targetSnap, n)}
	for i := range ts.snaps {
		ts.snaps[i].edge = -1
		s, ok := snap(i)
		if !ok || s.Edge < 0 || s.Edge >= len(g.half) || s.From < 0 || s.From >= nodes {
			continue
		}
		ts.snaps[i] = targetSnap{edge: int32(s.Edge), from: int32(s.From), along: s.Along, offset: s.Offset}
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
		to := g.half[r.edge].to
		// As DistanceTo measures the rest of the edge from To.
		rest := max(float64(g.half[r.edge].metres)-r.along, 0)
		ts.ends[ts.first[r.from]] = targetEnd{target: uint32(i), edge: r.edge, along: r.along, offset: r.offset}
		ts.first[r.from]++
		ts.ends[ts.first[to]] = targetEnd{target: uint32(i), edge: r.edge, along: rest, offset: r.offset}
		ts.first[to]++
	}
	copy(ts.first[1:], ts.first[:nodes])
	ts.first[0] = 0
	return ts
}

// Len returns the number of targets, on the network or not.
func (ts *SnapTargets) Len() int { return len(ts.snaps) }

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
		for _, end := range ts.ends[ts.first[s.From]:ts.first[s.From+1]] {
			t := int(end.target)
			r := ts.snaps[t]
			e := int(r.edge)
			if walkEdgeKey(int(r.from), int(g.half[e].to)) != key {
				continue
			}
			length := float64(g.half[e].metres)
			along := s.Along
			if s.From != int(r.from) {
				along = length - s.Along // the source is given from the other end
			}
			w.offerTarget(t, s.Offset+w.cost.part(g, e, math.Abs(along-r.along), length)+r.offset, keep)
		}
	}

	state, half, first, access := w.state, g.half, g.first, g.access
	for len(w.heap) > 0 {
		// Every node not yet settled is at least as far as the heap's top (a
		// stale entry's too), and so is every target not yet measured.
		top := w.heap[0]
		if out = sc.finalize(float64(top.metres()), k, out); len(out) == k {
			return out
		}
		w.pop()
		u, du := top.node(), top.metres()
		if du > state[u].metres {
			continue // stale
		}
		w.settled = append(w.settled, u)
		for i := ts.first[u]; i < ts.first[u+1]; i++ {
			end := &ts.ends[i]
			part := end.along
			if w.cost != nil {
				e := int(end.edge)
				part = w.cost.part(g, e, end.along, float64(half[e].metres))
			}
			w.offerTarget(int(end.target), float64(du)+part+end.offset, keep)
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
				w.push(walkItem(d, h.to))
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
