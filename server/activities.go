package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"doorstep"
	"doorstep/calendar"
	"doorstep/finder"
	"doorstep/geo"
	"doorstep/store"

	"github.com/gin-gonic/gin"
)

// Limits of the activity lookups: occurrences in one answer, and the longest
// window asked for (finder.MaxActivityWindow).
const (
	defaultActivityLimit = 200
	maxPlaceOccurrences  = 500
)

// activityBook holds the activity index the lookups answer from. It is read
// from the store at the first lookup, after an import (a new snapshot base) and
// when its horizon is a week old; an edit re-indexes the one place it changed.
type activityBook struct {
	mu    sync.Mutex // serialises loads and edits, so an older read never wins
	index atomic.Pointer[finder.ActivityIndex]
	base  atomic.Pointer[finder.Base] // the base the index was read with
}

// activityIndex returns the current activity index, reading it when it is
// missing, older than the snapshot's base, or past its horizon.
func (s *Server) activityIndex(ctx context.Context) (*finder.ActivityIndex, error) {
	snap, now := s.Snapshot(), s.now()
	b := &s.activities
	if x := b.index.Load(); x != nil && b.base.Load() == snap.Base && !x.Stale(now) {
		return x, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	x := b.index.Load()
	switch {
	case x != nil && b.base.Load() == snap.Base && !x.Stale(now):
		return x, nil
	case x != nil && b.base.Load() == snap.Base:
		x = x.Renewed(now)
	default:
		list, err := s.db.Activities(ctx, store.ActivityFilter{})
		if err != nil {
			return nil, err
		}
		x = finder.NewActivityIndex(list, snap.Location(), now)
	}
	b.index.Store(x)
	b.base.Store(snap.Base)
	return x, nil
}

// refreshActivities re-indexes the place serviceID after an edit committed.
func (s *Server) refreshActivities(ctx context.Context, serviceID int64) {
	b := &s.activities
	b.mu.Lock()
	defer b.mu.Unlock()
	x := b.index.Load()
	if x == nil {
		return // read whole at the next lookup
	}
	list, err := s.db.Activities(ctx, store.ActivityFilter{ServiceID: serviceID})
	if err != nil {
		b.index.Store(nil) // read whole at the next lookup
		return
	}
	b.index.Store(x.With(serviceID, list))
}

// occurrenceJSON is one occurrence as the API answers it; start and end carry the
// street's offset, date is the local day.
type occurrenceJSON struct {
	ActivityID int64  `json:"activity_id"`
	ServiceID  int64  `json:"service_id"`
	Title      string `json:"title"`
	TitleEn    string `json:"title_en"`
	Date       string `json:"date"`
	Start      string `json:"start"`
	End        string `json:"end"`
	Cancelled  bool   `json:"cancelled"`
	SignUp     bool   `json:"sign_up"`
	Capacity   *int   `json:"capacity"`
	Recurring  bool   `json:"recurring"`
	Sample     bool   `json:"sample"`
}

func newOccurrenceJSON(o doorstep.Occurrence, a *doorstep.Activity, loc *time.Location) occurrenceJSON {
	start, end := o.Start.In(loc), o.End.In(loc)
	out := occurrenceJSON{ActivityID: o.ActivityID, ServiceID: o.ServiceID, Date: start.Format(doorstep.DateLayout),
		Start: start.Format(time.RFC3339), End: end.Format(time.RFC3339), Cancelled: o.Cancelled}
	if a != nil {
		out.Title, out.TitleEn, out.SignUp, out.Capacity, out.Recurring, out.Sample =
			a.Title, a.TitleEn, a.SignUp, a.Capacity, a.RRule != "", a.Sample
	}
	return out
}

// placeRef names the place of an occurrence in a lookup's answer.
type placeRef struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	NameEn   string `json:"name_en"`
	Category string `json:"category"`
	Address  string `json:"address"`
	Phone    string `json:"phone"`
	Sample   bool   `json:"sample"`
	ICal     string `json:"ical"`
}

type nearbyOccurrenceJSON struct {
	occurrenceJSON
	Place       placeRef `json:"place"`
	WalkMinutes float64  `json:"walk_minutes"`
	DistanceM   float64  `json:"distance_m"`
	Estimate    string   `json:"estimate,omitempty"`
}

func icalPath(id int64) string { return "/ical/services/" + strconv.FormatInt(id, 10) + ".ics" }

// activityWindow reads from and to, days (YYYY-MM-DD) in the street's zone: the
// occurrences starting from the first day up to, not including, the second.
// from defaults to today, to to a week after from; the window spans at most
// finder.MaxActivityWindow.
func activityWindow(p *params, now time.Time, loc *time.Location) (from, to time.Time, err error) {
	day := func(name string, def time.Time) (time.Time, error) {
		s, given, err := p.get(name)
		if err != nil || !given {
			return def, err
		}
		t, err := time.ParseInLocation(doorstep.DateLayout, s, loc)
		if err != nil {
			return t, doorstep.FieldErrorf(name, "%s must be a day such as 2026-12-07.", name)
		}
		return t, nil
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	if from, err = day("from", today); err != nil {
		return
	}
	if to, err = day("to", from.AddDate(0, 0, 7)); err != nil {
		return
	}
	switch {
	case !to.After(from):
		err = doorstep.FieldErrorf("to", "to must be after from.")
	case to.Sub(from) > finder.MaxActivityWindow:
		err = doorstep.FieldErrorf("to", "The window may span at most %d days.", int(finder.MaxActivityWindow.Hours()/24))
	}
	return
}

// handleActivities answers what is on at the places within minutes on foot of a
// point (docs/api.md): occurrences by start, each with its place and walk.
func (s *Server) handleActivities(c *gin.Context) {
	p, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	q, snap, err := s.activityQuery(p, crs)
	var x *finder.ActivityIndex
	if err == nil {
		x, err = s.activityIndex(c.Request.Context())
	}
	if err != nil {
		writeError(c, err)
		return
	}
	hits, truncated := snap.ActivitiesWithin(x, q)
	loc := x.Location()
	out := make([]nearbyOccurrenceJSON, len(hits))
	for i, h := range hits {
		out[i] = nearbyOccurrenceJSON{
			occurrenceJSON: newOccurrenceJSON(h.Occurrence, h.Activity, loc),
			Place: placeRef{ID: h.Place.ID, Name: h.Place.Name, NameEn: h.Place.NameEn, Category: h.Place.Category,
				Address: h.Place.Address, Phone: h.Place.Phone, Sample: h.Place.Sample, ICal: icalPath(h.Place.ID)},
			WalkMinutes: h.Walk.WalkMinutes, DistanceM: h.Walk.DistanceM, Estimate: h.Walk.Estimate,
		}
	}
	answer := gin.H{"from": q.From.Format(doorstep.DateLayout), "to": q.To.Format(doorstep.DateLayout),
		"minutes": q.Minutes, "speed_m_per_min": q.SpeedMPerMin, "occurrences": out, "truncated": truncated}
	addProfile(answer, snap.Profile())
	c.JSON(http.StatusOK, answer)
}

// activityQuery reads the lookup's parameters: lon, lat (crs), minutes (1–60,
// default 15), speed, profile, from, to and limit.
func (s *Server) activityQuery(p *params, crs geo.CRS) (finder.ActivityQuery, *finder.Snapshot, error) {
	var q finder.ActivityQuery
	origin, err := p.requiredPoint(crs)
	if err != nil {
		return q, nil, err
	}
	q.Origin = origin
	if q.SpeedMPerMin, err = p.speed(); err != nil {
		return q, nil, err
	}
	minutes, given, err := p.float("minutes", 1, 60)
	if err != nil {
		return q, nil, err
	} else if !given {
		minutes = doorstep.DefaultCircleMinutes
	}
	q.Minutes = minutes
	if q.Limit, err = p.int("limit", defaultActivityLimit, 1, maxLimit); err != nil {
		return q, nil, err
	}
	snap, err := s.walkingSnapshot(p)
	if err != nil {
		return q, nil, err
	}
	q.From, q.To, err = activityWindow(p, s.now(), snap.Location())
	return q, snap, err
}

// handleServiceActivities answers a place's activities as kept (for the staff
// page and the resident card) and their occurrences in the window.
func (s *Server) handleServiceActivities(c *gin.Context) {
	p, _, ok := s.requestParams(c)
	if !ok {
		return
	}
	place, err := s.placeOf(c)
	loc := s.Snapshot().Location()
	var from, to time.Time
	if err == nil {
		from, to, err = activityWindow(p, s.now(), loc)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	list, err := s.db.Activities(c.Request.Context(), store.ActivityFilter{ServiceID: place.ID})
	if err != nil {
		writeError(c, err)
		return
	}
	occurrences, truncated := placeOccurrences(list, loc, from, to)
	c.JSON(http.StatusOK, gin.H{"service_id": place.ID, "name": place.Name, "ical": icalPath(place.ID),
		"from": from.Format(doorstep.DateLayout), "to": to.Format(doorstep.DateLayout),
		"activities": list, "occurrences": occurrences, "truncated": truncated})
}

// placeOf reads the :id of a place in the snapshot.
func (s *Server) placeOf(c *gin.Context) (*doorstep.Service, error) {
	id, err := serviceID(c)
	if err != nil {
		return nil, err
	}
	return serviceIn(s.Snapshot(), id)
}

// placeOccurrences expands one place's activities for the window, by start, at
// most maxPlaceOccurrences.
func placeOccurrences(list []*doorstep.Activity, loc *time.Location, from, to time.Time) ([]occurrenceJSON, bool) {
	occurrences, truncated := []occurrenceJSON{}, false
	for _, a := range list {
		occ, more, err := calendar.Expand(a, loc, from, to, maxPlaceOccurrences)
		if err != nil {
			continue // stored before a rule was refused: shown, not expanded
		}
		truncated = truncated || more
		for _, o := range occ {
			occurrences = append(occurrences, newOccurrenceJSON(o, a, loc))
		}
	}
	sortOccurrences(occurrences)
	if len(occurrences) > maxPlaceOccurrences {
		occurrences, truncated = occurrences[:maxPlaceOccurrences], true
	}
	return occurrences, truncated
}

// sortOccurrences orders occurrences by start; RFC 3339 times of one zone sort as text.
func sortOccurrences(list []occurrenceJSON) {
	slices.SortStableFunc(list, func(a, b occurrenceJSON) int { return strings.Compare(a.Start, b.Start) })
}

// handleCreateActivity adds an activity to a place of the user's organization.
func (s *Server) handleCreateActivity(c *gin.Context) {
	if _, ok := s.editParams(c); !ok {
		return
	}
	id, err := serviceID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	upd, ok := readActivityUpdate(c)
	if !ok {
		return
	}
	a, err := s.db.CreateActivity(c.Request.Context(), id, upd)
	if err != nil {
		writeError(c, err)
		return
	}
	s.refreshActivities(c.Request.Context(), a.ServiceID)
	c.Header("Location", "/api/activities/"+strconv.FormatInt(a.ID, 10))
	c.JSON(http.StatusCreated, a)
}

// handleUpdateActivity changes the members the body names; If-Match must name
// the version the change was made to.
func (s *Server) handleUpdateActivity(c *gin.Context) {
	id, version, ok := s.editTarget(c, true)
	if !ok {
		return
	}
	upd, ok := readActivityUpdate(c)
	if !ok {
		return
	}
	a, err := s.db.UpdateActivity(c.Request.Context(), id, version, upd)
	s.answerActivity(c, a, err)
}

// handleDeleteActivity removes an activity; If-Match is optional.
func (s *Server) handleDeleteActivity(c *gin.Context) {
	id, version, ok := s.editTarget(c, false)
	if !ok {
		return
	}
	a, err := s.db.DeleteActivity(c.Request.Context(), id, version)
	s.answerActivity(c, a, err)
}

func (s *Server) answerActivity(c *gin.Context, a *doorstep.Activity, err error) {
	if err != nil {
		writeError(c, err)
		return
	}
	s.refreshActivities(c.Request.Context(), a.ServiceID)
	c.JSON(http.StatusOK, a)
}

// activityMembers are the members an activity body may set.
var activityMembers = map[string]struct {
	what     string
	nullable bool
	dst      func(u *doorstep.ActivityUpdate) any
}{
	"title":           {"text", false, func(u *doorstep.ActivityUpdate) any { return &u.Title }},
	"title_en":        {"text", false, func(u *doorstep.ActivityUpdate) any { return &u.TitleEn }},
	"description":     {"text", false, func(u *doorstep.ActivityUpdate) any { return &u.Description }},
	"start":           {`a local time "YYYY-MM-DDTHH:MM"`, false, func(u *doorstep.ActivityUpdate) any { return &u.Start }},
	"end":             {`a local time "YYYY-MM-DDTHH:MM"`, false, func(u *doorstep.ActivityUpdate) any { return &u.End }},
	"rrule":           {`an RRULE such as "FREQ=WEEKLY;BYDAY=WE", or ""`, false, func(u *doorstep.ActivityUpdate) any { return &u.RRule }},
	"exdates":         {`a list of days "YYYY-MM-DD"`, false, func(u *doorstep.ActivityUpdate) any { return &u.ExDates }},
	"cancelled_dates": {`a list of days "YYYY-MM-DD"`, false, func(u *doorstep.ActivityUpdate) any { return &u.CancelledDates }},
	"capacity":        {"a whole number or null", true, func(u *doorstep.ActivityUpdate) any { u.Capacity = new(*int); return u.Capacity }},
	"sign_up":         {"true or false", false, func(u *doorstep.ActivityUpdate) any { return &u.SignUp }},
	"cancelled":       {"true or false", false, func(u *doorstep.ActivityUpdate) any { return &u.Cancelled }},
}

// activityServerMembers are kept by the server; a body that sets them is refused.
var activityServerMembers = map[string]bool{
	"id": true, "service_id": true, "version": true, "created_at": true, "updated_at": true, "sample": true,
}

// readActivityUpdate reads an activity body, answering the error itself; the
// store checks the activity the update makes.
func readActivityUpdate(c *gin.Context) (*doorstep.ActivityUpdate, bool) {
	body, ok := readJSONObject(c)
	if !ok {
		return nil, false
	}
	upd := &doorstep.ActivityUpdate{}
	for _, name := range body.names() {
		m, known := activityMembers[name]
		var err error
		switch {
		case activityServerMembers[name]:
			err = doorstep.FieldErrorf(name, "%s is kept by the server and cannot be set.", name)
		case !known:
			err = doorstep.FieldErrorf(name, "Unknown field %q.", name)
		default:
			err = body.decode(name, m.dst(upd), m.what, m.nullable)
		}
		if err != nil {
			writeError(c, err)
			return nil, false
		}
	}
	return upd, true
}

// handleICal answers a place's activities as an iCalendar feed (RFC 5545) that
// phone calendars subscribe to, with an ETag of its content.
func (s *Server) handleICal(c *gin.Context) {
	id, err := feedID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	snap := s.Snapshot()
	place, err := serviceIn(snap, id)
	if err != nil {
		writeError(c, err)
		return
	}
	list, err := s.db.Activities(c.Request.Context(), store.ActivityFilter{ServiceID: id})
	if err != nil {
		writeError(c, err)
		return
	}
	var buf bytes.Buffer
	if err := calendar.WriteICS(&buf, calendar.Feed{Place: place, Activities: list, Loc: snap.Location(), Domain: icalDomain}); err != nil {
		writeError(c, err)
		return
	}
	writeCalendar(c, id, buf.Bytes())
}

// feedID reads the place's id from a feed's name, "12.ics", and checks the query.
func feedID(c *gin.Context) (int64, error) {
	raw, ok := strings.CutSuffix(c.Param("id"), ".ics")
	id, err := strconv.ParseInt(raw, 10, 64)
	if !ok || err != nil || id <= 0 {
		return 0, doorstep.FieldErrorf("id", "The feed's name is the place's id and .ics, such as /ical/services/12.ics.")
	}
	_, err = parseParams(c.Request.URL.RawQuery)
	return id, err
}

// writeCalendar answers an iCalendar body with an ETag of its content, or 304
// when the client has it.
func writeCalendar(c *gin.Context, id int64, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", "public, max-age=300")
	if match := c.GetHeader("If-None-Match"); match != "" && strings.Contains(match, etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Header("Content-Disposition", `inline; filename="`+strconv.FormatInt(id, 10)+`.ics"`)
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", body)
}

// icalDomain ends every activity's UID: the same for an activity wherever the
// feed is read from, so a calendar updates the event it has.
const icalDomain = "activities.doorstep"
