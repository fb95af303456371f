package server

import (
	"math"
	"net/url"
	"strconv"
	"strings"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// Limits on list sizes; a request beyond them is refused rather than silently cut,
// so a client never mistakes a partial answer for a whole one.
const (
	defaultLimit = 20
	maxLimit     = 500
	maxOffset    = 1_000_000
)

// params reads query parameters strictly: a parameter given twice, a number that
// does not parse or is not finite, or one out of range is an EINVALID naming it.
type params struct {
	values url.Values
}

func parseParams(rawQuery string) (*params, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, doorstep.FieldErrorf("query", "The query string is malformed: %v.", err)
	}
	return &params{values: values}, nil
}

// get returns the single value of name and whether it was given.
func (p *params) get(name string) (string, bool, error) {
	vs, ok := p.values[name]
	if !ok {
		return "", false, nil
	}
	if len(vs) > 1 {
		return "", false, doorstep.FieldErrorf(name, "%s is given more than once.", name)
	}
	return vs[0], true, nil
}

// float returns a finite number in [min, max], or ok=false when absent.
func (p *params) float(name string, min, max float64) (float64, bool, error) {
	s, ok, err := p.get(name)
	if err != nil || !ok {
		return 0, false, err
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false, doorstep.FieldErrorf(name, "%s must be a number.", name)
	}
	if f < min || f > max {
		return 0, false, doorstep.FieldErrorf(name, "%s must be between %g and %g.", name, min, max)
	}
	return f, true, nil
}

// int returns an integer in [min, max], or def when absent.
func (p *params) int(name string, def, min, max int) (int, error) {
	s, ok, err := p.get(name)
	if err != nil || !ok {
		return def, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, doorstep.FieldErrorf(name, "%s must be a whole number.", name)
	}
	if n < min || n > max {
		return 0, doorstep.FieldErrorf(name, "%s must be between %d and %d.", name, min, max)
	}
	return n, nil
}

// bool accepts true/false/1/0 and an empty value as true (a bare ?open_now).
func (p *params) bool(name string) (bool, error) {
	s, ok, err := p.get(name)
	if err != nil || !ok {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "1", "true", "yes":
		return true, nil
	case "0", "false", "no":
		return false, nil
	}
	return false, doorstep.FieldErrorf(name, "%s must be true or false.", name)
}

// crs returns the coordinate system of coordinates in the request and answer.
func (p *params) crs() (geo.CRS, error) {
	s, _, err := p.get("crs")
	if err != nil {
		return "", err
	}
	c, err := geo.ParseCRS(s)
	if err != nil {
		return "", doorstep.FieldErrorf("crs", "crs must be wgs84, gcj02 or bd09.")
	}
	return c, nil
}

// point returns the WGS84 origin from lon and lat (in the request's crs), nil when
// both are absent; one without the other is an error naming the missing one.
func (p *params) point(c geo.CRS) (*orb.Point, error) {
	return p.pointNamed(c, "lon", "lat")
}

// pointNamed is point from the parameters named lonName and latName (from_lon and
// from_lat, say).
func (p *params) pointNamed(c geo.CRS, lonName, latName string) (*orb.Point, error) {
	lon, hasLon, err := p.float(lonName, -180, 180)
	if err != nil {
		return nil, err
	}
	lat, hasLat, err := p.float(latName, -90, 90)
	if err != nil {
		return nil, err
	}
	switch {
	case !hasLon && !hasLat:
		return nil, nil
	case !hasLon:
		return nil, doorstep.FieldErrorf(lonName, "%s is required with %s.", lonName, latName)
	case !hasLat:
		return nil, doorstep.FieldErrorf(latName, "%s is required with %s.", latName, lonName)
	}
	pt := geo.ToWGS84(c, orb.Point{lon, lat})
	return &pt, nil
}

// requiredPoint is point for endpoints that cannot answer without an origin.
func (p *params) requiredPoint(c geo.CRS) (orb.Point, error) {
	pt, err := p.point(c)
	if err != nil {
		return orb.Point{}, err
	} else if pt == nil {
		return orb.Point{}, doorstep.FieldErrorf("lon", "lon and lat are required.")
	}
	return *pt, nil
}

// speed returns the walking speed in metres a minute (doorstep.ParseSpeed).
func (p *params) speed() (float64, error) {
	s, _, err := p.get("speed")
	if err != nil {
		return 0, err
	}
	return doorstep.ParseSpeed(s)
}

// profile returns how the request walks: profile (walk, the default; step_free;
// walker) and, for a walker, step_seconds, the extra time a flight of steps takes.
func (p *params) profile() (doorstep.Profile, error) {
	name, _, err := p.get("profile")
	if err != nil {
		return doorstep.Profile{}, err
	}
	seconds, given, err := p.get("step_seconds")
	if err != nil {
		return doorstep.Profile{}, err
	}
	prof, err := doorstep.ParseProfile(name, seconds)
	if err == nil && given && prof.Name != doorstep.ProfileWalker {
		err = doorstep.FieldErrorf("step_seconds", "step_seconds goes with profile=walker.")
	}
	return prof, err
}
