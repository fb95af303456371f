package server

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"doorstep"
	"doorstep/store"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Residents' reports that a listing is wrong (信息有误). Anyone may file one, so
// filing is bounded three ways: a body of at most maxReportBody bytes; a budget
// per client address (reportsPerAddress a burst, then one every
// reportAddressEvery); and a budget per listing (reportsPerListing, then one every
// reportListingEvery), so that many addresses cannot bury one organization's
// queue either. A bot filling every field trips the honeypot member "website",
// which the form hides from people.
const (
	maxReportBody      = 4 << 10
	reportsPerAddress  = 5
	reportAddressEvery = 2 * time.Minute
	reportsPerListing  = 30
	reportListingEvery = time.Minute
	reportHoneypot     = "website"
)

// reportLimits are the budgets of filing reports, kept with the fair-use
// machinery of the expensive endpoints (fairuse.go).
type reportLimits struct {
	address, listing *fairUse
}

func newReportLimits() reportLimits {
	budget := func(burst int, every time.Duration) *fairUse {
		return &fairUse{perSecond: rate.Every(every), burst: burst, clients: map[string]*clientBudget{}}
	}
	return reportLimits{address: budget(reportsPerAddress, reportAddressEvery), listing: budget(reportsPerListing, reportListingEvery)}
}

// reportedSet is the listings residents are told may be out of date: those with
// an open report filed after the listing was last checked (store.DB.OpenReportTimes).
// It is safe for concurrent use.
type reportedSet struct {
	mu     sync.RWMutex
	newest map[int64]time.Time
}

// has reports whether svc, as the snapshot holds it, has an open report newer than
// its check; a check therefore ends the notice without reading the set again.
func (r *reportedSet) has(svc *doorstep.Service) bool {
	r.mu.RLock()
	filed, ok := r.newest[svc.ID]
	r.mu.RUnlock()
	return ok && (svc.VerifiedAt == nil || filed.After(*svc.VerifiedAt))
}

// reloadReported reads the set again after a report or a resolution.
func (s *Server) reloadReported(ctx context.Context) {
	newest, err := s.db.OpenReportTimes(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "reported listings", "err", err)
		return
	}
	s.reported.mu.Lock()
	s.reported.newest = newest
	s.reported.mu.Unlock()
}

// reportAnswer is what a resident is told of their report: never the phone back.
type reportAnswer struct {
	ID        int64     `json:"id"`
	ServiceID int64     `json:"service_id"`
	Kind      string    `json:"kind"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// handleCreateReport files a resident's report on listing id; no account needed.
func (s *Server) handleCreateReport(c *gin.Context) {
	id, body, ok := readReportRequest(c)
	if !ok {
		return
	}
	nr, err := readReport(body)
	if err == nil {
		nr.ServiceID = id
		err = s.takeReportBudget(c, id)
	}
	var r *doorstep.Report
	if err == nil {
		r, err = s.db.CreateReport(c.Request.Context(), nr)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.reloadReported(c.Request.Context())
	c.JSON(http.StatusCreated, reportAnswer{ID: r.ID, ServiceID: r.ServiceID, Kind: r.Kind, Note: r.Note, CreatedAt: r.CreatedAt})
}

// readReportRequest reads the id in the path and the small JSON body, answering
// the error itself.
func readReportRequest(c *gin.Context) (int64, jsonObject, bool) {
	id, err := serviceID(c)
	if err != nil {
		writeError(c, err)
		return 0, nil, false
	}
	body, ok := readSmallJSONObject(c, maxReportBody)
	return id, body, ok
}

// takeReportBudget spends one report of the client's budget and of the listing's.
func (s *Server) takeReportBudget(c *gin.Context, id int64) error {
	now := s.now()
	if wait := s.reportLimits.address.take(c.ClientIP(), 1, now); wait > 0 {
		return tooManyError(c, wait, "You sent several reports in a short time. Thank you — please wait a little before sending another.")
	}
	if wait := s.reportLimits.listing.take(strconv.FormatInt(id, 10), 1, now); wait > 0 {
		return tooManyError(c, wait, "This listing has just been reported many times; its staff have been told. Please try again later.")
	}
	return nil
}

// readReport reads a report body: kind required; note, phone and the honeypot
// optional; nothing else.
func readReport(body jsonObject) (*doorstep.NewReport, error) {
	var nr doorstep.NewReport
	var trap string
	err := decodeMembers(body, map[string]bodyMember{
		"kind": {what: "closed, moved, phone, hours or other", dst: &nr.Kind},
		"note": {what: "text", dst: &nr.Note, nullable: true}, "phone": {what: "text", dst: &nr.Phone, nullable: true},
		reportHoneypot: {what: "text", dst: &trap, nullable: true},
	}, "kind")
	if err == nil {
		err = honeypotError(trap)
	}
	if err != nil {
		return nil, err
	}
	return &nr, nil
}

// handleReports lists the reports of the user's organization (the office's: all),
// open ones first, most-reported listings first, newest first.
func (s *Server) handleReports(c *gin.Context) {
	p, ok := s.editParams(c)
	if !ok {
		return
	}
	filter, err := reportFilter(p)
	if err != nil {
		writeError(c, err)
		return
	}
	list, total, err := s.db.Reports(c.Request.Context(), filter)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"reports": list, "total": total, "limit": filter.Limit, "offset": filter.Offset})
}

// reportFilter reads limit (default and at most maxReportsLimit), offset,
// service_id and state (open or all).
func reportFilter(p *params) (store.ReportFilter, error) {
	var f store.ReportFilter
	var err error
	if f.Limit, err = p.int("limit", defaultReportsLimit, 1, maxReportsLimit); err != nil {
		return f, err
	}
	if f.Offset, err = p.int("offset", 0, 0, maxOffset); err != nil {
		return f, err
	}
	svc, err := p.int("service_id", 0, 0, 1<<31-1)
	if err != nil {
		return f, err
	}
	f.ServiceID = int64(svc)
	switch state, _, err := p.get("state"); {
	case err != nil:
		return f, err
	case state == "open":
		f.OpenOnly = true
	case state != "" && state != "all":
		return f, doorstep.FieldErrorf("state", "state must be open or all.")
	}
	return f, nil
}

const (
	defaultReportsLimit = 50
	maxReportsLimit     = 200
)

// handleResolveReport closes a report as fixed, not a problem or a duplicate.
func (s *Server) handleResolveReport(c *gin.Context) {
	id, body, ok := readReportRequest(c)
	if !ok {
		return
	}
	res, err := readResolution(body)
	var r *doorstep.Report
	if err == nil {
		r, err = s.db.ResolveReport(c.Request.Context(), id, res)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.reloadReported(c.Request.Context())
	c.JSON(http.StatusOK, r)
}

func readResolution(body jsonObject) (*doorstep.ReportResolution, error) {
	var res doorstep.ReportResolution
	err := decodeMembers(body, map[string]bodyMember{
		"resolution": {what: "fixed, not_a_problem or duplicate", dst: &res.Resolution},
		"note":       {what: "text", dst: &res.Note, nullable: true},
		"audit_id":   {what: "a whole number", dst: &res.AuditID, nullable: true},
	}, "resolution")
	if err != nil {
		return nil, err
	}
	return &res, nil
}
