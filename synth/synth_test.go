package synth

import (
	"testing"

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
