package finder

import (
	"testing"

	"doorstep"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// TestMapLabels checks what the map is given to write: a road cut into edges is one
// piece, a road drawn for orientation is not repeated from the network, steps and
// roads far from the street are left out, the rank follows the way's kind, every
// area is named inside itself, and stations are named where they stand.
func TestMapLabels(t *testing.T) {
	c := orb.Point{121.465, 31.29}
	at := func(dx, dy float64) orb.Point { return orb.Point{c[0] + dx, c[1] + dy} }
	// An L-shaped area whose centroid lies outside it.
	ell := orb.MultiPolygon{{orb.Ring{at(0, 0), at(0.004, 0), at(0.004, 0.001), at(0.001, 0.001), at(0.001, 0.004), at(0, 0.004), at(0, 0)}}}
	in := BaseInput{
		Street: &doorstep.Street{Name: "测试街道", Geometry: square(c, 500)},
		Areas:  []*doorstep.Area{{ID: 7, Name: "拐角小区", Geometry: ell}, {ID: 8, Name: "远方小区", Geometry: square(at(0.5, 0), 100)}},
		Network: []doorstep.NetworkLine{
			{Name: "凉城路", Kind: "secondary", Geometry: orb.LineString{at(-0.003, 0), at(-0.001, 0)}},
			{Name: "凉城路", Kind: "secondary", Geometry: orb.LineString{at(0.001, 0), at(-0.001, 0)}}, // drawn the other way
			{Name: "凉城路", Kind: "secondary", Geometry: orb.LineString{at(0.001, 0), at(0.002, 0.0005), at(0.003, 0)}},
			{Name: "小巷", Kind: "footway", Geometry: orb.LineString{at(0, -0.002), at(0, -0.001)}},
			{Name: "台阶", Kind: "steps", Geometry: orb.LineString{at(0, -0.001), at(0, -0.0009)}},
			{Name: "远路", Kind: "primary", Geometry: orb.LineString{at(0.5, 0), at(0.51, 0)}},
			{Name: "广中路", Kind: "primary", Geometry: orb.LineString{at(0, 0.003), at(0.001, 0.003)}},
			{Kind: "footway", Geometry: orb.LineString{at(0, 0.002), at(0.001, 0.002)}},
		},
		Features: []doorstep.MapFeature{
			{Kind: "expressway", Name: "广中路", Geometry: orb.MultiLineString{{at(0, 0.003), at(0.002, 0.003)}}},
			{Kind: "station", Name: "曲阳路", Geometry: at(0.002, 0.002)},
			{Kind: "metro", Name: "地铁3号线", Geometry: orb.LineString{at(0, 0), at(0.001, 0.001)}},
		},
	}
	labels := NewBase(in).MapLabels()

	type want struct {
		main   bool
		pieces int
		points int
	}
	wants := map[string]want{
		"广中路": {main: true, pieces: 1, points: 2}, // the drawn line, not the network's edge
		"凉城路": {main: true, pieces: 1, points: 4}, // three edges joined, the straight run simplified
		"小巷":  {main: false, pieces: 1, points: 2},
	}
	if len(labels.Roads) != len(wants) {
		t.Errorf("roads %v, want %d", labels.Roads, len(wants))
	}
	for i, r := range labels.Roads {
		w, ok := wants[r.Name]
		if !ok {
			t.Errorf("road %q labelled", r.Name)
			continue
		}
		if r.Main != w.main || len(r.Lines) != w.pieces || len(r.Lines[0]) != w.points {
			t.Errorf("road %q: main %v, %d pieces, %d points; want %+v", r.Name, r.Main, len(r.Lines), len(r.Lines[0]), w)
		}
		if i > 0 && labels.Roads[i-1].Main != r.Main && !labels.Roads[i-1].Main {
			t.Errorf("minor road %q before main road %q", labels.Roads[i-1].Name, r.Name)
		}
	}
	if len(labels.Areas) != 1 || labels.Areas[0].ID != 7 {
		t.Fatalf("areas %+v, want only 拐角小区 (远方小区 is far from the street)", labels.Areas)
	}
	if p := labels.Areas[0].Point; !planar.MultiPolygonContains(ell, p) {
		t.Errorf("拐角小区 labelled outside it at %v", p)
	}
	if len(labels.Stations) != 1 || labels.Stations[0].Name != "曲阳路" || labels.Stations[0].Point != at(0.002, 0.002) {
		t.Errorf("stations %+v", labels.Stations)
	}
}
