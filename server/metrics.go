package server

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is what GET /metrics shows, in the Prometheus text format. Each server has
// its own registry, so several servers in one process (tests) do not collide.
//
//	doorstep_http_requests_total{method,route,status}      requests answered; method is
//	                                                       OTHER for unknown methods,
//	                                                       status 499 when the client
//	                                                       left, 504 when the write
//	                                                       timeout cut the answer
//	doorstep_http_request_duration_seconds{method,route}   latency histogram
//	doorstep_http_requests_in_flight                       requests being served
//	doorstep_snapshot_build_duration_seconds{part}         snapshot builds: base (street,
//	                                                       areas, walking graph) or listings
//	doorstep_snapshot_age_seconds                          since the current snapshot was built
//	doorstep_graph_nodes, _edges, _bytes                   the walking graph in memory
//	go_sql_*{db_name="doorstep"}                           the database connection pool
//
// plus the Go runtime, the process and build information. route is gin's route
// template ("/api/services/:id"), or "unmatched" for unknown paths, so the number
// of series stays fixed whatever paths clients try.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	builds   *prometheus.HistogramVec
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "doorstep_http_requests_total",
			Help: "HTTP requests answered, by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "doorstep_http_request_duration_seconds",
			Help: "Time from receiving a request to its answer, by method and route template.",
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "doorstep_http_requests_in_flight",
			Help: "Requests being served.",
		}),
		builds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "doorstep_snapshot_build_duration_seconds",
			Help:    "Time to build the finder snapshot: its base (street, areas, walking graph) or its listings.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10), // 0.5 ms to 131 s
		}, []string{"part"}),
	}
	graphStat := func(name, help string, pick func(nodes, edges, bytes int) int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			snap := s.Snapshot()
			if snap == nil {
				return 0
			}
			return float64(pick(snap.GraphStats()))
		})
	}
	m.registry.MustRegister(
		m.requests, m.duration, m.inFlight, m.builds,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "doorstep_snapshot_age_seconds",
			Help: "Seconds since the current finder snapshot was built (after start or the last write).",
		}, func() float64 {
			if snap := s.Snapshot(); snap != nil {
				return time.Since(snap.BuiltAt()).Seconds()
			}
			return 0
		}),
		graphStat("doorstep_graph_nodes", "Nodes of the walking graph.", func(n, _, _ int) int { return n }),
		graphStat("doorstep_graph_edges", "Directed edges of the walking graph.", func(_, e, _ int) int { return e }),
		graphStat("doorstep_graph_bytes", "Memory held by the walking graph, in bytes.", func(_, _, b int) int { return b }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "doorstep_labels_bytes",
			Help: "Memory held by the doorstep labels (a network Voronoi diagram per category), in bytes; 0 while they are made and doorstep answers are searched.",
		}, func() float64 {
			if snap := s.Snapshot(); snap != nil {
				return float64(snap.DoorstepLabelBytes())
			}
			return 0
		}),
		newDBStatsCollector("doorstep", s.db.Stats),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
	)
	return m
}

// statusText holds the status labels of the usual statuses, so counting a request
// allocates no string.
var statusText = func() map[int]string {
	m := map[int]string{statusClientGone: strconv.Itoa(statusClientGone)}
	for code := 100; code < 600; code++ {
		if http.StatusText(code) != "" {
			m[code] = strconv.Itoa(code)
		}
	}
	return m
}()

// observeRequest counts one answer. Every label is bounded: method is
// methodLabel's, route a template, and a status outside the known ones "other".
func (m *metrics) observeRequest(method, route string, status int, took time.Duration) {
	code, ok := statusText[status]
	if !ok {
		code = "other"
	}
	m.requests.WithLabelValues(method, route, code).Inc()
	m.duration.WithLabelValues(method, route).Observe(took.Seconds())
}

func (m *metrics) observeBuild(part string, took time.Duration) {
	m.builds.WithLabelValues(part).Observe(took.Seconds())
}

// handler serves the registry in the Prometheus text format (or OpenMetrics when
// the scraper asks for it).
func (m *metrics) handler() gin.HandlerFunc { return gin.WrapH(m.httpHandler()) }

func (m *metrics) httpHandler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// dbStatsCollector reports the connection pool's statistics under the names of
// client_golang's collectors.NewDBStatsCollector, read through a function so the
// store need not hand out its *sql.DB.
type dbStatsCollector struct {
	stats func() sql.DBStats
	stat  []dbStat
}

type dbStat struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(sql.DBStats) float64
}

func newDBStatsCollector(dbName string, stats func() sql.DBStats) *dbStatsCollector {
	labels := prometheus.Labels{"db_name": dbName}
	stat := func(name, help string, kind prometheus.ValueType, value func(sql.DBStats) float64) dbStat {
		return dbStat{prometheus.NewDesc("go_sql_"+name, help, nil, labels), kind, value}
	}
	g, c := prometheus.GaugeValue, prometheus.CounterValue
	return &dbStatsCollector{stats: stats, stat: []dbStat{
		stat("max_open_connections", "Maximum number of open connections to the database.", g,
			func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) }),
		stat("open_connections", "The number of established connections both in use and idle.", g,
			func(s sql.DBStats) float64 { return float64(s.OpenConnections) }),
		stat("in_use_connections", "The number of connections currently in use.", g,
			func(s sql.DBStats) float64 { return float64(s.InUse) }),
		stat("idle_connections", "The number of idle connections.", g,
			func(s sql.DBStats) float64 { return float64(s.Idle) }),
		stat("wait_count_total", "The total number of connections waited for.", c,
			func(s sql.DBStats) float64 { return float64(s.WaitCount) }),
		stat("wait_duration_seconds_total", "The total time blocked waiting for a new connection.", c,
			func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }),
		stat("max_idle_closed_total", "The total number of connections closed due to SetMaxIdleConns.", c,
			func(s sql.DBStats) float64 { return float64(s.MaxIdleClosed) }),
		stat("max_idle_time_closed_total", "The total number of connections closed due to SetConnMaxIdleTime.", c,
			func(s sql.DBStats) float64 { return float64(s.MaxIdleTimeClosed) }),
		stat("max_lifetime_closed_total", "The total number of connections closed due to SetConnMaxLifetime.", c,
			func(s sql.DBStats) float64 { return float64(s.MaxLifetimeClosed) }),
	}}
}

// Describe implements prometheus.Collector.
func (d *dbStatsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, s := range d.stat {
		ch <- s.desc
	}
}

// Collect implements prometheus.Collector.
func (d *dbStatsCollector) Collect(ch chan<- prometheus.Metric) {
	stats := d.stats()
	for _, s := range d.stat {
		ch <- prometheus.MustNewConstMetric(s.desc, s.kind, s.value(stats))
	}
}
