package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"doorstep"
	"doorstep/notify"
	"doorstep/server"
)

// writeTimeout bounds how long an answer may take to write; the server counts and
// logs answers it cuts off.
const writeTimeout = 30 * time.Second

// importPollInterval is how often a running portal checks for imports.
const importPollInterval = 5 * time.Second

// mailPollInterval is how often the daily summaries' sender looks whether they are due.
const mailPollInterval = time.Minute

func runServe(ctx context.Context, args []string, stderr io.Writer, ready chan<- string) error {
	fs := newFlagSet("serve", stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	addr := fs.String("addr", envDefault("DOORSTEP_ADDR", ":8080"), "listen address (DOORSTEP_ADDR)")
	tileURL := fs.String("tile-url", envDefault("DOORSTEP_TILE_URL", ""), "optional map tile URL template (DOORSTEP_TILE_URL)")
	secureDefault, _ := strconv.ParseBool(os.Getenv("DOORSTEP_SECURE_COOKIES"))
	pprofDefault, _ := strconv.ParseBool(os.Getenv("DOORSTEP_PPROF"))
	secureCookies := fs.Bool("secure-cookies", secureDefault,
		"mark the session cookie Secure although requests arrive over plain HTTP, behind a TLS proxy (DOORSTEP_SECURE_COOKIES)")
	logFormat := fs.String("log-format", envDefault("DOORSTEP_LOG_FORMAT", "text"), "log format: text or json (DOORSTEP_LOG_FORMAT)")
	logLevel := fs.String("log-level", envDefault("DOORSTEP_LOG_LEVEL", "info"),
		"least level logged: debug, info (one line a request), warn or error (DOORSTEP_LOG_LEVEL)")
	keyFile := fs.String("session-key-file", envDefault("DOORSTEP_SESSION_KEY_FILE", ""),
		"file (mode 0600) holding the session key, created when missing; default: kept in the database (DOORSTEP_SESSION_KEY_FILE)")
	trustedProxies := fs.String("trusted-proxies", envDefault("DOORSTEP_TRUSTED_PROXIES", ""),
		"comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client, e.g. 127.0.0.1/32; default none (DOORSTEP_TRUSTED_PROXIES)")
	expensiveRate := fs.Float64("expensive-rate", floatEnv("DOORSTEP_EXPENSIVE_RATE", 0),
		"expensive requests (circles, catchments, coverage) a second per client address, in bursts of --expensive-burst; 0: 2 (DOORSTEP_EXPENSIVE_RATE)")
	expensiveBurst := fs.Int("expensive-burst", int(floatEnv("DOORSTEP_EXPENSIVE_BURST", 0)),
		"burst of expensive requests per client address; 0: 10 (DOORSTEP_EXPENSIVE_BURST)")
	expensiveSlots := fs.Int("expensive-slots", int(floatEnv("DOORSTEP_EXPENSIVE_SLOTS", 0)),
		"expensive requests computed at once; 0: one fewer than the CPUs, at least 1 (DOORSTEP_EXPENSIVE_SLOTS)")
	publicURL := fs.String("public-url", envDefault("DOORSTEP_PUBLIC_URL", ""),
		"where residents reach the portal, e.g. https://doorstep.example.org; the HSDS API's openapi_url starts with it (DOORSTEP_PUBLIC_URL)")
	metricsAddr := fs.String("metrics-addr", envDefault("DOORSTEP_METRICS_ADDR", "127.0.0.1:9464"),
		"address of /metrics, kept off the portal's own; \"\" serves it on --addr with the portal (DOORSTEP_METRICS_ADDR)")
	profile := fs.Bool("pprof", pprofDefault,
		"also serve Go's profiles (/debug/pprof/) on --metrics-addr, for finding what a busy server spends its time on (DOORSTEP_PPROF)")
	shutdownTimeout := fs.Duration("shutdown-timeout", durationEnv("DOORSTEP_SHUTDOWN_TIMEOUT", 10*time.Second),
		"on SIGTERM or SIGINT, how long in-flight requests may take to finish (DOORSTEP_SHUTDOWN_TIMEOUT)")
	overdueDays := fs.Int("overdue-days", int(floatEnv("DOORSTEP_OVERDUE_DAYS", doorstep.DefaultOverdueDays)),
		"the daily summaries call a report or suggestion overdue when open more than this many days, 1–365 (DOORSTEP_OVERDUE_DAYS)")
	smtpAddr := fs.String("smtp-addr", envDefault("DOORSTEP_SMTP_ADDR", ""),
		"host:port of an SMTP server that takes the daily summaries by e-mail (no login; STARTTLS when offered); \"\" sends none (DOORSTEP_SMTP_ADDR)")
	smtpFrom := fs.String("smtp-from", envDefault("DOORSTEP_SMTP_FROM", ""),
		"the sender address of the summaries, required with --smtp-addr (DOORSTEP_SMTP_FROM)")
	mailAt := fs.String("mail-summary-at", envDefault("DOORSTEP_MAIL_SUMMARY_AT", "08:00"),
		"when each day, in the street's time zone, the summaries go (DOORSTEP_MAIL_SUMMARY_AT)")
	memoryLimit := fs.String("memory-limit", envDefault("DOORSTEP_MEMORY_LIMIT", defaultMemoryLimit),
		"soft limit of the Go heap, such as 1GiB or 800MiB: the collector works harder near it and returns freed memory to the system; auto: none while the street is built, then its live heap and half again (at least 512MiB); off leaves GOMEMLIMIT's (DOORSTEP_MEMORY_LIMIT)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	limit, err := parseMemoryLimit(*memoryLimit)
	if err != nil {
		return err
	}
	at, err := notify.ParseTimeOfDay(*mailAt)
	if err != nil {
		return fmt.Errorf("--mail-summary-at: %w", err)
	}
	if *smtpAddr != "" {
		if _, _, err := net.SplitHostPort(*smtpAddr); err != nil {
			return fmt.Errorf("--smtp-addr %q: give host:port", *smtpAddr)
		}
		if err := doorstep.ValidateEmail(*smtpFrom); err != nil || *smtpFrom == "" {
			return fmt.Errorf("--smtp-from %q: give the sender's address, such as doorstep@example.org", *smtpFrom)
		}
	}
	if *overdueDays < 1 || *overdueDays > doorstep.MaxOverdueDays {
		return fmt.Errorf("--overdue-days %d: use 1 to %d", *overdueDays, doorstep.MaxOverdueDays)
	}
	handler, err := newLogHandler(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	// Every record logged with a request's context carries its request_id, the
	// server's own and the handlers' slog calls alike.
	logger := slog.New(server.LogHandler(handler))
	slog.SetDefault(logger)
	auto := limit == 0
	limit, memLimit := setMemoryLimit(limit)
	defer memLimit.restore()
	if limit != math.MaxInt64 && !auto {
		logger.Info("memory limit", "bytes", limit)
	}

	db, err := openForServe(ctx, *dbPath, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := server.New(ctx, db, server.Config{
		TileURL: *tileURL,
		// The session key is a secret: taken from the environment only, never a flag
		// that ps would show.
		SessionKey:         os.Getenv("DOORSTEP_SESSION_KEY"),
		SessionKeyFile:     *keyFile,
		TrustedProxies:     splitList(*trustedProxies),
		PublicURL:          publicURLOf(*publicURL, *addr),
		PrivateMetrics:     *metricsAddr != "",
		ExpensivePerSecond: *expensiveRate,
		ExpensiveBurst:     *expensiveBurst,
		ExpensiveSlots:     *expensiveSlots,
		OverdueDays:        *overdueDays,
		SecureCookies:      *secureCookies,
		WriteTimeout:       writeTimeout,
		Logger:             logger,
	})
	if err != nil {
		return err
	}
	// The fit report takes about a second on a city of a million nodes
	// (BenchmarkCityFit): measured while the portal starts serving.
	fitLogged := make(chan struct{})
	go func() {
		defer close(fitLogged)
		logFit(logger, srv.Snapshot().Fit())
	}()
	defer func() { <-fitLogged }()
	if auto {
		go memLimit.auto(srv.Live().Wait, logger)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	httpServer := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       120 * time.Second,
		// No honest request has 64 KiB of headers; the default is 1 MiB.
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if *metricsAddr != "" {
		serveMetrics(ctx, *metricsAddr, srv.MetricsHandler(), *profile, logger)
	}
	logger.Info("doorstep listening", "addr", ln.Addr().String(), "db", *dbPath)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	// Imports run as separate commands; pick up what they load without a restart.
	// A session key rotated by doorstep keys rotate is taken up as soon. Both end
	// with serve, which waits for them so nothing logs after it returns.
	watchCtx, stopWatching := context.WithCancel(ctx)
	var watchers sync.WaitGroup
	watchers.Go(func() { srv.Live().WatchImports(watchCtx, importPollInterval) })
	watchers.Go(func() { srv.WatchSessionKey(watchCtx, importPollInterval) })
	if *smtpAddr != "" {
		mailer := &notify.Mailer{DB: db, SMTPAddr: *smtpAddr, From: *smtpFrom, At: at, OverdueDays: *overdueDays,
			Location: func() *time.Location { return srv.Snapshot().Location() }, PublicURL: publicURLOf(*publicURL, *addr), Log: logger}
		logger.Info("daily summaries by e-mail", "smtp_addr", *smtpAddr, "at", at.String())
		watchers.Go(func() { mailer.Run(watchCtx, mailPollInterval) })
	}
	defer func() {
		stopWatching()
		watchers.Wait()
		srv.Live().Wait() // a base's area sample points, still being made
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stop accepting, let in-flight requests finish within the bound, then close the
	// database (the deferred Close checkpoints the WAL and removes it).
	logger.Info("shutting down", "timeout", *shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		logger.Warn("in-flight requests cut off at the shutdown timeout", "err", err)
		httpServer.Close()
	}
	logger.Info("stopped")
	return nil
}

// newLogHandler returns the log handler the flags ask for.
func newLogHandler(w io.Writer, format, level string) (slog.Handler, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.NewTextHandler(w, opts), nil
	case "json":
		return slog.NewJSONHandler(w, opts), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", format)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// floatEnv returns the environment variable as a number, or def when unset or not
// a number.
func floatEnv(name string, def float64) float64 {
	if f, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return f
	}
	return def
}

// serveMetrics serves /metrics on addr (loopback by default, so only the machine's
// own scraper reads it) until ctx ends. A metrics address that cannot be listened
// on is logged and the portal serves without it: metrics are not worth an outage.
//
// With profiles on, /debug/pprof/ is served there too: never on the portal's own
// address, since a profile shows request paths and costs CPU while it runs.
func serveMetrics(ctx context.Context, addr string, h http.Handler, profiles bool, logger *slog.Logger) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		logger.Error("metrics not served", "metrics_addr", addr, "err", err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	ms := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: writeTimeout}
	if profiles {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		// A CPU profile or trace runs for its ?seconds=; the metrics write bound would cut it.
		ms.WriteTimeout = 0
	}
	logger.Info("metrics listening", "addr", ln.Addr().String())
	go ms.Serve(ln)
	go func() {
		<-ctx.Done()
		ms.Close()
	}()
}

// publicURLOf is --public-url, or for a portal tried out on this machine
// http://localhost with --addr's port.
func publicURLOf(flagValue, addr string) string {
	if flagValue != "" {
		return flagValue
	}
	if _, port, err := net.SplitHostPort(addr); err == nil && port != "" && port != "0" {
		return "http://localhost:" + port
	}
	return ""
}
