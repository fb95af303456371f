package finder

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Fit thresholds: below them, the data is said not to fit the street.
const (
	// FitNetworkReach is how near the walking network a point of the street must
	// lie to count as served by it, in metres.
	FitNetworkReach = 300.0
	// FitNetworkShare is the least share of the street's area within
	// FitNetworkReach of the network for the network to fit.
	FitNetworkShare = 0.9
	// FitAreaOutside is the share of an area outside the street from which the
	// area is reported as lying outside it.
	FitAreaOutside = 0.5
	// fitStreetSamples and fitAreaSamples bound the grid points a check measures.
	fitStreetSamples = 20_000
	fitAreaSamples   = 200
	// fitNamed is how many areas or listings a problem names before counting.
	fitNamed = 5
)

// Kinds of FitProblem.
const (
	FitNoStreet        = "no_street"
	FitNoNetwork       = "no_network"
	FitNetworkCoverage = "network_coverage"
	FitAreasOutside    = "areas_outside"
	FitListingsFar     = "listings_far"
)

// FitProblem is one way the data does not fit the street, said in plain words
// with its numbers, in Simplified Chinese and in English.
type FitProblem struct {
	Kind string `json:"kind"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
}

// FitReport says how well the walking network, residential areas and listings fit
// the street: the measures, and the problems found (none when all fit).
type FitReport struct {
	Street  bool `json:"street"`  // a street is loaded; without one nothing else is measured
	Network bool `json:"network"` // a walking network is loaded
	// NetworkShare is the share of the street's area within FitNetworkReach of the
	// walking network, 0–1.
	NetworkShare float64      `json:"network_share"`
	Areas        int          `json:"areas"`
	AreasOutside int          `json:"areas_outside"` // with more than FitAreaOutside of their area outside the street
	Listings     int          `json:"listings"`      // not closed for good
	ListingsFar  int          `json:"listings_far"`  // farther than doorstep.MaxStreetDistance outside the street
	Problems     []FitProblem `json:"problems"`
}

// OK reports whether everything fits.
func (r *FitReport) OK() bool { return len(r.Problems) == 0 }

// Summary says in one English line what was measured.
func (r *FitReport) Summary() string {
	if !r.Street {
		return "no street imported yet"
	}
	network := "no walking network"
	if r.Network {
		network = fmt.Sprintf("%.0f%% of the street within %.0f m of the walking network", 100*r.NetworkShare, FitNetworkReach)
	}
	return fmt.Sprintf("%s; %d of %d areas outside the street; %d of %d listings more than %.0f km outside it",
		network, r.AreasOutside, r.Areas, r.ListingsFar, r.Listings, doorstep.MaxStreetDistance/1000.0)
}

// Fit checks the snapshot's data against its street. The network and areas are
// measured once per base, the listings once per snapshot; safe for concurrent use.
func (s *Snapshot) Fit() *FitReport {
	s.fit.once.Do(func() {
		r := *s.Base.baseFit()
		r.Problems = slices.Clone(r.Problems)
		if r.Street {
			s.measureListings(&r)
		}
		s.fit.report = &r
	})
	return s.fit.report
}

// baseFit is the part of the fit report that depends on the base alone.
func (b *Base) baseFit() *FitReport {
	b.fit.once.Do(func() { b.fit.report = b.measureFit() })
	return b.fit.report
}

// fitCache holds a snapshot's fit report, made on first use.
type fitCache struct {
	once   sync.Once
	report *FitReport
}

func (b *Base) measureFit() *FitReport {
	r := &FitReport{Problems: []FitProblem{}}
	if b.street == nil || len(b.street.Geometry) == 0 {
		zh, en, _ := strings.Cut(doorstep.NoStreetMessage, " / ")
		r.Problems = append(r.Problems, FitProblem{Kind: FitNoStreet, Zh: zh, En: en})
		return r
	}
	r.Street = true
	street := b.street.Geometry
	name := b.street.Name

	// The network: the share of grid points of the street near an edge.
	if b.graph == nil {
		r.Problems = append(r.Problems, FitProblem{Kind: FitNoNetwork,
			Zh: "尚未导入步行网络:步行距离只是直线估算",
			En: "No walking network imported: walking distances are straight-line estimates"})
	} else {
		r.Network = true
		pts := geo.AreaSamplePoints(street, sampleCell(street, fitStreetSamples))
		near := 0
		for _, p := range pts {
			if _, err := b.graph.Snap(p, FitNetworkReach); err == nil {
				near++
			}
		}
		r.NetworkShare = float64(near) / float64(len(pts))
		if r.NetworkShare < FitNetworkShare {
			pct := math.Floor(100 * r.NetworkShare)
			r.Problems = append(r.Problems, FitProblem{Kind: FitNetworkCoverage,
				Zh: fmt.Sprintf("%s只有%.0f%%的范围在步行网络%.0f米以内:请导入这条街道的步行网络", name, pct, FitNetworkReach),
				En: fmt.Sprintf("Only %.0f%% of %s lies within %.0f m of the walking network: import this street's network", pct, name, FitNetworkReach)})
		}
	}

	// Areas mostly outside the boundary.
	var outside []string
	for _, a := range b.areas {
		pts := geo.AreaSamplePoints(a.Geometry, sampleCell(a.Geometry, fitAreaSamples))
		out := 0
		for _, p := range pts {
			if !planar.MultiPolygonContains(street, p) {
				out++
			}
		}
		if float64(out) > FitAreaOutside*float64(len(pts)) {
			outside = append(outside, a.Name)
		}
	}
	r.Areas, r.AreasOutside = len(b.areas), len(outside)
	if len(outside) > 0 {
		names := namedFew(outside)
		r.Problems = append(r.Problems, FitProblem{Kind: FitAreasOutside,
			Zh: fmt.Sprintf("%d个居民区(共%d个)大部分在%s边界外:%s", len(outside), len(b.areas), name, names),
			En: fmt.Sprintf("%d of %d residential areas lie mostly outside %s: %s", len(outside), len(b.areas), name, names)})
	}

	return r
}

// measureListings adds to r the listings farther out than a listing may lie.
func (s *Snapshot) measureListings(r *FitReport) {
	street, name := s.street.Geometry, s.street.Name
	type far struct {
		name string
		km   float64
	}
	var fars []far
	for _, svc := range s.services {
		if svc.Status == doorstep.StatusClosed {
			continue
		}
		r.Listings++
		if d := geo.DistanceToPolygon(svc.Point(), street); d > doorstep.MaxStreetDistance {
			fars = append(fars, far{svc.Name, d / 1000})
		}
	}
	r.ListingsFar = len(fars)
	if len(fars) > 0 {
		slices.SortStableFunc(fars, func(a, b far) int { return cmp.Compare(b.km, a.km) }) // farthest first
		var named []string
		for _, f := range fars {
			named = append(named, fmt.Sprintf("%s (%.1f km)", f.name, f.km))
		}
		names := namedFew(named)
		r.Problems = append(r.Problems, FitProblem{Kind: FitListingsFar,
			Zh: fmt.Sprintf("%d处服务点(共%d处)离%s超过%.0f公里:%s", len(fars), r.Listings, name, doorstep.MaxStreetDistance/1000.0, names),
			En: fmt.Sprintf("%d of %d listings lie more than %.0f km outside %s: %s", len(fars), r.Listings, doorstep.MaxStreetDistance/1000.0, name, names)})
	}
}

// sampleCell is the grid cell, in metres, that spreads at most about n points
// over mp's bounding box, and never less than 20 m.
func sampleCell(mp orb.MultiPolygon, n int) float64 {
	b := mp.Bound()
	pr := geo.NewProjection(b.Center())
	east, north := pr.MetresPerDegree()
	area := (b.Max[0] - b.Min[0]) * east * (b.Max[1] - b.Min[1]) * north
	return math.Max(20, math.Sqrt(area/float64(n)))
}

// namedFew joins the first fitNamed names and counts the rest.
func namedFew(names []string) string {
	if len(names) <= fitNamed {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:fitNamed], ", ") + fmt.Sprintf(" … (+%d)", len(names)-fitNamed)
}

// OutsideStreet reports whether p lies outside the street's boundary, with the
// words a resident reads: "此地点不在凉城新村街道内 / outside Liangcheng Xincun
// Street". Answers for such a point are still given, flagged with these words.
// Without a street nothing is outside.
func (b *Base) OutsideStreet(p orb.Point) (string, bool) {
	if b.street == nil || len(b.street.Geometry) == 0 || planar.MultiPolygonContains(b.street.Geometry, p) {
		return "", false
	}
	return fmt.Sprintf("此地点不在%s内 / outside %s", b.street.Name, cmp.Or(b.street.NameEn, b.street.Name)), true
}
