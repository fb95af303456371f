package exchange

import (
	"encoding/json"
	"fmt"

	"doorstep/geo"

	"github.com/paulmach/orb"
)

// ReadPolygons reads a GeoJSON Polygon or MultiPolygon geometry, checking every
// position has two numbers (a third, the height, is ignored) and every polygon
// with geo.PolygonProblems. It returns every problem found, each a phrase that
// follows the word "geometry" ("is required", "polygon 2: ring 1 crosses
// itself"); what names the thing the polygon outlines in messages ("a
// residential area"). Coordinates stay as given, [lon, lat].
func ReadPolygons(raw json.RawMessage, what string) (orb.MultiPolygon, []string) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, []string{"is required (a Polygon or MultiPolygon)"}
	}
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, []string{"is not a GeoJSON geometry: " + err.Error()}
	}
	var polys [][][][]float64
	switch g.Type {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, []string{"Polygon coordinates must be rings of [lon, lat] positions"}
		}
		polys = [][][][]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return nil, []string{"MultiPolygon coordinates must be polygons of rings of [lon, lat] positions"}
		}
	default:
		return nil, []string{fmt.Sprintf("is a %s; %s must be a Polygon or MultiPolygon", g.Type, what)}
	}
	if len(polys) == 0 {
		return nil, []string{"has no polygons"}
	}
	var problems []string
	mp := make(orb.MultiPolygon, 0, len(polys))
	for pi, rings := range polys {
		prefix := ""
		if g.Type == "MultiPolygon" {
			prefix = fmt.Sprintf("polygon %d: ", pi+1)
		}
		poly, ok := make(orb.Polygon, 0, len(rings)), true
		for ri, ring := range rings {
			r := make(orb.Ring, 0, len(ring))
			for k, pos := range ring {
				if len(pos) < 2 || len(pos) > 3 {
					problems = append(problems, fmt.Sprintf("%sring %d position %d has %d numbers; want [lon, lat]", prefix, ri+1, k+1, len(pos)))
					ok = false
					break
				}
				r = append(r, orb.Point{pos[0], pos[1]})
			}
			poly = append(poly, r)
		}
		if !ok {
			continue
		}
		for _, msg := range geo.PolygonProblems(poly) {
			problems = append(problems, prefix+msg)
		}
		mp = append(mp, poly)
	}
	return mp, problems
}
