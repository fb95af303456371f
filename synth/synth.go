// Package synth makes a synthetic city — a walking network, residential areas and
// service listings — for benchmarks and load tests at the scale docs/design.md plans
// for (a million network nodes, 100,000 services, 5,000 areas). Everything it
// makes is marked as sample data. The same seed and sizes give the same city.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// stepsEvery is how often a generated line is a flight of steps: one in 25.
const stepsEvery = 25

// City is a synthetic street-scale-to-city-scale dataset.
type City struct {
	Street   *doorstep.Street
	Areas    []*doorstep.Area
	Services []*doorstep.Service
	Network  []doorstep.NetworkLine
	Rivers   Rivers
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

// NewCity makes a city of about nodes network nodes, cut by two meandering rivers
// that only bridges cross, with services listings clustered around district
// centres as in a real city, and areas residential areas tiling the network's
// bounds in a square grid.
func NewCity(seed int64, nodes, services, areas int) *City {
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	c := &City{}
	lines := geo.SynthCity(seed, nodes)
	var bound orb.Bound
	for i, ls := range lines {
		if i == 0 {
			bound = ls.Bound()
		} else {
			bound = bound.Union(ls.Bound())
		}
	}
	c.Rivers = newRivers(bound, rng)
	for i, ls := range lines {
		// Lines share a street name by eights, and one in stepsEvery is a flight of
		// steps, so that benchmarks price names and step-free walks as in a city.
		line := doorstep.NetworkLine{Kind: "residential", Name: fmt.Sprintf("示例路%d", i/8), Sample: true}
		if i%stepsEvery == 0 {
			line.Kind, line.Access = "steps", doorstep.AccessSteps
		}
		for _, piece := range c.Rivers.cut(ls) {
			line.Geometry = piece
			c.Network = append(c.Network, line)
		}
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
	centres := make([]orb.Point, 12)
	for i := range centres {
		centres[i] = orb.Point{bound.Min[0] + (0.1+0.8*rng.Float64())*(bound.Max[0]-bound.Min[0]),
			bound.Min[1] + (0.1+0.8*rng.Float64())*(bound.Max[1]-bound.Min[1])}
	}
	spreadLon, spreadLat := (bound.Max[0]-bound.Min[0])/12, (bound.Max[1]-bound.Min[1])/12
	for i := range services {
		cat := pickCategory(rng.Float64())
		// Two in three cluster around a district centre; the rest spread evenly.
		p := orb.Point{bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])}
		if rng.IntN(3) > 0 {
			ctr := centres[rng.IntN(len(centres))]
			q := orb.Point{ctr[0] + rng.NormFloat64()*spreadLon, ctr[1] + rng.NormFloat64()*spreadLat}
			if bound.Contains(q) {
				p = q
			}
		}
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

// Rivers are two meandering rivers across the city, one running north–south and one
// east–west, each a curve x = f(y) (or y = f(x)), crossed only at bridges every
// bridgeSpacing metres.
type Rivers struct {
	NorthSouth, EastWest orb.LineString
}

const (
	riverPoints   = 400   // vertices of each river
	bridgeSpacing = 800.0 // metres along a river between bridges
	bridgeWidth   = 60.0  // metres of river bank a bridge spans
)

func newRivers(b orb.Bound, rng *rand.Rand) Rivers {
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	var r Rivers
	x0, y0 := b.Min[0]+w*(0.25+0.1*rng.Float64()), b.Min[1]+h*(0.6+0.1*rng.Float64())
	phase := rng.Float64() * 2 * math.Pi
	for i := range riverPoints + 1 {
		f := float64(i) / riverPoints
		r.NorthSouth = append(r.NorthSouth, orb.Point{x0 + w*0.02*math.Sin(f*9+phase), b.Min[1] + f*h})
		r.EastWest = append(r.EastWest, orb.Point{b.Min[0] + f*w, y0 + h*0.02*math.Sin(f*7+phase)})
	}
	return r
}

// riverAt returns the river's other coordinate where it passes t along axis (the
// lat for the north–south river, axis 1; the lon for the east–west one, axis 0).
func riverAt(river orb.LineString, t float64, axis int) float64 {
	lo, hi := river[0][axis], river[len(river)-1][axis]
	f := (t - lo) / (hi - lo) * riverPoints
	i := min(max(int(f), 0), riverPoints-1)
	frac := min(max(f-float64(i), 0), 1)
	other := 1 - axis
	return river[i][other] + frac*(river[i+1][other]-river[i][other])
}

// crosses reports whether segment ab crosses a river away from a bridge.
func (r Rivers) crosses(a, b orb.Point) bool {
	pr := geo.NewProjection(a)
	east, north := pr.MetresPerDegree()
	for _, rv := range []struct {
		river     orb.LineString
		axis      int     // the axis the river runs along
		perDegree float64 // metres a degree along that axis
	}{{r.NorthSouth, 1, north}, {r.EastWest, 0, east}} {
		other := 1 - rv.axis
		sa := a[other] - riverAt(rv.river, a[rv.axis], rv.axis)
		sb := b[other] - riverAt(rv.river, b[rv.axis], rv.axis)
		if (sa < 0) == (sb < 0) {
			continue
		}
		along := ((a[rv.axis]+b[rv.axis])/2 - rv.river[0][rv.axis]) * rv.perDegree
		if math.Mod(along, bridgeSpacing) > bridgeWidth {
			return true
		}
	}
	return false
}

// cut splits a line where it crosses a river away from a bridge.
func (r Rivers) cut(ls orb.LineString) []orb.LineString {
	var out []orb.LineString
	start := 0
	for i := 1; i < len(ls); i++ {
		if r.crosses(ls[i-1], ls[i]) {
			if i-start >= 2 {
				out = append(out, ls[start:i])
			}
			start = i
		}
	}
	if len(ls)-start >= 2 {
		out = append(out, ls[start:])
	}
	return out
}

// programme is what a station or an activity room runs in a week, as the sample
// street's stations do.
var programme = []struct{ title, en string }{
	{"太极拳", "Tai chi"}, {"合唱", "Choir"}, {"书法", "Calligraphy"}, {"健康讲座", "Health talk"},
	{"智能手机课", "Smartphone class"}, {"编织", "Knitting"}, {"广场舞", "Square dance"}, {"象棋", "Chinese chess"},
}

// Activities makes a weekly programme for a share (0–1) of the city's citizen
// stations and activity rooms: perPlace weekly activities each, on a weekday
// between 09:00 and 16:00 for 90 minutes, the first in the week before now
// (read in Asia/Shanghai). One in five has a day left out, one in ten a day
// cancelled. The same seed gives the same programme.
func Activities(c *City, seed int64, share float64, perPlace int, now time.Time) []*doorstep.Activity {
	rng := rand.New(rand.NewPCG(uint64(seed), 11))
	local := now.In(doorstep.Shanghai)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, doorstep.Shanghai)
	codes := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}
	var out []*doorstep.Activity
	for _, svc := range c.Services {
		if svc.Category != "citizen_station" && svc.Category != "activity_room" || rng.Float64() >= share {
			continue
		}
		for range perPlace {
			p := programme[rng.IntN(len(programme))]
			first := today.AddDate(0, 0, -rng.IntN(7)).Add(time.Duration(9*60+rng.IntN(8)*60) * time.Minute)
			a := &doorstep.Activity{
				ID: int64(len(out) + 1), ServiceID: svc.ID, Title: p.title, TitleEn: p.en,
				Start: first.Format(doorstep.ActivityTimeLayout), End: first.Add(90 * time.Minute).Format(doorstep.ActivityTimeLayout),
				RRule: "FREQ=WEEKLY;BYDAY=" + codes[first.Weekday()], ExDates: []string{}, CancelledDates: []string{},
				SignUp: rng.IntN(3) == 0, Sample: true, Version: 1,
			}
			if rng.IntN(5) == 0 {
				a.ExDates = []string{first.AddDate(0, 0, 14).Format(doorstep.DateLayout)}
			}
			if rng.IntN(10) == 0 {
				a.CancelledDates = []string{first.AddDate(0, 0, 7).Format(doorstep.DateLayout)}
			}
			out = append(out, a)
		}
	}
	return out
}

// Origins returns n points where residents might ask from, spread uniformly over
// the middle 80 % of the city's extent (seeded, so benchmarks in different
// packages ask from the same places).
func (c *City) Origins(n int, seed uint64) []orb.Point {
	r := rand.New(rand.NewPCG(seed, seed))
	bound := c.Street.Geometry.Bound()
	out := make([]orb.Point, n)
	for i := range out {
		out[i] = orb.Point{
			bound.Min[0] + (0.1+0.8*r.Float64())*(bound.Max[0]-bound.Min[0]),
			bound.Min[1] + (0.1+0.8*r.Float64())*(bound.Max[1]-bound.Min[1]),
		}
	}
	return out
}
