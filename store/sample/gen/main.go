// Command gen regenerates the sample street of Doorstep (家门口): the residential areas,
// services and walking network of Liangcheng Xincun street (凉城新村街道, Hongkou,
// Shanghai) in store/sample/areas.geojson, services.geojson and network.geojson.
//
// Everything this program writes is sample data (示例数据), not real listings. Only its
// inputs are real: the street boundary (boundary.geojson) and the metro lines and main
// roads (roads.geojson), both © OpenStreetMap contributors under ODbL 1.0, which is why
// the outputs, derived from them, carry the same attribution. The names of seven
// residential areas and of the kinds of services the street has come from public
// reports; every polygon, position, population, phone number and timetable is invented.
//
// Method, all in a local metric plane (Mercator scaled to ground metres):
//
//   - Areas: 27 seeds are scattered inside the street at least 200 m apart and spread by
//     a few steps of Lloyd relaxation. Each area is the seed's Voronoi cell, computed as
//     the street polygon clipped successively (Sutherland–Hodgman) by the half-plane of
//     the perpendicular bisector towards every other seed, so the cells tile the street
//     exactly. Corners are snapped so neighbouring cells share identical vertices. Names
//     go to the cells nearest their rough places; residents follow the area, and the
//     share aged 60 and over varies between 30 and 45 %.
//   - Services: a fixed list of 60-odd listings in all nine categories, each placed at
//     random inside its own area, apart from the others; the community elder canteen at
//     its reported address near the east edge; a few just outside the street.
//   - Network: the area edges (roads between areas, footway along the street's edge), a
//     lane grid inside each area, the real surface roads within 400 m of the street, and
//     footways linking each service and stray road piece to its nearest line. Lines are
//     noded so that they meet at bit-identical vertices, and the program fails unless
//     the result is one connected network.
//
// The output is deterministic (fixed seed); coordinates have 7 decimals. From the module
// root:
//
//	go run ./store/sample/gen
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// Seed of the generator: change it and every generated file changes.
const (
	seed1 = 2026
	seed2 = 27
)

// Files read and written, in the sample directory.
const (
	boundaryFile = "boundary.geojson"
	roadsFile    = "roads.geojson"
	areasFile    = "areas.geojson"
	servicesFile = "services.geojson"
	networkFile  = "network.geojson"
)

// phonePrefix makes every sample phone number clearly fake: 021-0000-NNNN.
const phonePrefix = "021-0000-"

func main() {
	dir := flag.String("dir", filepath.Join("store", "sample"), "sample directory: reads "+boundaryFile+" and "+roadsFile+", writes the generated files")
	flag.Parse()
	log.SetFlags(0)
	if err := run(*dir); err != nil {
		log.Fatalf("gen: %v", err)
	}
}

// run reads the real inputs in dir and writes the generated files beside them.
func run(dir string) error {
	boundary, err := os.ReadFile(filepath.Join(dir, boundaryFile))
	if err != nil {
		return err
	}
	roads, err := os.ReadFile(filepath.Join(dir, roadsFile))
	if err != nil {
		return err
	}
	files, summary, err := generate(boundary, roads)
	if err != nil {
		return err
	}
	for _, name := range []string{areasFile, servicesFile, networkFile} {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	log.Print(summary)
	return nil
}

// generate builds the three generated files from the contents of boundary.geojson and
// roads.geojson. It returns the file contents by name and a short summary.
func generate(boundaryJSON, roadsJSON []byte) (map[string][]byte, string, error) {
	boundary, err := geojson.UnmarshalFeatureCollection(boundaryJSON)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", boundaryFile, err)
	}
	roads, err := geojson.UnmarshalFeatureCollection(roadsJSON)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", roadsFile, err)
	}
	var target orb.Polygon
	for _, f := range boundary.Features {
		if f.Properties["role"] == "target" {
			if p, ok := f.Geometry.(orb.Polygon); ok && len(p) == 1 {
				target = p
			}
		}
	}
	if target == nil {
		return nil, "", fmt.Errorf("%s: no single-ring Polygon with role target", boundaryFile)
	}

	bound := target.Bound()
	pl := newPlane(bound.Center())
	street := make([]orb.Point, 0, len(target[0]))
	for _, p := range open(target[0]) {
		street = append(street, pl.toXY(p))
	}
	if signedArea(street) < 0 {
		slices.Reverse(street)
	}
	anchorAt := func(u, v float64) orb.Point {
		return pl.toXY(orb.Point{bound.Min[0] + u*(bound.Max[0]-bound.Min[0]), bound.Min[1] + v*(bound.Max[1]-bound.Min[1])})
	}

	rng := rand.New(rand.NewPCG(seed1, seed2))
	sn := newSnapper(nodeTol)
	areas, err := makeAreas(rng, street, sn, anchorAt)
	if err != nil {
		return nil, "", err
	}
	services, err := placeServices(rng, pl, serviceSpecs(areas), areas, street)
	if err != nil {
		return nil, "", err
	}
	network, err := buildNetwork(rng, areas, services, realRoads(pl, roads, street), sn)
	if err != nil {
		return nil, "", err
	}

	areasFC, err := areasCollection(pl, areas)
	if err != nil {
		return nil, "", err
	}
	servicesFC := servicesCollection(pl, services, areas)
	networkFC, vertices, err := networkCollection(pl, network, services)
	if err != nil {
		return nil, "", err
	}

	files := map[string][]byte{}
	for name, fc := range map[string]*geojson.FeatureCollection{areasFile: areasFC, servicesFile: servicesFC, networkFile: networkFC} {
		if files[name], err = encode(fc); err != nil {
			return nil, "", err
		}
	}
	perCategory := map[string]int{}
	outside := 0
	for _, s := range services {
		perCategory[s.category]++
		if s.outside {
			outside++
		}
	}
	summary := fmt.Sprintf("%d areas; %d services (%d outside the street) %v; network %d lines, %d vertices, one component",
		len(areas), len(services), outside, perCategory, len(network), vertices)
	return files, summary, nil
}

// provenance are the top-level members every generated collection carries.
func provenance(name, note string) geojson.Properties {
	return geojson.Properties{
		"name":        name,
		"sample":      true,
		"note":        note,
		"license":     "ODbL-1.0",
		"attribution": "© OpenStreetMap contributors",
		"generator":   "go run ./store/sample/gen",
	}
}

// areasCollection writes the areas as counter-clockwise Polygons in [lon, lat].
func areasCollection(pl plane, areas []*area) (*geojson.FeatureCollection, error) {
	fc := geojson.NewFeatureCollection()
	fc.ExtraMembers = provenance("liangcheng-areas-sample",
		"示例数据 Sample data: 27 residential areas (居民区) of 凉城新村街道 as Voronoi cells clipped to the OSM street boundary. "+
			"Polygons and resident numbers are invented; names marked name_reported are from public reports, the others are invented.")
	for i, a := range areas {
		ring := make(orb.Ring, 0, len(a.ring)+1)
		for _, p := range a.ring {
			ring = append(ring, pl.toLonLat(p))
		}
		ring = append(ring, ring[0])
		if ring.Orientation() != orb.CCW {
			return nil, fmt.Errorf("areas: %s is not counter-clockwise after rounding", a.name)
		}
		if err := simpleRing(open(ring)); err != nil {
			return nil, fmt.Errorf("areas: %s after rounding: %w", a.name, err)
		}
		f := geojson.NewFeature(orb.Polygon{ring})
		f.ID = fmt.Sprintf("area-%02d", i+1)
		f.Properties = geojson.Properties{
			"name":          a.name,
			"name_en":       a.nameEn,
			"name_reported": a.reported,
			"committee":     a.committee(),
			"population":    a.population,
			"elderly":       a.elderly,
			"sample":        true,
		}
		fc.Append(f)
	}
	return fc, nil
}

// servicesCollection writes the listings as Points in [lon, lat].
func servicesCollection(pl plane, services []*service, areas []*area) *geojson.FeatureCollection {
	byName := map[string]*area{}
	for _, a := range areas {
		byName[a.name] = a
	}
	fc := geojson.NewFeatureCollection()
	fc.ExtraMembers = provenance("liangcheng-services-sample",
		"示例数据 Sample data, not real listings: names of kinds of places follow public reports of 凉城新村街道, "+
			"but positions, addresses, phones (021-0000-NNNN), hours, capacities and operators are invented.")
	for i, s := range services {
		status := s.status
		if status == "" {
			status = "open"
		}
		var capacity any
		if s.capacity > 0 {
			capacity = s.capacity
		}
		f := geojson.NewFeature(pl.toLonLat(s.xy))
		f.ID = fmt.Sprintf("service-%03d", i+1)
		f.Properties = geojson.Properties{
			"category":          s.category,
			"organization":      s.org,
			"organization_kind": s.orgKind,
			"name":              s.name,
			"name_en":           s.nameEn,
			"address":           s.addressText(byName),
			"area":              s.area,
			"phone":             fmt.Sprintf("%s%04d", phonePrefix, 101+i),
			"hours":             s.hours,
			"offers":            s.offers,
			"capacity":          capacity,
			"status":            status,
			"note":              s.note,
			"sample":            true,
		}
		fc.Append(f)
	}
	return fc
}

// networkCollection writes the walking lines in [lon, lat], checks that they form one
// connected network reaching every service, and returns the number of vertices.
func networkCollection(pl plane, network []*netLine, services []*service) (*geojson.FeatureCollection, int, error) {
	fc := geojson.NewFeatureCollection()
	fc.ExtraMembers = provenance("liangcheng-network-sample",
		"示例数据 Sample walking network: lines of kind road are real OpenStreetMap surface roads (sample false); "+
			"lanes and footways are generated (sample true). Lines connect where they share a coordinate.")
	var lls []orb.LineString
	vertices := 0
	for _, l := range network {
		ls := make(orb.LineString, len(l.pts))
		for i, p := range l.pts {
			ls[i] = pl.toLonLat(p)
		}
		ls = slices.Compact(ls)
		if len(ls) < 2 {
			continue
		}
		lls = append(lls, ls)
		vertices += len(ls)
		f := geojson.NewFeature(ls)
		f.Properties = geojson.Properties{"kind": l.kind, "sample": l.sample}
		if l.name != "" {
			f.Properties["name"] = l.name
		}
		fc.Append(f)
	}
	if n := components(lls); n != 1 {
		return nil, 0, fmt.Errorf("network: %d connected components, want 1", n)
	}
	all := orb.MultiLineString(lls)
	for _, s := range services {
		if d := planar.DistanceFrom(all, pl.toLonLat(s.xy)); d > 1e-9 {
			return nil, 0, fmt.Errorf("network: service %s is not on the network", s.name)
		}
	}
	return fc, vertices, nil
}

// encode writes a FeatureCollection with one feature a line, keys sorted, so that the
// files diff well.
func encode(fc *geojson.FeatureCollection) ([]byte, error) {
	head := map[string]any{"type": "FeatureCollection"}
	for k, v := range fc.ExtraMembers {
		head[k] = v
	}
	h, err := marshal(head)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(h[:len(h)-1])
	b.WriteString(`,"features":[`)
	for i, f := range fc.Features {
		j, err := marshal(f)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n")
		b.Write(j)
	}
	b.WriteString("\n]}\n")
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}
