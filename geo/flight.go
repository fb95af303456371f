package geo

import "doorstep"

// markFlights puts doorstep.AccessFlight on the longest edge (both halves) of every
// flight of steps: a run of steps edges joined end to end at nodes where nothing else
// meets. A stair mapped as several ways, or one way cut into several edges, is then
// one flight, and a walk up the whole of it pays the walker's extra time exactly
// once, whichever edges it is made of; a side path leaving a landing makes the
// stairs above and below it two flights, as a walk may take only one of them. It
// works on the finished rows, so a flight edge merged away with a parallel shorter
// way is never the one that stands for its flight.
func markFlights(g *Graph) {
	for e := range g.access {
		g.access[e] &^= uint8(doorstep.AccessFlight)
	}
	steps := func(e uint32) bool { return g.access[e]&uint8(doorstep.AccessSteps) != 0 }
	// inner reports whether a flight runs straight through node: its only two edges are steps.
	inner := func(node uint32) bool {
		lo, hi := g.first[node], g.first[node+1]
		return hi-lo == 2 && steps(lo) && steps(lo+1)
	}
	// across returns node's other edge, node being inner and e one of its two.
	across := func(node, e uint32) uint32 {
		if lo := g.first[node]; e == lo {
			return lo + 1
		}
		return g.first[node]
	}
	seen := make([]bool, len(g.half))
	twin := func(from, e uint32) uint32 { return uint32(g.edgeLookup(g.half[e].to, from)) }
	for u := range uint32(len(g.coords)) {
		for e := g.first[u]; e < g.first[u+1]; e++ {
			if seen[e] || !steps(e) {
				continue
			}
			// Back up to the start of the run (or once round, if it is a loop).
			from, at := u, e
			for inner(from) {
				back := across(from, at)
				prev := g.half[back].to
				at, from = twin(from, back), prev
				if at == e {
					break
				}
			}
			// Walk it forward, keeping the longest edge.
			longest, longestFrom := at, from
			for {
				seen[at] = true
				t := twin(from, at)
				seen[t] = true
				if g.half[at].metres > g.half[longest].metres {
					longest, longestFrom = at, from
				}
				to := g.half[at].to
				if !inner(to) {
					break
				}
				next := across(to, t)
				if seen[next] {
					break // round a loop
				}
				from, at = to, next
			}
			g.access[longest] |= uint8(doorstep.AccessFlight)
			g.access[twin(longestFrom, longest)] |= uint8(doorstep.AccessFlight)
		}
	}
}
