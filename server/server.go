// Package server is Doorstep's HTTP face: gin routes, thin handlers, middleware and
// JSON/GeoJSON encoding, over the store and the finder snapshot.
package server

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"doorstep"
	"doorstep/finder"
	"doorstep/store"

	"github.com/gin-gonic/gin"
)

// Config is what the server needs beyond the database.
type Config struct {
	// TileURL is an optional raster tile template for the map background; the
	// street is drawn from the portal's own GeoJSON when it is empty.
	TileURL string
	// SessionKey signs and encrypts session cookies (DOORSTEP_SESSION_KEY; format in
	// parseSessionKeys). Empty: keys generated once and kept in the database.
	SessionKey string
	// SecureCookies marks the session cookie Secure even when requests arrive over
	// plain HTTP (behind a TLS-terminating proxy); over TLS it always is.
	SecureCookies bool
	// WriteTimeout is the http.Server's write timeout: an answer that takes longer
	// reaches the client cut off, and is counted and logged as such. 0: none.
	WriteTimeout time.Duration
	// Logger receives the server's logs: the access log, panics, snapshot builds.
	// nil: slog.Default(). Tests pass a discarding logger.
	Logger *slog.Logger
}

// Server serves the portal. Readers take the current snapshot without a lock;
// Rebuild replaces it after a write.
type Server struct {
	db       *store.DB
	cfg      Config
	snapshot atomic.Pointer[finder.Snapshot]
	meta     atomic.Pointer[metaInfo]
	// baseImport is the import version the current base was read at.
	baseImport atomic.Pointer[string]
	rebuild    sync.Mutex
	engine     *gin.Engine
	now        func() time.Time
	auth       *authState
	log        *slog.Logger // records carry the request id (LogHandler)
	metrics    *metrics
	ids        *requestIDs
	headers    securityHeaders
}

// New builds the first snapshot from db and registers the routes.
func New(ctx context.Context, db *store.DB, cfg Config) (*Server, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{db: db, cfg: cfg, now: time.Now, log: slog.New(LogHandler(logger.Handler())),
		ids: newRequestIDs(), headers: newSecurityHeaders(cfg)}
	s.metrics = newMetrics(s)
	if err := s.Rebuild(ctx); err != nil {
		return nil, err
	}
	if err := s.initAuth(ctx); err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(s.observe, s.recoverPanic, s.secureHeaders, s.limitRequest) // middleware.go
	s.engine = e
	s.routes()
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Snapshot returns the current finder snapshot.
func (s *Server) Snapshot() *finder.Snapshot { return s.snapshot.Load() }

// Rebuild re-reads the listings and swaps in a new snapshot on the current base
// (street, areas, walking network), reusing the snaps of listings that did not move.
// Concurrent rebuilds are serialised so a slower, older read never replaces a
// newer one.
func (s *Server) Rebuild(ctx context.Context) error {
	s.rebuild.Lock()
	defer s.rebuild.Unlock()
	prev := s.snapshot.Load()
	if prev == nil {
		return s.rebuildBaseLocked(ctx)
	}
	return s.indexLocked(ctx, prev.Base, prev)
}

// Refresh swaps in a snapshot with these listings as the store just committed
// them, without re-reading the others: an edit re-indexes, it does not reload. A
// listing older (by version) than the snapshot's copy is ignored, so refreshes of
// concurrent edits may arrive in any order.
func (s *Server) Refresh(changed ...*doorstep.Service) {
	s.rebuild.Lock()
	defer s.rebuild.Unlock()
	prev := s.snapshot.Load()
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
	s.snapshot.Store(prev.Base.Index(services, prev))
	s.metrics.observeBuild(buildListings, time.Since(start))
}

// WatchImports rebuilds the whole snapshot when another process — the import
// commands — has loaded a network, areas or listings, checking every interval until
// ctx ends. Listings edited through this server are already in its snapshot.
func (s *Server) WatchImports(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := s.db.Meta(ctx, store.MetaImportVersion)
		if err != nil || v == *s.baseImport.Load() {
			continue
		}
		if err := s.RebuildBase(ctx); err != nil {
			s.log.ErrorContext(ctx, "rebuild after import", "err", err)
			continue
		}
		s.log.InfoContext(ctx, "snapshot rebuilt after an import", "import_version", v)
	}
}

// RebuildBase re-reads everything — street, categories, areas, the walking network
// and the listings — as after an import, and swaps in a new snapshot.
func (s *Server) RebuildBase(ctx context.Context) error {
	s.rebuild.Lock()
	defer s.rebuild.Unlock()
	return s.rebuildBaseLocked(ctx)
}

func (s *Server) rebuildBaseLocked(ctx context.Context) error {
	// Read the import version first: an import committed while the base is read
	// then shows as a newer version and is picked up again.
	version, err := s.db.Meta(ctx, store.MetaImportVersion)
	if err != nil {
		return fmt.Errorf("server: build snapshot: %w", err)
	}
	in, meta, err := s.readBaseInput(ctx)
	if err != nil {
		return fmt.Errorf("server: build snapshot: %w", err)
	}
	base := finder.NewBase(in)
	nodes, edges, bytes := base.GraphStats()
	s.metrics.observeBuild(buildBase, base.BuildTime())
	s.log.Info("walking network built", "lines", len(in.Network), "nodes", nodes, "edges", edges,
		"graph_bytes", bytes, "areas", len(in.Areas), "took", base.BuildTime())
	s.meta.Store(meta)
	s.baseImport.Store(&version)
	// Areas' sample points for catchments and coverage: millions at city scale, so
	// made in the background rather than by the first office request.
	go func() {
		start := time.Now()
		base.Warm()
		s.log.Info("area sample points ready", "took", time.Since(start))
	}()
	return s.indexLocked(ctx, base, nil)
}

func (s *Server) indexLocked(ctx context.Context, base *finder.Base, prev *finder.Snapshot) error {
	services, _, err := s.db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		return fmt.Errorf("server: build snapshot: %w", err)
	}
	start := time.Now()
	snap := base.Index(services, prev)
	took := time.Since(start)
	s.metrics.observeBuild(buildListings, took)
	s.log.Debug("snapshot built", "services", len(services), "took", took)
	s.snapshot.Store(snap)
	return nil
}

func (s *Server) readBaseInput(ctx context.Context) (finder.BaseInput, *metaInfo, error) {
	in, sample, err := readBase(ctx, s.db)
	if err != nil {
		return in, nil, err
	}
	features, err := s.db.MapFeatures(ctx)
	if err != nil {
		return in, nil, err
	}
	attribution, err := s.db.Meta(ctx, store.MetaAttribution)
	if err != nil {
		return in, nil, err
	}
	meta := &metaInfo{street: in.Street, sample: sample, attribution: attribution, features: features}
	return in, meta, nil
}

// readBase reads what a finder.Base is built from — categories, areas, the walking
// network and the street (nil before one is loaded) — and whether the street is
// sample data. The server and LoadSnapshot (the command line) share it.
func readBase(ctx context.Context, db *store.DB) (finder.BaseInput, bool, error) {
	var in finder.BaseInput
	var err error
	if in.Categories, err = db.Categories(ctx); err != nil {
		return in, false, err
	}
	if in.Areas, err = db.Areas(ctx); err != nil {
		return in, false, err
	}
	if in.Network, err = db.NetworkLines(ctx); err != nil {
		return in, false, err
	}
	street, sample, err := db.Street(ctx)
	if err != nil && doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		return in, false, err
	}
	in.Street = street
	return in, sample, nil
}

// metaInfo is what the map draws besides listings: the street and its orientation
// features. It changes only when a street is loaded, and rides with the snapshot.
type metaInfo struct {
	street      *doorstep.Street
	sample      bool
	attribution string
	features    []store.MapFeature
}

func (s *Server) routes() {
	e := s.engine
	e.NoRoute(func(c *gin.Context) {
		writeStatusError(c, http.StatusNotFound, doorstep.ENOTFOUND, "No such page or endpoint.")
	})
	e.NoMethod(func(c *gin.Context) {
		writeStatusError(c, http.StatusMethodNotAllowed, "method_not_allowed", "This method is not allowed here.")
	})
	e.GET("/healthz", s.handleHealth) // health.go
	e.GET("/readyz", s.handleReady)
	e.GET("/metrics", s.metrics.handler())

	api := e.Group("/api")
	api.GET("/meta", s.handleMeta)
	api.GET("/street", s.handleStreet)
	api.GET("/categories", s.handleCategories)
	api.GET("/areas", s.handleAreas)
	api.GET("/services", s.handleServices)
	api.GET("/services/:id", s.handleService)
	api.GET("/doorstep", s.handleDoorstep)
	api.GET("/circle", s.handleCircle)
	api.GET("/services/:id/catchment", s.handleCatchment)
	api.GET("/network", s.handleNetwork)
	s.coverageRoutes(api)
	e.GET("/office", s.handleOfficePage) // office.go: the coverage dashboard
	e.HEAD("/office", s.handleOfficePage)

	// Staff: sign-in, editing listings, the audit log and the /staff page (edit.go).
	s.staffRoutes(e, api)

	// Open Referral HSDS 3.0: /hsds/, /hsds/services, /hsds/services/{id} (hsds.go).
	s.hsdsRoutes(e)

	index := func(c *gin.Context) { servePage(c, "index.html") } // assets.go: ETags, cache policies
	e.GET("/", index)
	e.HEAD("/", index)
	e.GET("/static/*path", handleStatic)
	e.HEAD("/static/*path", handleStatic)
}
