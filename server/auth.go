package server

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// Failed sign-ins allowed in signInWindow before further attempts are refused
// with 429: per username, and per client address (higher, because the staff of one
// office share an address). Counts live in this process: copies of the server
// behind a load balancer each count their own.
const (
	signInFailuresPerUser = 5
	signInFailuresPerAddr = 20
	signInWindow          = 15 * time.Minute
)

// attemptLimiter counts failures per key in a sliding window. It is safe for
// concurrent use.
type attemptLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newAttemptLimiter(max int, window time.Duration) *attemptLimiter {
	return &attemptLimiter{max: max, window: window, fails: map[string][]time.Time{}}
}

// wait returns how long key must wait before its next attempt, 0 when it may try now.
func (l *attemptLimiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.recent(key, now)
	if len(recent) < l.max {
		return 0
	}
	return recent[len(recent)-l.max].Add(l.window).Sub(now)
}

// fail records a failed attempt of key.
func (l *attemptLimiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 10_000 {
		for k := range l.fails { // forget keys with no failure in the window
			if len(l.recent(k, now)) == 0 {
				delete(l.fails, k)
			}
		}
	}
	l.fails[key] = append(l.recent(key, now), now)
}

// reset forgets key's failures.
func (l *attemptLimiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// recent returns key's failures inside the window, dropping older ones. l.mu is held.
func (l *attemptLimiter) recent(key string, now time.Time) []time.Time {
	list := l.fails[key]
	i := 0
	for i < len(list) && now.Sub(list[i]) >= l.window {
		i++
	}
	if i > 0 {
		list = list[i:]
		l.fails[key] = list
	}
	return list
}

// sessionJSON is GET /api/session's answer.
type sessionJSON struct {
	User      *sessionUserJSON `json:"user"`
	CSRFToken string           `json:"csrf_token"`
}

type sessionUserJSON struct {
	ID             int64         `json:"id"`
	Username       string        `json:"username"`
	Role           doorstep.Role `json:"role"`
	OrganizationID *int64        `json:"organization_id"`
}

func newSessionJSON(u *doorstep.User, token string) sessionJSON {
	body := sessionJSON{CSRFToken: token}
	if u != nil {
		body.User = &sessionUserJSON{ID: u.ID, Username: u.Username, Role: u.Role, OrganizationID: u.OrganizationID}
	}
	return body
}

// handleSession answers who is signed in and the CSRF token to send with changes,
// starting an anonymous session when there is none.
func (s *Server) handleSession(c *gin.Context) {
	sess := s.session(c)
	u, err := s.currentUser(c, sess)
	if err != nil {
		writeError(c, err)
		return
	}
	token, changed := csrfToken(sess)
	if changed {
		s.saveSession(c, sess)
	}
	c.JSON(http.StatusOK, newSessionJSON(u, token))
}

// handleSignIn signs a user in with {"username", "password"}. Failures are counted
// per username and per address; past the limit the answer is 429 with Retry-After,
// without checking the password.
func (s *Server) handleSignIn(c *gin.Context) {
	body, ok := readJSONObject(c)
	if !ok {
		return
	}
	var username, password string
	for _, name := range body.names() {
		var err error
		switch name {
		case "username":
			err = body.decode(name, &username, "text", false)
		case "password":
			err = body.decode(name, &password, "text", false)
		default:
			err = doorstep.FieldErrorf(name, "Unknown field %q: send username and password.", name)
		}
		if err != nil {
			writeError(c, err)
			return
		}
	}
	if username == "" {
		writeError(c, doorstep.FieldErrorf("username", "username is required."))
		return
	} else if password == "" {
		writeError(c, doorstep.FieldErrorf("password", "password is required."))
		return
	}
	now := s.now()
	userKey, addrKey := limiterUserKey(username), c.RemoteIP()
	if wait := max(s.auth.byUser.wait(userKey, now), s.auth.byAddr.wait(addrKey, now)); wait > 0 {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		abortJSON(c, http.StatusTooManyRequests, &doorstep.Error{Code: "too_many_requests",
			Message: "Too many failed sign-ins. Please wait " + waitText(wait) + " and try again."})
		return
	}
	u, err := s.db.Authenticate(c.Request.Context(), username, password)
	if err != nil {
		if code := doorstep.ErrorCode(err); code == doorstep.EUNAUTHORIZED || code == doorstep.EFORBIDDEN {
			s.auth.byUser.fail(userKey, now)
			s.auth.byAddr.fail(addrKey, now)
		}
		writeError(c, err)
		return
	}
	s.auth.byUser.reset(userKey)
	sess := s.session(c)
	s.startSession(sess, u)
	s.saveSession(c, sess)
	c.JSON(http.StatusOK, newSessionJSON(u, stringValue(sess, keyCSRF)))
}

// handleSignOut ends the session: the cookie is removed and the user's session
// version moves on, so no copy of this or any other cookie of theirs — kept
// elsewhere, or forged with a leaked key — signs them in any more.
func (s *Server) handleSignOut(c *gin.Context) {
	sess := s.session(c)
	id, version := int64Value(sess, keyUserID), int64Value(sess, keyVersion)
	endSession(sess)
	s.saveSession(c, sess)
	if id != 0 {
		// Signing out ends every session of the user, so a copied or forged cookie
		// stops working too. This process refuses the cookie even when the database
		// cannot record the sign-out (a full disk); the answer then says so.
		if err := s.endSessions(c.Request.Context(), id); err != nil {
			s.auth.endInMemory(id, version)
			s.log.ErrorContext(c.Request.Context(), "sign out not recorded", "user_id", id, "err", err)
			writeStatusError(c, http.StatusServiceUnavailable, "unavailable",
				"You are signed out on this server, but the sign-out could not be saved (the disk may be full): "+
					"your session may come back after a restart. Please tell the street office.")
			return
		}
	}
	c.JSON(http.StatusOK, newSessionJSON(nil, ""))
}

// limiterUserKey is the username as the database compares it (ASCII case folded),
// cut short so a long name cannot take memory.
func limiterUserKey(username string) string {
	if len(username) > 100 {
		username = username[:100]
	}
	return strings.ToLower(username)
}

// waitText says a wait in whole minutes (at least one).
func waitText(d time.Duration) string {
	m := int(math.Ceil(d.Minutes()))
	if m <= 1 {
		return "a minute"
	}
	return strconv.Itoa(m) + " minutes"
}
