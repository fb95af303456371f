// Package server is Doorstep's HTTP face: gin routes, thin handlers, middleware and
// JSON/GeoJSON encoding, over the store and the finder snapshot.
package server

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"doorstep"
	"doorstep/finder"
	"doorstep/static"
	"doorstep/store"

	"github.com/gin-gonic/gin"
)

// Config is what the server needs beyond the database.
type Config struct {
	// TileURL is an optional raster tile template for the map background; the
	// street is drawn from the portal's own GeoJSON when it is empty.
	TileURL string
}

// Server serves the portal. Readers take the current snapshot without a lock;
// Rebuild replaces it after a write.
type Server struct {
	db       *store.DB
	cfg      Config
	snapshot atomic.Pointer[finder.Snapshot]
	meta     atomic.Pointer[metaInfo]
	rebuild  sync.Mutex
	engine   *gin.Engine
	now      func() time.Time
}

// New builds the first snapshot from db and registers the routes.
func New(ctx context.Context, db *store.DB, cfg Config) (*Server, error) {
	s := &Server{db: db, cfg: cfg, now: time.Now}
	if err := s.Rebuild(ctx); err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(recovery())
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

// RebuildBase re-reads everything — street, categories, areas, the walking network
// and the listings — as after an import, and swaps in a new snapshot.
func (s *Server) RebuildBase(ctx context.Context) error {
	s.rebuild.Lock()
	defer s.rebuild.Unlock()
	return s.rebuildBaseLocked(ctx)
}

func (s *Server) rebuildBaseLocked(ctx context.Context) error {
	in, meta, err := s.readBaseInput(ctx)
	if err != nil {
		return fmt.Errorf("server: build snapshot: %w", err)
	}
	base := finder.NewBase(in)
	nodes, edges, bytes := base.GraphStats()
	slog.Info("walking network built", "lines", len(in.Network), "nodes", nodes, "edges", edges,
		"graph_bytes", bytes, "areas", len(in.Areas), "took", base.BuildTime())
	s.meta.Store(meta)
	return s.indexLocked(ctx, base, nil)
}

func (s *Server) indexLocked(ctx context.Context, base *finder.Base, prev *finder.Snapshot) error {
	services, _, err := s.db.Services(ctx, doorstep.ServiceFilter{})
	if err != nil {
		return fmt.Errorf("server: build snapshot: %w", err)
	}
	start := time.Now()
	snap := base.Index(services, prev)
	slog.Debug("snapshot built", "services", len(services), "took", time.Since(start))
	s.snapshot.Store(snap)
	return nil
}

func (s *Server) readBaseInput(ctx context.Context) (finder.BaseInput, *metaInfo, error) {
	var in finder.BaseInput
	var err error
	if in.Categories, err = s.db.Categories(ctx); err != nil {
		return in, nil, err
	}
	if in.Areas, err = s.db.Areas(ctx); err != nil {
		return in, nil, err
	}
	if in.Network, err = s.db.NetworkLines(ctx); err != nil {
		return in, nil, err
	}
	street, sample, err := s.db.Street(ctx)
	if err != nil && doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		return in, nil, err
	}
	in.Street = street
	features, err := s.db.MapFeatures(ctx)
	if err != nil {
		return in, nil, err
	}
	attribution, err := s.db.Meta(ctx, store.MetaAttribution)
	if err != nil {
		return in, nil, err
	}
	meta := &metaInfo{street: street, sample: sample, attribution: attribution, features: features}
	return in, meta, nil
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
	e.GET("/healthz", s.handleHealth)

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

	pages, err := fs.Sub(static.Files, ".")
	if err != nil {
		panic(err) // embedded at build time; cannot fail
	}
	e.GET("/", func(c *gin.Context) { c.FileFromFS("/", http.FS(pages)) })
	e.StaticFS("/static", http.FS(pages))
}

// recovery answers a panic with the JSON 500 and logs the stack.
func recovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(os.Stderr, func(c *gin.Context, err any) {
		slog.ErrorContext(c.Request.Context(), "panic", "path", c.Request.URL.Path, "err", err)
		writeStatusError(c, http.StatusInternalServerError, doorstep.EINTERNAL, "Internal error.")
	})
}
