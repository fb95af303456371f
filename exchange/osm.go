package exchange

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/paulmach/osm/osmxml"
)

// walkableHighways are the OSM highway values a pedestrian may use. Motorways are
// left out, trunk roads unless they have a sidewalk or allow foot; cycleways count
// unless foot=no. Steps, elevators and platforms are kept under their own kind so a
// step-free walk can leave them out.
var walkableHighways = map[string]bool{
	"footway": true, "path": true, "pedestrian": true, "steps": true, "living_street": true,
	"residential": true, "service": true, "unclassified": true, "track": true, "cycleway": true,
	"tertiary": true, "secondary": true, "primary": true,
	"tertiary_link": true, "secondary_link": true, "primary_link": true,
	"road": true, "corridor": true, "crossing": true, "platform": true, "elevator": true,
	"trail": true,
}

// pedestrianAreaKinds are the highway values whose area=yes ways (and multipolygon
// relations) are squares walked across, not only around.
var pedestrianAreaKinds = map[string]bool{"pedestrian": true, "footway": true, "platform": true}

// WalkableHighway reports whether a way with these tags can be walked, and its kind:
// the highway value, "platform" for public_transport=platform or railway=platform
// ways, or the footway value for footway=sidewalk and footway=crossing. When the way
// is a highway that cannot be walked, dropped says why ("highway=motorway",
// "foot=no", "access=private"…); ways that are no highway at all give neither.
// oneway is ignored: pedestrians walk both ways.
func WalkableHighway(tags osm.Tags) (kind, dropped string) {
	kind = tags.Find("highway")
	if kind == "" {
		if tags.Find("public_transport") == "platform" || tags.Find("railway") == "platform" {
			kind = "platform"
		} else {
			return "", ""
		}
	}
	foot := tags.Find("foot")
	footAllowed := foot == "yes" || foot == "designated" || foot == "permissive"
	switch {
	case kind == "trunk" || kind == "trunk_link":
		// Fast roads are walked only along a sidewalk drawn on them or where foot is allowed.
		if s := tags.Find("sidewalk"); !footAllowed && (s == "" || s == "no" || s == "none" || s == "separate") {
			return "", "highway=" + kind + " without sidewalk"
		}
	case !walkableHighways[kind]:
		return "", "highway=" + kind
	}
	if tags.Find("area") == "yes" && !pedestrianAreaKinds[kind] {
		return "", "highway=" + kind + " area"
	}
	if foot == "no" {
		return "", "foot=no"
	}
	if access := tags.Find("access"); (access == "private" || access == "no") && !footAllowed {
		return "", "access=" + access
	}
	if fw := tags.Find("footway"); kind == "footway" && (fw == "sidewalk" || fw == "crossing") {
		kind = fw
	}
	return kind, ""
}

// OSMFormat is the encoding of an OpenStreetMap file.
type OSMFormat int

// OSM file formats.
const (
	OSMXML OSMFormat = iota + 1
	OSMPBF
)

// OSMFormatOf guesses the format from a file name: .osm.pbf / .pbf or .osm / .xml.
func OSMFormatOf(name string) (OSMFormat, bool) {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".pbf"):
		return OSMPBF, true
	case strings.HasSuffix(lower, ".osm"), strings.HasSuffix(lower, ".xml"):
		return OSMXML, true
	}
	return 0, false
}

// OSMSource is an OpenStreetMap file to read: Open is called once per pass over it.
// Progress, when not nil, is called now and then with the pass and the objects read
// so far.
type OSMSource struct {
	Open     func() (io.ReadCloser, error)
	Format   OSMFormat
	Progress func(pass string, n int64)
}

// scan reads the file once, handing visit the objects of the kinds asked for (PBF
// skips the others without decoding them).
func (src OSMSource) scan(ctx context.Context, pass string, nodes, ways, relations bool, visit func(osm.Object)) error {
	r, err := src.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	var sc osm.Scanner
	switch src.Format {
	case OSMPBF:
		pbf := osmpbf.New(ctx, r, 2)
		pbf.SkipNodes, pbf.SkipWays, pbf.SkipRelations = !nodes, !ways, !relations
		sc = pbf
	case OSMXML:
		sc = osmxml.New(ctx, r)
	default:
		return fmt.Errorf("exchange: unknown OSM format %d", src.Format)
	}
	defer sc.Close()
	var n int64
	for sc.Scan() {
		switch sc.Object().(type) {
		case *osm.Node:
			if !nodes {
				continue
			}
		case *osm.Way:
			if !ways {
				continue
			}
		case *osm.Relation:
			if !relations {
				continue
			}
		default:
			continue // changesets, notes, users, bounds: nothing to read
		}
		visit(sc.Object())
		if n++; src.Progress != nil && n%1_000_000 == 0 {
			src.Progress(pass, n)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("exchange: read OSM (%s pass, after %d objects): %w", pass, n, err)
	}
	if src.Progress != nil {
		src.Progress(pass, n)
	}
	return nil
}

// nodePoints reads the coordinates of the wanted nodes. A node with coordinates no
// place has (out of range, NaN) is left out, as if missing from a clipped extract.
func (src OSMSource) nodePoints(ctx context.Context, wanted map[osm.NodeID]bool) (map[osm.NodeID]orb.Point, error) {
	return src.visitNodes(ctx, wanted, nil)
}

// visitNodes is nodePoints, showing visit (when not nil) every wanted node kept.
func (src OSMSource) visitNodes(ctx context.Context, wanted map[osm.NodeID]bool, visit func(*osm.Node)) (map[osm.NodeID]orb.Point, error) {
	points := make(map[osm.NodeID]orb.Point, len(wanted))
	err := src.scan(ctx, "nodes", true, false, false, func(o osm.Object) {
		n := o.(*osm.Node)
		if p := (orb.Point{n.Lon, n.Lat}); wanted[n.ID] && geo.ValidLonLat(p) {
			points[n.ID] = p
			if visit != nil {
				visit(n)
			}
		}
	})
	return points, err
}

// ReadOSM reads the walking network of an OpenStreetMap file (see docs/osm.md):
// walkable ways split into lines at every junction, each line's ends named by an OSM
// node id so that lines join only where OSM joins them — at a shared node, or where
// two ways put nodes on one coordinate on the same layer and level — and pedestrian
// areas crossed by straight lines between their entrances. It reads the file in
// three passes (relations, ways, then only the nodes those use), so memory follows
// the walkable part, not the whole extract. A way that refers to nodes missing from
// the file (a clipped extract) is split where they are missing. The report says what
// was kept and what was dropped, by reason.
func ReadOSM(ctx context.Context, src OSMSource) ([]doorstep.NetworkLine, *NetworkReport, error) {
	rd := newNetworkReader()
	if err := src.scan(ctx, "relations", false, false, true, rd.relation); err != nil {
		return nil, nil, err
	}
	if err := src.scan(ctx, "ways", false, true, false, rd.way); err != nil {
		return nil, nil, err
	}
	if len(rd.ways) == 0 {
		return nil, nil, errors.New("exchange: no walkable ways (highway=footway, residential, ...) in the file")
	}
	points, err := src.visitNodes(ctx, rd.wanted, func(n *osm.Node) {
		if kerbNode(n.Tags) {
			rd.kerbs[n.ID] = true
		}
	})
	if err != nil {
		return nil, nil, err
	}
	lines := rd.build(points)
	if len(lines) == 0 {
		return nil, nil, errors.New("exchange: the walkable ways refer to no nodes present in the file")
	}
	return lines, &rd.report, nil
}
