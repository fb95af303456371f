package server

import (
	"net/http"
	"time"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
)

func (s *Server) handleServices(c *gin.Context) {
	p, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	snap, err := s.walkingSnapshot(p)
	var q finder.Query
	if err == nil {
		q, err = servicesQuery(p, crs, snap)
	}
	if err == nil {
		// ?q= keeps the listings whose text matches, best first without an origin.
		q.Matches, err = textSearch(c.Request.Context(), p, s.db.SearchServices)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	q.Now = s.now()
	w := s.newListingWriter(snap, crs, q.Now)
	writeAnswer(c, jsonContentTypeHeader, func(b []byte) ([]byte, error) { return w.appendServicesAnswer(b, q), nil })
}

func servicesQuery(p *params, crs geo.CRS, snap *finder.Snapshot) (finder.Query, error) {
	var q finder.Query
	var err error
	if q.Origin, err = p.point(crs); err != nil {
		return q, err
	}
	if q.Category, err = category(p, snap); err != nil {
		return q, err
	}
	if q.SpeedMPerMin, err = p.speed(); err != nil {
		return q, err
	}
	if q.WithinMinutes, _, err = p.float("within_minutes", 1, 120); err != nil {
		return q, err
	}
	if q.WithinMinutes > 0 && q.Origin == nil {
		return q, doorstep.FieldErrorf("within_minutes", "within_minutes needs lon and lat.")
	}
	if q.OpenNow, err = p.bool("open_now"); err != nil {
		return q, err
	}
	if q.Limit, err = p.int("limit", defaultLimit, 1, maxLimit); err != nil {
		return q, err
	}
	if q.Offset, err = p.int("offset", 0, 0, maxOffset); err != nil {
		return q, err
	}
	return q, nil
}

func category(p *params, snap *finder.Snapshot) (string, error) {
	id, ok, err := p.get("category")
	if err != nil || !ok || id == "" {
		return "", err
	}
	if err := snap.CheckCategory(id); err != nil {
		return "", err
	}
	return id, nil
}

// serviceIn returns the listing id of snap; one it does not hold is not found.
func serviceIn(snap *finder.Snapshot, id int64) (*doorstep.Service, error) {
	svc, ok := snap.Service(id)
	if !ok {
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "Service %d not found.", id)
	}
	return svc, nil
}

func (s *Server) handleService(c *gin.Context) {
	_, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	id, err := serviceID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	snap := s.Snapshot()
	svc, err := serviceIn(snap, id)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, newServiceJSON(snap, &s.reported, svc, nil, crs, s.now()))
}

func (s *Server) handleDoorstep(c *gin.Context) {
	p, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	origin, err := p.requiredPoint(crs)
	if err != nil {
		writeError(c, err)
		return
	}
	speed, err := p.speed()
	var snap *finder.Snapshot
	if err == nil {
		snap, err = s.walkingSnapshot(p)
	}
	var answer func(orb.Point, float64, time.Time) finder.DoorstepAnswer
	if err == nil {
		answer, err = doorstepAnswerer(p, snap)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	now := s.now()
	s.writeDoorstep(c, snap, crs, answer(origin, speed, now), now)
}

// writeDoorstep answers with ans, today's menu on its meal points' objects.
func (s *Server) writeDoorstep(c *gin.Context, snap *finder.Snapshot, crs geo.CRS, ans finder.DoorstepAnswer, now time.Time) {
	menus, err := s.mealMenus(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	w := s.newListingWriter(snap, crs, now)
	writeAnswer(c, jsonContentTypeHeader, func(b []byte) ([]byte, error) { return w.appendDoorstepAnswer(b, ans, menus), nil })
}

// doorstepAnswerer is the snapshot's doorstep answer the request asks for: of the
// services open now with ?open_now, else of those in service.
func doorstepAnswerer(p *params, snap *finder.Snapshot) (func(orb.Point, float64, time.Time) finder.DoorstepAnswer, error) {
	openNow, err := p.bool("open_now")
	if err != nil {
		return nil, err
	}
	if openNow {
		return snap.DoorstepOpenNow, nil
	}
	return snap.Doorstep, nil
}

// walkingSnapshot is the current snapshot as walked by the request's profile
// (params.profile).
func (s *Server) walkingSnapshot(p *params) (*finder.Snapshot, error) {
	prof, err := p.profile()
	if err != nil {
		return nil, err
	}
	return s.Snapshot().ForProfile(prof), nil
}

// profileJSON says which profile an answer walked by; step_seconds only for a
// walker.
type profileJSON struct {
	Profile     doorstep.ProfileName `json:"profile"`
	StepSeconds *float64             `json:"step_seconds,omitempty"`
}

func newProfileJSON(p doorstep.Profile) profileJSON {
	out := profileJSON{Profile: p.Name}
	if p.Name == doorstep.ProfileWalker {
		out.StepSeconds = &p.StepSeconds
	}
	return out
}

// addProfile adds profileJSON's members to an answer built as a map.
func addProfile(h map[string]any, p doorstep.Profile) {
	pj := newProfileJSON(p)
	h["profile"] = pj.Profile
	if pj.StepSeconds != nil {
		h["step_seconds"] = *pj.StepSeconds
	}
}

// requestParams parses the query string and its crs, answering the error itself.
func (s *Server) requestParams(c *gin.Context) (*params, geo.CRS, bool) {
	p, err := parseParams(c.Request.URL.RawQuery)
	if err != nil {
		writeError(c, err)
		return nil, "", false
	}
	crs, err := p.crs()
	if err != nil {
		writeError(c, err)
		return nil, "", false
	}
	return p, crs, true
}

// outsideJSON flags an answer for a point outside the street: still answered,
// with words the page shows.
type outsideJSON struct {
	OutsideStreet bool   `json:"outside_street"`
	Message       string `json:"message,omitempty"`
}

// outsideOf is the flag of an answer from origin (none without one).
func outsideOf(snap *finder.Snapshot, origin *orb.Point) outsideJSON {
	if origin == nil {
		return outsideJSON{}
	}
	msg, out := snap.OutsideStreet(*origin)
	return outsideJSON{OutsideStreet: out, Message: msg}
}

// serviceJSON is the service object of the API: the listing with its coordinates
// in the answer's crs, whether it is open now and when that changes next, and its
// walk when the request had an origin.
type serviceJSON struct {
	*doorstep.Service
	Lon         float64         `json:"lon"` // shadows the embedded WGS84 coordinates
	Lat         float64         `json:"lat"`
	OpenNow     bool            `json:"open_now"`
	NextChange  *nextChangeJSON `json:"next_change"` // null: hours unknown, always open, or no reopening date
	Stale       bool            `json:"stale"`       // not checked by its staff within doorstep.StaleAfter
	DistanceM   *float64        `json:"distance_m,omitempty"`
	WalkMinutes *float64        `json:"walk_minutes,omitempty"`
	Estimate    string          `json:"estimate,omitempty"`
	// Reported: residents reported it wrong since it was last checked (reports.go).
	Reported bool `json:"reported"`
	// Navigate: links that open the phone's map app walking there (navigate.go).
	Navigate navigateJSON `json:"navigate"`
	// TodayMenu: a meal point's menu today, in the doorstep answer when one is kept.
	TodayMenu *doorstep.Menu `json:"today_menu,omitempty"`
}

// newServiceJSON writes a listing with its hours read in the street's time zone,
// which snap knows.
func newServiceJSON(snap *finder.Snapshot, reported *reportedSet, svc *doorstep.Service, walk *finder.Walk, crs geo.CRS, now time.Time) serviceJSON {
	pt := geo.FromWGS84(crs, svc.Point())
	sj := serviceJSON{Service: svc, Lon: pt[0], Lat: pt[1], OpenNow: snap.IsOpen(svc, now), Stale: svc.Stale(now),
		Reported: reported.has(svc), Navigate: newNavigateJSON(svc)}
	if change, ok := snap.NextChange(svc, now); ok {
		sj.NextChange = newNextChangeJSON(change, now)
	}
	if walk != nil {
		d, m := walk.DistanceM, walk.WalkMinutes
		sj.DistanceM, sj.WalkMinutes, sj.Estimate = &d, &m, walk.Estimate
	}
	return sj
}

// toCRS returns g in the answer's coordinate system, leaving g itself untouched.
func toCRS(crs geo.CRS, g orb.Geometry) orb.Geometry {
	if crs == geo.WGS84 {
		return g
	}
	return project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point { return geo.FromWGS84(crs, p) })
}
