package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// The middleware runs in this order on every request, pages, API and unknown paths
// alike (New registers it):
//
//	observe       request id, metrics and the access log, around everything below
//	recoverPanic  a panic becomes the JSON 500, its stack logged
//	secureHeaders Content-Security-Policy, nosniff, Referrer-Policy, no framing
//	limitRequest  query strings and bodies bounded and well formed
//
// so that a refused or panicking request is still counted, logged and answered with
// the security headers.

// requestIDHeader carries a request's id in the answer (and, from a trusted proxy,
// in the request).
const requestIDHeader = "X-Request-Id"

// maxQueryBytes bounds the query string: every endpoint's longest honest query is a
// few hundred bytes. Longer ones are answered 414 before anything parses them.
const maxQueryBytes = 8 << 10

// requestIDPattern is what an incoming X-Request-Id must look like to be kept:
// short, and safe in a log line.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to, "" outside a request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestIDs makes ids unique within the process and unlikely to repeat across
// restarts: a random prefix chosen at start and a counter.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return &requestIDs{prefix: hex.EncodeToString(b) + "-"}
}

func (g *requestIDs) next() string {
	return string(strconv.AppendUint([]byte(g.prefix), g.n.Add(1), 36))
}

// LogHandler wraps h so that every record logged with a request's context carries
// the request's id as request_id. The server wraps its own logger with it; the
// command wraps the default logger too, so handlers' slog.ErrorContext calls carry
// the id as well.
func LogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(requestIDHandler); ok {
		return h
	}
	return requestIDHandler{h}
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// observe gives the request an id (the proxy's X-Request-Id when it is well formed),
// answers it in X-Request-Id, and after the request counts it in the metrics and
// writes one access log line. The query string is not logged: it holds the
// coordinates residents ask from, often their home.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader(requestIDHeader)
	if !requestIDPattern.MatchString(id) {
		id = s.ids.next()
	}
	c.Writer.Header()[requestIDHeader] = []string{id}
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey{}, id))
	s.metrics.inFlight.Inc()
	defer s.afterRequest(c, start) // deferred: also after a panic recoverPanic passes on
	c.Next()
}

// afterRequest counts the request in the metrics and writes its access log line.
// Everything a client chooses is bounded before it reaches a label or a log field:
// the method (methodLabel), the route (its template, never the path) and the path
// (cut to maxLoggedPath bytes). An answer the client went away from, or that the
// write timeout cut off, is counted and logged as such (cutReason), not as the
// status the handler meant to send.
func (s *Server) afterRequest(c *gin.Context, start time.Time) {
	s.metrics.inFlight.Dec()
	took := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched" // unknown paths: one label, however many paths are tried
	}
	method := methodLabel(c.Request.Method)
	status := c.Writer.Status()
	cut := s.cutReason(c, took)
	label := status
	switch cut {
	case cutClientGone:
		label = statusClientGone
	case cutWriteTimeout:
		label = http.StatusGatewayTimeout
	}
	s.metrics.observeRequest(method, route, label, took)
	level := slog.LevelInfo
	switch {
	case cut == cutWriteTimeout:
		level = slog.LevelWarn
	case cut == cutClientGone:
	case status >= http.StatusInternalServerError:
		level = slog.LevelError
	}
	if s.log.Enabled(c.Request.Context(), level) {
		attrs := []slog.Attr{
			slog.String("method", method),
			slog.String("route", route),
			slog.String("path", loggedPath(c.Request.URL.Path)),
			slog.Int("status", status),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.Float64("ms", float64(took.Microseconds())/1000),
			slog.String("ip", c.ClientIP()),
		}
		if cut != "" {
			attrs = append(attrs, slog.String("cut", cut))
		}
		s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
	}
}

// Why an answer did not reach the client whole, the access log's cut field.
const (
	cutClientGone   = "client_gone"   // the client closed the connection first
	cutWriteTimeout = "write_timeout" // the server's write timeout passed: the client got a cut answer
)

// statusClientGone is the status label of an answer nobody received, as nginx
// logs it (499 Client Closed Request).
const statusClientGone = 499

// cutReason says whether the answer was cut off and why, "" when it was not.
func (s *Server) cutReason(c *gin.Context, took time.Duration) string {
	if s.cfg.WriteTimeout > 0 && took >= s.cfg.WriteTimeout {
		return cutWriteTimeout
	}
	if errors.Is(c.Request.Context().Err(), context.Canceled) {
		return cutClientGone
	}
	return ""
}

// knownMethods are the methods counted and logged by name; any other becomes
// "OTHER", so a client cannot mint metric series or long log fields with made-up
// method names.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
	http.MethodConnect: true, http.MethodTrace: true,
}

// methodLabel returns m when it is a known method and "OTHER" otherwise.
func methodLabel(m string) string {
	if knownMethods[m] {
		return m
	}
	return "OTHER"
}

// maxLoggedPath bounds the path written to a log line.
const maxLoggedPath = 256

// loggedPath returns the path cut to maxLoggedPath bytes (on a character
// boundary), marked with "…" when cut.
func loggedPath(p string) string {
	if len(p) <= maxLoggedPath {
		return p
	}
	cut := maxLoggedPath
	for cut > 0 && !utf8.RuneStart(p[cut]) {
		cut--
	}
	return p[:cut] + "…"
}

// recoverPanic answers a panic in a handler with the JSON 500 and logs it with its
// stack. A client that went away (broken pipe) is not answered; http.ErrAbortHandler
// is passed on, as net/http expects.
func (s *Server) recoverPanic(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
			panic(v)
		}
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "panic",
			slog.String("method", methodLabel(c.Request.Method)),
			slog.String("path", loggedPath(c.Request.URL.Path)),
			slog.Any("panic", v),
			slog.String("stack", string(debug.Stack())),
		)
		if err, ok := v.(error); ok && (errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)) {
			c.Abort()
			return
		}
		if c.Writer.Written() { // the status is gone; the client sees a cut answer
			c.Abort()
			return
		}
		writeError(c, doorstep.Errorf(doorstep.EINTERNAL, "Internal error."))
	}()
	c.Next()
}

// contentSecurityPolicy is the policy of every answer: the portal's own scripts,
// styles, images and API only, no inline code, no framing, no <base>, forms to
// ourselves. tileSource, when not empty, is allowed to serve map images as well.
func contentSecurityPolicy(tileSource string) string {
	img := "img-src 'self' data:"
	if tileSource != "" {
		img += " " + tileSource
	}
	return "default-src 'self'; " + img + "; style-src 'self'; script-src 'self'; connect-src 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
}

// tileSource returns the CSP source of a tile URL template such as
// "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png": its scheme and host, a
// templated first label ({s}) becoming the wildcard "*". A host templated anywhere
// else allows the scheme's every host; an unusable template allows nothing.
func tileSource(template string) string {
	scheme, rest, ok := strings.Cut(template, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "https" && scheme != "http") {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	if i := strings.IndexByte(host, '@'); i >= 0 { // user info is no part of a source
		host = host[i+1:]
	}
	if strings.HasPrefix(host, "{") {
		if end := strings.Index(host, "}."); end > 0 {
			host = "*" + host[end+1:]
		}
	}
	if host == "" || strings.ContainsAny(host, "{}; ,'\"") {
		return scheme + ":"
	}
	return scheme + "://" + host
}

// securityHeaders are set on every answer; the values are built once in New.
type securityHeaders map[string][]string

func newSecurityHeaders(cfg Config) securityHeaders {
	return securityHeaders{
		"Content-Security-Policy": {contentSecurityPolicy(tileSource(cfg.TileURL))},
		"X-Content-Type-Options":  {"nosniff"},
		"Referrer-Policy":         {"same-origin"},
		"X-Frame-Options":         {"DENY"},
	}
}

func (s *Server) secureHeaders(c *gin.Context) {
	h := c.Writer.Header()
	for k, v := range s.headers {
		h[k] = v
	}
	c.Next()
}

// limitRequest refuses what no endpoint takes before any handler reads it: a query
// string over maxQueryBytes (414), one that does not parse or is not UTF-8 (400), a
// body over maxBodyBytes (413), and a JSON body that is not UTF-8 (400). Bodies are
// read here in full, so a handler never waits on a slow client mid-way.
func (s *Server) limitRequest(c *gin.Context) {
	r := c.Request
	if len(r.URL.RawQuery) > maxQueryBytes {
		writeError(c, &doorstep.Error{Code: doorstep.ETOOLONG, Field: "query",
			Message: "The query string is longer than 8 KiB."})
		return
	}
	if err := checkQuery(r.URL.RawQuery); err != nil {
		writeError(c, err)
		return
	}
	if r.ContentLength > maxBodyBytes {
		abortBodyTooLarge(c)
		return
	}
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err != nil {
			writeError(c, doorstep.FieldErrorf("body", "The body could not be read."))
			return
		}
		if len(data) > maxBodyBytes {
			abortBodyTooLarge(c)
			return
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" && !utf8.Valid(data) {
			writeError(c, doorstep.FieldErrorf("body", "The body must be UTF-8 text."))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.ContentLength = int64(len(data))
	}
	c.Next()
}

func abortBodyTooLarge(c *gin.Context) {
	writeError(c, &doorstep.Error{Code: doorstep.ETOOLARGE, Field: "body",
		Message: "The body is larger than 1 MiB; large imports go through the command line."})
}

// checkQuery reports a query string that does not parse or whose names or values
// are not UTF-8. Plain ASCII without escapes or semicolons, the usual case, is
// accepted without parsing.
func checkQuery(raw string) error {
	plain := true
	for i := 0; i < len(raw); i++ {
		if b := raw[i]; b == '%' || b == ';' || b >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return nil
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return doorstep.FieldErrorf("query", "The query string is malformed: %v.", err)
	}
	for k, vs := range values {
		if !utf8.ValidString(k) {
			return doorstep.FieldErrorf("query", "The query string must be UTF-8.")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return doorstep.FieldErrorf(k, "%s must be UTF-8 text.", k)
			}
		}
	}
	return nil
}
