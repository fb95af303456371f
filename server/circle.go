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
	writeCircle(c, snap, circle, crs, s.now())
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

// circleServiceJSON is a service point's properties in a circle answer, members
// in the order encoding/json gives a map's keys (as the answer once was).
type circleServiceJSON struct {
	Category    string  `json:"category"`
	DistanceM   float64 `json:"distance_m"`
	ID          int64   `json:"id"`
	Kind        string  `json:"kind"`
	Name        string  `json:"name"`
	NameEn      string  `json:"name_en"`
	OpenNow     bool    `json:"open_now"`
	Phone       string  `json:"phone"`
	ReopensOn   string  `json:"reopens_on"`
	Stale       bool    `json:"stale"`
	Status      string  `json:"status"`
	WalkMinutes float64 `json:"walk_minutes"`
}

// appendCircleService appends a service point's properties as encoding/json
// writes p: up to 500 of them a circle, too many to reflect over.
func appendCircleService(b []byte, p circleServiceJSON) []byte {
	b = append(b, `{"category":`...)
	b = appendJSONString(b, p.Category)
	b = append(b, `,"distance_m":`...)
	b = appendJSONFloat(b, p.DistanceM)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, p.Kind)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, p.Name)
	b = append(b, `,"name_en":`...)
	b = appendJSONString(b, p.NameEn)
	b = append(b, `,"open_now":`...)
	b = appendJSONBool(b, p.OpenNow)
	b = append(b, `,"phone":`...)
	b = appendJSONString(b, p.Phone)
	b = append(b, `,"reopens_on":`...)
	b = appendJSONString(b, p.ReopensOn)
	b = append(b, `,"stale":`...)
	b = appendJSONBool(b, p.Stale)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, p.Status)
	b = append(b, `,"walk_minutes":`...)
	b = appendJSONFloat(b, p.WalkMinutes)
	return append(b, '}')
}

// circleBandJSON is a smaller band's properties.
type circleBandJSON struct {
	Kind         string  `json:"kind"`
	Minutes      float64 `json:"minutes"`
	SpeedMPerMin float64 `json:"speed_m_per_min"`
}

// writeCircle answers with a circle as docs/api.md's FeatureCollection: first the
// reachable area, then one point per reachable service, then the smaller bands.
// The document is written directly rather than through orb's geojson types, whose
// every feature and geometry encoding/json re-scans once per level of nesting:
// that took two thirds of a circle answer's time.
func writeCircle(c *gin.Context, snap *finder.Snapshot, circle *finder.Circle, crs geo.CRS, now time.Time) {
	writeAnswer(c, geoJSONContentType, func(b []byte) ([]byte, error) { return appendCircle(b, snap, circle, crs, now) })
}

const geoJSONType = "application/geo+json; charset=utf-8"

var geoJSONContentType = []string{geoJSONType}

// appendCircle appends the circle's GeoJSON document to b.
func appendCircle(b []byte, snap *finder.Snapshot, circle *finder.Circle, crs geo.CRS, now time.Time) ([]byte, error) {
	last := len(circle.Bands) - 1
	props := gin.H{
		"kind": "circle", "minutes": circle.Bands[last].Minutes, "speed_m_per_min": circle.SpeedMPerMin,
		"origin": geo.FromWGS84(crs, circle.Origin),
	}
	addProfile(props, circle.Profile)
	if msg, out := snap.OutsideStreet(circle.Origin); out {
		props["outside_street"], props["message"] = true, msg
	}
	if circle.WithAreas {
		areas := make([]gin.H, len(circle.Areas))
		for i, a := range circle.Areas {
			areas[i] = gin.H{
				"id": a.Area.ID, "name": a.Area.Name, "share_within": finder.Round3(a.ShareWithin),
				"population": a.Area.Population, "elderly": a.Area.Elderly,
				"residents_within": math.Round(a.Residents), "elderly_within": math.Round(a.Elderly),
				"walk_minutes": a.WalkMinutes,
			}
		}
		props["residents_within"] = math.Round(circle.Residents)
		props["elderly_within"] = math.Round(circle.Elderly)
		props["areas"] = areas
	}
	services := circle.Services
	props["services_total"] = len(services)
	props["truncated"] = len(services) > maxCircleServices
	if len(services) > maxCircleServices {
		services = services[:maxCircleServices]
	}

	b = append(b, `{"type":"FeatureCollection","features":[`...)
	b = appendAreaFeature(b, circle.Bands[last].Area, crs)
	b, err := appendJSON(b, props)
	if err != nil {
		return b, err
	}
	for _, r := range services {
		b = append(b, `},{"type":"Feature","geometry":{"type":"Point","coordinates":`...)
		b = appendPosition(b, geo.FromWGS84(crs, r.Service.Point()))
		b = append(b, `},"properties":`...)
		b = appendCircleService(b, circleServiceJSON{
			Kind: "service", ID: r.Service.ID, Category: r.Service.Category, Name: r.Service.Name,
			NameEn: r.Service.NameEn, DistanceM: r.Walk.DistanceM, WalkMinutes: r.Walk.WalkMinutes,
			Status: r.Service.Status, ReopensOn: r.Service.ReopensOn, Phone: r.Service.Phone,
			OpenNow: snap.ReachedOpen(r, now), Stale: r.Service.Stale(now),
		})
	}
	for _, band := range circle.Bands[:last] {
		b = append(b, `},`...)
		b = appendAreaFeature(b, band.Area, crs)
		if b, err = appendJSON(b, circleBandJSON{Kind: "band", Minutes: band.Minutes, SpeedMPerMin: circle.SpeedMPerMin}); err != nil {
			return b, err
		}
	}
	return append(b, "}]}"...), nil
}

// appendAreaFeature opens a feature with the area as its geometry (a Polygon when
// it is one part, else a MultiPolygon), up to its properties' value.
func appendAreaFeature(b []byte, mp orb.MultiPolygon, crs geo.CRS) []byte {
	b = append(b, `{"type":"Feature","geometry":`...)
	b = appendPolygons(b, mp, crs)
	return append(b, `,"properties":`...)
}

// appendPolygons appends mp as a GeoJSON Polygon when it is one part, else as a
// MultiPolygon, in crs.
func appendPolygons(b []byte, mp orb.MultiPolygon, crs geo.CRS) []byte {
	if len(mp) == 1 {
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = appendRings(b, mp[0], crs)
		return append(b, '}')
	}
	b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
	for i, p := range mp {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRings(b, p, crs)
	}
	return append(b, "]}"...)
}

func appendRings(b []byte, p orb.Polygon, crs geo.CRS) []byte {
	b = append(b, '[')
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, q := range r {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendPosition(b, geo.FromWGS84(crs, q))
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendPosition appends p as [lon,lat] to 1e-8 degree (about a millimetre): an
// outline is good to a grid cell of metres, and its vertices stay apart by
// centimetres, so the rounding neither moves nor merges them.
func appendPosition(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = appendCoordinate(b, p[0])
	b = append(b, ',')
	b = appendCoordinate(b, p[1])
	return append(b, ']')
}

// appendCoordinate appends a degree to 8 decimals, without trailing zeros. It
// formats the whole number of 1e-8 degrees itself: strconv's fixed-precision
// formatting was a tenth of a circle answer's time.
func appendCoordinate(b []byte, v float64) []byte {
	n := math.Round(v * 1e8)
	if !(math.Abs(n) < 1e17) { // not a degree (NaN is refused by encoding/json too)
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	}
	units := int64(n)
	if units < 0 {
		b = append(b, '-')
		units = -units
	}
	b = strconv.AppendInt(b, units/1e8, 10)
	frac := units % 1e8
	if frac == 0 {
		return b
	}
	var digits [9]byte
	digits[0] = '.'
	for i := 8; i > 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	end := 9
	for digits[end-1] == '0' {
		end--
	}
	return append(b, digits[:end]...)
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
	c.Header("Content-Type", geoJSONType)
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
