package finder

import (
	"sync/atomic"
	"time"

	"doorstep"
)

// IsOpen reports whether a service is open at t: its status is open, or it is
// temporarily closed and its reopening date has come, and its weekly hours, read in
// the street's time zone, include t (doorstep.Service.OpenIn).
func (b *Base) IsOpen(svc *doorstep.Service, t time.Time) bool {
	return svc.OpenIn(t, b.loc)
}

// NextChange is when a service next opens or closes after t, in the street's
// time zone (doorstep.Service.NextChangeIn).
func (b *Base) NextChange(svc *doorstep.Service, t time.Time) (doorstep.Change, bool) {
	return svc.NextChangeIn(t, b.loc)
}

// Location is the street's time zone, which opening hours and dates are read in.
func (b *Base) Location() *time.Location { return b.loc }

// ClockMinute is the minute of the street's wall clock that t falls in, counted
// from 1970-01-01 00:00 on that clock. Opening hours are whole minutes and dates
// whole days of this clock, so whether a listing is open, when that changes next
// and the words for it (doorstep.Change.Words) are the same all through a minute.
func (b *Base) ClockMinute(t time.Time) int64 {
	_, offset := t.In(b.loc).Zone()
	sec := t.Unix() + int64(offset)
	m := sec / 60
	if sec%60 < 0 { // floor before 1970
		m--
	}
	return m
}

// Opening is a listing's opening during one minute of the street's clock.
type Opening struct {
	Open bool
	// Next is when that changes; HasNext is false when nothing will change (hours
	// unknown, open around the clock, closed for good, or a temporary closure
	// without a reopening date).
	Next    doorstep.Change
	HasNext bool
}

// openingCache holds, per listing position of a snapshot, the Opening of the last
// minute it was asked for: a nearby list of ten asked by many residents in the
// same minute reads each listing's hours once. Each entry names the listing value
// it was worked out for, so an entry can never answer for another listing — not
// for a listing edited in place by Snapshot.update, which puts a new value at the
// same position (and may share this cache), nor for a snapshot of other listings.
type openingCache struct {
	at []atomic.Pointer[openingEntry]
}

type openingEntry struct {
	svc    *doorstep.Service
	minute int64
	full   bool // Next and HasNext are known, not only Open
	Opening
}

func newOpeningCache(n int) *openingCache {
	return &openingCache{at: make([]atomic.Pointer[openingEntry], n)}
}

// Opening is svc's opening at t in the street's time zone. For the snapshot's own
// listings it is worked out once a minute and kept; any other listing value (one
// just written, not yet in a snapshot) is worked out afresh. Safe for concurrent
// use.
func (s *Snapshot) Opening(svc *doorstep.Service, t time.Time) Opening { return s.kept(svc, t, true) }

// IsOpen is Base.IsOpen, kept for the minute (Opening).
func (s *Snapshot) IsOpen(svc *doorstep.Service, t time.Time) bool { return s.kept(svc, t, false).Open }

// NextChange is Base.NextChange, kept for the minute (Opening).
func (s *Snapshot) NextChange(svc *doorstep.Service, t time.Time) (doorstep.Change, bool) {
	o := s.Opening(svc, t)
	return o.Next, o.HasNext
}

// kept is svc's opening at t from the cache, worked out and kept when missing;
// with full false only Open is wanted, and only it is worked out: a search that
// filters hundreds of listings by open_now needs no next change.
func (s *Snapshot) kept(svc *doorstep.Service, t time.Time, full bool) Opening {
	pos, ok := s.position(svc.ID)
	if !ok {
		return s.work(svc, t, full)
	}
	return s.keptAt(pos, svc, t, full)
}

// keptAt is kept for a listing whose position the caller knows (a circle's), without
// looking it up by id; a position that does not hold svc is worked out afresh.
func (s *Snapshot) keptAt(pos int, svc *doorstep.Service, t time.Time, full bool) Opening {
	if s.openings == nil || pos < 0 || pos >= len(s.openings.at) || s.services[pos] != svc {
		return s.work(svc, t, full)
	}
	minute := s.ClockMinute(t)
	slot := &s.openings.at[pos]
	if e := slot.Load(); e != nil && e.svc == svc && e.minute == minute && (e.full || !full) {
		return e.Opening
	}
	o := s.work(svc, t, full)
	slot.Store(&openingEntry{svc: svc, minute: minute, full: full, Opening: o})
	return o
}

// work works out svc's opening at t: all of it, or with full false only Open.
func (b *Base) work(svc *doorstep.Service, t time.Time, full bool) Opening {
	if !full {
		return Opening{Open: b.IsOpen(svc, t)}
	}
	next, ok := b.NextChange(svc, t)
	return Opening{Open: b.IsOpen(svc, t), Next: next, HasNext: ok}
}
