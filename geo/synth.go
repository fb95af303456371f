package geo

import (
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// Synthetic city parameters. Streets run on a jittered grid of blocks 45–75 m wide;
// each block side gets zero to two extra vertices (edges of about 15–75 m); a few block
// sides are missing (dead ends, walls) and a few blocks have a diagonal lane.
const (
	synthCentreLon   = 121.47
	synthCentreLat   = 31.23
	synthBlockMin    = 45.0 // metres
	synthBlockMax    = 75.0
	synthJitter      = 6.0  // metres, each intersection
	synthMissing     = 0.06 // share of block sides left out
	synthOneVertex   = 0.5  // share of block sides with one extra vertex
	synthTwoVertices = 0.15 // … and with two
	synthDiagonal    = 0.04 // share of blocks with a diagonal lane
)

// synthNodesPerIntersection is the expected number of graph nodes per intersection.
const synthNodesPerIntersection = 1 + 2*(1-synthMissing)*(synthOneVertex+2*synthTwoVertices) + synthDiagonal

// SynthCity returns a deterministic synthetic walking network of about nodes nodes
// (within a few per cent from a thousand up) around 121.47°E 31.23°N, for benchmarks
// and load tests: a jittered street grid with missing links and diagonal lanes, as
// WGS84 lines whose shared vertices are exactly equal. The same seed and size give the
// same lines. A million nodes take well under a second.
func SynthCity(seed int64, nodes int) []orb.LineString {
	side := int(math.Round(math.Sqrt(float64(max(nodes, 0)) / synthNodesPerIntersection)))
	side = max(side, 2) // at least one block
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))

	// Column and row positions with varying block widths, centred on the centre.
	axis := func() []float64 {
		pos := make([]float64, side)
		for i := 1; i < side; i++ {
			pos[i] = pos[i-1] + synthBlockMin + rng.Float64()*(synthBlockMax-synthBlockMin)
		}
		mid := pos[side-1] / 2
		for i := range pos {
			pos[i] -= mid
		}
		return pos
	}
	xs, ys := axis(), axis()
	kx, ky := graphMetresPerDegreeLon(synthCentreLat), graphMetresPerDegree
	toPoint := func(x, y float64) orb.Point {
		return orb.Point{synthCentreLon + x/kx, synthCentreLat + y/ky}
	}
	type xy struct{ x, y float64 }
	corner := make([]xy, side*side)
	for j := range side {
		for i := range side {
			corner[j*side+i] = xy{
				xs[i] + (rng.Float64()*2-1)*synthJitter,
				ys[j] + (rng.Float64()*2-1)*synthJitter,
			}
		}
	}
	cornerPoint := make([]orb.Point, len(corner))
	for i, c := range corner {
		cornerPoint[i] = toPoint(c.x, c.y)
	}

	// between appends the extra vertices of the side a→b (not a or b itself).
	between := func(line orb.LineString, a, b xy) orb.LineString {
		k := 0
		switch r := rng.Float64(); {
		case r < synthTwoVertices:
			k = 2
		case r < synthTwoVertices+synthOneVertex:
			k = 1
		}
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		for m := 1; m <= k; m++ {
			f := (float64(m) + (rng.Float64()-0.5)*0.4) / float64(k+1)
			off := (rng.Float64()*2 - 1) * 2 // metres across the street
			line = append(line, toPoint(a.x+f*dx-off*dy/l, a.y+f*dy+off*dx/l))
		}
		return line
	}

	lines := make([]orb.LineString, 0, 2*side+int(synthDiagonal*float64(side*side))+16)
	// street walks along corners idx(0..side-1), breaking at missing sides.
	street := func(idx func(k int) int) {
		line := orb.LineString{cornerPoint[idx(0)]}
		for k := 1; k < side; k++ {
			if rng.Float64() < synthMissing {
				if len(line) > 1 {
					lines = append(lines, line)
				}
				line = orb.LineString{cornerPoint[idx(k)]}
				continue
			}
			line = between(line, corner[idx(k-1)], corner[idx(k)])
			line = append(line, cornerPoint[idx(k)])
		}
		if len(line) > 1 {
			lines = append(lines, line)
		}
	}
	for j := range side {
		street(func(k int) int { return j*side + k })
	}
	for i := range side {
		street(func(k int) int { return k*side + i })
	}
	for j := 0; j+1 < side; j++ {
		for i := 0; i+1 < side; i++ {
			if rng.Float64() >= synthDiagonal {
				continue
			}
			a, b := j*side+i, (j+1)*side+i+1
			if rng.IntN(2) == 0 {
				a, b = j*side+i+1, (j+1)*side+i
			}
			line := orb.LineString{cornerPoint[a]}
			mid := xy{(corner[a].x + corner[b].x) / 2, (corner[a].y + corner[b].y) / 2}
			mid.x += (rng.Float64()*2 - 1) * 4
			mid.y += (rng.Float64()*2 - 1) * 4
			line = append(line, toPoint(mid.x, mid.y), cornerPoint[b])
			lines = append(lines, line)
		}
	}
	return lines
}
