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
	days, err := p.int("overdue_days", s.overdueDays(), 1, doorstep.MaxOverdueDays)
	var org int
	if err == nil {
		org, err = p.int("organization_id", 0, 1, 1<<31-1)
	}
	format := "json"
	if err == nil {
		if v, given, e := p.get("format"); e != nil {
			err = e
		} else if given {
			format = strings.ToLower(strings.TrimSpace(v))
			if format != "json" && format != "csv" {
				err = doorstep.FieldErrorf("format", "format must be json or csv.")
			}
		}
	}
	if err != nil {
		writeError(c, err)
		return
	}
	clock := doorstep.SummaryClock{Now: s.now(), Loc: s.Snapshot().Location(), OverdueDays: days}
	sum, err := s.db.Summary(c.Request.Context(), clock, int64(org))
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

// overdueDays is when the summaries call an item overdue (Config.OverdueDays).
func (s *Server) overdueDays() int {
	if s.cfg.OverdueDays > 0 {
		return s.cfg.OverdueDays
	}
	return doorstep.DefaultOverdueDays
}
