package server

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"doorstep"
	"doorstep/geo"
	"doorstep/store"

	"github.com/gin-gonic/gin"
)

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
	return listingJSON{Service: svc, OpenNow: s.Snapshot().IsOpen(svc, now), Stale: svc.Stale(now)}
}

// handleListings lists the listings the user keeps, closed ones included, least
// recently checked first: staff their organization's, the office any
// organization's (organization_id) or all.
func (s *Server) handleListings(c *gin.Context) {
	p, ok := s.editParams(c)
	if !ok {
		return
	}
	filter, err := listingFilter(p, doorstep.UserFromContext(c.Request.Context()))
	if err != nil {
		writeError(c, err)
		return
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

// listingFilter reads limit, offset and organization_id; staff see only their
// own organization's listings.
func listingFilter(p *params, u *doorstep.User) (store.ListingFilter, error) {
	var filter store.ListingFilter
	var err error
	if filter.Limit, err = p.int("limit", maxLimit, 1, maxLimit); err != nil {
		return filter, err
	}
	if filter.Offset, err = p.int("offset", 0, 0, maxOffset); err != nil {
		return filter, err
	}
	org, err := p.int("organization_id", 0, 0, math.MaxInt32)
	if err != nil {
		return filter, err
	}
	filter.OrganizationID = int64(org)
	if !u.SeesAll() {
		if filter.OrganizationID != 0 && !u.CanEdit(filter.OrganizationID) {
			return filter, &doorstep.Error{Code: doorstep.EFORBIDDEN, Field: "organization_id",
				Message: "You may list only your own organization's listings."}
		}
		filter.OrganizationID = *u.OrganizationID
	}
	return filter, nil
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
	upd, ok := s.readServiceUpdate(c)
	if !ok {
		return
	}
	svc, err := s.db.CreateService(c.Request.Context(), upd)
	if err != nil {
		writeError(c, s.listingError(err))
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
	upd, ok := s.readServiceUpdate(c)
	if !ok {
		return
	}
	updated, err := s.db.UpdateService(c.Request.Context(), id, version, upd)
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
		writeError(c, s.listingError(err))
		return
	}
	s.afterWrite(svc)
	c.JSON(http.StatusOK, s.newListingJSON(svc))
}

// afterWrite puts the committed listing into the snapshot so the next lookup sees
// the change; a check ends the notice of residents' reports through the listing's
// new verified_at (reportedSet.has).
func (s *Server) afterWrite(svc *doorstep.Service) {
	s.live.Refresh(svc)
}

// listingError gives a conflict's current listing as the editing API shows it,
// for the editor to show and re-apply their change to.
func (s *Server) listingError(err error) error {
	var conflict *doorstep.ConflictError
	if errors.As(err, &conflict) {
		if svc, ok := conflict.Current.(*doorstep.Service); ok {
			return &doorstep.ConflictError{Err: conflict.Err, Current: s.newListingJSON(svc), Version: conflict.Version}
		}
	}
	return err
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
			writeError(c, &doorstep.Error{Code: doorstep.EPRECONDITION, Field: "If-Match",
				Message: "Send If-Match with the version you changed, so a newer change is never overwritten."})
			return 0, 0, false
		}
		return id, 0, true
	}
	version, err = strconv.ParseInt(strings.Trim(strings.TrimPrefix(match, "W/"), `"`), 10, 64)
	if err != nil || version <= 0 {
		writeError(c, doorstep.FieldErrorf("If-Match", "If-Match must be the version you changed, a positive whole number."))
		return 0, 0, false
	}
	return id, version, true
}

// serviceMembers are the members a listing body may set: what each must be (for
// errors), whether it may be null, and where it goes in the update.
var serviceMembers = map[string]struct {
	what     string
	nullable bool
	dst      func(u *doorstep.ServiceUpdate) any
}{
	"category":        {"a category id", false, func(u *doorstep.ServiceUpdate) any { return &u.Category }},
	"organization_id": {"an organization id (a whole number)", false, func(u *doorstep.ServiceUpdate) any { return &u.OrganizationID }},
	"name":            {"text", false, func(u *doorstep.ServiceUpdate) any { return &u.Name }},
	"name_en":         {"text", false, func(u *doorstep.ServiceUpdate) any { return &u.NameEn }},
	"address":         {"text", false, func(u *doorstep.ServiceUpdate) any { return &u.Address }},
	"lon":             {"a number", false, func(u *doorstep.ServiceUpdate) any { return &u.Lon }},
	"lat":             {"a number", false, func(u *doorstep.ServiceUpdate) any { return &u.Lat }},
	"phone":           {"text", false, func(u *doorstep.ServiceUpdate) any { return &u.Phone }},
	"hours":           {`a list of {"days": ["mon", ...], "opens": "HH:MM", "closes": "HH:MM"}`, false, func(u *doorstep.ServiceUpdate) any { return &u.Hours }},
	"offers":          {"a list of texts", false, func(u *doorstep.ServiceUpdate) any { return &u.Offers }},
	// Given as null, capacity becomes unknown: decoded into a **int that is set.
	"capacity":   {"a whole number or null", true, func(u *doorstep.ServiceUpdate) any { u.Capacity = new(*int); return u.Capacity }},
	"status":     {"open, temporarily_closed or closed", false, func(u *doorstep.ServiceUpdate) any { return &u.Status }},
	"note":       {"text", false, func(u *doorstep.ServiceUpdate) any { return &u.Note }},
	"reopens_on": {`a date "YYYY-MM-DD" or ""`, false, func(u *doorstep.ServiceUpdate) any { return &u.ReopensOn }},
}

// serverMembers are kept by the server; a body that sets them is refused by name.
var serverMembers = map[string]bool{
	"id": true, "version": true, "verified_at": true, "created_at": true, "updated_at": true,
	"open_now": true, "stale": true, "sample": true, "distance_m": true, "walk_minutes": true, "estimate": true,
}

// readServiceUpdate reads a listing body into an update, answering the error
// itself: each member is decoded by name, unknown and server-kept members are
// refused by name, and a reopening date may not lie in the past. The store checks
// the listing the update makes.
func (s *Server) readServiceUpdate(c *gin.Context) (*doorstep.ServiceUpdate, bool) {
	body, ok := readJSONObject(c)
	if !ok {
		return nil, false
	}
	upd, err := decodeServiceUpdate(body)
	if err == nil {
		err = upd.CheckReopensOnIn(s.now(), s.Snapshot().Location())
	}
	if err != nil {
		writeError(c, err)
		return nil, false
	}
	return upd, true
}

func decodeServiceUpdate(body jsonObject) (*doorstep.ServiceUpdate, error) {
	upd := &doorstep.ServiceUpdate{}
	for _, name := range body.names() {
		m, known := serviceMembers[name]
		switch {
		case serverMembers[name]:
			return nil, doorstep.FieldErrorf(name, "%s is kept by the server and cannot be set.", name)
		case !known:
			return nil, doorstep.FieldErrorf(name, "Unknown field %q.", name)
		}
		if err := body.decode(name, m.dst(upd), m.what, m.nullable); err != nil {
			return nil, err
		}
	}
	return upd, nil
}
