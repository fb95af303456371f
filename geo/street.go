package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// DistanceToPolygon returns the distance in metres from p to the nearest point of
// mp: 0 inside (holes count as outside), otherwise the shortest distance to a ring,
// measured in a local equirectangular projection around p, which is exact to well
// under a metre within a few kilometres. An empty mp gives +Inf.
func DistanceToPolygon(p orb.Point, mp orb.MultiPolygon) float64 {
	if len(mp) == 0 {
		return math.Inf(1)
	}
	if planar.MultiPolygonContains(mp, p) {
		return 0
	}
	pr := NewProjection(p)
	best := math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				a, b := pr.Forward(ring[i-1]), pr.Forward(ring[i])
				best = math.Min(best, segmentDistanceFromOrigin(a, b))
			}
		}
	}
	return best
}

// segmentDistanceFromOrigin is the planar distance from (0, 0) to segment ab.
func segmentDistanceFromOrigin(a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(a[0]*dx+a[1]*dy)/l2))
	}
	return math.Hypot(a[0]+t*dx, a[1]+t*dy)
}
