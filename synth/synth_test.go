package synth

import (
	"math"
	"testing"

	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestNewCity(t *testing.T) {
	c := NewCity(1, 5000, 300, 25)
	if len(c.Areas) != 25 || len(c.Services) != 300 || len(c.Network) == 0 || c.Street == nil {
		t.Fatalf("city: %d areas, %d services, %d lines", len(c.Areas), len(c.Services), len(c.Network))
	}
	perCategory := map[string]int{}
	for _, s := range c.Services {
		perCategory[s.Category]++
		if !planar.MultiPolygonContains(c.Street.Geometry, s.Point()) || !s.Sample {
			t.Errorf("service %d at %v outside the city or not sample", s.ID, s.Point())
		}
	}
	if len(perCategory) != 9 {
		t.Errorf("categories %v", perCategory)
	}
	for _, a := range c.Areas {
		if a.Elderly > a.Population || a.Population <= 0 {
			t.Errorf("area %+v", a)
		}
	}
	again := NewCity(1, 5000, 300, 25)
	if again.Services[17].Point() != c.Services[17].Point() || len(again.Network) != len(c.Network) {
		t.Error("the same seed made a different city")
	}
}

func TestRiversAreCrossedOnlyAtBridges(t *testing.T) {
	c := NewCity(3, 60_000, 10, 4)
	var gb geo.GraphBuilder
	for _, l := range c.Network {
		gb.AddLine(l.Geometry, l.Kind)
	}
	g := gb.Build()
	if count, largest := g.Components(); largest < g.NumNodes()*95/100 {
		t.Errorf("rivers split the city: %d components, largest %d of %d nodes", count, largest, g.NumNodes())
	}
	// Two points 120 m apart on either side of the north–south river, half-way
	// between two bridges: the walk must go round by a bridge.
	r := c.Rivers
	_, north := geo.NewProjection(r.NorthSouth[0]).MetresPerDegree()
	lat := r.NorthSouth[0][1] + (3*bridgeSpacing+bridgeSpacing/2)/north
	x := riverAt(r.NorthSouth, lat, 1)
	pr := geo.NewProjection(orb.Point{x, lat})
	west, east := pr.Inverse(orb.Point{-60, 0}), pr.Inverse(orb.Point{60, 0})
	from, err1 := g.Snap(west, geo.MaxSnapMetres)
	to, err2 := g.Snap(east, geo.MaxSnapMetres)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	w := g.NewWalker()
	w.FromSnaps([]geo.Snap{from}, math.Inf(1))
	walk, ok := w.DistanceTo(to)
	straight := geo.Distance(west, east)
	if !ok || walk < straight+400 {
		t.Errorf("across the river: walk %.0f m for %.0f m straight; no bridge there", walk, straight)
	}
}
