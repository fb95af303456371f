package server

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"doorstep"
)

// textSearch reads the text query q and answers what search finds for it, id →
// rank (lower is better); nil when q is absent or blank, which filters nothing.
// Bad text (invalid UTF-8, too long) is the store's EINVALID naming q.
func textSearch(ctx context.Context, p *params, search func(context.Context, string) (map[int64]float64, error)) (map[int64]float64, error) {
	q, given, err := p.get("q")
	if err != nil || !given || strings.TrimSpace(q) == "" {
		return nil, err
	}
	return search(ctx, q)
}

// rankedAreas keeps the areas in matches, best rank first (by id among equals);
// with no matches (nil) it returns every area as it is.
func rankedAreas(areas []*doorstep.Area, matches map[int64]float64) []*doorstep.Area {
	if matches == nil {
		return areas
	}
	var kept []*doorstep.Area
	for _, a := range areas {
		if _, ok := matches[a.ID]; ok {
			kept = append(kept, a)
		}
	}
	slices.SortStableFunc(kept, func(a, b *doorstep.Area) int { return cmp.Compare(matches[a.ID], matches[b.ID]) })
	return kept
}

// nextChangeJSON is when a listing next opens or closes, with the words a resident
// reads: {"kind": "closes", "at": "2026-11-25T13:00:00+08:00", "text_zh": "13:00关门",
// "text_en": "closes 13:00"}.
type nextChangeJSON struct {
	Kind   string `json:"kind"` // "opens" or "closes"
	At     string `json:"at"`   // RFC 3339 in the street's time zone
	TextZh string `json:"text_zh"`
	TextEn string `json:"text_en"`
}

func newNextChangeJSON(c doorstep.Change, now time.Time) *nextChangeJSON {
	zh, en := c.Words(now)
	return &nextChangeJSON{Kind: c.Kind, At: c.At.Format(time.RFC3339), TextZh: zh, TextEn: en}
}
