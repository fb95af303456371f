package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"doorstep"
	"doorstep/internal/poll"
	"doorstep/server/sessionkey"
	"doorstep/store"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/sessions"
)

// Session lifetimes: a signed-in session ends after sessionIdle without a request,
// and sessionMaxAge after sign-in whatever happens. The cookie is re-issued (and its
// idle clock restarted) at most once every sessionRefresh.
const (
	sessionCookie  = "doorstep_session"
	sessionIdle    = 8 * time.Hour
	sessionMaxAge  = 7 * 24 * time.Hour
	sessionRefresh = time.Minute
)

// Session values. The cookie is authenticated (HMAC-SHA256) and encrypted
// (AES-256), so a client can neither read nor change them.
const (
	keySID      = "sid"       // random id of this sign-in, revoked at sign-out
	keyCSRF     = "csrf"      // the token every state-changing request must echo
	keyUserID   = "uid"       // the signed-in user
	keyVersion  = "ver"       // the user's session version at sign-in
	keySignedIn = "signed_in" // Unix seconds
	keySeen     = "seen"      // Unix seconds of the last request
)

// authState is what sign-in needs beyond the database: the cookie store and the
// failed-attempt limits.
type authState struct {
	cookies atomic.Pointer[sessions.CookieStore]
	keys    atomic.Pointer[string] // the keys cookies was made from
	secure  bool
	byUser  *throttle // sign-in attempts per username (throttle.go)
	byKnown *throttle // per username, from browsers the user signed in from before
	byAddr  *throttle // per client address, for usernames that do not exist

	// ended holds, per user, the session version below which this process refuses
	// cookies: a sign-out the database could not record (a full disk) still ends
	// the session here.
	endedMu sync.Mutex
	ended   map[int64]int64
}

// initAuth sets up sessions from the session key (sessionKeys) and the sign-in
// limits.
func (s *Server) initAuth(ctx context.Context) error {
	s.auth = &authState{
		secure:  s.cfg.SecureCookies,
		byUser:  newThrottle(signInFreeAttempts),
		byKnown: newThrottle(signInFreeAttempts),
		byAddr:  newThrottle(signInFreePerAddress),
		ended:   map[int64]int64{},
	}
	return s.reloadSessionKey(ctx)
}

// sessionKeys returns the session keys from, in order of preference,
// Config.SessionKey (DOORSTEP_SESSION_KEY), Config.SessionKeyFile (created with a
// new key when missing), or keys generated once and kept in the database so a
// restart (or another copy of the server on the same database) keeps users signed
// in.
func (s *Server) sessionKeys(ctx context.Context) (string, error) {
	switch {
	case s.cfg.SessionKey != "":
		return s.cfg.SessionKey, nil
	case s.cfg.SessionKeyFile != "":
		return sessionkey.ReadFile(s.cfg.SessionKeyFile, true)
	}
	keys, err := s.db.MetaOrInsert(ctx, store.MetaSessionKey, sessionkey.New())
	if err != nil {
		return "", fmt.Errorf("server: session key: %w", err)
	}
	return keys, nil
}

// reloadSessionKey reads the session keys and, when they changed (doorstep keys
// rotate), signs and reads cookies with the new ones from now on.
func (s *Server) reloadSessionKey(ctx context.Context) error {
	keys, err := s.sessionKeys(ctx)
	if err != nil {
		return err
	}
	if current := s.auth.keys.Load(); current != nil && *current == keys {
		return nil
	}
	pairs, err := sessionkey.Parse(keys)
	if err != nil {
		return err
	}
	cookies := sessions.NewCookieStore(pairs...)
	cookies.Options = &sessions.Options{Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}
	cookies.MaxAge(int(sessionIdle / time.Second))
	s.auth.cookies.Store(cookies)
	s.auth.keys.Store(&keys)
	return nil
}

// WatchSessionKey re-reads the session key every interval until ctx ends, so a
// key rotated by doorstep keys rotate signs cookies within seconds.
func (s *Server) WatchSessionKey(ctx context.Context, every time.Duration) {
	poll.Every(ctx, every, func(ctx context.Context) {
		if err := s.reloadSessionKey(ctx); err != nil {
			s.log.ErrorContext(ctx, "reload session key", "err", err)
		}
	})
}

// endInMemory refuses, in this process, the user's cookies of version or before.
func (a *authState) endInMemory(id, version int64) {
	a.endedMu.Lock()
	defer a.endedMu.Unlock()
	a.ended[id] = max(a.ended[id], version)
}

// endedInMemory reports whether endInMemory refused this version of the user's.
func (a *authState) endedInMemory(id, version int64) bool {
	a.endedMu.Lock()
	defer a.endedMu.Unlock()
	v, ok := a.ended[id]
	return ok && version <= v
}

// session returns the request's session, a new empty one when the cookie is absent,
// expired or not ours.
func (s *Server) session(c *gin.Context) *sessions.Session {
	// A cookie that cannot be read (expired, old key, tampered) gives a new empty
	// session and an error that says why; either way the session is usable.
	sess, _ := s.auth.cookies.Load().Get(c.Request, sessionCookie)
	return sess
}

// saveSession writes the session cookie, Secure when the server is told so or the
// request came over TLS.
func (s *Server) saveSession(c *gin.Context, sess *sessions.Session) {
	sess.Options.Secure = s.auth.secure || c.Request.TLS != nil
	if err := sess.Save(c.Request, c.Writer); err != nil {
		slog.ErrorContext(c.Request.Context(), "save session", "err", err)
	}
}

// newToken returns 32 random bytes in URL-safe base64.
func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func int64Value(sess *sessions.Session, key string) int64 {
	v, _ := sess.Values[key].(int64)
	return v
}

func stringValue(sess *sessions.Session, key string) string {
	v, _ := sess.Values[key].(string)
	return v
}

// csrfToken returns the session's CSRF token, creating it (and the session) when
// there is none; it reports whether the session changed.
func csrfToken(sess *sessions.Session) (string, bool) {
	if t := stringValue(sess, keyCSRF); t != "" {
		return t, false
	}
	t := newToken()
	sess.Values[keyCSRF] = t
	if stringValue(sess, keySID) == "" {
		sess.Values[keySID] = newToken()
	}
	return t, true
}

// startSession replaces whatever the session held by a new sign-in of u: a new id
// and a new CSRF token, so nothing known about the session before sign-in (a
// planted cookie, a token seen on the sign-in page) is worth anything after it.
func (s *Server) startSession(sess *sessions.Session, u *doorstep.User) {
	for k := range sess.Values {
		delete(sess.Values, k)
	}
	now := s.now().Unix()
	sess.Values[keySID] = newToken()
	sess.Values[keyCSRF] = newToken()
	sess.Values[keyUserID] = u.ID
	sess.Values[keyVersion] = u.SessionVersion
	sess.Values[keySignedIn] = now
	sess.Values[keySeen] = now
	sess.Options.MaxAge = int(sessionIdle / time.Second)
}

// endSession forgets the user and removes the cookie.
func endSession(sess *sessions.Session) {
	for k := range sess.Values {
		delete(sess.Values, k)
	}
	sess.Options.MaxAge = -1
}

// currentUser returns the signed-in user of the request, or nil. The user is read
// from the database on every request, so a user disabled, given a new password or
// signed out elsewhere is signed out here at once; a session idle for sessionIdle
// or older than sessionMaxAge has ended. Use refreshes the idle clock.
func (s *Server) currentUser(c *gin.Context, sess *sessions.Session) (*doorstep.User, error) {
	id := int64Value(sess, keyUserID)
	if id == 0 {
		return nil, nil
	}
	now := s.now()
	seen, signedIn := time.Unix(int64Value(sess, keySeen), 0), time.Unix(int64Value(sess, keySignedIn), 0)
	if now.Sub(seen) > sessionIdle || now.Sub(signedIn) > sessionMaxAge {
		endSession(sess)
		s.saveSession(c, sess)
		return nil, nil
	}
	version := int64Value(sess, keyVersion)
	u, err := s.db.SessionUser(c.Request.Context(), id, stringValue(sess, keySID), version)
	if doorstep.ErrorCode(err) == doorstep.EUNAUTHORIZED || (err == nil && s.auth.endedInMemory(id, version)) {
		endSession(sess)
		s.saveSession(c, sess)
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if now.Sub(seen) >= sessionRefresh {
		sess.Values[keySeen] = now.Unix()
		s.saveSession(c, sess)
	}
	return u, nil
}

// requireUser lets only signed-in users through (401 otherwise) and puts the user in
// the request's context for the layers below.
func (s *Server) requireUser(c *gin.Context) {
	u, err := s.currentUser(c, s.session(c))
	if err != nil {
		writeError(c, err)
		return
	} else if u == nil {
		writeError(c, doorstep.Errorf(doorstep.EUNAUTHORIZED, "Please sign in first."))
		return
	}
	c.Request = c.Request.WithContext(doorstep.NewContextWithUser(c.Request.Context(), u))
	c.Next()
}

// noStore keeps answers about sessions and edits out of every cache.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}
