// Package finder answers residents' questions — what is nearest, how many minutes on
// foot, what is at my doorstep, what lies in my 15-minute circle — from an immutable
// snapshot of the listings, areas, street and walking network. A Snapshot is built
// from plain domain values read from a Source (the store), never changes after it
// is built, and is safe for any number of concurrent readers. Live holds the
// current one and swaps in a new one after an edit (Refresh) or an import
// (WatchImports); Load builds one for tools that only read.
//
// Building has two parts. A Base holds what changes rarely and is slow to build at
// city scale — the walking graph, the residential areas and their sample points
// snapped to the graph. Base.Index adds the listings, which change with every edit,
// and reuses the previous snapshot's snaps for listings that did not move.
package finder

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// EstimateStraightLine marks distances that are straight-line estimates times
// doorstep.StraightLineDetour rather than walks on the network.
const EstimateStraightLine = "straight_line"

// AreaSampleMetres is the grid on which an area's residents are spread.
const AreaSampleMetres = 20

// BaseInput is what a Base is built from.
type BaseInput struct {
	Street     *doorstep.Street
	Categories []doorstep.Category
	Areas      []*doorstep.Area
	Network    []doorstep.NetworkLine // none: every walk is a straight-line estimate
	// What the map draws besides listings, carried with the snapshot because it
	// changes only when a street is loaded.
	SampleStreet bool // the street is the made-up sample
	Features     []doorstep.MapFeature
	Attribution  string
}

// Base is the slowly changing part of a snapshot. It is immutable once built.
type Base struct {
	street     *doorstep.Street
	loc        *time.Location // the street's, for opening hours
	sample     bool
	features   []doorstep.MapFeature
	attrib     string
	categories []doorstep.Category
	catIndex   map[string]int
	areas      []*doorstep.Area
	areaLoc    *geo.AreaLocator
	network    []doorstep.NetworkLine
	graph      *geo.Graph  // nil without a network
	islands    geo.Islands // left out of graph
	walkers    sync.Pool   // of *geo.Walker on graph
	builtIn    time.Duration

	// The areas' sample points and where each joins the network, for catchments
	// and coverage. At city scale they are millions of points, so they are made on
	// first use (or by Warm).
	demandOnce  sync.Once
	demandCache *coverageDemand
	fit         fitCache // the network's and areas' fit, made on first use
	labelsOnce  sync.Once
	labels      *MapLabels

	derived *derived // where the base is kept between runs; nil: nowhere
}

// pointSnap is a point joined to the network, if it could be.
type pointSnap struct {
	snap geo.Snap
	ok   bool
}

// NewBase builds the walking graph, locates areas and snaps their sample points.
func NewBase(in BaseInput) *Base { return newBase(in, nil, geo.Islands{}) }

// newBase is NewBase with the walking graph of in.Network already built, when
// kept is not nil.
func newBase(in BaseInput, kept *geo.Graph, keptIslands geo.Islands) *Base {
	start := time.Now()
	b := &Base{
		street:     in.Street,
		loc:        in.Street.Location(),
		sample:     in.SampleStreet,
		features:   in.Features,
		attrib:     in.Attribution,
		categories: in.Categories,
		catIndex:   make(map[string]int, len(in.Categories)),
		areas:      in.Areas,
		network:    in.Network,
	}
	for i, c := range in.Categories {
		b.catIndex[c.ID] = i
	}
	polys := make([]orb.MultiPolygon, len(in.Areas))
	for i, a := range in.Areas {
		polys[i] = a.Geometry
	}
	b.areaLoc = geo.NewAreaLocator(polys)
	if len(in.Network) > 0 {
		g, islands := kept, keptIslands
		if g == nil {
			g, islands = WalkingGraph(in.Network)
		}
		b.islands = islands
		if g.NumNodes() > 0 {
			b.graph = g
			b.walkers.New = func() any { return g.NewWalker() }
		}
	}
	b.builtIn = time.Since(start)
	return b
}

// Warm makes what is otherwise made on first use — the areas' sample points snapped
// to the network, and the network's connected parts for the plain (and walker's)
// and the step-free walk — so the first catchment, coverage or route is not slow.
func (b *Base) Warm() {
	b.findParts()
	b.demand()
}

// findParts finds the network's connected parts for the plain (and walker's)
// and the step-free walk.
func (b *Base) findParts() {
	if b.graph != nil {
		b.graph.FindParts(nil)
		b.graph.FindParts(stepFreeCost)
	}
}

// Islands — parts of the network joined to nothing else, such as a footpath in a
// compound whose gate the data lacks — are left out of the graph when smaller than
// islandShare of the largest part, counted at least islandMinNodes and at most
// islandMaxNodes: a point snapped onto one could reach nothing, while the street next
// to it would serve. The largest part is always kept.
const (
	islandShare    = 0.01
	islandMinNodes = 20
	islandMaxNodes = 1000
)

// WalkingGraph builds the walking graph of the lines as snapshots do — lines with
// node keys join only at their end nodes, others wherever they share a coordinate —
// and leaves out small islands, saying which. Import reports use it to tell what a
// network will give.
func WalkingGraph(lines []doorstep.NetworkLine) (*geo.Graph, geo.Islands) {
	var gb geo.GraphBuilder
	for _, l := range lines {
		gb.AddWay(l.Geometry, geo.Way{Kind: l.Kind, Name: l.Name, Access: l.Access}, l.FromNode, l.ToNode)
	}
	islands := gb.LeaveOutIslands(func(largest int) int {
		return int(min(max(float64(largest)*islandShare, islandMinNodes), islandMaxNodes, float64(largest)-1))
	})
	return gb.Build(), islands
}

// snap joins p to the network within geo.MaxSnapMetres.
func (b *Base) snap(p orb.Point) pointSnap { return b.snapAt(p, nil) }

// Islands says what small parts of the network were left out of the graph.
func (b *Base) Islands() geo.Islands { return b.islands }

// HasNetwork reports whether walks follow a walking network.
func (b *Base) HasNetwork() bool { return b.graph != nil }

// BuildTime is how long NewBase took.
func (b *Base) BuildTime() time.Duration { return b.builtIn }

// GraphStats describes the walking graph: nodes, edges and bytes held.
func (b *Base) GraphStats() (nodes, edges, bytes int) {
	if b.graph == nil {
		return 0, 0, 0
	}
	return b.graph.NumNodes(), b.graph.NumEdges(), b.graph.MemoryBytes()
}

func (b *Base) walker() *geo.Walker   { return b.walkers.Get().(*geo.Walker) }
func (b *Base) release(w *geo.Walker) { w.SetCost(nil); b.walkers.Put(w) }

// Input is everything a snapshot is built from in one go.
type Input struct {
	Street     *doorstep.Street
	Categories []doorstep.Category
	Areas      []*doorstep.Area
	Services   []*doorstep.Service
	Network    []doorstep.NetworkLine
}

// Build builds a Base and indexes the services on it.
func Build(in Input) *Snapshot {
	base := NewBase(BaseInput{Street: in.Street, Categories: in.Categories, Areas: in.Areas, Network: in.Network})
	return base.Index(in.Services, nil)
}

// Snapshot is an immutable index of everything a lookup needs.
type Snapshot struct {
	*Base
	fit       *fitCache           // the fit report, made on first use
	services  []*doorstep.Service // all services, by position
	byID      map[int64]int       // nil when services are in id order (then searched)
	serviceIn []int               // area position per service, -1 outside every area
	snaps     []pointSnap         // where each service joins the network
	visible   *geo.PointIndex     // over services; closed ones are filtered at query time
	// perCategory holds, per category, an index over its services; whether one is
	// in service (open, or a temporary closure whose reopening date has come) is
	// checked at query time, so a change of status re-indexes nothing.
	perCategory map[string]categoryIndex
	visibleN    map[string]int // services not closed, per category and "" for all
	builtAt     time.Time
	cache       *memo            // coverage answers, dropped with the snapshot
	profile     doorstep.Profile // how its walks go (ForProfile); zero: doorstep.Walk
	delivery    *deliveries      // where meal points deliver (delivery.go)
	walks       *listingWalks    // listings by the nodes nearest-first walks settle (nearest.go)
	kinds       []uint8          // per service: listedKind, read by filters without the service
	openN       *atomic.Pointer[openNowCounts]
	openings    *openingCache // by position; shared with updates of the same length (opening.go)
	labelSlot   *labelSlot    // doorstep labels, once made (voronoi.go)
}

type categoryIndex struct {
	points   *geo.PointIndex
	services []int // positions in Snapshot.services
}

// Index builds a snapshot of services on the base. Snaps of services that stand
// where they stood in prev (a snapshot of the same base) are reused; when prev
// holds the same listings in the same places, but for a few changed or added at
// the end (an edit), only what those change is rebuilt (Snapshot.update).
func (b *Base) Index(services []*doorstep.Service, prev *Snapshot) *Snapshot {
	if prev != nil && prev.Base != b {
		prev = nil
	}
	if s, ok := prev.update(services); ok {
		return s
	}
	s := &Snapshot{
		Base:        b,
		services:    services,
		serviceIn:   make([]int, len(services)),
		snaps:       make([]pointSnap, len(services)),
		kinds:       make([]uint8, len(services)),
		perCategory: make(map[string]categoryIndex, len(b.categories)),
		visibleN:    map[string]int{},
		builtAt:     time.Now(),
		cache:       &memo{},
		fit:         &fitCache{},
		walks:       &listingWalks{},
		openN:       new(atomic.Pointer[openNowCounts]),
		openings:    newOpeningCache(len(services)),
		labelSlot:   &labelSlot{},
	}
	if !slices.IsSortedFunc(services, func(a, b *doorstep.Service) int { return cmp.Compare(a.ID, b.ID) }) {
		s.byID = make(map[int64]int, len(services))
		for i, svc := range services {
			s.byID[svc.ID] = i
		}
	}
	// Delivery areas carry over to the listings' next snapshot; their zones are
	// resolved again, as listings may have moved.
	s.delivery = newDeliveries(prev.DeliveryAreas())
	points := make([]orb.Point, len(services))
	catServices := map[string][]int{}
	for i, svc := range services {
		p := svc.Point()
		points[i] = p
		s.serviceIn[i] = b.areaLoc.Locate(p)
		if j, ok := prev.position(svc.ID); ok && prev.services[j].Point() == p {
			s.snaps[i] = prev.snaps[j]
		} else if ps, ok := b.derived.keptSnap(svc.ID, p); ok {
			s.snaps[i] = ps
		} else {
			s.snaps[i] = b.snap(p)
		}
		s.count(svc, 1)
		s.kinds[i] = b.listedKind(svc)
		catServices[svc.Category] = append(catServices[svc.Category], i)
	}
	s.visible = geo.NewPointIndex(points)
	for id, positions := range catServices {
		s.perCategory[id] = s.newCategoryIndex(positions)
	}
	return s
}

// count adds n (1 or -1) to the counts of services not closed.
func (s *Snapshot) count(svc *doorstep.Service, n int) {
	if svc.Status != doorstep.StatusClosed {
		s.visibleN[svc.Category] += n
		s.visibleN[""] += n
	}
}

// categoryIndexAfter is a category's index after an edit changed the listings at
// the positions changed (ascending, as positions are): when the category kept its
// listings in order, perhaps with more at the end, the old tree is kept with the
// changed ones beside it (PointIndex.With); otherwise it is built afresh.
func (s *Snapshot) categoryIndexAfter(prev categoryIndex, positions, changed []int) categoryIndex {
	if prev.points == nil || len(positions) < len(prev.services) || !slices.Equal(prev.services, positions[:len(prev.services)]) {
		return s.newCategoryIndex(positions)
	}
	pts := s.pointsAt(positions)
	var moved []int
	for _, pos := range changed {
		if i, ok := slices.BinarySearch(positions, pos); ok {
			moved = append(moved, i)
		}
	}
	return categoryIndex{points: prev.points.With(pts, moved), services: positions}
}

func (s *Snapshot) newCategoryIndex(positions []int) categoryIndex {
	return categoryIndex{points: geo.NewPointIndex(s.pointsAt(positions)), services: positions}
}

// maxUpdate is how many changed listings update takes; more are re-indexed.
const maxUpdate = 64

// update is a snapshot of services made from s by changing only what the
// listings that differ from s's change — an edit's few — and sharing the rest:
// a listing's area and snap are found again only when it moved, the point index
// of its category and of all listings rebuilt only when one moved, changed
// category or was added, and the coverage answers kept unless an open listing
// came, went, moved or changed category. Readers of s are untouched. It reports
// false, doing nothing, unless services are s's in id order but for at most
// maxUpdate replaced in place or added at the end.
func (s *Snapshot) update(services []*doorstep.Service) (*Snapshot, bool) {
	changed, ok := s.changedIn(services, maxUpdate)
	if !ok {
		return nil, false
	}
	n := *s
	n.services, n.builtAt, n.fit, n.profile = services, time.Now(), &fitCache{}, doorstep.Profile{}
	n.serviceIn = append(slices.Clip(slices.Clone(s.serviceIn)), make([]int, len(services)-len(s.services))...)
	n.snaps = append(slices.Clip(slices.Clone(s.snaps)), make([]pointSnap, len(services)-len(s.services))...)
	n.kinds = append(slices.Clip(slices.Clone(s.kinds)), make([]uint8, len(services)-len(s.services))...)
	n.visibleN = maps.Clone(s.visibleN)
	n.openN = new(atomic.Pointer[openNowCounts])
	if len(services) != len(s.services) {
		n.openings = newOpeningCache(len(services))
	}
	moved := false
	coverageChanged := false
	reindex := map[string]bool{}
	for _, i := range changed {
		svc := services[i]
		p := svc.Point()
		var old *doorstep.Service
		if i < len(s.services) {
			old = s.services[i]
			n.count(old, -1)
		}
		n.count(svc, 1)
		n.kinds[i] = n.listedKind(svc)
		if old != nil && old.Point() == p {
			n.serviceIn[i], n.snaps[i] = s.serviceIn[i], s.snaps[i]
		} else {
			n.serviceIn[i], n.snaps[i] = n.areaLoc.Locate(p), n.snap(p)
			moved = true
		}
		if old == nil || old.Point() != p || old.Category != svc.Category {
			reindex[svc.Category] = true
			if old != nil {
				reindex[old.Category] = true
			}
		}
		wasOpen := old != nil && old.Status == doorstep.StatusOpen
		if wasOpen != (svc.Status == doorstep.StatusOpen) || (wasOpen && (old.Point() != p || old.Category != svc.Category)) {
			coverageChanged = true
		}
	}
	if moved || len(services) > len(s.services) {
		n.walks = s.walks.moved(&n, changed)
		points := make([]orb.Point, len(services))
		for i, svc := range services {
			points[i] = svc.Point()
		}
		// The moved and added listings beside the old tree, not a new tree of
		// every listing: 100,000 of them took tens of milliseconds a write.
		n.visible = s.visible.With(points, changed)
	}
	if len(reindex) > 0 {
		n.perCategory = maps.Clone(s.perCategory)
		catServices := map[string][]int{}
		for i, svc := range services {
			if reindex[svc.Category] {
				catServices[svc.Category] = append(catServices[svc.Category], i)
			}
		}
		for id := range reindex {
			if positions := catServices[id]; len(positions) > 0 {
				n.perCategory[id] = n.categoryIndexAfter(s.perCategory[id], positions, changed)
			} else {
				delete(n.perCategory, id)
			}
		}
	}
	if coverageChanged {
		n.cache = &memo{}
	}
	if moved {
		// A walk's delivery zone starts where its meal point stands.
		n.delivery = newDeliveries(s.DeliveryAreas())
	}
	n.labelSlot = &labelSlot{}
	s.carryLabels(&n, changed)
	return &n, true
}

// changedIn returns the positions at which services differ from s's listings —
// replaced in place or added at the end — and false when they differ otherwise
// (removed, reordered, s unsorted) or at more than most positions.
func (s *Snapshot) changedIn(services []*doorstep.Service, most int) ([]int, bool) {
	if s == nil || s.byID != nil || len(services) < len(s.services) {
		return nil, false
	}
	var changed []int
	for i, svc := range s.services {
		if services[i] != svc {
			if services[i].ID != svc.ID || len(changed) == most {
				return nil, false
			}
			changed = append(changed, i)
		}
	}
	for i := len(s.services); i < len(services); i++ {
		if len(changed) == most || (i > 0 && services[i].ID <= services[i-1].ID) {
			return nil, false
		}
		changed = append(changed, i)
	}
	return changed, true
}

// position returns where the service with this id stands in s.services.
func (s *Snapshot) position(id int64) (int, bool) {
	if s == nil {
		return 0, false
	}
	if s.byID != nil {
		i, ok := s.byID[id]
		return i, ok
	}
	return slices.BinarySearchFunc(s.services, id, func(svc *doorstep.Service, id int64) int { return cmp.Compare(svc.ID, id) })
}

// BuiltAt returns when the snapshot was built.
func (s *Snapshot) BuiltAt() time.Time { return s.builtAt }

// Street returns the street, or nil when none is loaded.
func (b *Base) Street() *doorstep.Street { return b.street }

// SampleStreet reports whether the street is the made-up sample.
func (b *Base) SampleStreet() bool { return b.sample }

// MapFeatures returns the orientation features drawn around the street.
func (b *Base) MapFeatures() []doorstep.MapFeature { return b.features }

// Attribution returns the map data's attribution line.
func (b *Base) Attribution() string { return b.attrib }

// Categories returns the categories in display order.
func (b *Base) Categories() []doorstep.Category { return b.categories }

// Category returns the category with this id.
func (b *Base) Category(id string) (doorstep.Category, bool) {
	i, ok := b.catIndex[id]
	if !ok {
		return doorstep.Category{}, false
	}
	return b.categories[i], true
}

// Areas returns the residential areas.
func (b *Base) Areas() []*doorstep.Area { return b.areas }

// Area returns the residential area with id, and false when there is none.
func (b *Base) Area(id int64) (*doorstep.Area, bool) {
	for _, a := range b.areas {
		if a.ID == id {
			return a, true
		}
	}
	return nil, false
}

// AreaOrigin is the point inside a from which its doorstep answer is given
// (geo.InteriorPoint): the resident page's answer for a chosen area and the area's
// 家门口服务卡 both start there, so they name the same services and minutes.
// False for an area without a polygon.
func AreaOrigin(a *doorstep.Area) (orb.Point, bool) {
	if len(a.Geometry) == 0 || len(a.Geometry[0]) == 0 {
		return orb.Point{}, false
	}
	return geo.InteriorPoint(a.Geometry), true
}

// Network returns the walking network's lines as loaded.
func (b *Base) Network() []doorstep.NetworkLine { return b.network }

// AreaAt returns the residential area containing p, or nil.
func (b *Base) AreaAt(p orb.Point) *doorstep.Area {
	if i := b.areaLoc.Locate(p); i >= 0 {
		return b.areas[i]
	}
	return nil
}

// StreetDistance returns how far p lies outside the street's boundary in metres
// (0 inside), or +Inf when no street is loaded.
func (b *Base) StreetDistance(p orb.Point) float64 {
	if b.street == nil {
		return math.Inf(1)
	}
	return geo.DistanceToPolygon(p, b.street.Geometry)
}

// AllServices returns every listing of the snapshot, closed ones too, by id. The
// slice is the snapshot's own: callers must not change it.
func (s *Snapshot) AllServices() []*doorstep.Service { return s.services }

// Service returns the service with this id from the snapshot.
func (s *Snapshot) Service(id int64) (*doorstep.Service, bool) {
	i, ok := s.position(id)
	if !ok {
		return nil, false
	}
	return s.services[i], true
}

// Walk is how far a service is on foot.
type Walk struct {
	DistanceM   float64 // metres on foot (estimated when Estimate is set)
	WalkMinutes float64 // minutes at the requested speed, one decimal
	Estimate    string  // "" for a network walk, EstimateStraightLine otherwise
}

// walkOnNetwork is a walk of metres along the network.
func walkOnNetwork(metres, speed float64) Walk {
	return Walk{DistanceM: math.Round(metres), WalkMinutes: roundMinutes(metres / speed)}
}

// roundMinutes rounds minutes to one decimal, as answers give them.
func roundMinutes(m float64) float64 { return math.Round(m*10) / 10 }
