package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// areaCount is the number of residential areas (居民区) of the street.
const areaCount = 27

// lloydSteps is how many Lloyd relaxation steps spread the seeds.
const lloydSteps = 8

// areaAnchor places one residential-area name: at (u, v), a fraction of the street's
// bounding box from its south-west corner (u east, v north), with the two roads its
// sample addresses use. Reported names come from public reports of the street; their
// positions, like everything else here, are invented.
type areaAnchor struct {
	name, nameEn string
	reported     bool
	u, v         float64
	road, cross  string
}

// areaAnchors lists the 27 areas roughly south to north along 凉城路, with 广中路 on
// the south edge, 奎照路 on the north, 水电路 on the east and 俞泾浦 on the west.
var areaAnchors = []areaAnchor{
	{"广中", "Guangzhong", false, 0.12, 0.07, "广中路", "车站南路"},
	{"凉城一村", "Liangcheng Yicun", false, 0.38, 0.07, "广中路", "凉城路"},
	{"凉城二村", "Liangcheng Ercun", false, 0.62, 0.07, "凉城路", "广中路"},
	{"凉城三村", "Liangcheng Sancun", false, 0.88, 0.10, "广中路", "水电路"},
	{"凉城六村", "Liangcheng Liucun", false, 0.12, 0.22, "车站南路", "广灵二路"},
	{"凉城四村", "Liangcheng Sicun", true, 0.38, 0.22, "广灵二路", "凉城路"},
	{"凉城五村", "Liangcheng Wucun", true, 0.62, 0.22, "凉城路", "广灵二路"},
	{"凉城七村", "Liangcheng Qicun", false, 0.88, 0.24, "水电路", "广灵二路"},
	{"复旦", "Fudan", false, 0.12, 0.37, "车站南路", "汶水东路"},
	{"广灵", "Guangling", false, 0.38, 0.37, "广灵二路", "凉城路"},
	{"华二", "Hua'er", false, 0.62, 0.37, "广灵四路", "凉城路"},
	{"华一", "Huayi", true, 0.88, 0.37, "水电路", "广灵四路"},
	{"汶一", "Wenyi", true, 0.10, 0.52, "汶水东路", "车站南路"},
	{"广凉", "Guangliang", true, 0.38, 0.52, "广粤路", "凉城路"},
	{"广粤", "Guangyue", false, 0.62, 0.52, "广粤路", "广灵四路"},
	{"水电", "Shuidian", false, 0.90, 0.52, "水电路", "广粤路"},
	{"汶二", "Wen'er", true, 0.10, 0.66, "汶水东路", "江湾镇路"},
	{"汶三", "Wensan", false, 0.35, 0.66, "汶水东路", "凉城路"},
	{"秀苑", "Xiuyuan", false, 0.62, 0.66, "凉城路", "广灵四路"},
	{"新港", "Xingang", false, 0.88, 0.66, "水电路", "广灵四路"},
	{"俞泾", "Yujing", false, 0.10, 0.80, "江湾镇路", "汶水东路"},
	{"文苑二村", "Wenyuan Ercun", false, 0.38, 0.80, "凉城路", "江湾镇路"},
	{"文苑三村", "Wenyuan Sancun", false, 0.62, 0.80, "凉城路", "奎照路"},
	{"车站", "Chezhan", false, 0.88, 0.80, "水电路", "车站南路"},
	{"文苑一村", "Wenyuan Yicun", true, 0.30, 0.94, "奎照路", "凉城路"},
	{"奎照", "Kuizhao", false, 0.55, 0.94, "奎照路", "江湾镇路"},
	{"江湾", "Jiangwan", false, 0.80, 0.94, "奎照路", "水电路"},
}

// area is one generated residential area in the local plane.
type area struct {
	areaAnchor
	ring       []orb.Point // open, counter-clockwise, metres
	centroid   orb.Point
	sqm        float64
	population int
	elderly    int
}

// committee is the residents' committee (居委会) of the area.
func (a *area) committee() string { return a.name + "居民区居委会" }

// voronoiCells clips the street polygon once per seed by the perpendicular bisector
// half-plane towards every other seed: what remains is the seed's Voronoi cell inside
// the street.
func voronoiCells(street []orb.Point, seeds []orb.Point) [][]orb.Point {
	cells := make([][]orb.Point, len(seeds))
	for i, s := range seeds {
		others := make([]int, 0, len(seeds)-1)
		for j := range seeds {
			if j != i {
				others = append(others, j)
			}
		}
		// Nearest seeds first: they cut the most, so later clips see fewer vertices.
		slices.SortFunc(others, func(a, b int) int {
			return cmpFloat(planar.DistanceSquared(s, seeds[a]), planar.DistanceSquared(s, seeds[b]))
		})
		cell := street
		for _, j := range others {
			cell = clipHalfPlane(cell, lerp(s, seeds[j], 0.5), sub(seeds[j], s))
		}
		cells[i] = cell
	}
	return cells
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// randomInside draws a point uniformly inside the ring (rejection sampling).
func randomInside(rng *rand.Rand, ring []orb.Point) orb.Point {
	cr := closed(ring)
	b := cr.Bound()
	for {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if planar.RingContains(cr, p) {
			return p
		}
	}
}

// makeAreas tiles the street (open counter-clockwise ring in metres) with areaCount
// Voronoi cells of seeds spread by Lloyd relaxation, snaps their corners so that
// neighbouring cells share bit-identical vertices, names them and gives them residents.
func makeAreas(rng *rand.Rand, street []orb.Point, sn *snapper, anchorAt func(u, v float64) orb.Point) ([]*area, error) {
	if len(areaAnchors) != areaCount {
		return nil, fmt.Errorf("areas: %d names for %d areas", len(areaAnchors), areaCount)
	}
	// Dart throwing: well spread seeds at least 200 m apart to start with.
	var seeds []orb.Point
	for tries := 0; len(seeds) < areaCount; tries++ {
		if tries > 100000 {
			return nil, fmt.Errorf("areas: could not place %d seeds", areaCount)
		}
		p := randomInside(rng, street)
		ok := true
		for _, s := range seeds {
			if planar.Distance(p, s) < 200 {
				ok = false
				break
			}
		}
		if ok {
			seeds = append(seeds, p)
		}
	}
	// Lloyd relaxation (S. Lloyd, "Least squares quantization in PCM", IEEE Trans.
	// Inf. Theory 28(2), 1982): move each seed to the centroid of its cell.
	for range lloydSteps {
		for i, c := range voronoiCells(street, seeds) {
			if len(c) < 3 {
				return nil, fmt.Errorf("areas: seed %d has an empty cell", i)
			}
			seeds[i], _ = planar.CentroidArea(closed(c))
		}
	}

	cells := voronoiCells(street, seeds)
	areas := make([]*area, len(cells))
	for i, c := range cells {
		ring := make([]orb.Point, len(c))
		for k, p := range c {
			ring[k] = sn.snap(p)
		}
		ring = cleanRing(ring)
		if signedArea(ring) < 0 {
			slices.Reverse(ring)
		}
		if err := simpleRing(ring); err != nil {
			return nil, fmt.Errorf("areas: cell %d is not a simple polygon: %w", i, err)
		}
		centroid, sqm := planar.CentroidArea(closed(ring))
		areas[i] = &area{ring: ring, centroid: centroid, sqm: sqm}
	}

	// Names: each goes to the cell nearest its rough place. Start from any pairing and
	// swap the cells of two names while that lowers the sum of squared distances.
	named := slices.Clone(areas)
	cost := func(i int, a *area) float64 {
		an := areaAnchors[i]
		return planar.DistanceSquared(anchorAt(an.u, an.v), a.centroid)
	}
	for improved := true; improved; {
		improved = false
		for i := range named {
			for j := i + 1; j < len(named); j++ {
				if cost(i, named[j])+cost(j, named[i]) < cost(i, named[i])+cost(j, named[j])-1e-6 {
					named[i], named[j] = named[j], named[i]
					improved = true
				}
			}
		}
	}
	for i, a := range named {
		a.areaAnchor = areaAnchors[i]
	}

	// Residents: about 33 a thousand square metres, ±15 %, kept within 2,500–5,500 and
	// rounded to tens; 30–45 % of them aged 60 and over (about 37 % on average).
	for _, a := range named {
		pop := a.sqm * 0.033 * (0.85 + 0.3*rng.Float64())
		a.population = int(math.Round(math.Max(2500, math.Min(5500, pop))/10)) * 10
		share := 0.30 + 0.15*(rng.Float64()+rng.Float64())/2
		a.elderly = int(math.Round(float64(a.population) * share))
	}
	return named, nil
}
