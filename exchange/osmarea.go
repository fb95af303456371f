package exchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/osm"
)

// OSMArea is a closed way or a multipolygon or boundary relation of an OSM file,
// read as an area. Problem, when not empty, says why it has no geometry (members
// missing from a clipped extract, rings that do not close).
type OSMArea struct {
	ID       string // "relation/2220322" or "way/123", as `--osm-id` names it
	Tags     map[string]string
	Geometry orb.MultiPolygon
	Problem  string
}

// Name is the area's name tag, or its id when it has none.
func (a *OSMArea) Name() string {
	if n := a.Tags["name"]; n != "" {
		return n
	}
	return a.ID
}

// AdminBoundary reports whether the area is boundary=administrative at level.
func (a *OSMArea) AdminBoundary(level string) bool {
	return a.Tags["boundary"] == "administrative" && a.Tags["admin_level"] == level
}

// ReadOSMAreas reads the areas whose id and tags keep accepts: relations (a
// multipolygon or boundary), their outer and inner member ways joined into rings,
// and closed ways. keep gets the object's id as `--osm-id` names it
// ("relation/2220322", "way/123"). Areas come in file order, relations first.
func ReadOSMAreas(ctx context.Context, src OSMSource, keep func(id string, tags osm.Tags) bool) ([]*OSMArea, error) {
	type relArea struct {
		area         *OSMArea
		outer, inner []osm.WayID
	}
	var rels []relArea
	members := map[osm.WayID]bool{}
	err := src.scan(ctx, "relations", false, false, true, func(o osm.Object) {
		r := o.(*osm.Relation)
		id := fmt.Sprintf("relation/%d", r.ID)
		if !keep(id, r.Tags) {
			return
		}
		ra := relArea{area: &OSMArea{ID: id, Tags: r.Tags.Map()}}
		for _, m := range r.Members {
			if m.Type != osm.TypeWay {
				continue
			}
			switch m.Role {
			case "outer", "":
				ra.outer = append(ra.outer, osm.WayID(m.Ref))
			case "inner":
				ra.inner = append(ra.inner, osm.WayID(m.Ref))
			default:
				continue
			}
			members[osm.WayID(m.Ref)] = true
		}
		rels = append(rels, ra)
	})
	if err != nil {
		return nil, err
	}
	wayNodes := map[osm.WayID][]osm.NodeID{}
	type wayArea struct {
		area  *OSMArea
		nodes []osm.NodeID
	}
	var closed []wayArea
	wanted := map[osm.NodeID]bool{}
	err = src.scan(ctx, "ways", false, true, false, func(o osm.Object) {
		w := o.(*osm.Way)
		ids := w.Nodes.NodeIDs()
		if members[w.ID] {
			wayNodes[w.ID] = ids
		} else if len(ids) >= 4 && ids[0] == ids[len(ids)-1] {
			id := fmt.Sprintf("way/%d", w.ID)
			if !keep(id, w.Tags) {
				return
			}
			closed = append(closed, wayArea{area: &OSMArea{ID: id, Tags: w.Tags.Map()}, nodes: ids})
		} else {
			return
		}
		for _, n := range ids {
			wanted[n] = true
		}
	})
	if err != nil {
		return nil, err
	}
	points, err := src.nodePoints(ctx, wanted)
	if err != nil {
		return nil, err
	}
	var areas []*OSMArea
	for _, ra := range rels {
		parts := func(ids []osm.WayID) ([][]osm.NodeID, int) {
			var ps [][]osm.NodeID
			missing := 0
			for _, id := range ids {
				if ns, ok := wayNodes[id]; ok {
					ps = append(ps, ns)
				} else {
					missing++
				}
			}
			return ps, missing
		}
		outerParts, missOuter := parts(ra.outer)
		innerParts, missInner := parts(ra.inner)
		outer, okOuter := assembleRings(outerParts)
		inner, okInner := assembleRings(innerParts)
		switch {
		case missOuter+missInner > 0:
			ra.area.Problem = fmt.Sprintf("%d of its member ways are missing from the file (a clipped extract?)", missOuter+missInner)
		case !okOuter || !okInner || len(outer) == 0:
			ra.area.Problem = "its member ways do not join into closed rings"
		default:
			ra.area.Geometry, ra.area.Problem = ringsGeometry(outer, inner, points)
		}
		areas = append(areas, ra.area)
	}
	for _, wa := range closed {
		wa.area.Geometry, wa.area.Problem = ringsGeometry([][]osm.NodeID{wa.nodes}, nil, points)
		areas = append(areas, wa.area)
	}
	return areas, nil
}

// ringsGeometry makes a multipolygon of closed node rings: one polygon per outer
// ring, each inner ring put in the outer that holds it. Problem says what is wrong
// when it cannot be made or is not a valid area (geo.PolygonProblems).
func ringsGeometry(outer, inner [][]osm.NodeID, points map[osm.NodeID]orb.Point) (orb.MultiPolygon, string) {
	ring := func(ids []osm.NodeID) (orb.Ring, bool) {
		r := make(orb.Ring, 0, len(ids))
		for _, id := range ids {
			p, ok := points[id]
			if !ok {
				return nil, false
			}
			r = append(r, p)
		}
		return r, true
	}
	var mp orb.MultiPolygon
	for _, ids := range outer {
		r, ok := ring(ids)
		if !ok {
			return nil, "some of its nodes are missing from the file (a clipped extract?)"
		}
		if planar.Area(r) < 0 {
			slices.Reverse(r) // outer rings counter-clockwise, as GeoJSON has them
		}
		mp = append(mp, orb.Polygon{r})
	}
	for _, ids := range inner {
		r, ok := ring(ids)
		if !ok {
			return nil, "some of its nodes are missing from the file (a clipped extract?)"
		}
		if planar.Area(r) > 0 {
			slices.Reverse(r)
		}
		i := slices.IndexFunc(mp, func(p orb.Polygon) bool { return planar.RingContains(p[0], r[0]) })
		if i < 0 {
			return nil, "an inner ring lies in no outer ring"
		}
		mp[i] = append(mp[i], r)
	}
	for _, p := range mp {
		if problems := geo.PolygonProblems(p); len(problems) > 0 {
			return nil, strings.Join(problems, "; ")
		}
	}
	return mp, ""
}

// OSMStreet picks the street among boundaries read with ReadOSMAreas: the one named
// by osmID ("relation/2220322"), or else the only boundary=administrative with
// admin_level=8. Its name is the name tag, its English name name:en, its time zone
// the timezone tag and its country the ISO 3166 tags, when OSM has them; CheckStreet
// fills the defaults and checks the rest.
func OSMStreet(areas []*OSMArea, osmID string) (*doorstep.Street, error) {
	var found []*OSMArea
	for _, a := range areas {
		if (osmID != "" && a.ID == osmID) || (osmID == "" && a.AdminBoundary("8")) {
			found = append(found, a)
		}
	}
	switch {
	case len(found) == 0 && osmID != "":
		return nil, fmt.Errorf("%s is not in the file, or is no closed way, multipolygon or boundary", osmID)
	case len(found) == 0:
		return nil, fmt.Errorf("no boundary=administrative with admin_level=8 in the file: name the street's boundary with --osm-id relation/NNN")
	case len(found) > 1:
		names := make([]string, len(found))
		for i, a := range found {
			names[i] = fmt.Sprintf("%s (%s)", a.Name(), a.ID)
		}
		return nil, fmt.Errorf("%d admin_level=8 boundaries in the file: %s; name one with --osm-id", len(found), strings.Join(names, ", "))
	}
	a := found[0]
	if a.Problem != "" {
		return nil, fmt.Errorf("%s (%s): %s", a.ID, a.Name(), a.Problem)
	}
	country := ""
	for _, k := range []string{"ISO3166-1:alpha2", "ISO3166-1", "ISO3166-2", "is_in:country_code", "addr:country"} {
		if v := a.Tags[k]; v != "" {
			country, _, _ = strings.Cut(v, "-") // ISO3166-2 is CN-SH: the country first
			break
		}
	}
	return &doorstep.Street{
		Name: a.Tags["name"], NameEn: a.Tags["name:en"], Timezone: a.Tags["timezone"], Country: country,
		Geometry: a.Geometry,
	}, nil
}

// Population is what a populations file says of one residential area.
type Population struct {
	Residents, Elderly int
	Sample             bool // made-up figures, shown as such
}

// ReadPopulationsCSV reads a populations file: a header naming the columns name,
// population and optionally elderly and sample (true/false), then one row per area.
// Errors name the line and column.
func ReadPopulationsCSV(data []byte) (map[string]Population, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, errors.New("line 1: no name column")
	}
	if _, ok := col["population"]; !ok {
		return nil, errors.New("line 1: no population column")
	}
	pops := map[string]Population{}
	err = eachRecord(r, func(rec []string, line int) error {
		cell := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		count := func(name string) (int, error) {
			v := cell(name)
			if v == "" {
				return 0, nil
			}
			n, err := strconv.Atoi(strings.ReplaceAll(v, ",", ""))
			if err != nil || n < 0 {
				return 0, fmt.Errorf("line %d, %s: %q is not a count", line, name, v)
			}
			return n, nil
		}
		var p Population
		var err error
		if p.Residents, err = count("population"); err != nil {
			return err
		}
		if p.Elderly, err = count("elderly"); err != nil {
			return err
		}
		if p.Elderly > p.Residents {
			return fmt.Errorf("line %d, elderly: %d is more than the population %d", line, p.Elderly, p.Residents)
		}
		switch s := strings.ToLower(cell("sample")); s {
		case "", "false", "no", "0":
		case "true", "yes", "1":
			p.Sample = true
		default:
			return fmt.Errorf("line %d, sample: %q must be true or false", line, s)
		}
		name := cell("name")
		if name == "" {
			return fmt.Errorf("line %d, name: is empty", line)
		}
		if _, dup := pops[name]; dup {
			return fmt.Errorf("line %d, name: %q is given twice", line, name)
		}
		pops[name] = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pops, nil
}

// eachRecord calls fn with each record r reads and the line it starts on, until
// the end of the file or the first error, which it returns.
func eachRecord(r *csv.Reader, fn func(rec []string, line int) error) error {
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		line, _ := r.FieldPos(0)
		if err := fn(rec, line); err != nil {
			return err
		}
	}
}

// blankRecord reports whether a CSV record has nothing but white space, a row
// the readers skip.
func blankRecord(rec []string) bool {
	return strings.TrimSpace(strings.Join(rec, "")) == ""
}

// OSMResidentialAreas makes residential areas of OSM areas, named by their name tag,
// with residents from pops by name. unmatched names the areas pops has no row for
// (they get no residents) and the rows of pops that name no area. An area without
// geometry is an error naming it.
func OSMResidentialAreas(areas []*OSMArea, pops map[string]Population) (out []*doorstep.Area, unmatched []string, err error) {
	used := map[string]bool{}
	for _, a := range areas {
		if a.Problem != "" {
			return nil, nil, fmt.Errorf("%s (%s): %s", a.ID, a.Name(), a.Problem)
		}
		name := a.Name()
		p, ok := pops[name]
		if !ok && pops != nil {
			unmatched = append(unmatched, fmt.Sprintf("%s (%s) has no population row", name, a.ID))
		}
		used[name] = true
		out = append(out, &doorstep.Area{Name: name, Population: p.Residents, Elderly: p.Elderly, Sample: p.Sample, Geometry: a.Geometry})
	}
	for _, name := range slices.Sorted(maps.Keys(pops)) {
		if !used[name] {
			unmatched = append(unmatched, fmt.Sprintf("population row %q names no area", name))
		}
	}
	return out, unmatched, nil
}
