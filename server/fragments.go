package server

import (
	"cmp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// A listing's service object (serviceJSON) is mostly the listing itself — names,
// address, phone, hours, offers, status, timestamps, navigation links — which is
// the same in every answer until staff change it. listingFragment holds those
// bytes, encoded once; an answer adds only what depends on the request: the walk,
// whether it is open now and when that changes (kept for the minute), stale,
// reported, and coordinates in a crs other than WGS84.

// listingFragment is the encoded part of one listing value's service object.
type listingFragment struct {
	// svc is the listing value the bytes were made from. Snapshots never change a
	// listing value — an edit puts a new one in the next snapshot — so the bytes
	// are right for as long as a snapshot holds this very value, and for no other.
	svc *doorstep.Service
	// bytes are `{"id":…,"version":N` (the members from the listing), then
	// `,"lon":…,"lat":…` in WGS84 from lonAt, then `,"navigate":{…}` from navAt.
	bytes        []byte
	lonAt, navAt int
	opening      atomic.Pointer[openingFragment]
}

// openingFragment is `,"open_now":…,"next_change":…` of a listing during one
// minute of the street's clock (finder.Base.ClockMinute) of base.
type openingFragment struct {
	base   *finder.Base
	minute int64
	bytes  []byte
}

func newListingFragment(svc *doorstep.Service) *listingFragment {
	b := make([]byte, 0, 1024)
	b = appendListingMembers(b, svc)
	f := &listingFragment{svc: svc, lonAt: len(b)}
	b = appendCoordinates(b, svc.Point())
	f.navAt = len(b)
	nav := newNavigateJSON(svc)
	b = append(b, `,"navigate":{"amap":`...)
	b = appendJSONString(b, nav.Amap)
	b = append(b, `,"baidu":`...)
	b = appendJSONString(b, nav.Baidu)
	b = append(b, `,"geo":`...)
	b = appendJSONString(b, nav.Geo)
	f.bytes = append(b, '}')
	return f
}

// size is about what the fragment holds in memory, for the cache's budget.
func (f *listingFragment) size() int { return cap(f.bytes) + 128 }

// appendListingMembers appends `{` and the members serviceJSON takes from the
// embedded doorstep.Service, in its order, leaving out lon and lat (serviceJSON's
// own, in the answer's crs, shadow them) and the closing brace.
func appendListingMembers(b []byte, svc *doorstep.Service) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, svc.ID, 10)
	b = append(b, `,"category":`...)
	b = appendJSONString(b, svc.Category)
	b = append(b, `,"organization_id":`...)
	b = strconv.AppendInt(b, svc.OrganizationID, 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, svc.Name)
	b = append(b, `,"name_en":`...)
	b = appendJSONString(b, svc.NameEn)
	b = append(b, `,"address":`...)
	b = appendJSONString(b, svc.Address)
	b = append(b, `,"phone":`...)
	b = appendJSONString(b, svc.Phone)
	b = append(b, `,"hours":`...)
	b = appendSchedule(b, svc.Hours)
	b = append(b, `,"offers":`...)
	b = appendJSONStrings(b, svc.Offers)
	b = append(b, `,"capacity":`...)
	if svc.Capacity == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*svc.Capacity), 10)
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, svc.Status)
	b = append(b, `,"note":`...)
	b = appendJSONString(b, svc.Note)
	b = append(b, `,"reopens_on":`...)
	b = appendJSONString(b, svc.ReopensOn)
	b = append(b, `,"sample":`...)
	b = appendJSONBool(b, svc.Sample)
	b = append(b, `,"verified_at":`...)
	if svc.VerifiedAt == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONTime(b, *svc.VerifiedAt)
	}
	b = append(b, `,"created_at":`...)
	b = appendJSONTime(b, svc.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, svc.UpdatedAt)
	b = append(b, `,"version":`...)
	return strconv.AppendInt(b, svc.Version, 10)
}

// appendCoordinates appends `,"lon":…,"lat":…` of p.
func appendCoordinates(b []byte, p orb.Point) []byte {
	b = append(b, `,"lon":`...)
	b = appendJSONFloat(b, p[0])
	b = append(b, `,"lat":`...)
	return appendJSONFloat(b, p[1])
}

// appendSchedule appends a timetable as encoding/json writes doorstep.Schedule.
func appendSchedule(b []byte, s doorstep.Schedule) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, span := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"days":`...)
		b = appendJSONStrings(b, span.Days)
		b = append(b, `,"opens":`...)
		b = appendJSONString(b, span.Opens)
		b = append(b, `,"closes":`...)
		b = appendJSONString(b, span.Closes)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendJSONStrings appends a list of strings; nil is null, as encoding/json has it.
func appendJSONStrings(b []byte, list []string) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONTime appends t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds as needed; timestamps here are years 0–9999, which it requires).
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// fragmentCache keeps listing fragments by listing id, each good only for the
// listing value it was made from: a hit needs the very value a snapshot holds, so
// no edit, import or new snapshot can make it answer stale bytes. It holds at
// most about fragmentCacheBytes; past that, entries chosen at random make room.
// Safe for concurrent use.
type fragmentCache struct {
	limit  int // bytes held at most; 0: fragmentCacheBytes
	shards [fragmentShards]fragmentShard
}

type fragmentShard struct {
	mu    sync.RWMutex
	byID  map[int64]*listingFragment
	bytes int
}

// fragmentCacheBytes bounds the cache: a listing's fragment is about 1 KB, so it
// holds a city's 60,000 most asked listings.
const (
	fragmentCacheBytes = 64 << 20
	fragmentShards     = 64 // spread the locks of concurrent answers
)

// get returns svc's fragment, making it when it is missing or was made from
// another value of the listing.
func (c *fragmentCache) get(svc *doorstep.Service) *listingFragment {
	sh := &c.shards[uint64(svc.ID)%fragmentShards]
	sh.mu.RLock()
	f := sh.byID[svc.ID]
	sh.mu.RUnlock()
	if f != nil && f.svc == svc {
		return f
	}
	f = newListingFragment(svc)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.byID == nil {
		sh.byID = map[int64]*listingFragment{}
	}
	if old := sh.byID[svc.ID]; old != nil {
		sh.bytes -= old.size()
		delete(sh.byID, svc.ID)
	}
	// Go ranges over a map from a random place: the entries dropped are random.
	for id, e := range sh.byID {
		if sh.bytes+f.size() <= cmp.Or(c.limit, fragmentCacheBytes)/fragmentShards {
			break
		}
		sh.bytes -= e.size()
		delete(sh.byID, id)
	}
	sh.byID[svc.ID] = f
	sh.bytes += f.size()
	return f
}

// listingWriter writes the service objects of one answer: listings from snap,
// coordinates in crs, open now and stale at now.
type listingWriter struct {
	snap      *finder.Snapshot
	reported  *reportedSet
	fragments *fragmentCache
	crs       geo.CRS
	now       time.Time
	minute    int64 // of now on the street's clock
}

func (s *Server) newListingWriter(snap *finder.Snapshot, crs geo.CRS, now time.Time) listingWriter {
	return listingWriter{snap: snap, reported: &s.reported, fragments: &s.fragments, crs: crs, now: now, minute: snap.ClockMinute(now)}
}

// appendService appends svc's service object as encoding/json writes serviceJSON
// (newServiceJSON) with walk and, for a meal point, today's menu.
func (w *listingWriter) appendService(b []byte, svc *doorstep.Service, walk *finder.Walk, menu *doorstep.Menu) []byte {
	f := w.fragments.get(svc)
	b = append(b, f.bytes[:f.lonAt]...)
	if w.crs == geo.WGS84 {
		b = append(b, f.bytes[f.lonAt:f.navAt]...)
	} else {
		b = appendCoordinates(b, geo.FromWGS84(w.crs, svc.Point()))
	}
	b = append(b, w.opening(f)...)
	b = append(b, `,"stale":`...)
	b = appendJSONBool(b, svc.Stale(w.now))
	if walk != nil {
		b = append(b, `,"distance_m":`...)
		b = appendJSONFloat(b, walk.DistanceM)
		b = append(b, `,"walk_minutes":`...)
		b = appendJSONFloat(b, walk.WalkMinutes)
		if walk.Estimate != "" {
			b = append(b, `,"estimate":`...)
			b = appendJSONString(b, walk.Estimate)
		}
	}
	b = append(b, `,"reported":`...)
	b = appendJSONBool(b, w.reported.has(svc))
	b = append(b, f.bytes[f.navAt:]...)
	if menu != nil {
		b = append(b, `,"today_menu":`...)
		// A menu always encodes; null stands in should one not.
		if mb, err := appendJSON(b, menu); err == nil {
			b = mb
		} else {
			b = append(b, "null"...)
		}
	}
	return append(b, '}')
}

// opening is f's `,"open_now":…,"next_change":…` at the writer's minute, made
// once a minute from the snapshot's opening (finder.Snapshot.Opening).
func (w *listingWriter) opening(f *listingFragment) []byte {
	if o := f.opening.Load(); o != nil && o.base == w.snap.Base && o.minute == w.minute {
		return o.bytes
	}
	op := w.snap.Opening(f.svc, w.now)
	b := make([]byte, 0, 160)
	b = append(b, `,"open_now":`...)
	b = appendJSONBool(b, op.Open)
	b = append(b, `,"next_change":`...)
	if op.HasNext {
		nc := newNextChangeJSON(op.Next, w.now)
		b = append(b, `{"kind":`...)
		b = appendJSONString(b, nc.Kind)
		b = append(b, `,"at":`...)
		b = appendJSONString(b, nc.At)
		b = append(b, `,"text_zh":`...)
		b = appendJSONString(b, nc.TextZh)
		b = append(b, `,"text_en":`...)
		b = appendJSONString(b, nc.TextEn)
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	f.opening.Store(&openingFragment{base: w.snap.Base, minute: w.minute, bytes: b})
	return b
}
