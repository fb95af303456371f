package finder

import (
	"cmp"
	"slices"

	"doorstep/geo"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/simplify"
)

// MapLabels are the names the map writes over the street: roads along their
// lines, residential areas at their label points, metro stations at theirs.
type MapLabels struct {
	Roads    []RoadLabel
	Areas    []AreaLabel
	Stations []PointLabel
}

// RoadLabel is one named road: its pieces, each made of the network edges or
// drawn lines of that name joined end to end, longest first.
type RoadLabel struct {
	Name  string
	Main  bool // a main road or expressway, labelled first and from further out
	Lines []orb.LineString
}

// AreaLabel is where a residential area's name goes: the point inside it
// farthest from its edges (geo.LabelPoint), not its centroid.
type AreaLabel struct {
	ID    int64
	Name  string
	Point orb.Point
}

// PointLabel is a named point, such as a metro station.
type PointLabel struct {
	Name  string
	Point orb.Point
}

// labelPrecision is how close to the best label point an area's is, in metres.
const labelPrecision = 1

// labelSimplify drops vertices a road label does not need: about 2 m, in degrees.
const labelSimplify = 0.00002

// labelMargin is how far around the street's bounds roads and areas are labelled, in
// degrees (about 1 km): the maps show the street and what a resident walks to beside
// it, and a network imported for a whole city must not make every page load its roads.
const labelMargin = 0.01

// mainRoadKinds are the network kinds (OSM highway values) labelled as main roads.
var mainRoadKinds = map[string]bool{
	"motorway": true, "trunk": true, "primary": true, "secondary": true, "tertiary": true, "road": true,
}

// unlabelledKinds are network kinds whose names are not road names: the sample's
// made-up steps, and steps in general, which are too short to carry one.
var unlabelledKinds = map[string]bool{"steps": true}

// MapLabels returns the street's map labels, made on first use: the roads and areas
// within labelMargin of the street's bounds (all of them without a street), and the
// stations. Roads are main roads first, then by name; areas in the snapshot's order.
// Safe for concurrent use.
func (b *Base) MapLabels() *MapLabels {
	b.labelsOnce.Do(func() { b.labels = b.makeMapLabels() })
	return b.labels
}

func (b *Base) makeMapLabels() *MapLabels {
	out := &MapLabels{}
	near := func(orb.Bound) bool { return true }
	if b.street != nil && len(b.street.Geometry) > 0 {
		box := b.street.Geometry.Bound().Pad(labelMargin)
		near = box.Intersects
	}
	type road struct {
		main  bool
		lines []orb.LineString
	}
	roads := map[string]*road{}
	add := func(name string, main bool, l orb.LineString) {
		r := roads[name]
		if r == nil {
			r = &road{}
			roads[name] = r
		}
		r.main = r.main || main
		r.lines = append(r.lines, l)
	}
	// The drawn main roads first: a network road of the same name is the same
	// road, and its edges would only repeat the name beside the drawn line.
	drawn := map[string]bool{}
	for _, f := range b.features {
		if f.Name == "" || (f.Kind != "road" && f.Kind != "expressway") {
			continue
		}
		drawn[f.Name] = true
		switch g := f.Geometry.(type) {
		case orb.LineString:
			add(f.Name, true, g)
		case orb.MultiLineString:
			for _, l := range g {
				add(f.Name, true, l)
			}
		}
	}
	for _, l := range b.network {
		if l.Name == "" || drawn[l.Name] || unlabelledKinds[l.Kind] || !near(l.Geometry.Bound()) {
			continue
		}
		add(l.Name, mainRoadKinds[l.Kind], l.Geometry)
	}
	for name, r := range roads {
		lines := geo.JoinLines(r.lines)
		for i, l := range lines {
			lines[i] = simplify.DouglasPeucker(labelSimplify).LineString(l.Clone())
		}
		slices.SortFunc(lines, func(a, b orb.LineString) int {
			return cmp.Compare(orbgeo.LengthHaversine(b), orbgeo.LengthHaversine(a))
		})
		out.Roads = append(out.Roads, RoadLabel{Name: name, Main: r.main, Lines: lines})
	}
	slices.SortFunc(out.Roads, func(a, b RoadLabel) int {
		if a.Main != b.Main {
			if a.Main {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Name, b.Name)
	})
	for _, a := range b.areas {
		if len(a.Geometry) == 0 || !near(a.Geometry.Bound()) {
			continue
		}
		if p, ok := geo.LabelPoint(a.Geometry, labelPrecision); ok {
			out.Areas = append(out.Areas, AreaLabel{ID: a.ID, Name: a.Name, Point: p})
		}
	}
	for _, f := range b.features {
		if p, ok := f.Geometry.(orb.Point); ok && f.Kind == "station" && f.Name != "" {
			out.Stations = append(out.Stations, PointLabel{Name: f.Name, Point: p})
		}
	}
	return out
}
