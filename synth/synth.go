// Package synth makes a synthetic city — a walking network, residential areas and
// service listings — for benchmarks and load tests at the scale DESIGN.md plans
// for (a million network nodes, 100,000 services, 5,000 areas). Everything it
// makes is marked as sample data. The same seed and sizes give the same city.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// City is a synthetic street-scale-to-city-scale dataset.
type City struct {
	Street   *doorstep.Street
	Areas    []*doorstep.Area
	Services []*doorstep.Service
	Network  []doorstep.NetworkLine
}

// categoryShare is how listings divide among categories, roughly as in a Shanghai
// street: many activity rooms, about one in nine a meal point.
var categoryShare = []struct {
	id    string
	share float64
}{
	{"meal_point", 0.11}, {"elderly_centre", 0.03}, {"day_care", 0.06}, {"nursing_home", 0.03},
	{"citizen_station", 0.08}, {"activity_room", 0.45}, {"service_centre", 0.02}, {"health", 0.12},
	{"culture", 0.10},
}

// NewCity makes a city of about nodes network nodes, with services listings and
// areas residential areas tiling the network's bounds in a square grid.
func NewCity(seed int64, nodes, services, areas int) *City {
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	c := &City{}
	var bound orb.Bound
	for i, ls := range geo.SynthCity(seed, nodes) {
		if i == 0 {
			bound = ls.Bound()
		} else {
			bound = bound.Union(ls.Bound())
		}
		c.Network = append(c.Network, doorstep.NetworkLine{Geometry: ls, Kind: "residential", Sample: true})
	}
	c.Street = &doorstep.Street{Name: fmt.Sprintf("示例城市 Synthetic city (%d nodes)", nodes),
		Geometry: orb.MultiPolygon{bound.ToPolygon()}}

	side := max(1, int(math.Round(math.Sqrt(float64(areas)))))
	dLon, dLat := (bound.Max[0]-bound.Min[0])/float64(side), (bound.Max[1]-bound.Min[1])/float64(side)
	for j := range side {
		for i := range side {
			min := orb.Point{bound.Min[0] + float64(i)*dLon, bound.Min[1] + float64(j)*dLat}
			cell := orb.Bound{Min: min, Max: orb.Point{min[0] + dLon, min[1] + dLat}}
			pop := 2000 + rng.IntN(4000)
			c.Areas = append(c.Areas, &doorstep.Area{
				ID: int64(len(c.Areas) + 1), Name: fmt.Sprintf("示例居民区 %d", len(c.Areas)+1),
				Population: pop, Elderly: pop * (30 + rng.IntN(16)) / 100, Sample: true,
				Geometry: orb.MultiPolygon{cell.ToPolygon()},
			})
		}
	}

	hours := doorstep.Schedule{{Days: doorstep.Weekdays[:5], Opens: "08:30", Closes: "17:00"}}
	for i := range services {
		cat := pickCategory(rng.Float64())
		p := orb.Point{bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])}
		c.Services = append(c.Services, &doorstep.Service{
			ID: int64(i + 1), Category: cat, OrganizationID: 1,
			Name: fmt.Sprintf("示例%s %d", cat, i+1), NameEn: fmt.Sprintf("Sample %s %d", cat, i+1),
			Lon: math.Round(p[0]*1e7) / 1e7, Lat: math.Round(p[1]*1e7) / 1e7,
			Phone: fmt.Sprintf("021-0000-%04d", i%10000), Hours: hours, Offers: []string{},
			Status: doorstep.StatusOpen, Sample: true, Version: 1,
		})
	}
	return c
}

func pickCategory(u float64) string {
	for _, c := range categoryShare {
		if u < c.share {
			return c.id
		}
		u -= c.share
	}
	return categoryShare[len(categoryShare)-1].id
}
