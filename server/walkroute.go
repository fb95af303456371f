package server

import (
	"net/http"
	"strconv"
	"strings"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"
)

func (s *Server) handleRoute(c *gin.Context) {
	p, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	snap, err := s.walkingSnapshot(p)
	var q finder.RouteQuery
	if err == nil {
		q, err = routeQuery(p, crs)
	}
	var ans *finder.RouteAnswer
	if err == nil {
		ans, err = snap.Route(q)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("Content-Type", "application/geo+json; charset=utf-8")
	c.JSON(http.StatusOK, routeFeature(snap, ans, crs))
}

// routeQuery reads from_lon and from_lat (required), the destination as
// to_service=ID or to_lon and to_lat (one of the two), and speed.
func routeQuery(p *params, crs geo.CRS) (finder.RouteQuery, error) {
	var q finder.RouteQuery
	from, err := p.pointNamed(crs, "from_lon", "from_lat")
	if err != nil {
		return q, err
	} else if from == nil {
		return q, doorstep.FieldErrorf("from_lon", "from_lon and from_lat are required.")
	}
	q.From = *from
	if q.To, err = p.pointNamed(crs, "to_lon", "to_lat"); err != nil {
		return q, err
	}
	id, given, err := p.get("to_service")
	switch {
	case err != nil:
		return q, err
	case given && q.To != nil:
		return q, doorstep.FieldErrorf("to_service", "Give to_service or to_lon and to_lat, not both.")
	case !given && q.To == nil:
		return q, doorstep.FieldErrorf("to_service", "to_service, or to_lon and to_lat, is required.")
	case given:
		if q.ServiceID, err = strconv.ParseInt(strings.TrimSpace(id), 10, 64); err != nil || q.ServiceID <= 0 {
			return q, doorstep.FieldErrorf("to_service", "to_service must be a listing id, a positive whole number.")
		}
	}
	q.Speed, err = p.speed()
	return q, err
}

// routeFeature encodes a route as a GeoJSON Feature (docs/api.md, GET /api/route).
func routeFeature(snap *finder.Snapshot, ans *finder.RouteAnswer, crs geo.CRS) *geojson.Feature {
	f := geojson.NewFeature(toCRS(crs, ans.Line))
	directions := make([]gin.H, len(ans.Directions))
	for i, d := range ans.Directions {
		directions[i] = gin.H{"zh": d.Zh, "en": d.En, "metres": d.Metres}
	}
	f.Properties = geojson.Properties{
		"kind": "route", "distance_m": ans.DistanceM, "walk_minutes": ans.WalkMinutes,
		"speed_m_per_min": ans.SpeedMPerMin, "steps_flights": ans.Flights, "crossings": ans.Crossings,
		"from": geo.FromWGS84(crs, ans.From), "to": geo.FromWGS84(crs, ans.To), "directions": directions,
	}
	addProfile(f.Properties, ans.Profile)
	if ans.Service != nil {
		f.Properties["service"] = gin.H{"id": ans.Service.ID, "name": ans.Service.Name, "name_en": ans.Service.NameEn}
	}
	if out := outsideOf(snap, &ans.From); out.OutsideStreet {
		f.Properties["outside_street"], f.Properties["message"] = true, out.Message
	}
	return f
}
