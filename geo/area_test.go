package geo_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"doorstep/geo"
)

// areaSquare returns a closed counter-clockwise square ring with corners
// (x0, y0) and (x1, y1), in units of 0.001° from People's Square.
func areaSquare(x0, y0, x1, y1 float64) orb.Ring {
	at := func(x, y float64) orb.Point { return orb.Point{121.47 + x*0.001, 31.23 + y*0.001} }
	return orb.Ring{at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)}
}

// areaAt returns the point (x, y) in the units of areaSquare.
func areaAt(x, y float64) orb.Point {
	return orb.Point{121.47 + x*0.001, 31.23 + y*0.001}
}

// areaJitteredGrid tiles box with about n quadrilaterals whose shared
// corners are jittered, so they partition it like residential blocks; every
// fifth has a square courtyard hole.
func areaJitteredGrid(rng *rand.Rand, n int, box orb.Bound) []orb.MultiPolygon {
	side := int(math.Round(math.Sqrt(float64(n))))
	w := (box.Max[0] - box.Min[0]) / float64(side)
	h := (box.Max[1] - box.Min[1]) / float64(side)
	corner := make([][]orb.Point, side+1)
	for i := range corner {
		corner[i] = make([]orb.Point, side+1)
		for j := range corner[i] {
			c := orb.Point{box.Min[0] + float64(i)*w, box.Min[1] + float64(j)*h}
			if i > 0 && i < side && j > 0 && j < side {
				c[0] += (rng.Float64() - 0.5) * 0.5 * w
				c[1] += (rng.Float64() - 0.5) * 0.5 * h
			}
			corner[i][j] = c
		}
	}
	var areas []orb.MultiPolygon
	for j := range side {
		for i := range side {
			outer := orb.Ring{corner[i][j], corner[i+1][j], corner[i+1][j+1], corner[i][j+1], corner[i][j]}
			poly := orb.Polygon{outer}
			if len(areas)%5 == 0 {
				cx, cy := box.Min[0]+(float64(i)+0.5)*w, box.Min[1]+(float64(j)+0.5)*h
				hw, hh := 0.15*w, 0.15*h
				poly = append(poly, orb.Ring{{cx - hw, cy - hh}, {cx - hw, cy + hh}, {cx + hw, cy + hh}, {cx + hw, cy - hh}, {cx - hw, cy - hh}})
			}
			areas = append(areas, orb.MultiPolygon{poly})
		}
	}
	return areas
}

// areaBruteLocate is the reference: the first polygon containing p.
func areaBruteLocate(polys []orb.MultiPolygon, p orb.Point) int {
	for i, mp := range polys {
		if planar.MultiPolygonContains(mp, p) {
			return i
		}
	}
	return -1
}

func TestAreaLocator(t *testing.T) {
	// 0: a block with a courtyard hole; 1: a two-part estate; 2: a building
	// inside the courtyard; 3: a block overlapping 0's east side.
	blockWithHole := orb.MultiPolygon{{areaSquare(0, 0, 10, 10), areaSquare(4, 4, 6, 6)}}
	twoParts := orb.MultiPolygon{{areaSquare(20, 0, 30, 10)}, {areaSquare(40, 0, 50, 10)}}
	inCourtyard := orb.MultiPolygon{{areaSquare(4.5, 4.5, 5.5, 5.5)}}
	overlapping := orb.MultiPolygon{{areaSquare(8, 0, 15, 10)}}
	polys := []orb.MultiPolygon{blockWithHole, twoParts, inCourtyard, overlapping}
	l := geo.NewAreaLocator(polys)

	tests := []struct {
		name string
		p    orb.Point
		want int
	}{
		{"inside block", areaAt(2, 2), 0},
		{"in courtyard hole, no building", areaAt(4.2, 5), -1},
		{"in courtyard building", areaAt(5, 5), 2},
		{"first part of multipolygon", areaAt(25, 5), 1},
		{"second part of multipolygon", areaAt(45, 5), 1},
		{"between the parts", areaAt(35, 5), -1},
		{"overlap resolves to lowest index", areaAt(9, 5), 0},
		{"overlapping block alone", areaAt(12, 5), 3},
		{"on outer boundary counts as inside", areaAt(0, 5), 0},
		{"on hole boundary is outside the holed polygon", areaAt(4, 5), -1},
		{"outside every bound", areaAt(-100, -100), -1},
		{"inside union bound but in no polygon", areaAt(35, 9), -1},
		{"far away", orb.Point{-0.1278, 51.5074}, -1},
		{"NaN", orb.Point{math.NaN(), 31.23}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := l.Locate(tc.p); got != tc.want {
				t.Errorf("Locate(%v) = %d, want %d", tc.p, got, tc.want)
			}
		})
	}

	t.Run("empty locator", func(t *testing.T) {
		if got := geo.NewAreaLocator(nil).Locate(shanghai); got != -1 {
			t.Errorf("Locate = %d, want -1", got)
		}
	})
	t.Run("empty areas keep their index", func(t *testing.T) {
		l := geo.NewAreaLocator([]orb.MultiPolygon{nil, {{}}, {{{}}}, blockWithHole})
		if got := l.Locate(areaAt(2, 2)); got != 3 {
			t.Errorf("Locate = %d, want 3", got)
		}
		if l.Len() != 4 {
			t.Errorf("Len = %d, want 4", l.Len())
		}
	})
	t.Run("a single point-like area", func(t *testing.T) {
		p := areaAt(1, 1)
		l := geo.NewAreaLocator([]orb.MultiPolygon{{{{p, p, p, p}}}})
		if got := l.Locate(p); got != 0 {
			t.Errorf("Locate = %d, want 0", got)
		}
		if got := l.Locate(areaAt(1, 2)); got != -1 {
			t.Errorf("Locate = %d, want -1", got)
		}
	})
}

func TestAreaLocatorMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	// Overlapping random rectangles of very different sizes, then a tiling.
	var overlapping []orb.MultiPolygon
	for range 400 {
		x, y := rng.Float64()*100, rng.Float64()*100
		s := math.Exp(rng.Float64() * 4) // 1 to 55 units
		overlapping = append(overlapping, orb.MultiPolygon{{areaSquare(x, y, x+s, y+s*rng.Float64()*2)}})
	}
	sets := []struct {
		name  string
		polys []orb.MultiPolygon
		box   orb.Bound
	}{
		{"overlapping rectangles", overlapping, orb.Bound{Min: areaAt(-5, -5), Max: areaAt(160, 160)}},
		{"jittered tiling with holes", areaJitteredGrid(rng, 2500, shanghaiBox40k), shanghaiBox40k.Pad(0.01)},
	}
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			l := geo.NewAreaLocator(set.polys)
			found := 0
			for _, p := range pointIndexRandomPoints(rng, 4000, set.box) {
				want := areaBruteLocate(set.polys, p)
				if got := l.Locate(p); got != want {
					t.Fatalf("Locate(%v) = %d, want %d", p, got, want)
				}
				if want >= 0 {
					found++
				}
			}
			if found < 400 {
				t.Errorf("only %d of 4000 points in an area; the test is not testing much", found)
			}
		})
	}
}

func TestAreaLocatorNoAllocations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	l := geo.NewAreaLocator(areaJitteredGrid(rng, 500, shanghaiBox40k))
	queries := pointIndexRandomPoints(rng, 64, shanghaiBox40k)
	i := 0
	if allocs := testing.AllocsPerRun(100, func() { l.Locate(queries[i%64]); i++ }); allocs != 0 {
		t.Errorf("%v allocations per Locate, want 0", allocs)
	}
}
