package exchange

import (
	"errors"
	"fmt"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ReadNetworkGeoJSON reads walkable lines from a GeoJSON FeatureCollection of
// LineString and MultiLineString features with optional properties kind, name and
// sample, and OSM-style access tags (wheelchair, kerb, incline, ramp; see WayAccess). Every feature is checked; the error names the first bad one by number
// (from 1).
func ReadNetworkGeoJSON(data []byte) ([]doorstep.NetworkLine, error) {
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, fmt.Errorf("exchange: not a GeoJSON FeatureCollection: %w", err)
	}
	var lines []doorstep.NetworkLine
	for i, f := range fc.Features {
		// Properties of the wrong type are refused (orb's Must* would panic on them).
		kind, okKind := propertyOr(f.Properties, "kind", "footway")
		name, okName := propertyOr(f.Properties, "name", "")
		sample, okSample := propertyOr(f.Properties, "sample", false)
		if !okKind || !okName || !okSample {
			return nil, fmt.Errorf("exchange: feature %d: properties kind and name must be text, sample true or false", i+1)
		}
		// OSM-style access tags, when the file has them, as text.
		access := WayAccess(kind, func(key string) string {
			v, _ := f.Properties[key].(string)
			return v
		})
		var parts []orb.LineString
		switch g := f.Geometry.(type) {
		case orb.LineString:
			parts = []orb.LineString{g}
		case orb.MultiLineString:
			parts = g
		default:
			return nil, fmt.Errorf("exchange: feature %d: geometry must be a LineString or MultiLineString", i+1)
		}
		for _, ls := range parts {
			if len(ls) < 2 {
				return nil, fmt.Errorf("exchange: feature %d: a line needs at least 2 points", i+1)
			}
			for _, p := range ls {
				if !geo.ValidLonLat(p) {
					return nil, fmt.Errorf("exchange: feature %d: coordinate %v is not a valid [lon, lat]", i+1, p)
				}
			}
			lines = append(lines, doorstep.NetworkLine{Geometry: ls, Kind: kind, Name: name, Sample: sample, Access: access})
		}
	}
	if len(lines) == 0 {
		return nil, errors.New("exchange: the file has no lines")
	}
	return lines, nil
}

// propertyOr returns the property name as a T, def when it is absent or null, and
// ok false when it has another type.
func propertyOr[T any](props geojson.Properties, name string, def T) (T, bool) {
	v, given := props[name]
	if !given || v == nil {
		return def, true
	}
	t, ok := v.(T)
	return t, ok
}
