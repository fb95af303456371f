package server

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"
	"doorstep/store"

	"github.com/gin-gonic/gin"
)

// staffRoutes registers sign-in, the editing API, the audit log and the staff page.
// Every change needs a signed-in user and the session's CSRF token; sign-in needs
// the token too (from GET /api/session), so another site cannot sign a browser in.
func (s *Server) staffRoutes(e *gin.Engine, api *gin.RouterGroup) {
	e.GET("/staff", s.handleStaffPage)
	e.HEAD("/staff", s.handleStaffPage)

	session := api.Group("/session", noStore)
	session.GET("", s.handleSession)
	session.POST("", s.requireCSRF, s.handleSignIn)
	session.DELETE("", s.requireCSRF, s.handleSignOut)

	staff := api.Group("", noStore, s.requireUser, s.requireCSRF)
	staff.GET("/staff/services", s.handleListings)
	staff.GET("/organizations", s.handleOrganizations)
	staff.GET("/audit", s.handleAudit)
	staff.POST("/services", s.handleCreateService)
	staff.PATCH("/services/:id", s.handleUpdateService)
	staff.DELETE("/services/:id", s.handleDeleteService)
	staff.POST("/services/:id/verify", s.handleVerifyService)
}

// handleStaffPage serves the staff editor. Its Content-Security-Policy and the other
// security headers come from secureHeaders, as for every answer.
func (s *Server) handleStaffPage(c *gin.Context) { servePage(c, "staff.html") }

// listingJSON is a listing as the editing API answers it: every stored field
// (reopens_on, note, created_at, ...) and, for the staff page, whether it is open
// now and stale (not checked for doorstep.StaleAfter).
type listingJSON struct {
	*doorstep.Service
	OpenNow bool `json:"open_now"`
	Stale   bool `json:"stale"`
}

func (s *Server) newListingJSON(svc *doorstep.Service) listingJSON {
	now := s.now()
	return listingJSON{Service: svc, OpenNow: finder.IsOpen(svc, now), Stale: svc.Stale(now)}
}

// handleListings lists the listings the user keeps, closed ones included, least
// recently checked first: staff their organization's, the office any
// organization's (organization_id) or all.
func (s *Server) handleListings(c *gin.Context) {
	p, ok := s.editParams(c)
	if !ok {
		return
	}
	u := doorstep.UserFromContext(c.Request.Context())
	var filter store.ListingFilter
	var err error
	if filter.Limit, err = p.int("limit", maxLimit, 1, maxLimit); err == nil {
		filter.Offset, err = p.int("offset", 0, 0, maxOffset)
	}
	if err == nil {
		var org int
		org, err = p.int("organization_id", 0, 0, math.MaxInt32)
		filter.OrganizationID = int64(org)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	if !u.SeesAll() {
		if filter.OrganizationID != 0 && !u.CanEdit(filter.OrganizationID) {
			writeError(c, &doorstep.Error{Code: doorstep.EFORBIDDEN, Field: "organization_id",
				Message: "You may list only your own organization's listings."})
			return
		}
		filter.OrganizationID = *u.OrganizationID
	}
	list, total, err := s.db.Listings(c.Request.Context(), filter)
	if err != nil {
		writeError(c, err)
		return
	}
	out := make([]listingJSON, len(list))
	for i, svc := range list {
		out[i] = s.newListingJSON(svc)
	}
	c.JSON(http.StatusOK, gin.H{"services": out, "total": total, "limit": filter.Limit, "offset": filter.Offset})
}

func (s *Server) handleOrganizations(c *gin.Context) {
	list, err := s.db.Organizations(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	if list == nil {
		list = []doorstep.Organization{}
	}
	c.JSON(http.StatusOK, gin.H{"organizations": list})
}

// handleCreateService adds a listing. Staff may leave out organization_id: theirs
// is taken.
func (s *Server) handleCreateService(c *gin.Context) {
	if _, ok := s.editParams(c); !ok {
		return
	}
	body, ok := readJSONObject(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	svc := &doorstep.Service{Status: doorstep.StatusOpen, Hours: doorstep.Schedule{}, Offers: []string{}}
	if u := doorstep.UserFromContext(ctx); u.OrganizationID != nil {
		svc.OrganizationID = *u.OrganizationID
	}
	for _, required := range []string{"category", "name", "lon", "lat"} {
		if _, given := body[required]; !given {
			writeError(c, doorstep.FieldErrorf(required, "%s is required.", required))
			return
		}
	}
	if _, given := body["organization_id"]; !given && svc.OrganizationID == 0 {
		writeError(c, doorstep.FieldErrorf("organization_id", "organization_id is required."))
		return
	}
	if err := applyServiceChange(svc, body, s.Snapshot(), s.now(), true); err != nil {
		writeError(c, err)
		return
	}
	if err := s.db.CreateService(ctx, svc); err != nil {
		writeEditError(c, s, err)
		return
	}
	s.afterWrite(svc)
	c.Header("Location", "/api/services/"+strconv.FormatInt(svc.ID, 10))
	c.JSON(http.StatusCreated, s.newListingJSON(svc))
}

// handleUpdateService changes the members the body names; If-Match must name the
// version the change was made to (428 without it, 409 with the current listing when
// it is stale).
func (s *Server) handleUpdateService(c *gin.Context) {
	id, version, ok := s.editTarget(c, true)
	if !ok {
		return
	}
	body, ok := readJSONObject(c)
	if !ok {
		return
	}
	snap, now := s.Snapshot(), s.now()
	updated, err := s.db.UpdateService(c.Request.Context(), id, version, func(svc *doorstep.Service) error {
		return applyServiceChange(svc, body, snap, now, false)
	})
	s.answerChange(c, updated, err)
}

// handleDeleteService closes a listing for good (status closed); it stays in the
// database and the audit log, and can be reopened with PATCH. If-Match is optional.
func (s *Server) handleDeleteService(c *gin.Context) {
	id, version, ok := s.editTarget(c, false)
	if !ok {
		return
	}
	closed, err := s.db.DeleteService(c.Request.Context(), id, version)
	s.answerChange(c, closed, err)
}

// handleVerifyService records "checked today": verified_at becomes now. If-Match
// is optional.
func (s *Server) handleVerifyService(c *gin.Context) {
	id, version, ok := s.editTarget(c, false)
	if !ok {
		return
	}
	verified, err := s.db.MarkVerified(c.Request.Context(), id, version)
	s.answerChange(c, verified, err)
}

func (s *Server) answerChange(c *gin.Context, svc *doorstep.Service, err error) {
	if err != nil {
		writeEditError(c, s, err)
		return
	}
	s.afterWrite(svc)
	c.JSON(http.StatusOK, s.newListingJSON(svc))
}

// afterWrite puts the committed listing into the snapshot so the next lookup sees
// the change.
func (s *Server) afterWrite(svc *doorstep.Service) { s.live.Refresh(svc) }

// writeEditError answers a refused change; a version conflict carries the current
// listing as "current", for the editor to show and re-apply their change to.
func writeEditError(c *gin.Context, s *Server, err error) {
	var conflict *store.ConflictError
	if errors.As(err, &conflict) {
		c.Header("ETag", strconv.Quote(strconv.FormatInt(conflict.Current.Version, 10)))
		c.AbortWithStatusJSON(http.StatusConflict, gin.H{
			"error":   errorDetail{Code: doorstep.ECONFLICT, Message: doorstep.ErrorMessage(err)},
			"current": s.newListingJSON(conflict.Current),
		})
		return
	}
	writeError(c, err)
}

// editParams reads the query string of an editing request. Coordinates are WGS84
// there: a crs other than wgs84 is refused rather than silently ignored.
func (s *Server) editParams(c *gin.Context) (*params, bool) {
	p, crs, ok := s.requestParams(c)
	if ok && crs != geo.WGS84 {
		writeError(c, doorstep.FieldErrorf("crs", "Edits take WGS84 coordinates only."))
		return nil, false
	}
	return p, ok
}

// editTarget reads the listing id from the path and the version from If-Match
// ("3", or as an ETag "\"3\""); without If-Match it answers 428 when required and
// returns version 0 otherwise.
func (s *Server) editTarget(c *gin.Context, versionRequired bool) (id, version int64, ok bool) {
	if _, ok := s.editParams(c); !ok {
		return 0, 0, false
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(c, doorstep.FieldErrorf("id", "id must be a positive whole number."))
		return 0, 0, false
	}
	match := strings.TrimSpace(c.GetHeader("If-Match"))
	if match == "" {
		if versionRequired {
			abortJSON(c, http.StatusPreconditionRequired, &doorstep.Error{Code: "precondition_required", Field: "If-Match",
				Message: "Send If-Match with the version you changed, so a newer change is never overwritten."})
			return 0, 0, false
		}
		return id, 0, true
	}
	version, err = strconv.ParseInt(strings.Trim(strings.TrimPrefix(match, "W/"), `"`), 10, 64)
	if err != nil || version <= 0 {
		writeError(c, doorstep.FieldErrorf("If-Match", "If-Match must be the listing's version, a positive whole number."))
		return 0, 0, false
	}
	return id, version, true
}

// serviceMembers says what each member of a listing body must be, for errors; the
// ones marked nullable may be null.
var serviceMembers = map[string]struct {
	what     string
	nullable bool
}{
	"category":        {"a category id", false},
	"organization_id": {"an organization id (a whole number)", false},
	"name":            {"text", false},
	"name_en":         {"text", false},
	"address":         {"text", false},
	"lon":             {"a number", false},
	"lat":             {"a number", false},
	"phone":           {"text", false},
	"hours":           {`a list of {"days": ["mon", ...], "opens": "HH:MM", "closes": "HH:MM"}`, false},
	"offers":          {"a list of texts", false},
	"capacity":        {"a whole number or null", true},
	"status":          {"open, temporarily_closed or closed", false},
	"note":            {"text", false},
	"reopens_on":      {`a date "YYYY-MM-DD" or ""`, false},
}

// serviceMember returns a pointer to the member of svc a body member sets.
func serviceMember(svc *doorstep.Service, name string) any {
	return map[string]any{
		"category": &svc.Category, "organization_id": &svc.OrganizationID, "name": &svc.Name, "name_en": &svc.NameEn,
		"address": &svc.Address, "lon": &svc.Lon, "lat": &svc.Lat, "phone": &svc.Phone, "hours": &svc.Hours,
		"offers": &svc.Offers, "capacity": &svc.Capacity, "status": &svc.Status, "note": &svc.Note,
		"reopens_on": &svc.ReopensOn,
	}[name]
}

// serverMembers are kept by the server; a body that sets them is refused by name.
var serverMembers = map[string]bool{
	"id": true, "version": true, "verified_at": true, "created_at": true, "updated_at": true,
	"open_now": true, "stale": true, "sample": true, "distance_m": true, "walk_minutes": true, "estimate": true,
}

// applyServiceChange sets the members of body on svc and validates the result: the
// shared rules of doorstep.Service.Validate, a place within MaxStreetDistance of
// the street (checked when the place is set), and a reopening date not in the
// past (checked when it is set). Setting a status other than temporarily_closed
// clears reopens_on unless the body sets it too.
func applyServiceChange(svc *doorstep.Service, body jsonObject, snap *finder.Snapshot, now time.Time, creating bool) error {
	for _, name := range body.names() {
		m, known := serviceMembers[name]
		switch {
		case serverMembers[name]:
			return doorstep.FieldErrorf(name, "%s is kept by the server and cannot be set.", name)
		case !known:
			return doorstep.FieldErrorf(name, "Unknown field %q.", name)
		}
		// A list or a capacity given replaces the old one whole.
		switch name {
		case "hours":
			svc.Hours = nil
		case "offers":
			svc.Offers = nil
		case "capacity":
			svc.Capacity = nil
		}
		err := body.decode(name, serviceMember(svc, name), m.what, m.nullable)
		if err != nil {
			return err
		}
	}
	if _, given := body["reopens_on"]; !given && svc.Status != doorstep.StatusTemporarilyClosed {
		svc.ReopensOn = ""
	}
	if svc.Hours == nil {
		svc.Hours = doorstep.Schedule{}
	}
	if svc.Offers == nil {
		svc.Offers = []string{}
	}
	if svc.Status == "" {
		return doorstep.FieldErrorf("status", "status must be open, temporarily_closed or closed.")
	}
	if err := svc.Validate(func(id string) bool { _, ok := snap.Category(id); return ok }); err != nil {
		return err
	}
	_, lonGiven := body["lon"]
	_, latGiven := body["lat"]
	if (creating || lonGiven || latGiven) && snap.Street() != nil {
		if d := snap.StreetDistance(svc.Point()); d > doorstep.MaxStreetDistance {
			return doorstep.FieldErrorf("lon", "The place is %.1f km outside the street; a listing must lie within %.0f km of it.",
				d/1000, doorstep.MaxStreetDistance/1000.0)
		}
	}
	if _, given := body["reopens_on"]; given && svc.ReopensOn != "" && svc.ReopensOn < now.In(doorstep.Shanghai).Format(doorstep.DateLayout) {
		return doorstep.FieldErrorf("reopens_on", "reopens_on is in the past: give the day the listing opens again.")
	}
	return nil
}
