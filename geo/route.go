package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Route is a walk from one point to another along the network, as Walker.Route
// finds it: the straight step from the start onto the network, the edges walked,
// and the straight step off it to the end.
type Route struct {
	Cost   float64 // in the walker's cost metres (its length when plain), both steps included
	Metres float64 // its length on the ground
	Legs   []RouteLeg
}

// RouteLeg is one piece of a route, in walking order: part or all of an edge, or
// (Edge −1) a straight step between a point and the network. A and B are where it
// starts and ends, WGS84 [lon, lat].
type RouteLeg struct {
	Edge   int // half-edge id, −1 for a straight step
	A, B   orb.Point
	Metres float64
}

// Line returns the route as one line from start to end, repeated points dropped.
func (r *Route) Line() orb.LineString {
	var ls orb.LineString
	for _, l := range r.Legs {
		for _, p := range [2]orb.Point{l.A, l.B} {
			if len(ls) == 0 || ls[len(ls)-1] != p {
				ls = append(ls, p)
			}
		}
	}
	return ls
}

// routeNoPred marks a node reached straight from the start's edge.
const routeNoPred = math.MaxUint32

// routeHeuristicShare scales the straight-line bound below the true distance, so
// that the equirectangular approximation and float32 lengths never overestimate.
const routeHeuristicShare = 0.995

// Route finds the cheapest walk under the walker's Cost from the snapped point src
// to the snapped point dst, each with its straight step (Offset) from its Query.
// It uses A* search (Hart, Nilsson & Raphael, "A Formal Basis for the Heuristic
// Determination of Minimum Cost Paths", IEEE Trans. SSC 4(2), 1968) with the
// straight-line distance to dst as the bound, which never exceeds a walk because
// every edge costs at least its length (NewCost keeps factors ≥ 1). ok is false
// when no walk joins them. It replaces the walker's last search.
func (w *Walker) Route(src, dst Snap) (Route, bool) {
	return w.route(src, dst, true)
}

// route is Route, by plain Dijkstra when astar is false (the baseline the
// benchmarks compare against).
func (w *Walker) route(src, dst Snap, astar bool) (Route, bool) {
	g := w.g
	n := len(g.coords)
	valid := func(s Snap) bool {
		return s.From >= 0 && s.To >= 0 && s.From < n && s.To < n && s.Edge >= 0 && s.Edge < len(g.half) &&
			s.Offset >= 0 && !math.IsInf(s.Offset, 1) && !math.IsNaN(s.Along)
	}
	if !valid(src) || !valid(dst) {
		return Route{}, false
	}
	// A place the walk cannot reach is answered at once, not after settling every
	// node it can (reach.go). Both snaps' edges are allowed, so their ends share a part.
	if !w.cost.Allows(g, src.Edge) || !w.cost.Allows(g, dst.Edge) || !g.Connected(w.cost, src.From, dst.From) {
		return Route{}, false
	}
	if len(w.pred) != n {
		w.pred = make([]uint32, n)
	}
	w.gen++
	if w.gen == 0 {
		clear(w.state)
		w.gen = 1
	}
	// Route replaces the last search: DistanceTo and Reached know nothing of it.
	w.heap, w.settled, w.sources, w.byEdge = w.heap[:0], w.settled[:0], w.sources[:0], w.byEdge[:0]
	w.maxMetres = 0

	srcLen, dstLen := float64(g.half[src.Edge].metres), float64(g.half[dst.Edge].metres)
	src.Along, dst.Along = min(max(src.Along, 0), srcLen), min(max(dst.Along, 0), dstLen)
	c := w.cost

	// The target is dst's snap point; tx, ty the straight-line bound's frame.
	target := snapPoint(g, dst)
	kx, ky := graphMetresPerDegreeLon(target[1])*routeHeuristicShare, graphMetresPerDegree*routeHeuristicShare
	tx, ty := target[0]*graphE7, target[1]*graphE7
	kx, ky = kx/graphE7, ky/graphE7
	h := func(u uint32) float32 {
		if !astar {
			return 0
		}
		p := g.coords[u]
		dx, dy := (float64(p.lon)-tx)*kx, (float64(p.lat)-ty)*ky
		return float32(math.Sqrt(dx*dx + dy*dy))
	}
	state, half, first, gen := w.state, g.half, g.first, w.gen
	seed := func(node int, cost float64) {
		if math.IsInf(cost, 1) {
			return
		}
		st := &state[node]
		if st.gen != gen || float32(cost) < st.metres {
			st.gen, st.metres = gen, float32(cost)
			w.pred[node] = routeNoPred
			w.heap.push(walkItem(float32(cost)+h(uint32(node)), uint32(node)))
		}
	}
	seed(src.From, c.part(g, src.Edge, src.Along, srcLen))
	seed(src.To, c.part(g, src.Edge, srcLen-src.Along, srcLen))

	// best is the cheapest walk to dst's snap point found so far: along one edge
	// when both points lie on it, else through an end of dst's edge.
	best, bestEnd := math.Inf(1), -1
	if walkEdgeKey(src.From, src.To) == walkEdgeKey(dst.From, dst.To) {
		along := src.Along
		if src.From != dst.From {
			along = srcLen - src.Along
		}
		best = c.part(g, dst.Edge, math.Abs(along-dst.Along), dstLen)
	}
	toDst := func(u int) float64 {
		switch u {
		case dst.From:
			return c.part(g, dst.Edge, dst.Along, dstLen)
		case dst.To:
			return c.part(g, dst.Edge, dstLen-dst.Along, dstLen)
		}
		return math.Inf(1)
	}
	for len(w.heap) > 0 {
		top := w.heap.pop()
		u := top.node()
		du := state[u].metres
		if top.metres() > du+h(u) {
			continue // stale
		}
		if float64(top.metres()) >= best {
			break // every walk left costs at least best
		}
		if d := float64(du) + toDst(int(u)); d < best {
			best, bestEnd = d, int(u)
		}
		for e := first[u]; e < first[u+1]; e++ {
			hh := half[e]
			var d float32
			if c == nil {
				d = du + hh.metres
			} else {
				a := g.access[e]
				f := c.factor[a]
				if f > math.MaxFloat32 {
					continue
				}
				d = du + hh.metres*f + c.extra[a]
			}
			st := &state[hh.to]
			if st.gen != gen || d < st.metres {
				// A key is queued once: a shorter walk whose key rounds to
				// the queued one's (float32, with the bound added) takes its place.
				hv := h(hh.to)
				queued := st.gen == gen && d+hv == st.metres+hv
				st.gen, st.metres = gen, d
				w.pred[hh.to] = u
				if !queued {
					w.heap.push(walkItem(d+hv, hh.to))
				}
			}
		}
	}
	if math.IsInf(best, 1) {
		return Route{}, false
	}

	// Put the legs together, backwards from the end.
	r := Route{Cost: best + src.Offset + dst.Offset}
	srcPt := snapPoint(g, src)
	if bestEnd < 0 {
		r.Legs = append(r.Legs, RouteLeg{Edge: src.Edge, A: srcPt, B: target, Metres: math.Abs(pointAlong(src, dst, srcLen))})
	} else {
		var nodes []int
		for u := uint32(bestEnd); ; u = w.pred[u] {
			nodes = append(nodes, int(u))
			if w.pred[u] == routeNoPred {
				break
			}
		}
		first := nodes[len(nodes)-1]
		// Half-edges are named in walking order: towards From is To→From.
		m, e := srcLen-src.Along, src.Edge
		if first == src.From {
			m, e = src.Along, g.edgeLookup(uint32(src.To), uint32(src.From))
		}
		r.Legs = append(r.Legs, RouteLeg{Edge: e, A: srcPt, B: g.NodePoint(first), Metres: m})
		for i := len(nodes) - 1; i > 0; i-- {
			a, b := nodes[i], nodes[i-1]
			e := g.edgeLookup(uint32(a), uint32(b))
			r.Legs = append(r.Legs, RouteLeg{Edge: e, A: g.NodePoint(a), B: g.NodePoint(b), Metres: float64(g.half[e].metres)})
		}
		last := nodes[0]
		m, e = dst.Along, dst.Edge
		if last == dst.To {
			m, e = dstLen-dst.Along, g.edgeLookup(uint32(dst.To), uint32(dst.From))
		}
		r.Legs = append(r.Legs, RouteLeg{Edge: e, A: g.NodePoint(last), B: target, Metres: m})
	}
	if src.Offset > 0 {
		r.Legs = append([]RouteLeg{{Edge: -1, A: src.Query, B: srcPt, Metres: src.Offset}}, r.Legs...)
	}
	if dst.Offset > 0 {
		r.Legs = append(r.Legs, RouteLeg{Edge: -1, A: target, B: dst.Query, Metres: dst.Offset})
	}
	kept := r.Legs[:0]
	for _, l := range r.Legs {
		if l.Metres > 0 || l.A != l.B {
			kept = append(kept, l)
		}
		r.Metres += l.Metres
	}
	r.Legs = kept
	return r, true
}

// pointAlong is how far dst's snap point lies from src's along their shared edge.
func pointAlong(src, dst Snap, length float64) float64 {
	along := src.Along
	if src.From != dst.From {
		along = length - src.Along
	}
	return dst.Along - along
}

// snapPoint is s's point on its edge, from the edge itself.
func snapPoint(g *Graph, s Snap) orb.Point {
	length := float64(g.half[s.Edge].metres)
	a, b := g.NodePoint(s.From), g.NodePoint(s.To)
	if length <= 0 {
		return a
	}
	f := min(max(s.Along/length, 0), 1)
	return orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
}
