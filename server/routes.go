package server

import (
	"slices"
	"strings"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// routes registers every route of the portal, one line each. guard is what runs
// before the handler: the staff and office routes need a signed-in user and the
// session's CSRF token; sign-in needs the token too (from GET /api/session), so
// another site cannot sign a browser in.
func (s *Server) routes() {
	e, hsds := s.engine, &hsdsAPI{s: s}
	e.NoRoute(func(c *gin.Context) { writeError(c, doorstep.Errorf(doorstep.ENOTFOUND, "No such page or endpoint.")) })
	e.NoMethod(func(c *gin.Context) {
		writeError(c, doorstep.Errorf(doorstep.EMETHOD, "This method is not allowed here."))
	})
	var (
		open    []gin.HandlerFunc
		private = []gin.HandlerFunc{noStore}
		signIn  = []gin.HandlerFunc{noStore, s.requireCSRF}
		staff   = []gin.HandlerFunc{noStore, s.requireUser, s.requireCSRF}
		office  = []gin.HandlerFunc{noStore, s.requireUser, s.requireCSRF, requireRole(doorstep.RoleOffice, doorstep.RoleAdmin), s.expensive(fixedCost(2))}
		walk    = []gin.HandlerFunc{s.expensive(walkCost)}     // fairuse.go: a cost budget per address
		route   = []gin.HandlerFunc{s.expensive(fixedCost(1))} // a route searches towards one place only
		cards   = []gin.HandlerFunc{s.expensive(fixedCost(2))} // a doorstep answer for every area
		lookup  = []gin.HandlerFunc{s.lookup}                  // fairuse.go: walking lookups take turns
	)
	for _, r := range []struct {
		methods, path string
		guard         []gin.HandlerFunc
		handle        gin.HandlerFunc
	}{
		// Pages and their files (pages.go, assets.go).
		{"GET HEAD", "/", open, s.handleIndexPage},
		{"GET HEAD", "/staff", open, s.handleStaffPage},
		{"GET HEAD", "/office", open, s.handleOfficePage},
		{"GET HEAD", "/suggest", open, s.handleSuggestPage},
		{"GET HEAD", "/static/*path", open, handleStatic},
		// The 家门口服务卡, printed for one area or all (card.go); all areas walk once each.
		{"GET HEAD", "/card/areas", cards, s.handleAreaCards},
		{"GET HEAD", "/card/areas/:id", lookup, s.handleAreaCard},
		{"GET HEAD", "/card/areas/:id/qr.svg", open, s.handleAreaCardQR},
		{"GET HEAD", "/card/areas/:id/qr.png", open, s.handleAreaCardQR},
		// Residents' lookups (street.go, services.go, circle.go).
		{"GET HEAD", "/api/meta", open, s.handleMeta},
		{"GET HEAD", "/api/street", open, s.handleStreet},
		{"GET HEAD", "/api/categories", open, s.handleCategories},
		{"GET HEAD", "/api/areas", open, s.handleAreas},
		{"GET HEAD", "/api/labels", open, s.handleLabels},
		{"GET HEAD", "/api/services", lookup, s.handleServices},
		{"GET HEAD", "/api/services/:id", open, s.handleService},
		{"GET HEAD", "/api/doorstep", lookup, s.handleDoorstep},
		{"GET HEAD", "/api/circle", walk, s.handleCircle},
		{"GET HEAD", "/api/services/:id/catchment", walk, s.handleCatchment},
		{"GET HEAD", "/api/route", route, s.handleRoute}, // walkroute.go
		{"GET HEAD", "/api/network", open, s.handleNetwork},
		// Activities at places, and each place's calendar feed (activities.go).
		{"GET HEAD", "/api/activities", walk, s.handleActivities},
		{"GET HEAD", "/api/services/:id/activities", open, s.handleServiceActivities},
		{"GET HEAD", "/ical/services/:id", open, s.handleICal},
		// Residents' reports that a listing is wrong, and the staff's queue (reports.go).
		{"POST", "/api/services/:id/reports", private, s.handleCreateReport},
		{"GET HEAD", "/api/staff/reports", staff, s.handleReports},
		{"POST", "/api/staff/reports/:id/resolve", staff, s.handleResolveReport},
		{"GET HEAD", "/api/staff/summary", staff, s.handleSummary}, // summary.go: the day's new and overdue items
		// Sign-in (auth.go).
		{"GET HEAD", "/api/session", private, s.handleSession},
		{"POST", "/api/session", signIn, s.handleSignIn},
		{"DELETE", "/api/session", signIn, s.handleSignOut},
		// Staff: keeping listings and the audit log (listings.go, audit.go).
		{"GET HEAD", "/api/staff/services", staff, s.handleListings},
		{"GET HEAD", "/api/organizations", staff, s.handleOrganizations},
		{"GET HEAD", "/api/audit", staff, s.handleAudit},
		{"POST", "/api/services", staff, s.handleCreateService},
		{"PATCH", "/api/services/:id", staff, s.handleUpdateService},
		{"DELETE", "/api/services/:id", staff, s.handleDeleteService},
		{"POST", "/api/services/:id/verify", staff, s.handleVerifyService},
		// Meal points' menus (menus.go).
		{"GET HEAD", "/api/services/:id/menu", open, s.handleMenu},
		{"PUT", "/api/services/:id/menu", staff, s.handleUpdateMenu},
		{"GET HEAD", "/api/services/:id/menu/template", staff, s.handleMenuTemplate},
		{"PUT", "/api/services/:id/menu/template", staff, s.handleUpdateMenuTemplate},
		{"POST", "/api/services/:id/menu/copy", staff, s.handleCopyMenuTemplate},
		// Where meal points deliver (delivery.go).
		{"GET HEAD", "/api/services/:id/delivery", open, s.handleDelivery},
		{"PUT", "/api/services/:id/delivery", staff, s.handleUpdateDelivery},
		{"DELETE", "/api/services/:id/delivery", staff, s.handleDeleteDelivery},
		{"POST", "/api/services/:id/activities", staff, s.handleCreateActivity},
		{"PATCH", "/api/activities/:id", staff, s.handleUpdateActivity},
		{"DELETE", "/api/activities/:id", staff, s.handleDeleteActivity},
		// The street's meal subsidy rules (subsidies.go).
		{"GET HEAD", "/api/subsidies", open, s.handleSubsidy},
		{"GET HEAD", "/api/subsidies/versions", office, s.handleSubsidyVersions},
		{"PUT", "/api/subsidies", office, s.handleAddSubsidy},
		// Suggestions to the street office (suggestions.go).
		{"GET HEAD", "/api/suggestions/categories", open, s.handleSuggestionCategories},
		{"POST", "/api/suggestions/categories", office, s.handleAddSuggestionCategory},
		{"POST", "/api/suggestions", private, s.handleCreateSuggestion},
		{"GET HEAD", "/api/suggestions/track/:token", private, s.handleTrackSuggestion},
		{"GET HEAD", "/api/suggestions", staff, s.handleSuggestions},
		{"PATCH", "/api/suggestions/:id", office, s.handleUpdateSuggestion},
		{"GET HEAD", "/api/suggestions/report", office, s.handleSuggestionReport},
		// The street office's planning tools (coverage.go).
		{"GET HEAD", "/api/coverage", office, s.handleCoverage},
		{"POST", "/api/coverage/whatif", office, s.handleWhatIf},
		{"GET HEAD", "/api/coverage/suggest", office, s.handleSuggest},
		// Open Referral HSDS 3.0 (hsds.go).
		{"GET HEAD", "/hsds/", open, hsds.handleInfo},
		{"GET HEAD", "/hsds/openapi.json", open, hsds.handleOpenAPI},
		{"GET HEAD", "/hsds/services", open, hsds.handleServices},
		{"GET HEAD", "/hsds/services/:id", open, hsds.handleService},
		// Operations (health.go, metrics.go).
		{"GET", "/healthz", open, s.handleHealth},
		{"GET", "/readyz", open, s.handleReady},
		{"GET", "/metrics", open, s.metrics.handler()},
	} {
		if r.path == "/metrics" && s.cfg.PrivateMetrics {
			continue // served on its own address (MetricsHandler)
		}
		for _, m := range strings.Fields(r.methods) {
			e.Handle(m, r.path, append(slices.Clone(r.guard), r.handle)...)
		}
	}
}
