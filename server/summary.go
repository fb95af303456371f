package server

import (
	"net/http"
	"strings"

	"doorstep"
	"doorstep/exchange"

	"github.com/gin-gonic/gin"
)

// handleSummary is the day's summary for the signed-in user (GET /api/staff/summary):
// staff their organization's open reports, the office the street's reports and
// suggestions. overdue_days (1–365, default the server's) sets when an item is
// overdue; the office may ask for one organization's with organization_id; format
// is json (the default) or csv.
func (s *Server) handleSummary(c *gin.Context) {
	p, ok := s.editParams(c)
	if !ok {
		return
	}
	days, org, format, err := s.summaryParams(p)
	var sum *doorstep.Summary
	if err == nil {
		clock := doorstep.SummaryClock{Now: s.now(), Loc: s.Snapshot().Location(), OverdueDays: days}
		sum, err = s.db.Summary(c.Request.Context(), clock, org)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	if format == "json" {
		c.JSON(http.StatusOK, sum)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="summary-`+sum.Day+`.csv"`)
	c.Status(http.StatusOK)
	if err := exchange.WriteSummaryCSV(c.Writer, sum, true); err != nil {
		s.log.ErrorContext(c.Request.Context(), "summary csv", "err", err)
	}
}

// summaryParams reads overdue_days, organization_id (0 when absent) and format.
func (s *Server) summaryParams(p *params) (days int, org int64, format string, err error) {
	if days, err = p.int("overdue_days", s.overdueDays(), 1, doorstep.MaxOverdueDays); err != nil {
		return
	}
	id, err := p.int("organization_id", 0, 1, 1<<31-1)
	if err != nil {
		return
	}
	v, given, err := p.get("format")
	format = strings.ToLower(strings.TrimSpace(v))
	switch {
	case err != nil:
	case !given:
		format = "json"
	case format != "json" && format != "csv":
		err = doorstep.FieldErrorf("format", "format must be json or csv.")
	}
	return days, int64(id), format, err
}

// overdueDays is when the summaries call an item overdue (Config.OverdueDays).
func (s *Server) overdueDays() int {
	if s.cfg.OverdueDays > 0 {
		return s.cfg.OverdueDays
	}
	return doorstep.DefaultOverdueDays
}
