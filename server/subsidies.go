package server

import (
	"net/http"
	"strconv"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// handleSubsidy answers the street's meal subsidy rules in effect on ?date=
// (default today in the street's time zone), null when none are; the newest
// version of all is latest_version and the ETag, for a change to name. No request
// carries a resident's age: the page computes what they pay.
func (s *Server) handleSubsidy(c *gin.Context) {
	p, _, ok := s.requestParams(c)
	if !ok {
		return
	}
	date, given, err := dateParam(p, "date")
	if !given {
		date = s.today()
	}
	var rules *doorstep.SubsidyRules
	var latest int64
	if err == nil {
		rules, latest, err = s.db.SubsidyRules(c.Request.Context(), date)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.FormatInt(latest, 10)))
	c.JSON(http.StatusOK, gin.H{"date": date, "rules": rules, "latest_version": latest})
}

// handleSubsidyVersions lists the rules' versions, newest first (the office).
func (s *Server) handleSubsidyVersions(c *gin.Context) {
	list, err := s.db.SubsidyVersions(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"versions": list})
}

// handleAddSubsidy stores a new version of the rules; If-Match names the newest
// version the change was made after (0 before any).
func (s *Server) handleAddSubsidy(c *gin.Context) {
	if _, ok := s.editParams(c); !ok {
		return
	}
	latest, err := zeroVersion(c.GetHeader("If-Match"))
	var rules *doorstep.SubsidyRules
	if err == nil {
		rules, err = readSubsidyRules(c)
	}
	if err == nil {
		rules, err = s.db.AddSubsidyRules(c.Request.Context(), latest, rules)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.FormatInt(rules.Version, 10)))
	c.JSON(http.StatusCreated, rules)
}

const bandsWhat = `a list of {"min_age": 80, "max_age": 89, "amount_off_fen": 300} or {"min_age": 90, "max_age": null, "percent_off": 50}, with "conditions" text`

// readSubsidyRules reads {"effective_from","effective_to","bands","note"}; the
// store checks what they hold.
func readSubsidyRules(c *gin.Context) (*doorstep.SubsidyRules, error) {
	body, ok := readJSONObject(c)
	if !ok {
		return nil, errAnswered
	}
	r := &doorstep.SubsidyRules{}
	err := decodeMembers(body, map[string]bodyMember{
		"effective_from": {what: `a date "YYYY-MM-DD"`, dst: &r.EffectiveFrom},
		"effective_to":   {what: `a date "YYYY-MM-DD" or ""`, dst: &r.EffectiveTo},
		"bands":          {what: bandsWhat, dst: &r.Bands},
		"note":           {what: "text", dst: &r.Note},
	})
	return r, err
}
