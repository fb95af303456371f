package exchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
)

// ListingRule says which OSM features make listings of a category: a feature
// matches when it has every tag of Match (a value of "*" matches any value).
type ListingRule struct {
	Match    []osm.Tag
	Category string
	Line     int // in the mapping file
}

// Matches reports whether the tags have every tag of the rule.
func (r ListingRule) Matches(tags osm.Tags) bool {
	for _, want := range r.Match {
		v := tags.Find(want.Key)
		if v == "" || (want.Value != "*" && v != want.Value) {
			return false
		}
	}
	return true
}

// ReadListingMapping reads a mapping file: CSV rows of tags and a category, such as
//
//	tags,category
//	amenity=social_facility + social_facility:for=senior,elderly_centre
//	amenity=community_centre,activity_room
//
// Tags are key=value pairs joined by "+"; the first row whose tags a feature has
// decides its category, so specific rows go before general ones. The header row and
// lines starting with # are skipped. Errors name the line.
func ReadListingMapping(data []byte) ([]ListingRule, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.Comment = '#'
	r.TrimLeadingSpace = true
	var rules []ListingRule
	err := eachRecord(r, func(rec []string, line int) error {
		if len(rec) == 2 && strings.TrimSpace(rec[0]) == "tags" && strings.TrimSpace(rec[1]) == "category" {
			return nil
		}
		if len(rec) != 2 {
			return fmt.Errorf("line %d: want two cells, tags and category, not %d", line, len(rec))
		}
		rule := ListingRule{Category: strings.TrimSpace(rec[1]), Line: line}
		if rule.Category == "" {
			return fmt.Errorf("line %d, category: is empty", line)
		}
		for _, kv := range strings.Split(rec[0], "+") {
			k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" || v == "" {
				return fmt.Errorf("line %d, tags: %q is not key=value (use key=* for any value)", line, strings.TrimSpace(kv))
			}
			rule.Match = append(rule.Match, osm.Tag{Key: k, Value: v})
		}
		rules = append(rules, rule)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(rules) == 0 {
		return nil, errors.New("no mapping rows (tags,category)")
	}
	return rules, nil
}

// OSMListing is an OSM feature a mapping made a listing of: its id ("node/123",
// "way/45", kept as the listing's external_id so a second import updates it), its
// category, tags and position (a way's: the mean of its nodes).
type OSMListing struct {
	ID       string
	Category string
	Tags     map[string]string
	Point    orb.Point
}

// Cells gives the listing in the columns of a services file (see `doorstep import
// services`): external_id, category, name, name_en, organization (the operator, or
// the name), address, phone, hours (the opening_hours text), lon and lat (WGS84).
func (l *OSMListing) Cells() map[string]string {
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := strings.TrimSpace(l.Tags[k]); v != "" {
				return v
			}
		}
		return ""
	}
	cells := map[string]string{
		"external_id":  l.ID,
		"category":     l.Category,
		"name":         first("name:zh", "name", "name:en", "operator", "brand"),
		"name_en":      first("name:en"),
		"organization": first("operator", "brand", "name"),
		"lon":          strconv.FormatFloat(l.Point[0], 'f', -1, 64),
		"lat":          strconv.FormatFloat(l.Point[1], 'f', -1, 64),
	}
	if cells["name"] == "" {
		cells["name"] = l.ID
		cells["organization"] = l.ID
	}
	if a := first("addr:full"); a != "" {
		cells["address"] = a
	} else if street := first("addr:street"); street != "" {
		cells["address"] = strings.TrimSpace(first("addr:housenumber") + " " + street)
	}
	if p := first("phone", "contact:phone"); p != "" {
		cells["phone"], _, _ = strings.Cut(p, ";") // the first of several numbers
	}
	if h := first("opening_hours"); h != "" {
		cells["hours"] = h
	}
	return cells
}

// ReadOSMListings reads the nodes and ways that a mapping rule matches, in file
// order (nodes, then ways). Relations are not read; ways whose nodes are all
// missing from the file are left out.
func ReadOSMListings(ctx context.Context, src OSMSource, rules []ListingRule) ([]*OSMListing, error) {
	match := func(tags osm.Tags) string {
		for _, r := range rules {
			if r.Matches(tags) {
				return r.Category
			}
		}
		return ""
	}
	type wayListing struct {
		listing *OSMListing
		nodes   []osm.NodeID
	}
	var ways []wayListing
	wanted := map[osm.NodeID]bool{}
	err := src.scan(ctx, "ways", false, true, false, func(o osm.Object) {
		w := o.(*osm.Way)
		if cat := match(w.Tags); cat != "" {
			ids := w.Nodes.NodeIDs()
			if len(ids) > 1 && ids[0] == ids[len(ids)-1] {
				ids = ids[1:] // a closed way's first node once
			}
			ways = append(ways, wayListing{&OSMListing{ID: fmt.Sprintf("way/%d", w.ID), Category: cat, Tags: w.Tags.Map()}, ids})
			for _, id := range ids {
				wanted[id] = true
			}
		}
	})
	if err != nil {
		return nil, err
	}
	var listings []*OSMListing
	points := map[osm.NodeID]orb.Point{}
	err = src.scan(ctx, "nodes", true, false, false, func(o osm.Object) {
		n := o.(*osm.Node)
		p := orb.Point{n.Lon, n.Lat}
		if !geo.ValidLonLat(p) {
			return
		}
		if wanted[n.ID] {
			points[n.ID] = p
		}
		if cat := match(n.Tags); cat != "" {
			listings = append(listings, &OSMListing{ID: fmt.Sprintf("node/%d", n.ID), Category: cat, Tags: n.Tags.Map(), Point: p})
		}
	})
	if err != nil {
		return nil, err
	}
	for _, w := range ways {
		var sum orb.Point
		n := 0
		for _, id := range w.nodes {
			if p, ok := points[id]; ok {
				sum[0], sum[1] = sum[0]+p[0], sum[1]+p[1]
				n++
			}
		}
		if n > 0 {
			w.listing.Point = orb.Point{sum[0] / float64(n), sum[1] / float64(n)}
			listings = append(listings, w.listing)
		}
	}
	return listings, nil
}
