package finder

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"doorstep"
	"doorstep/internal/poll"
)

// Source is where snapshots are read from; *store.DB satisfies it. finder only
// reads, so it needs neither SQL nor the store package.
type Source interface {
	Categories(ctx context.Context) ([]doorstep.Category, error)
	Areas(ctx context.Context) ([]*doorstep.Area, error)
	NetworkLines(ctx context.Context) ([]doorstep.NetworkLine, error)
	// Street returns the street and whether it is sample data, or an ENOTFOUND
	// error before one is loaded.
	Street(ctx context.Context) (*doorstep.Street, bool, error)
	MapFeatures(ctx context.Context) ([]doorstep.MapFeature, error)
	Attribution(ctx context.Context) (string, error)
	// ImportVersion changes with every bulk import (network, areas, listings).
	ImportVersion(ctx context.Context) (string, error)
	Services(ctx context.Context, filter doorstep.ServiceFilter) ([]*doorstep.Service, int, error)
}

// ReadBase reads from src what a Base is built from.
func ReadBase(ctx context.Context, src Source) (BaseInput, error) {
	var in BaseInput
	var err error
	if in.Categories, err = src.Categories(ctx); err != nil {
		return in, err
	}
	if in.Areas, err = src.Areas(ctx); err != nil {
		return in, err
	}
	if in.Network, err = src.NetworkLines(ctx); err != nil {
		return in, err
	}
	street, sample, err := src.Street(ctx)
	if err != nil && doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		return in, err
	}
	in.Street, in.SampleStreet = street, sample
	if in.Features, err = src.MapFeatures(ctx); err != nil {
		return in, err
	}
	if in.Attribution, err = src.Attribution(ctx); err != nil {
		return in, err
	}
	return in, nil
}

// Load builds from src the snapshot a server answers from — the same street,
// categories, areas, walking network and listings — for tools that answer its
// questions without serving (doorstep coverage). What a server kept of them
// (DerivedStore) is loaded, not built again.
func Load(ctx context.Context, src Source) (*Snapshot, error) {
	in, err := ReadBase(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("finder: load snapshot: %w", err)
	}
	services, _, err := src.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		return nil, fmt.Errorf("finder: load snapshot: %w", err)
	}
	// A source that keeps derived data lends what a server kept: the walking graph
	// and the areas' sample points load rather than build. Only a server keeps it.
	var base *Base
	if ds, ok := src.(DerivedStore); ok {
		if rev, err := ds.DerivedRevision(ctx); err == nil {
			base = newDerivedBase(ctx, in, ds, rev, slog.New(slog.DiscardHandler))
		}
	}
	if base == nil {
		base = NewBase(in)
	}
	snap := base.Index(services, nil)
	if snap.delivery, err = readDeliveries(ctx, src); err != nil {
		return nil, fmt.Errorf("finder: load snapshot: %w", err)
	}
	return snap, nil
}

// Snapshot parts, as reported to a BuildObserver.
const (
	BuildBase     = "base"     // street, areas, walking graph
	BuildListings = "listings" // the listings on a base
	BuildLabels   = "labels"   // doorstep labels, in the background (voronoi.go)
)

// BuildObserver is told how long each part of a snapshot took to build (metrics).
type BuildObserver func(part string, took time.Duration)

// Live holds the current snapshot of a Source and replaces it as the source
// changes. Readers take Snapshot without a lock; Rebuild, RebuildBase and Refresh
// are serialised, so a slower, older read never replaces a newer one.
type Live struct {
	src      Source
	log      *slog.Logger
	observe  BuildObserver
	current  atomic.Pointer[Snapshot]
	rebuild  sync.Mutex
	imported atomic.Pointer[string] // the import version the current base was read at
	warming  sync.WaitGroup         // bases making their area sample points in the background
	// labelling is held while doorstep labels are made in the background, so
	// that a burst of rebuilds makes them once, for the last.
	labelling sync.Mutex
}

// NewLive returns a Live over src with no snapshot yet: call Rebuild before
// Snapshot. logger nil means slog.Default(); observe may be nil.
func NewLive(src Source, logger *slog.Logger, observe BuildObserver) *Live {
	if logger == nil {
		logger = slog.Default()
	}
	if observe == nil {
		observe = func(string, time.Duration) {}
	}
	return &Live{src: src, log: logger, observe: observe}
}

// Wait waits for the work Live does in the background — each base's area sample
// points — so that nothing of it outlives a test.
func (l *Live) Wait() { l.warming.Wait() }

// Snapshot returns the current snapshot, nil before the first Rebuild.
func (l *Live) Snapshot() *Snapshot { return l.current.Load() }

// Rebuild re-reads the listings and swaps in a new snapshot on the current base
// (street, areas, walking network), reusing the snaps of listings that did not
// move. The first Rebuild reads the base too.
func (l *Live) Rebuild(ctx context.Context) error {
	l.rebuild.Lock()
	defer l.rebuild.Unlock()
	prev := l.current.Load()
	if prev == nil {
		return l.rebuildBaseLocked(ctx)
	}
	return l.indexLocked(ctx, prev.Base, prev)
}

// Refresh swaps in a snapshot with these listings as the store just committed
// them, without re-reading the others: an edit re-indexes, it does not reload. A
// listing older (by version) than the snapshot's copy is ignored, so refreshes of
// concurrent edits may arrive in any order.
func (l *Live) Refresh(changed ...*doorstep.Service) {
	l.rebuild.Lock()
	defer l.rebuild.Unlock()
	prev := l.current.Load()
	services := slices.Clone(prev.AllServices())
	for _, svc := range changed {
		i, found := slices.BinarySearchFunc(services, svc.ID, func(a *doorstep.Service, id int64) int { return cmp.Compare(a.ID, id) })
		switch {
		case !found:
			services = slices.Insert(services, i, svc)
		case services[i].Version < svc.Version:
			services[i] = svc
		}
	}
	start := time.Now()
	l.current.Store(prev.Base.Index(services, prev))
	l.observe(BuildListings, time.Since(start))
}

// WatchImports rebuilds the whole snapshot when another process — the import
// commands — has loaded a network, areas or listings, checking every interval
// until ctx ends. Listings edited through Refresh are already in the snapshot.
func (l *Live) WatchImports(ctx context.Context, every time.Duration) {
	poll.Every(ctx, every, func(ctx context.Context) {
		v, err := l.src.ImportVersion(ctx)
		if seen := l.imported.Load(); err != nil || (seen != nil && v == *seen) {
			return
		}
		if err := l.RebuildBase(ctx); err != nil {
			l.log.ErrorContext(ctx, "rebuild after import", "err", err)
			return
		}
		l.log.InfoContext(ctx, "snapshot rebuilt after an import", "import_version", v)
	})
}

// RebuildBase re-reads everything — street, categories, areas, the walking network
// and the listings — as after an import, and swaps in a new snapshot.
func (l *Live) RebuildBase(ctx context.Context) error {
	l.rebuild.Lock()
	defer l.rebuild.Unlock()
	return l.rebuildBaseLocked(ctx)
}

func (l *Live) rebuildBaseLocked(ctx context.Context) error {
	// Read the import version first: an import committed while the base is read
	// then shows as a newer version and is picked up again.
	version, err := l.src.ImportVersion(ctx)
	if err != nil {
		return fmt.Errorf("finder: build snapshot: %w", err)
	}
	// The listings are read while the base is read and built: both are mostly
	// CPU (SQLite here is Go), and at city scale each takes a second or more.
	type listed struct {
		services []*doorstep.Service
		err      error
	}
	listings := make(chan listed, 1)
	go func() {
		services, _, err := l.src.Services(ctx, doorstep.ServiceFilter{})
		listings <- listed{services, err}
	}()
	// What the base is built from, named before it is read: data built from it
	// is kept under that name, so a change meanwhile makes it out of date.
	ds, _ := l.src.(DerivedStore)
	var revision string
	if ds != nil {
		if revision, err = ds.DerivedRevision(ctx); err != nil {
			l.log.Warn("derived data not used", "err", err)
			ds = nil
		}
	}
	in, err := ReadBase(ctx, l.src)
	if err != nil {
		<-listings
		return fmt.Errorf("finder: build snapshot: %w", err)
	}
	// ReadBase reads in several transactions: only when the revision is the same
	// after it is what it read the network and areas of that revision. Else an
	// import came meanwhile, and data kept for either would not match; the import
	// version read above makes the next watch rebuild again.
	if ds != nil {
		if after, err := ds.DerivedRevision(ctx); err != nil || after != revision {
			l.log.Info("derived data not used: the network or areas changed while they were read", "err", err)
			ds = nil
		}
	}
	var base *Base
	if ds != nil {
		base = newDerivedBase(ctx, in, ds, revision, l.log)
	} else {
		base = NewBase(in)
	}
	nodes, edges, bytes := base.GraphStats()
	l.observe(BuildBase, base.BuildTime())
	islands := base.Islands()
	l.log.Info("walking network built", "lines", len(in.Network), "nodes", nodes, "edges", edges,
		"islands_left_out", islands.Count, "island_nodes", islands.Nodes,
		"graph_bytes", bytes, "areas", len(in.Areas), "took", base.BuildTime())
	l.imported.Store(&version)
	// The fit of the network and areas to the street, which /readyz reports, while
	// the listings are still being read: once the snapshot is in, the background
	// work on it (labels, sample points) would hold it back.
	base.baseFit()
	r := <-listings
	if r.err != nil {
		return fmt.Errorf("finder: build snapshot: %w", r.err)
	}
	if err := l.index(ctx, base, nil, r.services); err != nil {
		return err
	}
	// Areas' sample points for catchments and coverage: millions at city scale, so
	// made (or loaded) in the background rather than by the first office request,
	// once the portal is ready; then what was built is kept for the next start.
	first := l.current.Load()
	// What is built is kept even when ctx ends meanwhile (a server stopping): it
	// costs a moment now and saves the building at the next start.
	keepCtx := context.WithoutCancel(ctx)
	l.warming.Go(func() {
		start := time.Now()
		base.findParts()
		base.derived.keepGraph(keepCtx, base, first)
		base.demand()
		// Making them needs a few hundred MB for a moment: give those pages back
		// now rather than when the scavenger gets to them, so the resident size
		// reflects what is kept.
		debug.FreeOSMemory()
		l.log.Info("area sample points ready", "took", time.Since(start))
		base.derived.keepDemand(keepCtx, base)
	})
	return nil
}

func (l *Live) indexLocked(ctx context.Context, base *Base, prev *Snapshot) error {
	services, _, err := l.src.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		return fmt.Errorf("finder: build snapshot: %w", err)
	}
	return l.index(ctx, base, prev, services)
}

// index indexes services on base, with where meal points deliver, and swaps the
// snapshot in.
func (l *Live) index(ctx context.Context, base *Base, prev *Snapshot, services []*doorstep.Service) error {
	delivery, err := readDeliveries(ctx, l.src)
	if err != nil {
		return fmt.Errorf("finder: build snapshot: %w", err)
	}
	start := time.Now()
	snap := base.Index(services, prev)
	snap.delivery = delivery
	took := time.Since(start)
	l.observe(BuildListings, took)
	l.log.Debug("snapshot built", "services", len(services), "took", took)
	l.current.Store(snap)
	if snap.HasNetwork() {
		l.warming.Go(l.labelCurrent)
	}
	return nil
}

// labelCurrent makes the current snapshot's doorstep labels (voronoi.go), and
// carries them to the snapshots edits made meanwhile. A full re-index started
// meanwhile, whose listings the labels cannot be carried to, is labelled anew.
func (l *Live) labelCurrent() {
	if !l.labelling.TryLock() {
		return // the one making labels now labels the newest snapshot when done
	}
	defer l.labelling.Unlock()
	for {
		snap := l.current.Load()
		if snap.HasDoorstepLabels() {
			return
		}
		start := time.Now()
		snap.BuildDoorstepLabels()
		took := time.Since(start)
		l.observe(BuildLabels, took)
		l.log.Info("doorstep labels ready", "took", took, "bytes", snap.DoorstepLabelBytes())
		l.rebuild.Lock()
		cur := l.current.Load()
		carried := cur == snap || cur.HasDoorstepLabels()
		if !carried && cur.Base == snap.Base {
			if changed, ok := snap.changedIn(cur.services, maxCarry); ok {
				snap.carryLabels(cur, changed)
				carried = true
			}
		}
		l.rebuild.Unlock()
		if carried {
			return
		}
	}
}
