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

// walkableHighways are the OSM highway values a pedestrian may use. Motorways and
// trunk roads are left out; cycleways count unless foot=no.
var walkableHighways = map[string]bool{
	"footway": true, "path": true, "pedestrian": true, "steps": true, "living_street": true,
	"residential": true, "service": true, "unclassified": true, "track": true, "cycleway": true,
	"tertiary": true, "secondary": true, "primary": true,
	"tertiary_link": true, "secondary_link": true, "primary_link": true,
	"road": true, "corridor": true, "crossing": true,
}

// WalkableHighway reports whether a way with these tags can be walked, and its kind.
// oneway is ignored: pedestrians walk both ways.
func WalkableHighway(tags osm.Tags) (string, bool) {
	kind := tags.Find("highway")
	if !walkableHighways[kind] {
		return "", false
	}
	foot := tags.Find("foot")
	if foot == "no" {
		return "", false
	}
	footAllowed := foot == "yes" || foot == "designated" || foot == "permissive"
	if access := tags.Find("access"); (access == "private" || access == "no") && !footAllowed {
		return "", false
	}
	return kind, true
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

// ReadOSM reads the walkable ways of an OpenStreetMap file in two passes — the
// ways first, then only the nodes they use — so memory follows the walkable part,
// not the whole extract. open is called once per pass. progress, when not nil, is
// called now and then with the pass ("ways", "nodes") and objects read so far.
// A way that refers to nodes missing from the file (a clipped extract) is split
// where they are missing.
func ReadOSM(ctx context.Context, open func() (io.ReadCloser, error), format OSMFormat, progress func(pass string, n int64)) ([]doorstep.NetworkLine, error) {
	type wayLine struct {
		nodes []osm.NodeID
		kind  string
		name  string
	}
	var ways []wayLine
	needed := map[osm.NodeID]orb.Point{}
	var none orb.Point
	err := scanOSM(ctx, open, format, "ways", progress, func(o osm.Object) {
		w, ok := o.(*osm.Way)
		if !ok {
			return
		}
		kind, ok := WalkableHighway(w.Tags)
		if !ok || len(w.Nodes) < 2 {
			return
		}
		ids := w.Nodes.NodeIDs()
		for _, id := range ids {
			needed[id] = none
		}
		ways = append(ways, wayLine{nodes: ids, kind: kind, name: w.Tags.Find("name")})
	})
	if err != nil {
		return nil, err
	}
	if len(ways) == 0 {
		return nil, errors.New("exchange: no walkable ways (highway=footway, residential, ...) in the file")
	}
	found := make(map[osm.NodeID]bool, len(needed))
	err = scanOSM(ctx, open, format, "nodes", progress, func(o osm.Object) {
		n, ok := o.(*osm.Node)
		if !ok {
			return
		}
		// A node with coordinates no place has (out of range, NaN) counts as missing:
		// its ways are split there, as at the edge of a clipped extract.
		if _, want := needed[n.ID]; want && geo.ValidLonLat(orb.Point{n.Lon, n.Lat}) {
			needed[n.ID] = orb.Point{n.Lon, n.Lat}
			found[n.ID] = true
		}
	})
	if err != nil {
		return nil, err
	}
	var lines []doorstep.NetworkLine
	for _, w := range ways {
		var ls orb.LineString
		flush := func() {
			if len(ls) >= 2 {
				lines = append(lines, doorstep.NetworkLine{Geometry: ls, Kind: w.kind, Name: w.name})
			}
			ls = nil
		}
		for _, id := range w.nodes {
			if !found[id] {
				flush()
				continue
			}
			ls = append(ls, needed[id])
		}
		flush()
	}
	if len(lines) == 0 {
		return nil, errors.New("exchange: the walkable ways refer to no nodes present in the file")
	}
	return lines, nil
}

func scanOSM(ctx context.Context, open func() (io.ReadCloser, error), format OSMFormat, pass string, progress func(string, int64), visit func(osm.Object)) error {
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	var sc osm.Scanner
	switch format {
	case OSMPBF:
		pbf := osmpbf.New(ctx, r, 2)
		pbf.SkipRelations = true
		if pass == "ways" {
			pbf.SkipNodes = true
		} else {
			pbf.SkipWays = true
		}
		sc = pbf
	case OSMXML:
		sc = osmxml.New(ctx, r)
	default:
		return fmt.Errorf("exchange: unknown OSM format %d", format)
	}
	defer sc.Close()
	var n int64
	for sc.Scan() {
		visit(sc.Object())
		if n++; progress != nil && n%1_000_000 == 0 {
			progress(pass, n)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("exchange: read OSM (%s pass, after %d objects): %w", pass, n, err)
	}
	if progress != nil {
		progress(pass, n)
	}
	return nil
}
