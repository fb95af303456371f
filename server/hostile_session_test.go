package server

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"doorstep/server/sessionkey"
	"doorstep/store/storetest"
)

// TestHostileSignOutEndsOtherCookies: a cookie of the same user made elsewhere — a
// second sign-in here standing in for a copy or a cookie forged with a leaked key,
// which carries its own session id — stops working when the user signs out.
func TestHostileSignOutEndsOtherCookies(t *testing.T) {
	p := newStaffPortal(t)
	mine, other := p.signedIn(t, "staff"), p.signedIn(t, "staff")
	if r := mine.do(http.MethodDelete, "/api/session", nil, nil); r.status != http.StatusOK {
		t.Fatalf("sign out: %d %s", r.status, r.body)
	}
	if r := other.do(http.MethodGet, "/api/staff/services", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("another cookie of the user after sign-out: %d, want 401", r.status)
	}
	if r := p.signedIn(t, "staff").do(http.MethodGet, "/api/staff/services", nil, nil); r.status != http.StatusOK {
		t.Errorf("signing in again after sign-out: %d", r.status)
	}
}

// TestHostileSignOutOnFullDisk: when the database cannot record a sign-out, the
// answer says so (503, not a bare 500) and the cookie stops working anyway.
func TestHostileSignOutOnFullDisk(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "staff")
	kept := c.hc.Jar.Cookies(mustURL(t, p.url))
	p.srv.endSessions = func(context.Context, int64) error {
		return errors.New("sqlite: database or disk is full (13)")
	}
	r := c.do(http.MethodDelete, "/api/session", nil, nil)
	if code, _ := r.errorField(); r.status != http.StatusServiceUnavailable || code != "unavailable" {
		t.Errorf("sign out on a full disk: %d %s", r.status, r.body)
	}
	replay := p.client(t)
	replay.hc.Jar.SetCookies(mustURL(t, p.url), kept)
	if r := replay.do(http.MethodGet, "/api/staff/services", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("the cookie after a sign-out on a full disk: %d, want 401", r.status)
	}
}

// TestHostileSessionKeyFile keeps the session key in a 0600 file outside the
// database; rotating it (what doorstep keys rotate does) signs everyone out, and a
// key file others can read is refused.
func TestHostileSessionKeyFile(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "session.key")
	db := storetest.MustOpenSampleDB(t)
	s, err := New(context.Background(), db, Config{SessionKeyFile: keyFile, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(keyFile)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	if v, _ := db.Meta(context.Background(), "session_key"); v != "" {
		t.Errorf("the key is in the database as well")
	}
	p := portalOn(t, s)
	c := p.signedIn(t, "staff")

	if err := sessionkey.WriteFile(keyFile, sessionkey.New()); err != nil {
		t.Fatal(err)
	}
	if err := db.RotateSessionKey(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.reloadSessionKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := c.do(http.MethodGet, "/api/staff/services", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("a cookie from before the rotation: %d, want 401", r.status)
	}
	if r := p.signedIn(t, "staff").do(http.MethodGet, "/api/staff/services", nil, nil); r.status != http.StatusOK {
		t.Errorf("signing in after the rotation: %d", r.status)
	}

	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(context.Background(), db, Config{SessionKeyFile: keyFile, Logger: quietLogger()}); err == nil {
		t.Error("a key file others can read was accepted")
	}
}
