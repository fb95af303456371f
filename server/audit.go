package server

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"doorstep"
	"doorstep/store"

	"github.com/gin-gonic/gin"
)

// auditEntryJSON is one entry of GET /api/audit: the stored entry and, for reading
// at a glance, the fields it changed.
type auditEntryJSON struct {
	*store.AuditEntry
	Changes []auditChange `json:"changes"`
}

// auditChange is one field an entry changed, from → to (null when absent).
type auditChange struct {
	Field string          `json:"field"`
	From  json.RawMessage `json:"from"`
	To    json.RawMessage `json:"to"`
}

// bookkeeping fields change with every write and say nothing of what changed.
var bookkeeping = map[string]bool{"updated_at": true, "version": true, "created_at": true}

// changedFields compares two JSON objects member by member, in the order of the
// after (else before) object's members as the API writes them.
func changedFields(before, after json.RawMessage) []auditChange {
	var b, a map[string]json.RawMessage
	_ = json.Unmarshal(before, &b) // null or absent decodes to a nil map
	_ = json.Unmarshal(after, &a)
	order := memberOrder(after)
	for _, k := range memberOrder(before) {
		if !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	changes := []auditChange{}
	for _, k := range order {
		if bookkeeping[k] {
			continue
		}
		from, to := b[k], a[k]
		if from == nil {
			from = json.RawMessage("null")
		}
		if to == nil {
			to = json.RawMessage("null")
		}
		if !bytes.Equal(compactJSON(from), compactJSON(to)) {
			changes = append(changes, auditChange{Field: k, From: from, To: to})
		}
	}
	return changes
}

// memberOrder returns an object's member names in the order they appear.
func memberOrder(obj json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var names []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return names
		}
		name, _ := t.(string)
		names = append(names, name)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return names
		}
	}
	return names
}

func compactJSON(raw json.RawMessage) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}

// handleAudit lists audit entries newest first, filtered by entity, entity_id,
// user (username), action and since (RFC 3339, or a date YYYY-MM-DD meaning its
// start in the street's time zone), paged by limit and offset. The office and admins read
// every entry; staff their own organization's.
func (s *Server) handleAudit(c *gin.Context) {
	p, ok := s.editParams(c)
	if !ok {
		return
	}
	filter, err := auditFilter(p, s.Snapshot().Location())
	if err != nil {
		writeError(c, err)
		return
	}
	list, total, err := s.db.Audit(c.Request.Context(), filter)
	if err != nil {
		writeError(c, err)
		return
	}
	out := make([]auditEntryJSON, len(list))
	for i, e := range list {
		out[i] = auditEntryJSON{AuditEntry: e, Changes: changedFields(e.Before, e.After)}
	}
	c.JSON(http.StatusOK, gin.H{"entries": out, "total": total, "limit": filter.Limit, "offset": filter.Offset})
}

// auditEntities are what the audit log records changes of.
var auditEntities = []string{store.EntityService, store.EntityUser, store.EntityReport, store.EntitySuggestion, store.EntitySuggestionCategory,
	store.EntityMenu, store.EntityMenuTemplate, store.EntityDelivery, store.EntitySubsidy, store.EntityActivity}

func auditFilter(p *params, loc *time.Location) (store.AuditFilter, error) {
	var f store.AuditFilter
	var err error
	if f.Limit, err = p.int("limit", 50, 1, maxLimit); err != nil {
		return f, err
	}
	if f.Offset, err = p.int("offset", 0, 0, maxOffset); err != nil {
		return f, err
	}
	id, err := p.int("entity_id", 0, 1, math.MaxInt32)
	if err != nil {
		return f, err
	}
	f.EntityID = int64(id)
	if f.Entity, _, err = p.get("entity"); err != nil {
		return f, err
	}
	if f.Entity != "" && !slices.Contains(auditEntities, f.Entity) {
		return f, doorstep.FieldErrorf("entity", "entity must be one of %s.", strings.Join(auditEntities, ", "))
	}
	if f.Username, _, err = p.get("user"); err != nil {
		return f, err
	}
	if f.Action, _, err = p.get("action"); err != nil {
		return f, err
	}
	since, _, err := p.get("since")
	if err != nil || since == "" {
		return f, err
	}
	if f.Since, err = time.Parse(time.RFC3339, since); err != nil {
		if f.Since, err = time.ParseInLocation(doorstep.DateLayout, since, loc); err != nil {
			return f, doorstep.FieldErrorf("since", "since must be a time such as 2026-11-25T09:00:00+08:00 or a date such as 2026-11-25.")
		}
	}
	return f, nil
}
