package finder

import (
	"strings"
	"testing"

	"doorstep"

	"github.com/paulmach/orb"
)

// box is a rectangle from (lon0, lat0) to (lon1, lat1).
func box(lon0, lat0, lon1, lat1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{orb.Bound{Min: orb.Point{lon0, lat0}, Max: orb.Point{lon1, lat1}}.ToPolygon()}
}

// gridLines lays north-south and east-west lines every step degrees over a box,
// joined where they cross.
func gridLines(lon0, lat0, lon1, lat1, step float64) []doorstep.NetworkLine {
	var lons, lats []float64
	for i := 0; lon0+float64(i)*step <= lon1+1e-9; i++ {
		lons = append(lons, lon0+float64(i)*step)
	}
	for i := 0; lat0+float64(i)*step <= lat1+1e-9; i++ {
		lats = append(lats, lat0+float64(i)*step)
	}
	var lines []doorstep.NetworkLine
	for _, lon := range lons {
		var ls orb.LineString
		for _, lat := range lats {
			ls = append(ls, orb.Point{lon, lat})
		}
		lines = append(lines, doorstep.NetworkLine{Geometry: ls, Kind: "footway"})
	}
	for _, lat := range lats {
		var ls orb.LineString
		for _, lon := range lons {
			ls = append(ls, orb.Point{lon, lat})
		}
		lines = append(lines, doorstep.NetworkLine{Geometry: ls, Kind: "footway"})
	}
	return lines
}

func TestFit(t *testing.T) {
	// A street of about 2 km by 2 km at 30° N.
	street := &doorstep.Street{Name: "青石街道", Geometry: box(120.10, 30.25, 120.12, 30.268)}
	inside := &doorstep.Area{ID: 1, Name: "青石一村", Population: 100, Geometry: box(120.101, 30.251, 120.105, 30.255)}
	away := &doorstep.Area{ID: 2, Name: "远方新村", Population: 100, Geometry: box(120.20, 30.25, 120.204, 30.254)}
	near := &doorstep.Service{ID: 1, Name: "近处食堂", Category: "meal_point", Status: doorstep.StatusOpen, Lon: 120.11, Lat: 30.26}
	far := &doorstep.Service{ID: 2, Name: "远处食堂", Category: "meal_point", Status: doorstep.StatusOpen, Lon: 120.20, Lat: 30.26}
	closedFar := &doorstep.Service{ID: 3, Name: "关了", Category: "meal_point", Status: doorstep.StatusClosed, Lon: 120.30, Lat: 30.26}
	cats := []doorstep.Category{{ID: "meal_point", CircleMinutes: 15, DoorstepMinutes: 5}}

	cases := []struct {
		name      string
		in        BaseInput
		services  []*doorstep.Service
		wantKinds []string
		wantIn    []string // words every problem list must hold
		minShare  float64
		maxShare  float64
	}{
		{"all fits", BaseInput{Street: street, Categories: cats, Areas: []*doorstep.Area{inside},
			Network: gridLines(120.10, 30.25, 120.12, 30.268, 0.003)}, []*doorstep.Service{near, closedFar}, nil, nil, 0.99, 1},
		{"no street", BaseInput{Categories: cats, Network: gridLines(120.10, 30.25, 120.12, 30.268, 0.003)}, nil,
			[]string{FitNoStreet}, []string{"no street imported yet"}, 0, 0},
		{"no network", BaseInput{Street: street, Categories: cats}, nil, []string{FitNoNetwork}, []string{"straight-line"}, 0, 0},
		{"network of another place", BaseInput{Street: street, Categories: cats,
			Network: gridLines(120.10, 30.25, 120.106, 30.256, 0.002)}, nil, []string{FitNetworkCoverage},
			[]string{"of 青石街道 lies within 300 m"}, 0.05, 0.4},
		{"an area and a listing elsewhere", BaseInput{Street: street, Categories: cats, Areas: []*doorstep.Area{inside, away},
			Network: gridLines(120.10, 30.25, 120.12, 30.268, 0.003)}, []*doorstep.Service{near, far},
			[]string{FitAreasOutside, FitListingsFar}, []string{"1 of 2 residential areas lie mostly outside 青石街道: 远方新村",
				"1 of 2 listings lie more than 2 km outside 青石街道: 远处食堂 (7.7 km)"}, 0.99, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewBase(tc.in).Index(tc.services, nil).Fit()
			var kinds []string
			var words strings.Builder
			for _, p := range r.Problems {
				kinds = append(kinds, p.Kind)
				words.WriteString(p.En + "\n")
				if p.Zh == "" || p.En == "" {
					t.Errorf("problem %+v lacks words", p)
				}
			}
			if strings.Join(kinds, ",") != strings.Join(tc.wantKinds, ",") {
				t.Errorf("problems %v, want %v:\n%s", kinds, tc.wantKinds, words.String())
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(words.String(), w) {
					t.Errorf("problems lack %q:\n%s", w, words.String())
				}
			}
			if r.NetworkShare < tc.minShare || r.NetworkShare > tc.maxShare {
				t.Errorf("network share %.3f, want %.2f–%.2f", r.NetworkShare, tc.minShare, tc.maxShare)
			}
			if r.OK() != (len(tc.wantKinds) == 0) {
				t.Errorf("OK() = %v", r.OK())
			}
		})
	}
}
