package server

import (
	"math"
	"net/http"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
)

// requireRole lets through only signed-in users with one of the roles; it runs
// after requireUser.
func requireRole(roles ...doorstep.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		u := doorstep.UserFromContext(c.Request.Context())
		for _, r := range roles {
			if u != nil && u.Role == r {
				c.Next()
				return
			}
		}
		writeError(c, doorstep.Errorf(doorstep.EFORBIDDEN, "This needs a street-office account."))
	}
}

// coverageQuery reads minutes (default 15), speed and category (one id; every
// category when absent) as the coverage query; the finder checks their ranges.
func coverageQuery(p *params) (finder.CoverageQuery, error) {
	q := finder.CoverageQuery{Minutes: doorstep.DefaultCircleMinutes}
	var err error
	if q.Speed, err = p.speed(); err != nil {
		return q, err
	}
	if m, given, err := p.float("minutes", math.Inf(-1), math.Inf(1)); err != nil {
		return q, err
	} else if given {
		q.Minutes = m
	}
	if id, _, err := p.get("category"); err != nil {
		return q, err
	} else if id != "" {
		q.Categories = []string{id}
	}
	return q, nil
}

func (s *Server) handleCoverage(c *gin.Context) {
	p, _, ok := s.requestParams(c)
	if !ok {
		return
	}
	q, err := coverageQuery(p)
	if err != nil {
		writeError(c, err)
		return
	}
	report, err := s.Snapshot().Coverage(q)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, report.JSON())
}

// whatIfRequest is the body of POST /api/coverage/whatif.
type whatIfRequest struct {
	Category       string
	Lon, Lat       *float64
	Minutes, Speed *float64
	CRS            string
}

// readWhatIf takes the members of a what-if body, each checked for its type.
func readWhatIf(body jsonObject) (whatIfRequest, error) {
	var req whatIfRequest
	members := map[string]struct {
		dst  any
		what string
	}{
		"category": {&req.Category, "a category id"}, "crs": {&req.CRS, "wgs84, gcj02 or bd09"},
		"lon": {&req.Lon, "a number"}, "lat": {&req.Lat, "a number"},
		"minutes": {&req.Minutes, "a number"}, "speed": {&req.Speed, "a number"},
	}
	for _, name := range body.names() {
		m, known := members[name]
		if !known {
			return req, doorstep.FieldErrorf(name, "Unknown field %q.", name)
		}
		if err := body.decode(name, m.dst, m.what, true); err != nil {
			return req, err
		}
	}
	return req, nil
}

func (s *Server) handleWhatIf(c *gin.Context) {
	body, ok := readJSONObject(c)
	if !ok {
		return
	}
	req, err := readWhatIf(body)
	if err != nil {
		writeError(c, err)
		return
	}
	crs, err := geo.ParseCRS(req.CRS)
	if err != nil {
		writeError(c, doorstep.FieldErrorf("crs", "crs must be wgs84, gcj02 or bd09."))
		return
	}
	minutes, speed := float64(doorstep.DefaultCircleMinutes), doorstep.SpeedElder
	checks := []struct {
		field    string
		v        *float64
		min, max float64
		required bool
		dst      *float64
	}{
		{"lon", req.Lon, -180, 180, true, nil},
		{"lat", req.Lat, -90, 90, true, nil},
		{"minutes", req.Minutes, 1, 60, false, &minutes},
		{"speed", req.Speed, doorstep.SpeedMin, doorstep.SpeedMax, false, &speed},
	}
	for _, ck := range checks {
		switch {
		case ck.v == nil && ck.required:
			writeError(c, doorstep.FieldErrorf(ck.field, "%s is required.", ck.field))
			return
		case ck.v == nil:
		case *ck.v < ck.min || *ck.v > ck.max:
			writeError(c, doorstep.FieldErrorf(ck.field, "%s must be between %g and %g.", ck.field, ck.min, ck.max))
			return
		case ck.dst != nil:
			*ck.dst = *ck.v
		}
	}
	if req.Category == "" {
		writeError(c, doorstep.FieldErrorf("category", "category is required."))
		return
	}
	site := geo.ToWGS84(crs, orb.Point{*req.Lon, *req.Lat})
	ans, err := s.Snapshot().WhatIf(req.Category, site, minutes, speed)
	if err != nil {
		writeError(c, err)
		return
	}
	before, after := ans.Before.JSON(), ans.After.JSON()
	var areas []gin.H
	for i, a := range ans.Areas {
		b, f := ans.BeforeAreas[i], ans.AfterAreas[i]
		if b.Share == f.Share && minutesEqual(b.WalkMinutes, f.WalkMinutes) {
			continue
		}
		areas = append(areas, gin.H{
			"id": a.ID, "name": a.Name, "elderly": a.Elderly, "population": a.Population,
			"share_before": finder.Round3(b.Share), "share_after": finder.Round3(f.Share),
			"walk_minutes_before": b.WalkMinutes, "walk_minutes_after": f.WalkMinutes,
		})
	}
	c.JSON(http.StatusOK, gin.H{
		"category": req.Category, "site": geo.FromWGS84(crs, site), "minutes": minutes, "speed_m_per_min": speed,
		"before": before, "after": after,
		"difference": gin.H{
			"elderly_covered":    after.ElderlyCovered - before.ElderlyCovered,
			"elderly_share":      finder.Round3(ans.After.ElderlyShare - ans.Before.ElderlyShare),
			"population_covered": after.PopulationCovered - before.PopulationCovered,
			"areas_full":         after.AreasFull - before.AreasFull,
			"areas_none":         after.AreasNone - before.AreasNone,
		},
		"areas": nonNil(areas),
	})
}

func minutesEqual(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func nonNil(list []gin.H) []gin.H {
	if list == nil {
		return []gin.H{}
	}
	return list
}

func (s *Server) handleSuggest(c *gin.Context) {
	p, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	q, err := coverageQuery(p)
	if err != nil {
		writeError(c, err)
		return
	} else if len(q.Categories) == 0 {
		writeError(c, doorstep.FieldErrorf("category", "category is required."))
		return
	}
	snap := s.Snapshot()
	if err := q.Validate(snap.Base); err != nil {
		writeError(c, err)
		return
	}
	id, minutes, speed := q.Categories[0], q.Minutes, q.Speed
	count, err := p.int("count", 3, 1, 10)
	if err != nil {
		writeError(c, err)
		return
	}
	sites, err := snap.Suggest(id, count, minutes, speed)
	if err != nil {
		writeError(c, err)
		return
	}
	list := []gin.H{}
	for _, site := range sites {
		pt := geo.FromWGS84(crs, site.Point)
		list = append(list, gin.H{"lon": pt[0], "lat": pt[1],
			"elderly_added": math.Round(site.ElderlyAdded), "residents_added": math.Round(site.ResidentsAdded)})
	}
	c.JSON(http.StatusOK, gin.H{"category": id, "minutes": minutes, "speed_m_per_min": speed, "count": count,
		"method": "greedy maximal covering (Church and ReVelle, 1974)", "sites": list})
}
