package server

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Limits of the network endpoint: a box larger than this, or holding more lines,
// is refused rather than answered slowly.
const (
	maxNetworkBoxDegrees = 0.1
	maxNetworkLines      = 20000
)

func (s *Server) handleCircle(c *gin.Context) {
	s.serveCircle(c, func(snap *finder.Snapshot, p *params, crs geo.CRS, speed, minutes float64, bands []float64) (*finder.Circle, error) {
		origin, err := p.requiredPoint(crs)
		if err != nil {
			return nil, err
		}
		return snap.Circle(origin, speed, minutes, bands)
	})
}

func (s *Server) handleCatchment(c *gin.Context) {
	s.serveCircle(c, func(snap *finder.Snapshot, _ *params, _ geo.CRS, speed, minutes float64, bands []float64) (*finder.Circle, error) {
		id, err := serviceID(c)
		if err != nil {
			return nil, err
		}
		return snap.Catchment(id, speed, minutes, bands)
	})
}

// serveCircle reads the circle parameters, asks draw for the circle and answers
// with its GeoJSON or the error.
func (s *Server) serveCircle(c *gin.Context, draw func(*finder.Snapshot, *params, geo.CRS, float64, float64, []float64) (*finder.Circle, error)) {
	p, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	speed, minutes, bands, err := circleParams(p)
	var snap *finder.Snapshot
	if err == nil {
		snap, err = s.walkingSnapshot(p)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	circle, err := draw(snap, p, crs, speed, minutes, bands)
	if err != nil {
		writeError(c, err)
		return
	}
	writeGeoJSON(c, circleFeatures(snap, circle, crs, s.now()))
}

// circleParams reads speed, minutes (1–60, default 15) and bands (minutes below
// the circle to draw as well; default the 5- and 10-minute bands).
func circleParams(p *params) (speed, minutes float64, bands []float64, err error) {
	if speed, err = p.speed(); err != nil {
		return
	}
	var given bool
	if minutes, given, err = p.float("minutes", 1, 60); err != nil {
		return
	} else if !given {
		minutes = doorstep.DefaultCircleMinutes
	}
	raw, given, err := p.get("bands")
	if err != nil {
		return
	}
	if !given {
		for _, b := range []float64{5, 10} {
			if b < minutes {
				bands = append(bands, b)
			}
		}
		return
	}
	for _, part := range strings.Split(raw, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		b, perr := strconv.ParseFloat(part, 64)
		if perr != nil || math.IsNaN(b) || b < 1 || b > 60 {
			err = doorstep.FieldErrorf("bands", "bands must be minutes from 1 to 60, separated by commas.")
			return
		}
		bands = append(bands, b)
	}
	if len(bands) > 5 {
		err = doorstep.FieldErrorf("bands", "At most 5 bands.")
	}
	return
}

// maxCircleServices caps the service points one circle answer holds, nearest
// first; the circle's properties say how many were reached in all and whether the
// list was cut (truncated). A var so a test can lower it.
var maxCircleServices = 500

// circleFeatures encodes a circle as docs/api.md's FeatureCollection: first the
// reachable area, then one point per reachable service, then the smaller bands.
func circleFeatures(snap *finder.Snapshot, circle *finder.Circle, crs geo.CRS, now time.Time) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	last := len(circle.Bands) - 1
	areas := make([]gin.H, len(circle.Areas))
	for i, a := range circle.Areas {
		areas[i] = gin.H{
			"id": a.Area.ID, "name": a.Area.Name, "share_within": finder.Round3(a.ShareWithin),
			"population": a.Area.Population, "elderly": a.Area.Elderly,
			"residents_within": math.Round(a.Residents), "elderly_within": math.Round(a.Elderly),
			"walk_minutes": a.WalkMinutes,
		}
	}
	main := geojson.NewFeature(toCRS(crs, polygonOrMulti(circle.Bands[last].Area)))
	main.Properties = geojson.Properties{
		"kind": "circle", "minutes": circle.Bands[last].Minutes, "speed_m_per_min": circle.SpeedMPerMin,
		"origin": geo.FromWGS84(crs, circle.Origin),
	}
	addProfile(main.Properties, circle.Profile)
	if msg, out := snap.OutsideStreet(circle.Origin); out {
		main.Properties["outside_street"], main.Properties["message"] = true, msg
	}
	if circle.WithAreas {
		main.Properties["residents_within"] = math.Round(circle.Residents)
		main.Properties["elderly_within"] = math.Round(circle.Elderly)
		main.Properties["areas"] = areas
	}
	services := circle.Services
	main.Properties["services_total"] = len(services)
	main.Properties["truncated"] = len(services) > maxCircleServices
	if len(services) > maxCircleServices {
		services = services[:maxCircleServices]
	}
	fc.Append(main)
	for _, r := range services {
		f := geojson.NewFeature(geo.FromWGS84(crs, r.Service.Point()))
		f.Properties = geojson.Properties{
			"kind": "service", "id": r.Service.ID, "category": r.Service.Category, "name": r.Service.Name,
			"name_en": r.Service.NameEn, "distance_m": r.Walk.DistanceM, "walk_minutes": r.Walk.WalkMinutes,
			"status": r.Service.Status, "reopens_on": r.Service.ReopensOn, "phone": r.Service.Phone,
			"open_now": snap.IsOpen(r.Service, now), "stale": r.Service.Stale(now),
		}
		fc.Append(f)
	}
	for _, b := range circle.Bands[:last] {
		f := geojson.NewFeature(toCRS(crs, polygonOrMulti(b.Area)))
		f.Properties = geojson.Properties{"kind": "band", "minutes": b.Minutes, "speed_m_per_min": circle.SpeedMPerMin}
		fc.Append(f)
	}
	return fc
}

func polygonOrMulti(mp orb.MultiPolygon) orb.Geometry {
	if len(mp) == 1 {
		return mp[0]
	}
	return mp
}

func (s *Server) handleNetwork(c *gin.Context) {
	p, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	snap := s.Snapshot()
	lines, err := networkIn(p, crs, snap)
	if err != nil {
		writeError(c, err)
		return
	}
	fc := geojson.NewFeatureCollection()
	for _, l := range lines {
		f := geojson.NewFeature(toCRS(crs, l.Geometry))
		f.Properties = geojson.Properties{"kind": l.Kind, "name": l.Name, "sample": l.Sample}
		fc.Append(f)
	}
	writeGeoJSON(c, fc)
}

// bboxParam reads bbox=minlon,minlat,maxlon,maxlat (in the request's crs) as a
// WGS84 bound, nil when absent.
func bboxParam(p *params, crs geo.CRS) (*orb.Bound, error) {
	raw, given, err := p.get("bbox")
	if err != nil || !given {
		return nil, err
	}
	parts := strings.Split(raw, ",")
	bad := doorstep.FieldErrorf("bbox", "bbox must be minlon,minlat,maxlon,maxlat with min below max.")
	if len(parts) != 4 {
		return nil, bad
	}
	var v [4]float64
	for i, part := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, bad
		}
		v[i] = f
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] >= v[2] || v[1] >= v[3] {
		return nil, bad
	}
	if v[2]-v[0] > maxNetworkBoxDegrees || v[3]-v[1] > maxNetworkBoxDegrees {
		return nil, doorstep.FieldErrorf("bbox", "bbox may span at most %g degrees each way.", maxNetworkBoxDegrees)
	}
	b := orb.Bound{Min: geo.ToWGS84(crs, orb.Point{v[0], v[1]}), Max: geo.ToWGS84(crs, orb.Point{v[2], v[3]})}
	return &b, nil
}

// writeGeoJSON answers with a GeoJSON document.
func writeGeoJSON(c *gin.Context, fc *geojson.FeatureCollection) {
	c.Header("Content-Type", "application/geo+json; charset=utf-8")
	c.JSON(http.StatusOK, fc)
}

// serviceID reads the :id path parameter.
func serviceID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, doorstep.FieldErrorf("id", "id must be a positive whole number.")
	}
	return id, nil
}

// networkIn returns the network's lines in the bbox parameter, around the street
// when it is absent; a box holding more than maxNetworkLines is refused.
func networkIn(p *params, crs geo.CRS, snap *finder.Snapshot) ([]doorstep.NetworkLine, error) {
	box, err := bboxParam(p, crs)
	if err != nil {
		return nil, err
	}
	if box == nil {
		street := snap.Street()
		if street == nil {
			return nil, doorstep.FieldErrorf("bbox", "bbox is required.")
		}
		b := street.Geometry.Bound().Pad(0.005)
		box = &b
	}
	lines, truncated := snap.NetworkLinesIn(*box, maxNetworkLines)
	if truncated {
		return nil, doorstep.FieldErrorf("bbox", "The box holds more than %d lines; ask for a smaller one.", maxNetworkLines)
	}
	return lines, nil
}
