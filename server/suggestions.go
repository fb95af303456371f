package server

import (
	"net/http"
	"time"

	"doorstep"
	"doorstep/store"

	"github.com/gin-gonic/gin"
)

// Suggestions (意见建议) to the street office. Anyone may file one without an
// account, within a body of maxSuggestionBody bytes and the same budget per
// address as reports on listings; the answer carries a private follow-up link.
// The office keeps the list, assigns, answers and reports by year.
const maxSuggestionBody = 8 << 10

// suggestionFiled is the answer to a filing: the private link to follow it, the
// page /suggest with the token in the fragment, which browsers never send on.
type suggestionFiled struct {
	ID       int64  `json:"id"`
	State    string `json:"state"`
	Token    string `json:"token"`
	FollowUp string `json:"follow_up"`
}

// suggestionTracked is what the follow-up link shows: never the contact.
type suggestionTracked struct {
	Title     string     `json:"title"`
	Category  string     `json:"category"`
	FiledOn   string     `json:"filed_on"`
	State     string     `json:"state"`
	Reason    string     `json:"reason"`
	Answer    string     `json:"answer"`
	UpdatedAt time.Time  `json:"updated_at"`
	ClosedAt  *time.Time `json:"closed_at"`
}

func (s *Server) handleSuggestionCategories(c *gin.Context) {
	list, err := s.db.SuggestionCategories(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"categories": list})
}

func (s *Server) handleAddSuggestionCategory(c *gin.Context) {
	body, ok := readJSONObject(c)
	if !ok {
		return
	}
	var name string
	err := decodeMembers(body, map[string]bodyMember{"name": {what: "text", dst: &name}}, "name")
	if err == nil {
		err = s.db.AddSuggestionCategory(c.Request.Context(), name)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.handleSuggestionCategories(c)
}

// handleCreateSuggestion files a suggestion; no account needed.
func (s *Server) handleCreateSuggestion(c *gin.Context) {
	body, ok := readSmallJSONObject(c, maxSuggestionBody)
	if !ok {
		return
	}
	ns, err := readSuggestion(body)
	if err == nil {
		if wait := s.reportLimits.address.take("suggestion "+c.ClientIP(), 1, s.now()); wait > 0 {
			err = tooManyError(c, wait, "You sent several suggestions in a short time. Thank you — please wait a little before sending another.")
		}
	}
	var sg *doorstep.Suggestion
	var token string
	if err == nil {
		sg, token, err = s.db.CreateSuggestion(c.Request.Context(), ns)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, suggestionFiled{ID: sg.ID, State: sg.State, Token: token, FollowUp: "/suggest#t=" + token})
}

// readSuggestion reads a filing: title, text and category required; area, lon, lat,
// contact and the honeypot optional; nothing else.
func readSuggestion(body jsonObject) (*doorstep.NewSuggestion, error) {
	var ns doorstep.NewSuggestion
	var trap string
	err := decodeMembers(body, map[string]bodyMember{
		"title": {what: "text", dst: &ns.Title}, "text": {what: "text", dst: &ns.Text}, "category": {what: "text", dst: &ns.Category},
		"area": {what: "text", dst: &ns.Area, nullable: true}, "contact": {what: "text", dst: &ns.Contact, nullable: true},
		"lon": {what: "a number", dst: &ns.Lon, nullable: true}, "lat": {what: "a number", dst: &ns.Lat, nullable: true},
		reportHoneypot: {what: "text", dst: &trap, nullable: true},
	}, "title", "text", "category")
	if err == nil {
		err = honeypotError(trap)
	}
	if err != nil {
		return nil, err
	}
	return &ns, nil
}

// handleTrackSuggestion shows a suggestion by its private follow-up token.
func (s *Server) handleTrackSuggestion(c *gin.Context) {
	sg, err := s.db.SuggestionByToken(c.Request.Context(), c.Param("token"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, suggestionTracked{Title: sg.Title, Category: sg.Category, FiledOn: sg.FiledOn, State: sg.State,
		Reason: sg.Reason, Answer: sg.Answer, UpdatedAt: sg.UpdatedAt, ClosedAt: sg.ClosedAt})
}

// handleSuggestions lists the suggestions the user may read, newest first.
func (s *Server) handleSuggestions(c *gin.Context) {
	p, ok := s.editParams(c)
	if !ok {
		return
	}
	var f store.SuggestionFilter
	var err error
	if f.Limit, err = p.int("limit", defaultReportsLimit, 1, maxReportsLimit); err == nil {
		if f.Offset, err = p.int("offset", 0, 0, maxOffset); err == nil {
			if f.Year, err = p.int("year", 0, 0, 9999); err == nil {
				f.State, _, err = p.get("state")
			}
		}
	}
	var list []*doorstep.Suggestion
	var total int
	if err == nil {
		list, total, err = s.db.Suggestions(c.Request.Context(), f)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"suggestions": list, "total": total, "limit": f.Limit, "offset": f.Offset})
}

// handleUpdateSuggestion assigns, moves on and answers a suggestion (the office).
func (s *Server) handleUpdateSuggestion(c *gin.Context) {
	id, err := serviceID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	body, ok := readJSONObject(c)
	if !ok {
		return
	}
	var upd doorstep.SuggestionUpdate
	err = decodeMembers(body, map[string]bodyMember{
		"state": {what: "text", dst: &upd.State}, "reason": {what: "text", dst: &upd.Reason}, "answer": {what: "text", dst: &upd.Answer},
		"category":    {what: "text", dst: &upd.Category},
		"assigned_to": {what: "an organization id, or 0", dst: &upd.AssignedTo},
	})
	var sg *doorstep.Suggestion
	if err == nil {
		sg, err = s.db.UpdateSuggestion(c.Request.Context(), id, &upd)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, sg)
}

// handleSuggestionReport counts a year's suggestions with shares summing to 100.00 %.
func (s *Server) handleSuggestionReport(c *gin.Context) {
	p, ok := s.editParams(c)
	if !ok {
		return
	}
	year, err := p.int("year", s.now().In(s.Snapshot().Location()).Year(), 1949, 2200)
	var rep *doorstep.SuggestionReport
	if err == nil {
		rep, err = s.db.SuggestionReport(c.Request.Context(), year)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}
