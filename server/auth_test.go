package server

import (
	"context"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/server/sessionkey"
	"doorstep/store"
	"doorstep/store/storetest"
)

// sessionCookieOf returns the session cookie a response set, or nil.
func sessionCookieOf(h http.Header) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	return nil
}

func TestSignInAndOut(t *testing.T) {
	p := newStaffPortal(t)
	c := p.client(t)

	anon := c.do(http.MethodGet, "/api/session", nil, nil)
	cookie := sessionCookieOf(anon.header)
	if anon.status != http.StatusOK || cookie == nil {
		t.Fatalf("GET /api/session: %d, cookie %v", anon.status, cookie)
	}
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure || cookie.Path != "/" || cookie.MaxAge != int(sessionIdle/time.Second) {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, not Secure over HTTP, Path=/, Max-Age 8 h", cookie)
	}
	if cc := anon.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	s := c.session()
	if s.User != nil || len(s.CSRFToken) < 40 {
		t.Fatalf("anonymous session %+v", s)
	}
	anonToken := s.CSRFToken
	if again := c.session(); again.CSRFToken != anonToken {
		t.Errorf("CSRF token changed between two requests of one session")
	}

	status, body := c.signIn("staff", storetest.Password)
	if status != http.StatusOK {
		t.Fatalf("sign in: %d %s", status, body)
	}
	s = c.session()
	if s.User == nil || s.User.Username != "staff" || s.User.Role != doorstep.RoleStaff || *s.User.OrganizationID != p.own {
		t.Fatalf("signed-in session %+v", s.User)
	}
	if s.CSRFToken == anonToken {
		t.Errorf("the CSRF token of the anonymous session still works after sign-in")
	}
	if r := c.do(http.MethodGet, "/api/staff/services", nil, nil); r.status != http.StatusOK {
		t.Errorf("signed in, GET /api/staff/services = %d", r.status)
	}
	signedInCookies := c.hc.Jar.Cookies(mustURL(t, p.url))

	out := c.do(http.MethodDelete, "/api/session", nil, nil)
	if out.status != http.StatusOK {
		t.Fatalf("sign out: %d %s", out.status, out.body)
	}
	if ck := sessionCookieOf(out.header); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("sign-out did not remove the cookie: %+v", ck)
	}
	if s := c.session(); s.User != nil {
		t.Errorf("after sign-out, session user %+v", s.User)
	}
	if r := c.do(http.MethodGet, "/api/staff/services", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("after sign-out, GET /api/staff/services = %d", r.status)
	}

	// A copy of the signed-in cookie kept from before sign-out is worthless.
	replay := p.client(t)
	replay.hc.Jar.SetCookies(mustURL(t, p.url), signedInCookies)
	if r := replay.do(http.MethodGet, "/api/staff/services", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("replayed cookie after sign-out: GET /api/staff/services = %d, want 401", r.status)
	}
}

// sessionCookies keeps the session cookies of a jar's cookies.
func sessionCookies(cookies []*http.Cookie) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range cookies {
		if c.Name == sessionCookie {
			out = append(out, c)
		}
	}
	return out
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSignInFixation: a session cookie planted before sign-in (say by another
// subdomain) does not become the signed-in session.
func TestSignInFixation(t *testing.T) {
	p := newStaffPortal(t)
	attacker := p.client(t)
	attacker.session()
	planted := attacker.hc.Jar.Cookies(mustURL(t, p.url))

	victim := p.client(t)
	victim.hc.Jar.SetCookies(mustURL(t, p.url), planted)
	victim.csrf = attacker.csrf
	if status, body := victim.signIn("office", storetest.Password); status != http.StatusOK {
		t.Fatalf("sign in: %d %s", status, body)
	}
	if victim.csrf == attacker.csrf {
		t.Errorf("sign-in kept the planted session's CSRF token")
	}
	if got := sessionCookies(victim.hc.Jar.Cookies(mustURL(t, p.url))); len(got) != 1 || got[0].Value == planted[0].Value {
		t.Fatalf("sign-in kept the planted cookie")
	}
	if s := attacker.session(); s.User != nil {
		t.Errorf("the planted cookie is signed in as %s", s.User.Username)
	}
	if r := attacker.do(http.MethodGet, "/api/audit", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("the planted cookie reads the audit log: %d", r.status)
	}
}

func TestSignInRefused(t *testing.T) {
	p := newStaffPortal(t)
	if err := p.db.SetUserDisabled(context.Background(), "admin", true); err != nil {
		t.Fatal(err)
	}
	tests := []bodyCase{
		{"wrong password", map[string]string{"username": "staff", "password": "not the password"}, "", 401, ""},
		{"unknown user", map[string]string{"username": "nobody", "password": "not the password"}, "", 401, ""},
		{"disabled user", map[string]string{"username": "admin", "password": storetest.Password}, "", 403, ""},
		{"no password", map[string]string{"username": "staff"}, "", 400, "password"},
		{"no username", map[string]string{"password": "x"}, "", 400, "username"},
		{"unknown field", map[string]any{"username": "staff", "password": "x", "remember": true}, "", 400, "remember"},
		{"password not text", map[string]any{"username": "staff", "password": 1234567890}, "", 400, "password"},
		{"null username", `{"username": null, "password": "x"}`, "", 400, "username"},
		{"not JSON", `username=staff&password=x`, "", 400, "body"},
		{"form content type", `{"username":"staff","password":"x"}`, "application/x-www-form-urlencoded", 415, "Content-Type"},
		{"too large", `{"username":"staff","password":"` + strings.Repeat("x", 1<<20) + `"}`, "", 413, "body"},
	}
	var messages []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := p.client(t)
			c.session()
			r := tc.send(t, c, http.MethodPost, "/api/session", nil)
			if r.status == 401 {
				messages = append(messages, string(r.body))
			}
			if s := c.session(); s.User != nil {
				t.Errorf("signed in as %s", s.User.Username)
			}
		})
	}
	if len(messages) != 2 || messages[0] != messages[1] {
		t.Errorf("unknown user and wrong password answer differently: %q", messages)
	}
}

func TestCSRF(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "office")
	other := p.signedIn(t, "staff")
	id := strconv.FormatInt(p.ownSvc.ID, 10)
	version := strconv.FormatInt(p.ownSvc.Version, 10)
	requests := []struct {
		method, path string
		body         any
	}{
		{http.MethodPatch, "/api/services/" + id, map[string]string{"phone": "021-6666-0001"}},
		{http.MethodPost, "/api/services/" + id + "/verify", nil},
		{http.MethodDelete, "/api/services/" + id, nil},
		{http.MethodPost, "/api/services", map[string]any{"category": "meal_point", "name": "x", "lon": p.ownSvc.Lon, "lat": p.ownSvc.Lat}},
		{http.MethodDelete, "/api/session", nil},
		{http.MethodPost, "/api/session", map[string]string{"username": "office", "password": storetest.Password}},
	}
	tokens := []struct {
		name, token string
	}{
		{"missing", ""},
		{"wrong", "x" + c.csrf[1:]},
		{"another session's", other.csrf},
	}
	before := p.auditCount(t)
	for _, req := range requests {
		for _, tok := range tokens {
			t.Run(req.method+" "+req.path+" "+tok.name, func(t *testing.T) {
				h := map[string]string{csrfHeader: tok.token, "If-Match": version}
				r := c.do(req.method, req.path, req.body, h)
				code, field := r.errorField()
				if r.status != http.StatusForbidden || code != doorstep.EFORBIDDEN || field != csrfHeader {
					t.Errorf("%d %s, want 403 naming %s", r.status, r.body, csrfHeader)
				}
			})
		}
	}
	if n := p.auditCount(t); n != before {
		t.Errorf("refused requests wrote %d audit entries", n-before)
	}
	if svc := p.service(t, p.ownSvc.ID); svc.Version != p.ownSvc.Version {
		t.Errorf("refused requests changed the listing to version %d", svc.Version)
	}
	if s := c.session(); s.User == nil {
		t.Errorf("a sign-out without the token signed out")
	}
}

func TestSessionIdleAndMaxAge(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "staff")
	signedIn := func() bool {
		t.Helper()
		return c.do(http.MethodGet, "/api/staff/services?limit=1", nil, nil).status == http.StatusOK
	}
	// Used every 7 hours, the session lives on: each use restarts the idle clock.
	for range 3 {
		p.clock.advance(7 * time.Hour)
		if !signedIn() {
			t.Fatalf("signed out after 7 idle hours")
		}
	}
	p.clock.advance(sessionIdle + time.Minute)
	if signedIn() {
		t.Errorf("still signed in after %v idle", sessionIdle+time.Minute)
	}
	if s := c.session(); s.User != nil {
		t.Errorf("idle session still has user %s", s.User.Username)
	}

	// However busy, a session ends sessionMaxAge after sign-in.
	c = p.signedIn(t, "staff")
	for elapsed := time.Duration(0); elapsed < sessionMaxAge-7*time.Hour; elapsed += 7 * time.Hour {
		p.clock.advance(7 * time.Hour)
		if !signedIn() {
			t.Fatalf("signed out after %v of use", elapsed)
		}
	}
	p.clock.advance(7*time.Hour + time.Minute) // past the maximum age, not idle for long
	if signedIn() {
		t.Errorf("still signed in %v after sign-in", sessionMaxAge)
	}
}

func TestDisabledOrNewPasswordSignsOut(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		change func(*store.DB) error
	}{
		{"disabled", func(db *store.DB) error { return db.SetUserDisabled(ctx, "staff", true) }},
		{"new password", func(db *store.DB) error { return db.SetPassword(ctx, "staff", "another password") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newStaffPortal(t)
			c := p.signedIn(t, "staff")
			if err := tc.change(p.db); err != nil {
				t.Fatal(err)
			}
			r := c.do(http.MethodPatch, "/api/services/"+strconv.FormatInt(p.ownSvc.ID, 10),
				map[string]string{"phone": "021-6666-0001"}, map[string]string{"If-Match": strconv.FormatInt(p.ownSvc.Version, 10)})
			if r.status != http.StatusUnauthorized {
				t.Errorf("PATCH after the account changed: %d %s", r.status, r.body)
			}
			if s := c.session(); s.User != nil {
				t.Errorf("still signed in as %s", s.User.Username)
			}
		})
	}
}

func TestSessionSurvivesRestart(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "office")
	stored, err := p.db.Meta(context.Background(), store.MetaSessionKey)
	if err != nil || len(stored) != 2*sessionkey.Bytes {
		t.Fatalf("session key kept in the database: %q, %v", stored, err)
	}

	// A new server on the same database (a restart) knows the cookie.
	restarted, err := New(context.Background(), p.db, Config{})
	if err != nil {
		t.Fatal(err)
	}
	restarted.now = p.clock.now
	ts := httptest.NewServer(restarted)
	defer ts.Close()
	c.base = ts.URL
	if s := c.session(); s.User == nil || s.User.Username != "office" {
		t.Fatalf("after restart, session user %+v", s.User)
	}
	r := c.do(http.MethodPost, "/api/services/"+strconv.FormatInt(p.ownSvc.ID, 10)+"/verify", nil, nil)
	if r.status != http.StatusOK {
		t.Errorf("after restart, verify = %d %s", r.status, r.body)
	}

	// A server with other keys does not.
	key := strings.Repeat("ab", sessionkey.Bytes)
	foreign, err := New(context.Background(), p.db, Config{SessionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	ts2 := httptest.NewServer(foreign)
	defer ts2.Close()
	c.base = ts2.URL
	if s := c.session(); s.User != nil {
		t.Errorf("a server with another key accepted the cookie")
	}
}

func TestSessionKeyConfig(t *testing.T) {
	a, b := strings.Repeat("0123456789abcdef", 8), strings.Repeat("fedcba9876543210", 8)
	tests := []struct {
		name  string
		key   string
		pairs int
	}{
		{"one key", a, 2},
		{"rotation", a + "," + b, 4},
		{"spaces", " " + a + " , " + b, 4},
		{"too short", a[:64], 0},
		{"not hex", strings.Repeat("zz", 64), 0},
		{"empty second", a + ",", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pairs, err := sessionkey.Parse(tc.key)
			if (err == nil) != (tc.pairs > 0) || len(pairs) != tc.pairs {
				t.Errorf("sessionkey.Parse = %d keys, %v; want %d", len(pairs), err, tc.pairs)
			}
			if err == nil && hex.EncodeToString(pairs[0])+hex.EncodeToString(pairs[1]) != strings.TrimSpace(strings.Split(tc.key, ",")[0]) {
				t.Errorf("first pair is not the first key")
			}
		})
	}
	db := storetest.MustOpenSampleDB(t)
	if _, err := New(context.Background(), db, Config{SessionKey: "secret"}); err == nil {
		t.Errorf("a malformed DOORSTEP_SESSION_KEY was accepted")
	}

	// Cookies from a server with the old key still work after rotation.
	oldSrv, err := New(context.Background(), db, Config{SessionKey: a})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	oldSrv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/session", nil))
	rotated, err := New(context.Background(), db, Config{SessionKey: b + "," + a, SecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/session", nil)
	for _, ck := range rec.Result().Cookies() {
		req.AddCookie(ck)
	}
	rec2 := httptest.NewRecorder()
	rotated.ServeHTTP(rec2, req)
	if !strings.Contains(rec2.Body.String(), sessionCSRF(t, rec.Body.String())) {
		t.Errorf("after key rotation the old session's token is gone: %s", rec2.Body.String())
	}
	// And told so, the server marks cookies Secure.
	rec3 := httptest.NewRecorder()
	rotated.ServeHTTP(rec3, httptest.NewRequest(http.MethodGet, "/api/session", nil))
	if ck := sessionCookieOf(rec3.Header()); ck == nil || !ck.Secure {
		t.Errorf("SecureCookies: cookie %+v is not Secure", ck)
	}
}

func sessionCSRF(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `"csrf_token":"`)
	if i < 0 {
		t.Fatalf("no csrf_token in %s", body)
	}
	rest := body[i+len(`"csrf_token":"`):]
	return rest[:strings.IndexByte(rest, '"')]
}
