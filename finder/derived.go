package finder

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// At city scale a base is slow to build — on the generated city of a million nodes
// the walking graph takes about 2 s and snapping the areas' 3.5 million sample
// points some 20 s of CPU — but it changes only when the network or the areas do.
// So Live keeps what it built in a DerivedStore (the database) and a restart loads
// it: the graph with its connected parts, where each listing joins the network, and
// the areas' sample points with their snaps. Loading never blocks on building:
// what is not kept, was built from another network or other areas, or does not
// read is built as before, and kept in the background after the portal is ready.

// DerivedStore keeps derived data between runs; *store.DB is one. A Source that is
// also a DerivedStore has Live keep its bases there.
type DerivedStore interface {
	// DerivedRevision names the network and areas stored now; it changes with
	// every change to either.
	DerivedRevision(ctx context.Context) (string, error)
	// LoadDerived returns the bytes kept for kind, built at revision in format:
	// an ENOTFOUND error when there are none such, another error when they are
	// damaged.
	LoadDerived(ctx context.Context, kind string, format int, revision string) ([]byte, error)
	// SaveDerived keeps the bytes, unless the network or areas changed since
	// revision, when it reports false.
	SaveDerived(ctx context.Context, kind string, format int, revision string, data []byte) (bool, error)
}

// Kinds of derived data.
const (
	derivedGraph    = "walking_graph"
	derivedListings = "listing_snaps"
	derivedAreas    = "area_points"
)

// derivedLayout is the version of the layout of the blobs below. Bump it when
// they change, or when the same network and areas would give other data:
// WalkingGraph's islands, AreaSampleMetres, geo.AreaSamplePoints. Snaps name the
// graph's nodes and edges, so every kind carries geo.GraphFormat too.
const derivedLayout = 1

// derivedFormat is the format every kind is kept in.
const derivedFormat = derivedLayout*1000 + geo.GraphFormat

// derived is a base's link to its DerivedStore: what was loaded, and what is to
// be kept.
type derived struct {
	store    DerivedStore
	revision string // DerivedRevision when the base's input was read
	log      *slog.Logger

	graphLoaded    bool
	listingsLoaded bool
	demandLoaded   bool
	// listings are the listing snaps loaded for the base's first snapshot, by id;
	// nil once that snapshot is kept.
	listings atomic.Pointer[keptListings]
	// freshListings counts listings the first snapshot snapped afresh.
	freshListings atomic.Int64
}

// keptListings are where listings joined the network, by id.
type keptListings struct {
	ids    []int64
	points []orb.Point
	snaps  []pointSnap
}

// newDerivedBase builds a base, loading its graph and listing snaps from ds when
// they are kept for revision.
func newDerivedBase(ctx context.Context, in BaseInput, ds DerivedStore, revision string, log *slog.Logger) *Base {
	start := time.Now()
	d := &derived{store: ds, revision: revision, log: log}
	var kept *geo.Graph
	var islands geo.Islands
	if len(in.Network) > 0 {
		if data := d.load(ctx, derivedGraph); data != nil {
			if g, isl, err := decodeGraph(data); err != nil {
				d.ignore(derivedGraph, err)
			} else {
				kept, islands = g, isl
				log.Info("walking graph loaded", "nodes", g.NumNodes(), "bytes", len(data), "took", time.Since(start))
			}
		}
	}
	b := newBase(in, kept, islands)
	b.builtIn = time.Since(start) // loading too
	b.derived = d
	d.graphLoaded = kept != nil
	if kept != nil {
		if data := d.load(ctx, derivedListings); data != nil {
			if l, err := decodeListings(data, kept); err != nil {
				d.ignore(derivedListings, err)
			} else {
				d.listings.Store(l)
				d.listingsLoaded = true
			}
		}
	}
	return b
}

// load returns kind's kept bytes, or nil (logged) when none are kept for the
// base's revision, or they are damaged.
func (d *derived) load(ctx context.Context, kind string) []byte {
	data, err := d.store.LoadDerived(ctx, kind, derivedFormat, d.revision)
	switch {
	case doorstep.ErrorCode(err) == doorstep.ENOTFOUND:
		d.log.Info("derived data to build", "kind", kind, "why", doorstep.ErrorMessage(err))
		return nil
	case err != nil:
		d.ignore(kind, err)
		return nil
	}
	return data
}

// ignore logs kept data that does not load, which is built again instead.
func (d *derived) ignore(kind string, err error) {
	d.log.Warn("derived data ignored, building it again", "kind", kind, "err", err)
}

// save keeps data as kind, logging how it went.
func (d *derived) save(ctx context.Context, kind string, data []byte) {
	start := time.Now()
	saved, err := d.store.SaveDerived(ctx, kind, derivedFormat, d.revision, data)
	switch {
	case err != nil:
		d.log.Warn("derived data not kept", "kind", kind, "err", err)
	case !saved:
		d.log.Info("derived data not kept: the network or areas changed while it was built", "kind", kind)
	default:
		d.log.Info("derived data kept", "kind", kind, "bytes", len(data), "took", time.Since(start))
	}
}

// keptSnap returns where the listing id at p joins the network, when its first
// snapshot's kept snaps hold it at p.
func (d *derived) keptSnap(id int64, p orb.Point) (pointSnap, bool) {
	if d == nil {
		return pointSnap{}, false
	}
	l := d.listings.Load()
	if l == nil {
		return pointSnap{}, false
	}
	i, ok := slices.BinarySearch(l.ids, id)
	if !ok || l.points[i] != p {
		d.freshListings.Add(1)
		return pointSnap{}, false
	}
	return l.snaps[i], true
}

// keepGraph saves what the base built rather than loaded: the graph, with the
// parts found by then, and the listings' snaps of snap, the base's first snapshot.
// Safe on a nil d.
func (d *derived) keepGraph(ctx context.Context, b *Base, snap *Snapshot) {
	if d == nil || b.graph == nil {
		return
	}
	if !d.graphLoaded {
		if data, err := encodeGraph(b.graph, b.islands); err != nil {
			d.log.Warn("derived data not kept", "kind", derivedGraph, "err", err)
		} else {
			d.save(ctx, derivedGraph, data)
		}
	}
	if snap != nil && snap.Base == b && (!d.listingsLoaded || d.freshListings.Load() > 0) {
		d.save(ctx, derivedListings, encodeListings(snap))
	}
	d.listings.Store(nil)
}

// keepDemand saves the areas' sample points and snaps when they were made rather
// than loaded. Safe on a nil d.
func (d *derived) keepDemand(ctx context.Context, b *Base) {
	if d == nil || b.graph == nil || len(b.areas) == 0 {
		return
	}
	if dm := b.demand(); !d.demandLoaded {
		d.save(ctx, derivedAreas, encodeDemand(b, dm))
	}
}

// loadDemand returns the areas' sample points and snaps when they are kept for
// the base, nil otherwise.
func (d *derived) loadDemand(b *Base) *coverageDemand {
	if d == nil || b.graph == nil || !d.graphLoaded {
		// Snaps name the graph's edges: only a kept graph's are kept with it.
		return nil
	}
	// Background: the demand is made for the base's life, not for a request.
	data := d.load(context.Background(), derivedAreas)
	if data == nil {
		return nil
	}
	dm, err := decodeDemand(data, b)
	if err != nil {
		d.ignore(derivedAreas, err)
		return nil
	}
	d.demandLoaded = true
	return dm
}

// errDerivedBytes is what bad derived bytes give.
var errDerivedBytes = errors.New("finder: derived data does not read")

// A kept graph is its islands (count, nodes, largest), then the graph's own
// binary form.
func encodeGraph(g *geo.Graph, isl geo.Islands) ([]byte, error) {
	gb, err := g.MarshalBinary()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 24+len(gb))
	for _, n := range []int{isl.Count, isl.Nodes, isl.Largest} {
		b = binary.LittleEndian.AppendUint64(b, uint64(n))
	}
	return append(b, gb...), nil
}

func decodeGraph(data []byte) (*geo.Graph, geo.Islands, error) {
	if len(data) < 24 {
		return nil, geo.Islands{}, fmt.Errorf("%w: graph cut short", errDerivedBytes)
	}
	var n [3]uint64
	for i := range n {
		n[i] = binary.LittleEndian.Uint64(data[8*i:])
		if n[i] > math.MaxInt32 {
			return nil, geo.Islands{}, fmt.Errorf("%w: islands", errDerivedBytes)
		}
	}
	g := new(geo.Graph)
	if err := g.UnmarshalBinary(data[24:]); err != nil {
		return nil, geo.Islands{}, err
	}
	if g.NumNodes() == 0 {
		return nil, geo.Islands{}, fmt.Errorf("%w: an empty graph", errDerivedBytes)
	}
	return g, geo.Islands{Count: int(n[0]), Nodes: int(n[1]), Largest: int(n[2])}, nil
}

// Kept listing snaps are their count, then for each listing by id: its id, its
// position (float64 lon, lat, as the listing holds it) and its snap in full, as
// a walk from it measures: the edge (+1, 0 for none), the node it leaves, and
// float64 metres along and off it.
const keptListingSize = 8 + 16 + 8 + 16

func encodeListings(s *Snapshot) []byte {
	order := make([]int, len(s.services))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(s.services[a].ID, s.services[b].ID) })
	b := make([]byte, 0, 8+keptListingSize*len(order))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(order)))
	for _, i := range order {
		svc, ps := s.services[i], s.snaps[i]
		p := svc.Point()
		b = binary.LittleEndian.AppendUint64(b, uint64(svc.ID))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(p[0]))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(p[1]))
		var snap geo.Snap
		if ps.ok {
			snap = ps.snap
		} else {
			snap.Edge = -1
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(snap.Edge+1))
		b = binary.LittleEndian.AppendUint32(b, uint32(snap.From))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(snap.Along))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(snap.Offset))
	}
	return b
}

func decodeListings(data []byte, g *geo.Graph) (*keptListings, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("%w: listings cut short", errDerivedBytes)
	}
	n := binary.LittleEndian.Uint64(data)
	data = data[8:]
	if n != uint64(len(data)/keptListingSize) || len(data)%keptListingSize != 0 {
		return nil, fmt.Errorf("%w: %d listings in %d bytes", errDerivedBytes, n, len(data))
	}
	l := &keptListings{ids: make([]int64, n), points: make([]orb.Point, n), snaps: make([]pointSnap, n)}
	u64 := func(b []byte, at int) uint64 { return binary.LittleEndian.Uint64(b[at:]) }
	for i := range l.ids {
		rec := data[i*keptListingSize:]
		l.ids[i] = int64(u64(rec, 0))
		if i > 0 && l.ids[i] <= l.ids[i-1] {
			return nil, fmt.Errorf("%w: listings out of order", errDerivedBytes)
		}
		l.points[i] = orb.Point{math.Float64frombits(u64(rec, 8)), math.Float64frombits(u64(rec, 16))}
		edge := int(binary.LittleEndian.Uint32(rec[24:])) - 1
		if edge < 0 {
			continue // off the network
		}
		from := int(binary.LittleEndian.Uint32(rec[28:]))
		s, err := g.SnapAt(edge, from, math.Float64frombits(u64(rec, 32)), math.Float64frombits(u64(rec, 40)), l.points[i])
		if err != nil {
			return nil, err
		}
		l.snaps[i] = pointSnap{snap: s, ok: true}
	}
	return l, nil
}

// Kept sample points are the number of areas, then each area's id and number of
// points, then every point (int32 lon, lat in 1e-7 degree), then every snap.
func encodeDemand(b *Base, d *coverageDemand) []byte {
	n := len(d.points)
	out := make([]byte, 0, 8+16*len(b.areas)+8*n+geo.SnapRefSize*n)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(b.areas)))
	for i, a := range b.areas {
		out = binary.LittleEndian.AppendUint64(out, uint64(a.ID))
		out = binary.LittleEndian.AppendUint64(out, uint64(d.areaStart[i+1]-d.areaStart[i]))
	}
	for _, p := range d.points {
		out = binary.LittleEndian.AppendUint32(out, uint32(p.lon))
		out = binary.LittleEndian.AppendUint32(out, uint32(p.lat))
	}
	for _, r := range d.snaps {
		out, _ = r.AppendBinary(out)
	}
	return out
}

// decodeDemand reads kept sample points for b, whose areas must be the ones they
// were made for, in the same order.
func decodeDemand(data []byte, b *Base) (*coverageDemand, error) {
	if len(data) < 8 || binary.LittleEndian.Uint64(data) != uint64(len(b.areas)) || len(data) < 8+16*len(b.areas) {
		return nil, fmt.Errorf("%w: not made for these %d areas", errDerivedBytes, len(b.areas))
	}
	d := &coverageDemand{areaStart: make([]int, len(b.areas)+1), areaBound: make([]orb.Bound, len(b.areas))}
	rest := data[8:]
	total := 0
	for i, a := range b.areas {
		id, count := int64(binary.LittleEndian.Uint64(rest[16*i:])), binary.LittleEndian.Uint64(rest[16*i+8:])
		if id != a.ID || count > uint64(len(data)) {
			return nil, fmt.Errorf("%w: not made for these areas", errDerivedBytes)
		}
		d.areaStart[i] = total
		total += int(count)
	}
	d.areaStart[len(b.areas)] = total
	rest = rest[16*len(b.areas):]
	if len(rest) != total*(8+geo.SnapRefSize) {
		return nil, fmt.Errorf("%w: %d points in %d bytes", errDerivedBytes, total, len(rest))
	}
	d.points = make([]demandPoint, total)
	for i := range d.points {
		d.points[i] = demandPoint{lon: int32(binary.LittleEndian.Uint32(rest[8*i:])), lat: int32(binary.LittleEndian.Uint32(rest[8*i+4:]))}
	}
	rest = rest[8*total:]
	d.snaps = make([]geo.SnapRef, total)
	for i := range d.snaps {
		r, err := b.graph.SnapRefFrom(rest[geo.SnapRefSize*i:])
		if err != nil {
			return nil, err
		}
		d.snaps[i] = r
	}
	d.findBounds()
	return d, nil
}
