package server

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"

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
	snap, err := s.walkingSnapshot(p)
	var q finder.CoverageQuery
	if err == nil {
		q, err = coverageQuery(p)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	report, err := snap.Coverage(q)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, report.JSON())
}

// whatIfRequest is the body of POST /api/coverage/whatif.
type whatIfRequest struct {
	Category string
	Lon, Lat *float64
	Minutes  *float64
	Speed    *jsonSpeed
	CRS      string
	Profile  string
	StepSecs *float64
}

// jsonSpeed is a walking speed given in JSON as the query gives it: "elder",
// "adult" or metres a minute, as a number or text (doorstep.ParseSpeed).
type jsonSpeed float64

func (v *jsonSpeed) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		text = string(data) // a number
	}
	speed, err := doorstep.ParseSpeed(text)
	*v = jsonSpeed(speed)
	return err
}

// whatIf is a checked what-if question: one category's coverage with a new site.
type whatIf struct {
	query   finder.CoverageQuery
	site    orb.Point        // WGS84
	crs     geo.CRS          // of the request and the answer
	profile doorstep.Profile // how residents walk
}

// readWhatIf reads and checks a what-if body, each member by name and type.
func readWhatIf(body jsonObject, snap *finder.Snapshot) (w whatIf, err error) {
	var req whatIfRequest
	if err := decodeMembersNullable(body, map[string]bodyMember{
		"category": {what: "a category id", dst: &req.Category}, "crs": {what: "wgs84, gcj02 or bd09", dst: &req.CRS},
		"lon": {what: "a number", dst: &req.Lon}, "lat": {what: "a number", dst: &req.Lat}, "minutes": {what: "a number", dst: &req.Minutes},
		"speed":   {what: fmt.Sprintf("elder, adult, or metres a minute from %g to %g", doorstep.SpeedMin, doorstep.SpeedMax), dst: &req.Speed},
		"profile": {what: "walk, step_free or walker", dst: &req.Profile}, "step_seconds": {what: "a number of seconds", dst: &req.StepSecs},
	}, true); err != nil {
		return w, err
	}
	if w.crs, err = geo.ParseCRS(req.CRS); err != nil {
		return w, doorstep.FieldErrorf("crs", "crs must be wgs84, gcj02 or bd09.")
	}
	var secs string
	if req.StepSecs != nil {
		secs = strconv.FormatFloat(*req.StepSecs, 'f', -1, 64)
	}
	if w.profile, err = doorstep.ParseProfile(req.Profile, secs); err != nil {
		return w, err
	}
	switch {
	case req.Category == "":
		return w, doorstep.FieldErrorf("category", "category is required.")
	case req.Lon == nil:
		return w, doorstep.FieldErrorf("lon", "lon is required.")
	case req.Lat == nil:
		return w, doorstep.FieldErrorf("lat", "lat is required.")
	}
	if err := doorstep.CheckLonLat(*req.Lon, *req.Lat); err != nil {
		return w, err
	}
	w.site = geo.ToWGS84(w.crs, orb.Point{*req.Lon, *req.Lat})
	w.query = finder.CoverageQuery{Minutes: doorstep.DefaultCircleMinutes, Speed: doorstep.SpeedElder, Categories: []string{req.Category}}
	if req.Minutes != nil {
		w.query.Minutes = *req.Minutes
	}
	if req.Speed != nil {
		w.query.Speed = float64(*req.Speed)
	}
	return w, w.query.Validate(snap.Base)
}

func (s *Server) handleWhatIf(c *gin.Context) {
	body, ok := readJSONObject(c)
	if !ok {
		return
	}
	snap := s.Snapshot()
	w, err := readWhatIf(body, snap)
	if err != nil {
		writeError(c, err)
		return
	}
	ans, err := snap.ForProfile(w.profile).WhatIf(w.query.Categories[0], w.site, w.query.Minutes, w.query.Speed)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, newWhatIfJSON(w, ans))
}

// newWhatIfJSON is the answer of a what-if: the category's coverage before and
// after, their difference, and the areas it changes.
func newWhatIfJSON(w whatIf, ans *finder.WhatIfAnswer) gin.H {
	before, after := ans.Before.JSON(), ans.After.JSON()
	areas := []gin.H{}
	for i, a := range ans.Areas {
		b, f := ans.BeforeAreas[i], ans.AfterAreas[i]
		if b.Share == f.Share && minutesEqual(b.WalkMinutes, f.WalkMinutes) {
			continue
		}
		areas = append(areas, gin.H{
			"id": a.ID, "name": a.Name, "elderly": a.Elderly, "population": a.Population,
			"share_before": b.ShareRounded(), "share_after": f.ShareRounded(),
			"walk_minutes_before": b.WalkMinutes, "walk_minutes_after": f.WalkMinutes,
		})
	}
	out := gin.H{
		"category": w.query.Categories[0], "site": geo.FromWGS84(w.crs, w.site),
		"minutes": w.query.Minutes, "speed_m_per_min": w.query.Speed,
		"before": before, "after": after,
		"difference": gin.H{
			"elderly_covered":    after.ElderlyCovered - before.ElderlyCovered,
			"elderly_share":      finder.Round3(ans.After.ElderlyShare - ans.Before.ElderlyShare),
			"population_covered": after.PopulationCovered - before.PopulationCovered,
			"areas_full":         after.AreasFull - before.AreasFull,
			"areas_none":         after.AreasNone - before.AreasNone,
		},
		"areas": areas,
	}
	addProfile(out, ans.Profile)
	return out
}

func minutesEqual(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// suggestQuery reads a suggestion's query: one category (required), minutes and
// speed as for coverage, and how many sites (1–10, default 3).
func suggestQuery(p *params, snap *finder.Snapshot) (q finder.CoverageQuery, count int, err error) {
	if q, err = coverageQuery(p); err != nil {
		return q, 0, err
	} else if len(q.Categories) == 0 {
		return q, 0, doorstep.FieldErrorf("category", "category is required.")
	}
	if err := q.Validate(snap.Base); err != nil {
		return q, 0, err
	}
	count, err = p.int("count", 3, 1, 10)
	return q, count, err
}

func (s *Server) handleSuggest(c *gin.Context) {
	p, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	snap, err := s.walkingSnapshot(p)
	var q finder.CoverageQuery
	var count int
	if err == nil {
		q, count, err = suggestQuery(p, snap)
	}
	var sites []finder.SuggestedSite
	if err == nil {
		sites, err = snap.Suggest(q.Categories[0], count, q.Minutes, q.Speed)
	}
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
	body := gin.H{"category": q.Categories[0], "minutes": q.Minutes, "speed_m_per_min": q.Speed, "count": count,
		"method": "greedy maximal covering (Church and ReVelle, 1974)", "sites": list}
	addProfile(body, snap.Profile())
	c.JSON(http.StatusOK, body)
}
