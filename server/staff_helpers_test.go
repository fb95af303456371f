package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// testClock is a settable clock for the server, safe to move while it serves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// staffPortal is a served portal over the sample street with four accounts: staff
// of one organization ("staff"), staff of another ("other.staff"), the office and
// an admin, all with storetest.Password.
type staffPortal struct {
	srv              *Server
	db               *store.DB
	url              string
	clock            *testClock
	own, other       int64
	ownSvc, otherSvc *doorstep.Service
	users            map[string]*doorstep.User
}

func newStaffPortal(tb testing.TB) *staffPortal {
	tb.Helper()
	return portalOn(tb, newTestPortal(tb))
}

// portalOn serves s, over the sample street, as newStaffPortal does.
func portalOn(tb testing.TB, s *Server) *staffPortal {
	tb.Helper()
	clock := &testClock{t: s.now()}
	s.now = clock.now
	s.db.Now = func() time.Time { return clock.now().UTC() }
	p := &staffPortal{srv: s, db: s.db, clock: clock, users: map[string]*doorstep.User{}}
	p.own, p.other, p.ownSvc, p.otherSvc = storetest.MustOrganizations(tb, s.db)
	p.users["staff"] = storetest.MustCreateUser(tb, s.db, "staff", doorstep.RoleStaff, p.own)
	p.users["other.staff"] = storetest.MustCreateUser(tb, s.db, "other.staff", doorstep.RoleStaff, p.other)
	p.users["office"] = storetest.MustCreateUser(tb, s.db, "office", doorstep.RoleOffice, 0)
	p.users["admin"] = storetest.MustCreateUser(tb, s.db, "admin", doorstep.RoleAdmin, 0)
	ts := httptest.NewServer(s)
	tb.Cleanup(ts.Close)
	p.url = ts.URL
	return p
}

// service reads a listing straight from the database.
func (p *staffPortal) service(tb testing.TB, id int64) *doorstep.Service {
	tb.Helper()
	svc, err := p.db.Service(context.Background(), id)
	if err != nil {
		tb.Fatalf("service %d: %v", id, err)
	}
	return svc
}

// auditCount counts every audit entry about listings.
func (p *staffPortal) auditCount(tb testing.TB) int {
	tb.Helper()
	ctx := doorstep.NewContextWithUser(context.Background(), p.users["admin"])
	_, n, err := p.db.Audit(ctx, store.AuditFilter{Entity: store.EntityService})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// client is a browser-like client with its own cookie jar; signedIn says whether
// it has signed in (it has a session and a CSRF token either way after session()).
func (p *staffPortal) client(tb testing.TB) *staffClient {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &staffClient{tb: tb, base: p.url, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// signedIn is a client signed in as username.
func (p *staffPortal) signedIn(tb testing.TB, username string) *staffClient {
	tb.Helper()
	c := p.client(tb)
	if status, body := c.signIn(username, storetest.Password); status != http.StatusOK {
		tb.Fatalf("sign in %s: %d %s", username, status, body)
	}
	return c
}

type staffClient struct {
	tb   testing.TB
	base string
	hc   *http.Client
	csrf string
}

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errorField decodes the JSON error's field and code.
func (r response) errorField() (code, field string) {
	var e errorBody
	_ = json.Unmarshal(r.body, &e)
	return e.Error.Code, e.Error.Field
}

// session asks who is signed in and keeps the CSRF token.
func (c *staffClient) session() sessionJSON {
	c.tb.Helper()
	var s sessionJSON
	r := c.do(http.MethodGet, "/api/session", nil, nil)
	if r.status != http.StatusOK {
		c.tb.Fatalf("GET /api/session: %d %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, &s); err != nil {
		c.tb.Fatal(err)
	}
	c.csrf = s.CSRFToken
	return s
}

// signIn fetches a CSRF token when it has none and signs in.
func (c *staffClient) signIn(username, password string) (int, []byte) {
	c.tb.Helper()
	if c.csrf == "" {
		c.session()
	}
	r := c.do(http.MethodPost, "/api/session", map[string]string{"username": username, "password": password}, nil)
	if r.status == http.StatusOK {
		var s sessionJSON
		if err := json.Unmarshal(r.body, &s); err != nil {
			c.tb.Fatal(err)
		}
		c.csrf = s.CSRFToken
	}
	return r.status, r.body
}

// do sends a request with body as JSON (a string or []byte is sent as it is) and,
// on anything but GET, the client's CSRF token unless header sets its own.
func (c *staffClient) do(method, path string, body any, header map[string]string) response {
	c.tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet && c.csrf != "" {
		req.Header.Set(csrfHeader, c.csrf)
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		c.tb.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// listing decodes a listing answer.
func (r response) listing(tb testing.TB) listingAnswer {
	tb.Helper()
	var l listingAnswer
	if err := json.Unmarshal(r.body, &l); err != nil {
		tb.Fatalf("decode listing %s: %v", r.body, err)
	}
	return l
}

// listingAnswer is a listing as the editing API answers it.
type listingAnswer struct {
	doorstep.Service
	OpenNow bool `json:"open_now"`
	Stale   bool `json:"stale"`
}

// bodyCase is one request body the server must refuse with status, naming field.
type bodyCase struct {
	name        string
	body        any
	contentType string // "" for application/json
	status      int
	field       string
}

// send sends the case's body with header and checks the refusal.
func (bc bodyCase) send(t *testing.T, c *staffClient, method, path string, header map[string]string) response {
	t.Helper()
	h := map[string]string{}
	for k, v := range header {
		h[k] = v
	}
	if bc.contentType != "" {
		h["Content-Type"] = bc.contentType
	}
	r := c.do(method, path, bc.body, h)
	code, field := r.errorField()
	if r.status != bc.status || field != bc.field || code == "" {
		t.Errorf("%d %.300s, want %d naming %q", r.status, r.body, bc.status, bc.field)
	}
	return r
}
