package exchange

import (
	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/osm"
)

// squareMaxCorners bounds the nodes of one square joined pairwise (entrances and
// corners): beyond it only entrances are joined, and a square with more entrances
// than that is walked around its edge only.
const squareMaxCorners = 150

// crossSquare returns the straight lines across a pedestrian area, as
// OpenTripPlanner walks areas (OSRM and GraphHopper walk only the outline): every
// entrance — a node of its outline shared with another walkable way — is joined to
// every other entrance, and to the corners that a shortest walk bends around (reflex
// corners of the outer ring, the corners of holes), by a straight line wherever that
// line stays inside the area. Walking from entrance to corner to entrance is then
// the shortest walk inside the area (the visibility graph of Lozano-Pérez and Wesley
// 1979). ends are the nodes the lines start or end at, which become junctions.
func (rd *networkReader) crossSquare(sq *osmSquare, points map[osm.NodeID]orb.Point, joined disjointNodes, uses map[osm.NodeID]int) (lines []doorstep.NetworkLine, ends []osm.NodeID) {
	if sq.outer == nil || !allPresent(sq.outer, points) || !allPresent(sq.inner, points) {
		rd.report.SquaresUncrossed++
		return nil, nil
	}
	own := map[osm.NodeID]int{}
	for _, ns := range sq.own {
		for _, id := range ns {
			own[joined.find(id)]++
		}
	}
	pr := geo.NewProjection(points[sq.outer[0][0]])
	project := func(ring []osm.NodeID) orb.Ring {
		r := make(orb.Ring, len(ring))
		for i, id := range ring {
			r[i] = pr.Forward(points[id])
		}
		return r
	}
	crossed := false
	for _, outer := range sq.outer {
		poly := orb.Polygon{project(outer)}
		rings := [][]osm.NodeID{outer}
		for _, in := range sq.inner {
			if r := project(in); planar.RingContains(poly[0], r[0]) {
				poly = append(poly, r)
				rings = append(rings, in)
			}
		}
		var entrances, corners []osm.NodeID
		at := map[osm.NodeID]orb.Point{}
		for ri, ring := range rings {
			reflex := reflexCorners(poly[ri], ri > 0)
			for i, id := range ring[:len(ring)-1] {
				id = joined.find(id)
				if _, seen := at[id]; seen {
					continue
				}
				at[id] = poly[ri][i]
				switch {
				case uses[id] > own[id]:
					entrances = append(entrances, id)
				case reflex[i]:
					corners = append(corners, id)
				}
			}
		}
		if len(entrances) < 2 || len(entrances) > squareMaxCorners {
			continue
		}
		nodes := entrances
		if len(entrances)+len(corners) <= squareMaxCorners {
			nodes = append(nodes, corners...)
		}
		used := map[osm.NodeID]bool{}
		for i, a := range nodes {
			for _, b := range nodes[i+1:] {
				if !insideSegment(poly, at[a], at[b]) {
					continue
				}
				pa, pb := points[a], points[b]
				lines = append(lines, doorstep.NetworkLine{
					Geometry: orb.LineString{pa, pb}, Kind: sq.kind, Name: sq.name,
					FromNode: int64(a), ToNode: int64(b),
				})
				used[a], used[b] = true, true
			}
		}
		for id := range used {
			ends = append(ends, id)
		}
		crossed = crossed || len(used) > 0
	}
	if crossed {
		rd.report.Squares++
		rd.report.SquareLines += len(lines)
	} else {
		rd.report.SquaresUncrossed++
	}
	return lines, ends
}

func allPresent(rings [][]osm.NodeID, points map[osm.NodeID]orb.Point) bool {
	for _, r := range rings {
		for _, id := range r {
			if _, ok := points[id]; !ok {
				return false
			}
		}
	}
	return true
}

// reflexCorners marks the corners of a closed ring (first point repeated last) where
// the area's inside turns more than 180°: on an outer ring the corners turning
// against the ring's direction, on a hole every corner turning with it.
func reflexCorners(r orb.Ring, hole bool) []bool {
	n := len(r) - 1
	area := 0.0
	for i := range n {
		area += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	reflex := make([]bool, n)
	for i := range n {
		prev, cur, next := r[(i+n-1)%n], r[i], r[(i+1)%n]
		turn := (cur[0]-prev[0])*(next[1]-cur[1]) - (cur[1]-prev[1])*(next[0]-cur[0])
		if hole {
			reflex[i] = turn*area > 0
		} else {
			reflex[i] = turn*area < 0
		}
	}
	return reflex
}

// insideSegment reports whether the segment ab (plane metres) lies inside the
// polygon: it crosses, touches or runs along no ring edge except at a and b
// themselves, and its middle is inside.
func insideSegment(poly orb.Polygon, a, b orb.Point) bool {
	if a == b {
		return false
	}
	for _, ring := range poly {
		for i := 0; i+1 < len(ring); i++ {
			c, d := ring[i], ring[i+1]
			switch geo.RelateSegments(a, b, c, d) {
			case geo.SegmentsCross, geo.SegmentsOverlap:
				return false
			case geo.SegmentsTouch:
				if c != a && c != b && d != a && d != b {
					return false
				}
			}
		}
	}
	return planar.PolygonContains(poly, orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2})
}
