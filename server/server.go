// Package server is Doorstep's HTTP face: gin routes, thin handlers, middleware and
// JSON/GeoJSON encoding, over the store and the finder snapshot.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

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
	// sessionkey.Parse). Empty: keys generated once and kept in the database.
	SessionKey string
	// SessionKeyFile, when SessionKey is empty, is a file (mode 0600) holding the
	// session key, created with a new key when missing: the key then lives outside
	// the database and its backups. `doorstep keys rotate` replaces it.
	SessionKeyFile string
	// PublicURL is where the portal is reached, such as https://doorstep.example.org:
	// the HSDS API's openapi_url starts with it. Empty: that URL is relative.
	PublicURL string
	// PrivateMetrics leaves /metrics off the portal's own address: the command
	// serves MetricsHandler on a separate one (--metrics-addr, loopback by default).
	PrivateMetrics bool
	// TrustedProxies are the addresses (CIDRs or IPs) of reverse proxies whose
	// X-Forwarded-For and X-Real-IP name the client; from anyone else those headers
	// are ignored. The client address feeds the access log and sign-in throttling.
	// Empty: no proxy is trusted, the peer address is the client's.
	TrustedProxies []string
	// SecureCookies marks the session cookie Secure even when requests arrive over
	// plain HTTP (behind a TLS-terminating proxy); over TLS it always is.
	SecureCookies bool
	// WriteTimeout is the http.Server's write timeout: an answer that takes longer
	// reaches the client cut off, and is counted and logged as such. 0: none.
	WriteTimeout time.Duration
	// ExpensivePerSecond and ExpensiveBurst are each client address's budget of
	// expensive requests (circles, catchments, coverage; fairuse.go), and
	// ExpensiveSlots how many of them run at once. 0: the defaults (2 a second,
	// bursts of 10, one slot fewer than the CPUs).
	ExpensivePerSecond float64
	ExpensiveBurst     int
	ExpensiveSlots     int
	// LookupSlots is how many residents' lookups that walk (nearest lists, doorstep
	// answers, activities near a place) run at once; the rest wait their turn. 0:
	// twice the CPUs, at least 4.
	LookupSlots int
	// OverdueDays is how many days an open report or suggestion may wait before the
	// daily summaries call it overdue. 0: doorstep.DefaultOverdueDays (7).
	OverdueDays int
	// Logger receives the server's logs: the access log, panics, snapshot builds.
	// nil: slog.Default(). Tests pass a discarding logger.
	Logger *slog.Logger
}

// The store is where the finder reads its snapshots.
var _ finder.Source = (*store.DB)(nil)

// Server serves the portal. Handlers answer from the live finder snapshot, which
// an edit refreshes and an import rebuilds.
type Server struct {
	db      *store.DB
	cfg     Config
	live    *finder.Live
	engine  *gin.Engine
	now     func() time.Time
	auth    *authState
	log     *slog.Logger // records carry the request id (LogHandler)
	metrics *metrics
	ids     *requestIDs
	headers securityHeaders
	fair    *fairUse // budgets and slots of the expensive endpoints (fairuse.go)
	// reportLimits and reported serve residents' reports on listings (reports.go).
	reportLimits reportLimits
	reported     reportedSet
	// activities is the index of activities the lookups answer from (activities.go).
	activities activityBook
	// todayMenus keeps the day's menus the doorstep answers show (menus.go).
	todayMenus menuDay
	// fragments keep listings' service objects encoded (fragments.go).
	fragments fragmentCache
	// endSessions records a sign-out (store.DB.EndSessions); a field so a test can
	// make it fail as on a full disk.
	endSessions func(ctx context.Context, userID int64) error
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
	s.endSessions = db.EndSessions
	s.fair = newFairUse(cfg)
	s.reportLimits = newReportLimits()
	s.live = finder.NewLive(db, logger, s.metrics.observeBuild)
	if err := s.live.Rebuild(ctx); err != nil {
		return nil, err
	}
	if err := s.initAuth(ctx); err != nil {
		return nil, err
	}
	reported, err := db.OpenReportTimes(ctx)
	if err != nil {
		return nil, err
	}
	s.reported.newest = reported
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// gin trusts every proxy unless told otherwise.
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("server: trusted proxies: %w", err)
	}
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(s.observe, s.recoverPanic, s.secureHeaders, s.limitRequest) // middleware.go
	s.engine = e
	s.routes()
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// MetricsHandler serves the metrics in the Prometheus text format, for a separate
// address when Config.PrivateMetrics keeps them off the portal's own.
func (s *Server) MetricsHandler() http.Handler {
	return s.metrics.httpHandler()
}

// Snapshot returns the current finder snapshot.
func (s *Server) Snapshot() *finder.Snapshot { return s.live.Snapshot() }

// Live returns the live snapshot the server answers from, for the command that
// serves it to watch for imports.
func (s *Server) Live() *finder.Live { return s.live }
